/**
 * The floor under AppWarden's acks: the same @slack/bolt App and ExpressReceiver, mounted on express
 * the same way, whose `/apps` handler only acks. What AppWarden adds to an ack is the difference.
 *
 *   PORT=0 SLACK_SIGNING_SECRET=… SLACK_API_URL=http://127.0.0.1:…/api/ npx tsx bench/bare-bolt.ts
 */
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import express from 'express';

const env = process.env;
const receiver = new ExpressReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', endpoints: '/slack/events', logLevel: LogLevel.ERROR });
const app = new App({
  token: env.SLACK_BOT_TOKEN ?? 'xoxb-bench',
  receiver,
  logLevel: LogLevel.ERROR,
  // As AppWarden: the fake Slack answers auth.test, which Bolt calls before the first event.
  ...(env.SLACK_API_URL ? { clientOptions: { slackApiUrl: env.SLACK_API_URL } } : {}),
});
app.command('/apps', async ({ ack }) => {
  await ack();
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
