import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';
import { npmStartCommand } from '../support/npm-start.ts';
import { startServer } from '../support/server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slackSignature, slashCommand } from '../support/slack-requests.ts';

// Issue 20 ("Run it like a service"): structured logs and metrics, on the server as `npm start` runs it.

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface LogLine {
  level: string;
  time: string;
  msg: string;
  requestId?: string;
  surface?: string;
  person?: string;
  err?: { type?: string; code?: string; message?: string; stack?: string };
}

/** Every line the server printed on stdout, each parsed as JSON: a line that is not JSON fails the test. */
const logLines = (out: string): LogLine[] =>
  out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });

async function slackServer(env: Record<string, string> = {}) {
  const slack = await startFakeSlack();
  fake = slack;
  const s = startServer({
    PORT: '0',
    DATA_DIR: await tempDir(),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ...env,
  });
  const port = await s.listening;
  const base = `http://127.0.0.1:${port}`;
  // As a running server is a moment after start: its roster of the workspace listed, so a command is
  // answered from it rather than by a lookup that a loaded machine can time out.
  await slack.until(async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as { slack?: { roster: { state: string } } };
    return health.slack?.roster.state !== 'listing' || undefined;
  }, 'the roster of the workspace');
  const command = (user: string, text: string, headers: Record<string, string> = {}) =>
    postToSlackEndpoint(`${base}/slack/events`, slashCommand(slack.url, user, text), { headers });
  return { ...s, port, base, command, fake: slack };
}

/** A signed slash command whose body arrives well after its headers, as over a slow link: the request's context must survive that. */
function slowSlashCommand(port: number, body: string): Promise<{ status: number; requestId: string | undefined; body: string }> {
  const ts = Math.floor(Date.now() / 1000);
  const head = [
    'POST /slack/events HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/x-www-form-urlencoded',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Slack-Request-Timestamp: ${ts}`,
    `X-Slack-Signature: ${slackSignature(body, ts)}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c) => (answer += c));
    socket.on('error', reject);
    socket.on('end', () => {
      const [headers = '', text = ''] = answer.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(headers)?.[1]),
        requestId: /^x-request-id: (.+)$/im.exec(headers)?.[1]?.trim(),
        body: text,
      });
    });
    socket.write(head);
    setTimeout(() => socket.write(body), 150);
  });
}

describe('the JSON log', () => {
  it('prints every line as JSON with level, time and msg; a slash command’s lines carry the request id the response echoes', async () => {
    const s = await slackServer();
    // A proxy's own id is kept; without one the server makes one up.
    const given = await s.command('U0STAFF', 'check tiktok', { 'X-Request-Id': 'lb-7f3a.1' });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.1');
    const made = await s.command('U0STAFF', 'check tiktok', { 'X-Request-Id': 'not a token; <script>' });
    const id = made.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const slow = await slowSlashCommand(s.port, slashCommand(s.fake.url, 'U0STAFF', 'check tiktok'));
    expect(slow.status).toBe(200);
    expect(slow.body).toContain('TikTok is prohibited');
    await s.printed(/slack: check: ok in \d+ ms/, 3);

    const lines = logLines(s.out());
    for (const line of lines) {
      expect(line).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    }
    for (const requestId of ['lb-7f3a.1', id, slow.requestId]) {
      const about = lines.filter((l) => l.requestId === requestId);
      expect(about.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^slack: check: ok in \d+ ms$/));
      for (const line of about) expect(line).toMatchObject({ surface: 'slack', person: 'pierre' });
    }
    // Lines about no request (the start, the scheduler) say they are the system's.
    expect(lines.find((l) => /listening on http/.test(l.msg))).toMatchObject({ level: 'info', surface: 'system' });
    expect(lines.find((l) => l.requestId === undefined && l.surface !== 'system')).toBeUndefined();

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(() => logLines(s.out())).not.toThrow(); // the stop's lines too
    expect(logLines(s.out()).at(-1)?.msg).toMatch(/data directory released/);
  });

  it.each([
    ['info', false],
    ['debug', true],
  ])('says an unreachable Slack API in one line, its stack only at debug (LOG_LEVEL=%s)', async (level, withStack) => {
    const s = await slackServer({ LOG_LEVEL: level });
    // Known to the bot first (the workspace lookup is remembered), then Slack goes away: its port is closed.
    expect((await s.command('U0STAFF', 'check tiktok')).status).toBe(200);
    await s.fake.idle(300); // the start-up tick's posts are done: what fails next is the request's
    await s.fake.close();
    fake = undefined;
    const filed = await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "posting for the agency"');
    expect(filed.status).toBe(200);
    await s.printed(/could not deliver request\.filed/);

    const lines = logLines(s.out());
    const fault = lines.find((l) => /could not deliver request\.filed/.test(l.msg))!;
    expect(fault).toMatchObject({ level: 'warn', requestId: filed.headers.get('x-request-id'), surface: 'slack', person: 'pierre' });
    expect(fault.msg).toMatch(/\(transient; try 1, next in \d+ s\): .*ECONNREFUSED/);
    expect(fault.err).toMatchObject({ type: 'DeliveryError', code: 'slack_webapi_request_error' });
    if (withStack) {
      expect(fault.err?.stack).toMatch(/^Error: posting to C0APPROVALS: ECONNREFUSED\n\s+at [\s\S]*caused by: /);
      expect(lines.some((l) => l.level === 'debug')).toBe(true);
    } else {
      expect(lines.filter((l) => l.err?.stack !== undefined)).toEqual([]);
      expect(lines.some((l) => l.level === 'debug' || l.level === 'trace')).toBe(false);
    }
  });

  // util-linux `script` gives the server a terminal for its stdout, as a person running `npm start` has.
  it.skipIf(!existsSync('/usr/bin/script'))(
    'prints human-readable lines on a terminal, from the bundle, and stops on SIGTERM',
    async () => {
      const { nodeArgs, script } = npmStartCommand();
      const line = [process.execPath, ...nodeArgs, script].map((a) => `'${a}'`).join(' ');
      const child = spawn('/usr/bin/script', ['-qfec', `${line} & echo "pid=$!"; wait`, '/dev/null'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH!, HOST: '127.0.0.1', PORT: '0', DATA_DIR: await tempDir() },
      });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      const exited = new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 500 && !/listening on http/.test(out); i++) await new Promise((r) => setTimeout(r, 20));
      const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
      process.kill(pid, 'SIGTERM');
      await exited;
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      expect(plain).toMatch(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: AppWarden for Demo Agency \(demo policy pack\): listening on http:\/\/127\.0\.0\.1:\d+ /m,
      );
      expect(plain).toMatch(/INFO: stopped; data directory released/);
      expect(plain).not.toMatch(/^\{"level"/m);
    },
  );

  it('refuses a LOG_LEVEL it does not know, with one line', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), LOG_LEVEL: 'bogus' });
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toBe('appwarden: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, not "bogus"');
    expect(s.out()).toBe('');
  });
});

