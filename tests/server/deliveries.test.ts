import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { startServer } from '../support/server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommand } from '../support/slack-requests.ts';

let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());
const slackEnv = (data: string, f: FakeSlack) => ({
  DATA_DIR: data,
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: f.apiUrl,
});

describe('npm start with a Slack that never answers', () => {
  it('answers the command, reports the waiting delivery on /healthz, stops promptly on SIGTERM, and delivers once after a restart', async () => {
    fake = await startFakeSlack();
    fake.hang('chat.postMessage', 1000);
    const data = await tempDir();
    const s = startServer({ PORT: '0', ...slackEnv(data, fake) });
    const port = await s.listening;
    const res = await postToSlackEndpoint(
      `http://127.0.0.1:${port}/slack/events`,
      slashCommand(fake.url, 'U0STAFF', 'request instagram --purpose public-communications --reason "posting"'),
    );
    expect(res.text).toContain('EX-1');
    await fake.until(() => fake!.calls.find((c) => c.method === 'chat.postMessage (hang)'), 'the hung post');
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health.outbox.failed).toBe(0);
    expect(health.outbox.waiting).toBeGreaterThanOrEqual(1); // the approvals post, and any reminder the start-up tick queued
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0); // within the test's time: the hung call does not hold the stop
    expect(s.out()).toMatch(/deliveries not finished in 5 s; they resume at the next start/);
    expect(s.out()).toMatch(/data directory released/);

    const listed = await spawnCli(['outbox'], { ...slackEnv(data, fake) });
    expect(listed.stdout).toMatch(/^\d+ waiting, 0 failed$/m);
    expect(listed.stdout).toMatch(/waiting {2}request\.filed:EX-1:0 {2}post to approvals about EX-1 {2}being delivered since/);

    await fake.close();
    fake = await startFakeSlack();
    const again = startServer({ PORT: '0', ...slackEnv(data, fake) });
    await again.listening;
    await fake.until(() => (fake!.history('C0APPROVALS').length === 1 ? true : undefined), 'the approvals post after the restart');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(fake.history('C0APPROVALS')).toHaveLength(1);
  }, 60_000);
});

describe('appwarden outbox', () => {
  it("lists a delivery Slack refused for good with Slack's reason (--json too); the approvals channel hears of it once that day", {
    timeout: 90_000,
  }, async () => {
    fake = await startFakeSlack();
    fake.refuse('chat.postMessage', 'is_archived', 1);
    const data = await tempDir();
    const tick = await spawnCli(['remind', '--at', '2026-12-08T09:00:00+01:00'], slackEnv(data, fake));
    expect(tick.code, tick.stderr).toBe(0);
    expect(tick.stdout).toContain('1 queued, 1 delivered, 0 waiting');
    const listed = await spawnCli(['outbox'], slackEnv(data, fake));
    expect(listed.stdout).toMatch(/^0 waiting, 1 failed$/m);
    expect(listed.stdout).toMatch(
      /failed {3}announce:demo-tiktok:2026-12-15:7 {2}post to announcements about announce:demo-tiktok:2026-12-15:7 {2}slack: posting to C0ANNOUNCE: is_archived/,
    );
    const json = JSON.parse((await spawnCli(['outbox', '--json'], slackEnv(data, fake))).stdout);
    expect(json.failed[0]).toMatchObject({
      id: 'announce:demo-tiktok:2026-12-15:7',
      status: 'failed',
      failures: [{ platform: 'slack', reason: 'posting to C0ANNOUNCE: is_archived' }],
    });
    const second = await spawnCli(['remind', '--at', '2026-12-08T10:00:00+01:00'], slackEnv(data, fake));
    expect(second.stdout).toContain('0 queued, 1 delivered, 0 waiting'); // the day's digest of failures
    const digest = fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS')!;
    expect(String(digest.body.text)).toMatch(
      /^1 message could not be delivered\n• post to announcements about announce:demo-tiktok:2026-12-15:7 \(slack\): posting to C0ANNOUNCE: is.archived/,
    );
    const third = await spawnCli(['remind', '--at', '2026-12-08T11:00:00+01:00'], slackEnv(data, fake));
    expect(third.stdout).toContain('0 queued, 0 delivered, 0 waiting');
    const announcements = fake.calls.filter((c) => c.method.startsWith('chat.postMessage') && c.body.channel === 'C0ANNOUNCE');
    expect(announcements).toHaveLength(1); // refused once, never tried again
  });
});
