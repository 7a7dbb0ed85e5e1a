import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';

const D3 = '2026-12-12T09:00:00+01:00';
const PEOPLE = 5000;
const members = Array.from({ length: PEOPLE }, (_, i) => `U${String(100000 + i)}`);

let fake: FakeSlack;
afterEach(async () => fake?.close());

const env = (data: string) => ({
  DATA_DIR: data,
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_API_URL: fake.apiUrl,
});

/** `appwarden remind --at D-3`, SIGKILLed once the fake has received `after` direct messages. */
function remindThenKill(data: string, after: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/appwarden.js'), 'remind', '--at', D3], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env(data) },
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const timer = setInterval(() => {
      if (fake.of('chat.postMessage').length >= after) child.kill('SIGKILL');
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      signal === 'SIGKILL' ? resolve() : reject(new Error(`remind ended before the kill (${code}): ${err}`));
    });
  });
}

describe('appwarden remind --at', () => {
  it('at D-7 posts the announcement with its buttons, prints what it sent, and a second run sends nothing', async () => {
    fake = await startFakeSlack();
    const data = await tempDir();
    const first = await spawnCli(['remind', '--at', '2026-12-08T09:00:00+01:00'], env(data));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('announce (7 days left): announce:demo-tiktok:2026-12-15:7 → announcements');
    expect(first.stdout).toContain('1 queued, 1 delivered, 0 waiting');
    const post = fake.of('chat.postMessage').find((c) => c.body.channel === 'C0ANNOUNCE')!;
    expect(String(post.body.blocks)).toContain('"action_id":"attest.removed"');
    const second = await spawnCli(['remind', '--at', '2026-12-08T10:00:00+01:00'], env(data));
    expect(second.stdout).toContain('0 queued, 0 delivered, 0 waiting');
    expect(fake.of('chat.postMessage')).toHaveLength(1);
  });
});

describe('a fan-out to 5,000 people', () => {
  it('honours 429 Retry-After, survives a SIGKILL mid-way, and delivers each DM exactly once', async () => {
    // Each of the two runs lists the 5,000 (25 pages); Slack's Tier 2 would space the second run's pages
    // 3 s apart. Pacing of the listing is who-is-served.test's; this one is about the posts.
    fake = await startFakeSlack({ tierLimits: false });
    fake.setMembers(members);
    fake.rateLimit('chat.postMessage', 3, 1);
    const data = await tempDir();

    await remindThenKill(data, 1500);
    const before = fake.of('chat.postMessage').length;
    expect(before).toBeGreaterThanOrEqual(1500);
    expect(before).toBeLessThan(PEOPLE);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage (429)')).toHaveLength(3);

    const resumed = await spawnCli(['remind', '--at', D3], env(data));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/0 queued, \d+ delivered, 0 waiting/);

    // Items caught between "sending" and "sent" by the kill were checked with Slack, not resent.
    expect(fake.of('conversations.history').length).toBeGreaterThan(0);
    const dms = new Map<string, number>();
    for (const c of fake.of('chat.postMessage'))
      if (/^U/.test(String(c.body.channel))) dms.set(String(c.body.channel), (dms.get(String(c.body.channel)) ?? 0) + 1);
    for (const user of [...members, 'U0APPROVER', 'U0ADMIN', 'U0STAFF', 'U0STAFF2']) expect(dms.get(user), user).toBe(1);
    expect(fake.of('chat.postMessage').filter((c) => c.body.channel === 'C0ANNOUNCE')).toHaveLength(1);

    const again = await spawnCli(['remind', '--at', D3], env(data));
    expect(again.stdout).toMatch(/0 queued, 0 delivered, 0 waiting/);
    expect(fake.of('chat.postMessage').filter((c) => /^U/.test(String(c.body.channel)))).toHaveLength(PEOPLE + 4);
  }, 120_000);
});
