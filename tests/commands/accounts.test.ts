import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { botOn } from '../support/bot.ts';

// Saitama, 2020: the prefecture's official TikTok account suspended "until citizens' anxiety is dispelled".
const AT = '2020-08-05T10:00:00+09:00';

describe('official accounts', () => {
  it('check lists the unit’s suspended TikTok account under the prohibiting rule; so does the policy view', async () => {
    const { say } = botOn('jp-2020-tiktok-accounts.yaml', AT);
    const check = await say('kobayashi.mai', 'check TikTok');
    expect(check.text).toContain('@saitama_pref（広聴広報課、停止中）');
    expect(check.text).not.toContain('@saitama_kanko'); // another unit's account
    const view = await say('ito.takeshi', 'policy saitama-2020-tiktok-suspended');
    expect(view.text).toContain('@saitama_pref');
    expect(view.text).toContain('@saitama_kanko');
  });

  it('suspend and resume record who, when and why; only admins and approvers over the unit may', async () => {
    const { say, store } = botOn('jp-2020-tiktok-accounts.yaml', AT);
    const owner = await say('kobayashi.mai', 'account resume saitama-pr-tiktok --reason "再開したい"');
    expect(owner).toMatchObject({ ok: false, code: 'not_account_approver' });
    expect((await say('yamamoto.naoki', 'account suspend saitama-pr-tiktok --reason "x"')).code).toBe('account_status'); // already suspended
    expect((await say('yamamoto.naoki', 'account resume saitama-pr-tiktok')).ok).toBe(false); // a reason is required

    const resumed = await say('yamamoto.naoki', 'account resume saitama-pr-tiktok --reason "国の方針を確認し再開"');
    expect(resumed.ok).toBe(true);
    expect(resumed.effects).toEqual([expect.objectContaining({ kind: 'notify', person: 'kobayashi.mai' })]);
    const suspended = await say('ito.takeshi', 'account suspend saitama-pr-tiktok --reason "県民の不安の声を受けて"');
    expect(suspended.ok).toBe(true);
    const entries = [];
    for await (const e of store.readAudit()) if (e.action.startsWith('account.')) entries.push(e);
    expect(entries.map((e) => [e.action, e.actor, e.at, e.detail?.reason])).toEqual([
      ['account.resumed', 'yamamoto.naoki', '2020-08-05T01:00:00.000Z', '国の方針を確認し再開'],
      ['account.suspended', 'ito.takeshi', '2020-08-05T01:00:00.000Z', '県民の不安の声を受けて'],
    ]);
    expect((await say('ito.takeshi', 'accounts --app tiktok')).text).toMatch(
      /saitama-pr-tiktok · @saitama_pref · TikTok · 広聴広報課 · 停止中/,
    );
  });

  it('owners hear once that a prohibition covers their account, and owner and approvers hear of its review', async () => {
    const { bot } = botOn('jp-2020-tiktok-accounts.yaml', AT);
    const scheduler = createScheduler(bot, () => undefined);
    const first = await scheduler.tick(new Date(AT));
    expect(first.queued.filter((r) => r.kind === 'account-rule').map((r) => r.key)).toEqual([
      'account-rule:saitama-2020-tiktok-suspended:saitama-pr-tiktok',
      'account-rule:saitama-2020-tiktok-suspended:saitama-kanko-tiktok',
    ]);
    expect((await scheduler.tick(new Date(AT))).queued).toEqual([]);
    const review = await scheduler.tick(new Date('2020-12-01T10:00:00+09:00'));
    expect(review.queued.filter((r) => r.kind === 'account-review').map((r) => ('person' in r ? r.person : ''))).toEqual([
      'kobayashi.mai',
      'yamamoto.naoki',
      'kobayashi.mai',
    ]);
  });
});
