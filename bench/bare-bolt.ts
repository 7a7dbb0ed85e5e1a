/**
 * The floor under AppWarden's acks: the same @slack/bolt App and ExpressReceiver, mounted on express
 * the same way, whose `/apps` handler only acks. What AppWarden adds to an ack is the difference.
 *
 * With SYNC_FILE set, `attest` commands first append a line to that file and fdatasync it, then ack
 * with a one-line answer: the floor for an answer that must be durable before it is given.
 *
 *   PORT=0 SLACK_SIGNING_SECRET=… SLACK_API_URL=http://127.0.0.1:…/api/ [SYNC_FILE=…] npx tsx bench/bare-bolt.ts
 */
import { open } from 'node:fs/promises';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import express from 'express';

const env = process.env;
const receiver = new ExpressReceiver({
  signingSecret: env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
});
const app = new App({
  token: env.SLACK_BOT_TOKEN ?? 'xoxb-bench',
  receiver,
  logLevel: LogLevel.ERROR,
  // As AppWarden: the fake Slack answers auth.test, which Bolt calls before the first event.
  ...(env.SLACK_API_URL ? { clientOptions: { slackApiUrl: env.SLACK_API_URL } } : {}),
});
const journal = env.SYNC_FILE ? await open(env.SYNC_FILE, 'a') : undefined;
app.command('/apps', async ({ ack, command }) => {
  if (!journal || !command.text.startsWith('attest')) return void (await ack());
  await journal.write(`${JSON.stringify({ user: command.user_id, text: command.text })}\n`);
  await journal.datasync();
  await ack({ response_type: 'ephemeral', text: 'Recorded.' });
});

const http = express();
http.disable('x-powered-by');
http.use(receiver.router);
const server = http.listen(Number(env.PORT ?? 0), '0.0.0.0', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare Bolt: listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
