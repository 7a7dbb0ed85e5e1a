import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

// Demo pack: TikTok off work devices by 15 December 2026 (Brussels), no exceptions, or remove the work apps.
const D7 = '2026-12-08T09:00:00+01:00';
const D3 = '2026-12-12T09:00:00+01:00';
const AFTER = '2026-12-16T09:00:00+01:00';
const blocksOf = (c: { body: Record<string, unknown> }) =>
  JSON.parse(String(c.body.blocks)) as { type: string; elements?: { action_id: string; value: string }[] }[];

let s: SlackBot;
afterEach(async () => s?.stop());

describe('deadlines that chase themselves, on Slack', () => {
  it('D-7 announcement with buttons → a click attests → D-3 DMs only the others → overdue digest lists exactly those', async () => {
    s = await startSlackBot();
    s.fake.setMembers(['UBOT', 'U0STAFF', 'U0MEMBER1']); // the channel: our bot, a listed person, and someone not listed
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));

    const week = await scheduler.tick(new Date(D7));
    expect(week.queued.map((r) => r.key)).toEqual(['announce:demo-tiktok:2026-12-15:7']);
    const post = await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0ANNOUNCE'), 'the announcement');
    expect(String(post.body.blocks)).toContain(
      '7 days left: TikTok banned on corporate devices and personal devices with work apps. Remove it by the end of Tuesday 15 December 2026 (Central European Standard Time).',
    );
    const buttons = blocksOf(post).find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ['attest.removed', 'demo-tiktok'],
      ['attest.removed-work-apps', 'demo-tiktok'],
    ]);
    expect(JSON.parse(String(post.body.metadata))).toEqual({
      event_type: 'appwarden_outbox',
      event_payload: { key: 'announce:demo-tiktok:2026-12-15:7' },
    });

    await s.click('U0STAFF', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE' });
    const answer = await s.fake.until(() => s.fake.of('respond/action-U0STAFF')[0], 'the private answer');
    expect(String(answer.body.text)).toContain('Recorded: you have removed TikTok (demo-tiktok)');
    await s.click('U0MEMBER1', 'attest.removed-work-apps', 'demo-tiktok', { channel: 'C0ANNOUNCE' });
    await s.fake.until(() => s.fake.of('respond/action-U0MEMBER1')[0], 'the second answer');
    expect(s.store.list('attestations').map((a) => [a.person, a.statement])).toEqual([
      ['pierre', 'removed'],
      ['U0MEMBER1', 'removed-work-apps'],
    ]);

    const again = await scheduler.tick(new Date(D7));
    expect(again.queued).toEqual([]);

    const d3 = await scheduler.tick(new Date(D3));
    expect(
      d3.queued
        .filter((r) => r.kind === 'direct')
        .map((r) => ('person' in r ? r.person : ''))
        .sort(),
    ).toEqual(['akiko', 'olivia', 'sam']);
    await s.fake.idle();
    const dmed = s.fake
      .of('chat.postMessage')
      .filter((c) => /^U/.test(String(c.body.channel)))
      .map((c) => c.body.channel)
      .sort();
    expect(dmed).toEqual(['U0ADMIN', 'U0APPROVER', 'U0STAFF2']);

    await scheduler.tick(new Date(AFTER));
    const digest = await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'),
      'the overdue digest',
    );
    const text = String(digest.body.blocks);
    expect(text).toContain('demo-tiktok: the deadline of Tuesday 15 December 2026 has passed.');
    expect(text).toContain('2 of 5 people have attested.');
    expect(text).toContain('Not yet attested: Akiko Sato, Olivia Admin, Sam Lee.');
    expect(text).toContain('Work apps are blocked on devices that still have TikTok.');
  });

  it('an exception granted for 10 days: notices 7 days and 1 day before, expired on day 10', async () => {
    s = await startSlackBot('demo.yaml', '2026-11-02T09:00:00+01:00');
    const scheduler = createScheduler(s.bot, () => undefined);
    await s.bot.run('request instagram --purpose public-communications --days 10 --reason "Campaign"', 'pierre', 'test');
    await s.bot.run('approve EX-1', 'akiko', 'test');
    const dmsFor = (user: string) =>
      s.fake
        .of('chat.postMessage')
        .filter((c) => c.body.channel === user)
        .map((c) => String(c.body.blocks));
    for (const day of ['2026-11-03', '2026-11-05', '2026-11-08', '2026-11-11', '2026-11-12', '2026-11-13'])
      await scheduler.tick(new Date(`${day}T09:00:00+01:00`));
    await s.fake.idle();
    const pierre = dmsFor('U0STAFF').filter((t) => /ends|ended/.test(t));
    expect(pierre).toHaveLength(3);
    expect(pierre[0]).toContain('Exception EX-1 for Instagram ends in 7 days: its last day is Wednesday 11 November 2026.');
    expect(pierre[1]).toContain('ends tomorrow');
    expect(pierre[2]).toContain('Exception EX-1 for Instagram has ended; the rule applies again.');
    expect(dmsFor('U0APPROVER').filter((t) => /ends|ended/.test(t))).toHaveLength(3);
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ status: 'expired', endedBy: 'system' });
    const check = await s.bot.run('check instagram', 'pierre', 'test');
    expect((check.data as { verdict: string }).verdict).toBe('prohibited');
  });
});