describe('/metrics', () => {
  it('is Prometheus text, and counts one more check after one `/apps check tiktok`', async () => {
    const s = await slackServer();
    const scrape = async () => {
      const res = await fetch(`${s.base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await res.text());
    };
    const check = { command: 'check', surface: 'slack', outcome: 'ok' };
    const before = await scrape();
    expect(before.types.get('appwarden_commands_total')).toBe('counter');
    expect((await s.command('U0STAFF', 'check tiktok')).status).toBe(200);
    const after = await scrape();
    expect(sampleValue(after, 'appwarden_commands_total', check)).toBe((sampleValue(before, 'appwarden_commands_total', check) ?? 0) + 1);
    // The ack was timed, the start-up commits too; the outbox and the process are there.
    expect(sampleValue(after, 'appwarden_ack_seconds_count', { surface: 'slack' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'appwarden_store_commit_seconds_count', {})).toBeGreaterThanOrEqual(1);
    for (const name of ['appwarden_outbox_waiting', 'appwarden_outbox_failed', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes'])
      expect(sampleValue(after, name, {}), name).toBeTypeOf('number');
    for (const name of [
      'appwarden_outbox_lag_seconds',
      'appwarden_deliveries_total',
      'appwarden_directory_sync_age_seconds',
      'appwarden_directory_sync_ok',
      'appwarden_inventory_sync_age_seconds',
      'appwarden_inventory_sync_ok',
    ])
      expect(after.types.has(name), name).toBe(true);
    // A word nobody knows is counted as `unknown`, never as itself.
    await s.command('U0STAFF', 'frobnicate tiktok');
    const words = (await scrape()).samples.filter((x) => x.name === 'appwarden_commands_total').map((x) => x.labels.command);
    expect(words).toContain('unknown');
    expect(words).not.toContain('frobnicate');
  });

  it('asks for METRICS_TOKEN when one is set: 401 without it or with another, 200 with it', async () => {
    const token = 'metrics-token-4b1d9e0c';
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), METRICS_TOKEN: token });
    const url = `http://127.0.0.1:${await s.listening}/metrics`;
    const without = await fetch(url);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(url, { headers: { Authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    const right = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(parsePrometheusText(await right.text()).types.get('appwarden_commands_total')).toBe('counter');
    // /healthz stays open: load balancers ask it without credentials.
    expect((await fetch(url.replace('/metrics', '/healthz'))).status).toBe(200);
    // The Teams endpoint (emulator mode here) echoes a request id too, even on a refusal.
    const teams = await fetch(url.replace('/metrics', '/api/messages'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'teams-probe-1' },
      body: '{}',
    });
    expect(teams.status).toBe(400);
    expect(teams.headers.get('x-request-id')).toBe('teams-probe-1');
  });

  it('refuses a METRICS_TOKEN too short to be a secret, with one line', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), METRICS_TOKEN: 'short' });
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toMatch(/^appwarden: METRICS_TOKEN must be at least 16 characters/);
  });
});
