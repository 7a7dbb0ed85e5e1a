import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';
import { startConnectProxy } from '../support/connect-proxy.ts';
import { startFakeSlack } from '../support/fake-slack.ts';
import { startFakeSocketMode } from '../support/fake-socket-mode.ts';
import { startServer } from '../support/server-process.ts';
import { slashCommand } from '../support/slack-requests.ts';

describe('npm start with SLACK_APP_TOKEN (Socket Mode)', () => {
  it('connects out with no signing secret, answers /apps over the socket, still serves /healthz, not /slack/events', async () => {
    const fake = await startFakeSlack();
    const socket = await startFakeSocketMode(fake);
    const s = startServer({
      PORT: '0',
      DATA_DIR: await tempDir(),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-1-A0APP-1-test',
      SLACK_API_URL: fake.apiUrl,
    });
    const port = await s.listening;
    expect(s.out()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ — slack \(Socket Mode\); data in/);
    expect(fake.of('apps.connections.open')[0]!.headers.authorization).toBe('Bearer xapp-1-A0APP-1-test');
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({ ok: true, surfaces: ['slack'] });
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' })).status).toBe(404);
    const ack = await socket.send(
      'slash_commands',
      Object.fromEntries(new URLSearchParams(slashCommand(fake.url, 'U0STAFF', 'attest tiktok'))),
    );
    expect(String(ack.payload?.text)).toContain('Recorded: you have removed TikTok');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await socket.close();
    await fake.close();
  });

  it('goes out through the outbound proxy: apps.connections.open and the socket itself', async () => {
    const fake = await startFakeSlack();
    const socket = await startFakeSocketMode(fake);
    const proxy = await startConnectProxy();
    const s = startServer({
      PORT: '0',
      DATA_DIR: await tempDir(),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-1-A0APP-1-test',
      SLACK_API_URL: fake.apiUrl,
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
    });
    await s.listening;
    const ack = await socket.send(
      'slash_commands',
      Object.fromEntries(new URLSearchParams(slashCommand(fake.url, 'U0STAFF', 'check tiktok'))),
    );
    expect(String(ack.payload?.text)).toContain('TikTok');
    expect(proxy.tunnels).toContain(new URL(fake.url).host);
    expect(proxy.tunnels).toContain(new URL(socket.url).host);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await proxy.close();
    await socket.close();
    await fake.close();
  });

  it('refuses an app-level token Slack does not accept with one line', async () => {
    const fake = await startFakeSlack();
    const socket = await startFakeSocketMode(fake);
    fake.refuse('apps.connections.open', 'invalid_auth', 1);
    const s = startServer({
      PORT: '0',
      DATA_DIR: await tempDir(),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-1-revoked',
      SLACK_API_URL: fake.apiUrl,
    });
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toBe(
      'appwarden: Slack Socket Mode could not connect (apps.connections.open with SLACK_APP_TOKEN): invalid_auth',
    );
    await socket.close();
    await fake.close();
  });

  it('refuses a token that is not an app-level token before connecting', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xoxb-other' });
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toBe(
      'appwarden: SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, from Basic Information → App-Level Tokens',
    );
  });
});
