import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackSurface, SocketModeStartError } from '../../adapters/slack/slack-surface.ts';
import { createAppWarden } from '../../src/app.ts';
import { readConfig } from '../../src/config.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack } from '../support/bot.ts';
import { startFakeSlack } from '../support/fake-slack.ts';
import { ACK_WITHIN_MS } from '../support/fake-socket-mode.ts';
import { APP_TOKEN, startSocketBot, type SocketBot } from '../support/slack-socket-bot.ts';

let s: SocketBot;
beforeEach(async () => (s = await startSocketBot()));
afterEach(async () => s?.stop());

const STAFF = 'U0STAFF';
const APPROVER = 'U0APPROVER';
const REQUEST = 'request instagram --purpose public-communications --days 30 --reason "Campaign week"';

describe('Slack over Socket Mode', () => {
  it('connects out with the app-level token to the URL apps.connections.open gives; /slack/events is not served, /healthz is', async () => {
    const [open] = s.fake.of('apps.connections.open');
    expect(open!.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(s.socket.open()).toHaveLength(1);
    expect(s.slack.mode).toBe('Socket Mode');
    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, surfaces: ['slack'] });
    expect((await fetch(`${s.base}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('answers /apps in the ack of its slash_commands envelope, within 3 s', async () => {
    const ack = await s.command(STAFF, 'check tiktok');
    expect(ack.ms).toBeLessThan(ACK_WITHIN_MS);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toContain('TikTok');
  });

  it('a redelivered envelope (retry_attempt 1) files one request and posts it once', async () => {
    const triggerId = 'trig-retry-1';
    const first = await s.command(STAFF, REQUEST, { triggerId });
    expect(String(first.payload?.text)).toContain('Request EX-1 filed');
    const again = await s.command(STAFF, REQUEST, { triggerId, retryAttempt: 1 });
    expect(again.ms).toBeLessThan(ACK_WITHIN_MS);
    await s.fake.until(() => s.fake.of('chat.postMessage').some((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
    await s.fake.idle();
    expect(s.store.list('requests')).toHaveLength(1);
    expect(s.fake.of('chat.postMessage').filter((c) => c.body.channel === 'C0APPROVALS')).toHaveLength(1);
  });

  it('acks interactive envelopes: a click opens the form, a decision updates the approvals post', async () => {
    await s.command(STAFF, REQUEST);
    const stored = await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1'), 'the stored message ref');
    const open = await s.click('U0STAFF2', 'request.open', JSON.stringify({ app: 'instagram' }));
    expect(open.ms).toBeLessThan(ACK_WITHIN_MS);
    const modal = await s.fake.until(() => s.fake.of('views.open')[0], 'the request form');
    expect(JSON.parse(String(modal.body.view)).callback_id).toBe('request.submit');
    const ts = String(stored.ref.ts);
    const approve = await s.click(APPROVER, 'request.approve', 'EX-1', { ts });
    expect(approve.ms).toBeLessThan(ACK_WITHIN_MS);
    await s.fake.until(() => s.fake.of('chat.update').length, 'the approvals post updated');
    expect(s.store.get('requests', 'EX-1')?.status).toBe('approved');
  });

  it('acks events_api envelopes at once; a redelivered event is answered once', async () => {
    const event = { type: 'message', channel_type: 'im', channel: 'D0STAFF', user: STAFF, text: 'check tiktok', ts: '1790000000.000100' };
    const ack = await s.event(event, { eventId: 'Ev0SOCKET1' });
    expect(ack.ms).toBeLessThan(ACK_WITHIN_MS);
    expect(ack.payload ?? {}).toEqual({});
    await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'D0STAFF'), 'the answer in the DM');
    await s.event(event, { eventId: 'Ev0SOCKET1', retryAttempt: 1 });
    await s.fake.idle(300);
    expect(s.fake.of('chat.postMessage').filter((c) => c.body.channel === 'D0STAFF')).toHaveLength(1);
  });

  it('reconnects after the server drops the socket (a new apps.connections.open), and /apps still works', async () => {
    s.socket.drop();
    await s.fake.until(() => s.socket.open().length === 1 && s.socket.connections() === 2, 'a new connection', 5_000);
    expect(s.fake.of('apps.connections.open')).toHaveLength(2);
    const ack = await s.command(STAFF, 'check tiktok');
    expect(String(ack.payload?.text)).toContain('TikTok');
    expect(s.logs.join('\n')).not.toMatch(/fault/);
  });
});

describe('Socket Mode configuration', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', POLICY_FILE: 'policies/demo.yaml' };
  it('SLACK_APP_TOKEN turns it on with no signing secret', () => {
    const read = readConfig({ ...base, SLACK_APP_TOKEN: 'xapp-1-A-1-x' });
    expect(read).toMatchObject({ ok: true, config: { slack: { mode: 'socket', token: 'xoxb-1', appToken: 'xapp-1-A-1-x' } } });
  });
  it('without it, the signing secret is still needed (events over HTTP)', () => {
    expect(readConfig({ ...base, SLACK_SIGNING_SECRET: 's' })).toMatchObject({ ok: true, config: { slack: { mode: 'http' } } });
    const read = readConfig(base);
    expect(read.ok).toBe(false);
  });
  it('a token that is not an app-level token is refused in one line', () => {
    const read = readConfig({ ...base, SLACK_APP_TOKEN: 'xoxb-2' });
    expect(read).toEqual({
      ok: false,
      problems: [
        'SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, from Basic Information → App-Level Tokens',
      ],
    });
  });
  it('an app-level token without the bot token is refused', () => {
    const read = readConfig({ POLICY_FILE: 'policies/demo.yaml', SLACK_APP_TOKEN: 'xapp-1' });
    expect(read.ok).toBe(false);
    expect(read.ok ? [] : read.problems).toEqual([
      'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both (the bot token starts with xoxb-)',
    ]);
  });
});

describe('Socket Mode at start', () => {
  it('gives up with one reason when Slack does not answer apps.connections.open in time', async () => {
    const fake = await startFakeSlack();
    fake.hang('apps.connections.open', 1);
    const bot = createAppWarden({ policy: loadPack('demo.yaml'), store: createMemoryStore(), log: () => undefined });
    const started = createSlackSurface(bot, {
      token: 'xoxb-test',
      appToken: APP_TOKEN,
      apiUrl: fake.apiUrl,
      socketStartTimeoutMs: 500,
      log: () => undefined,
    });
    await expect(started).rejects.toBeInstanceOf(SocketModeStartError);
    await expect(started).rejects.toThrow('no connection within 1 s');
    await fake.close();
  });
});
