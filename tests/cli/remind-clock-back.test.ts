import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';

// The built-in demo pack: TikTok banned, deadline 15 December 2026 (Europe/Brussels), staff on Slack.
const at = (day: string) => `${day}T09:00:00+01:00`;
const D1 = at('2026-12-14');
const D14 = at('2026-12-01');

let fake: FakeSlack;
afterEach(async () => fake?.close());

const env = (data: string) => ({
  DATA_DIR: data,
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_API_URL: fake.apiUrl,
});
const remind = async (when: string, data: string) => {
  const run = await spawnCli(['remind', '--at', when], env(data));
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
};
const announcements = () =>
  fake
    .of('chat.postMessage')
    .filter((c) => c.body.channel === 'C0ANNOUNCE')
    .map((c) => String(c.body.text ?? c.body.blocks));

describe('appwarden remind --at with the clock set back', () => {
  it('after the 1-day stage, a run at D-14 (or D-3) queues no earlier stage; the day itself still comes', {
    timeout: 120_000,
  }, async () => {
    fake = await startFakeSlack();
    const data = await tempDir();
    const first = await remind(D1, data);
    expect(first).toContain('announce (1 days left): announce:demo-tiktok:2026-12-15:1 → announcements');
    expect(first).toMatch(/direct \(1 days left\): direct:demo-tiktok:2026-12-15:1:/);
    const sent = fake.of('chat.postMessage').length;

    for (const earlier of [D14, at('2026-12-12')]) {
      const back = await remind(earlier, data);
      expect(back).not.toMatch(/announce \(|direct \(/);
      expect(back).toContain('0 queued, 0 delivered, 0 waiting');
    }
    expect(fake.of('chat.postMessage')).toHaveLength(sent);
    expect(announcements()).toHaveLength(1);
    expect(announcements()[0]).toMatch(/Tomorrow is the deadline/);

    const day = await remind(at('2026-12-15'), data);
    expect(day).toContain('announce (0 days left): announce:demo-tiktok:2026-12-15:0 → announcements');
    expect(announcements()).toHaveLength(2);
    expect(announcements()[1]).toMatch(/Today is the deadline/);
  });

  it('ordinary runs still catch up once: a first run at D-4 sends the 7-day stage, not the 14-day one, and a rerun sends nothing', {
    timeout: 120_000,
  }, async () => {
    fake = await startFakeSlack();
    const data = await tempDir();
    const first = await remind(at('2026-12-11'), data);
    expect(first).toContain('announce (7 days left): announce:demo-tiktok:2026-12-15:7 → announcements');
    expect(first).not.toContain(':14 ');
    expect(await remind(at('2026-12-11').replace('09:00', '10:00'), data)).toContain('0 queued, 0 delivered, 0 waiting');
    expect(await remind(at('2026-12-12'), data)).toContain('announce (3 days left): announce:demo-tiktok:2026-12-15:3 → announcements');
    expect(announcements()).toHaveLength(2);
  });
});
