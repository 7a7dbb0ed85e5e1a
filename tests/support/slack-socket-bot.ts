import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackSurface } from '../../adapters/slack/slack-surface.ts';
import { createAppWarden } from '../../src/app.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from './bot.ts';
import { startFakeSlack } from './fake-slack.ts';
import { startFakeSocketMode } from './fake-socket-mode.ts';
import { buttonClick, slashCommand, viewSubmission } from './slack-requests.ts';

export const APP_TOKEN = 'xapp-1-A0APP-1-fake';

/**
 * The real Bolt app in Socket Mode (an app-level token, no signing secret) against a fake Slack Web
 * API and a fake Socket Mode server on 127.0.0.1; the HTTP app beside it serves /healthz only.
 * Envelopes carry the same payloads as the HTTP tests post, as objects.
 */
export async function startSocketBot(pack = 'demo.yaml', at = '2026-11-22T09:00:00Z') {
  const fake = await startFakeSlack();
  const socket = await startFakeSocketMode(fake);
  const clock = testClock(at);
  const logs: string[] = [];
  const policy = loadPack(pack);
  fake.addUsers(...policy.people.flatMap((p) => (p.slack ? [{ id: p.slack, real_name: p.name ?? p.id }] : [])));
  const store = createMemoryStore();
  const bot = createAppWarden({ policy, store, now: clock.now, log: (line) => logs.push(line) });
  const slack = await createSlackSurface(bot, {
    token: 'xoxb-test-token',
    appToken: APP_TOKEN,
    apiUrl: fake.apiUrl,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 },
    socketPingTimeoutMs: 200,
    log: (line) => logs.push(line),
  });
  await slack.listed;
  const server: Server = await new Promise((resolve) => {
    const s = buildHttpApp(bot, [slack]).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fields = (form: string) => Object.fromEntries(new URLSearchParams(form));
  const interaction = (form: string) => JSON.parse(fields(form).payload!) as Record<string, unknown>;
  return {
    fake,
    socket,
    bot,
    store,
    clock,
    logs,
    slack,
    base,
    /** `/apps <text>` as a slash_commands envelope; the ack's payload is the answer when it came in time. */
    command: (user: string, text: string, o: { triggerId?: string; envelopeId?: string; retryAttempt?: number } = {}) =>
      socket.send('slash_commands', fields(slashCommand(fake.url, user, text, o.triggerId)), o),
    click: (user: string, actionId: string, value: string, o: Parameters<typeof buttonClick>[4] = {}) =>
      socket.send('interactive', interaction(buttonClick(fake.url, user, actionId, value, o))),
    submit: (user: string, callbackId: string, meta: string, values: Record<string, Record<string, unknown>>) =>
      socket.send('interactive', interaction(viewSubmission(user, callbackId, meta, values))),
    /** An Events API callback as an events_api envelope. */
    event: (event: Record<string, unknown>, o: { eventId?: string; envelopeId?: string; retryAttempt?: number } = {}) =>
      socket.send(
        'events_api',
        {
          token: 'legacy',
          team_id: 'T0TEAM',
          api_app_id: 'A0APP',
          event: { event_ts: event.ts, ...event },
          type: 'event_callback',
          event_id: o.eventId ?? `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ team_id: 'T0TEAM', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
          is_ext_shared_channel: false,
        },
        o,
      ),
    async stop() {
      await fake.idle();
      await slack.close();
      await new Promise<void>((r) => server.close(() => r()));
      await socket.close();
      await fake.close();
      if (fake.rejected.length) throw new Error(`Slack would have refused: ${JSON.stringify(fake.rejected)}`);
    },
  };
}
export type SocketBot = Awaited<ReturnType<typeof startSocketBot>>;
