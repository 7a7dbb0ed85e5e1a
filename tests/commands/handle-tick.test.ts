import { describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import { effectOf, outboxItem } from '../../commands/delivery/outbox-item.ts';
import { replyText } from '../../commands/shared/reply.ts';
import type { Store } from '../../src/core/store.ts';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { botOn } from '../support/bot.ts';

// Demo pack: TikTok off work devices by 15 December 2026 (Brussels), or remove the work apps.
const D7 = new Date('2026-12-08T09:00:00+01:00');
const D3 = new Date('2026-12-12T09:00:00+01:00');
const WEEK = 'announce:demo-tiktok:2026-12-15:7';

async function audited(store: Store, action: string) {
  const found: { actor: string; detail?: Record<string, unknown> }[] = [];
  for await (const e of store.readAudit()) if (e.action === action) found.push(e);
  return found;
}

describe('handle: a scheduler tick is an interaction too, asked by the system', () => {
  it('a reminders tick queues what is due — as data, as effects and in the outbox — and a rerun queues nothing', async () => {
    const { bot, store } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    const tick = (at: Date) => handle({ kind: 'tick', job: 'reminders', at }, bot.systemContext());

    const week = await tick(D7);
    expect(week).toMatchObject({ ok: true, tick: { job: 'reminders', at: D7.toISOString(), queued: [WEEK] } });
    expect(week.tick?.reminders).toEqual([{ key: WEEK, kind: 'announce', rule: 'demo-tiktok', deadline: '2026-12-15', daysLeft: 7 }]);
    expect(week.effects).toEqual([expect.objectContaining({ kind: 'post', channel: 'announcements', subject: WEEK })]);
    expect(effectOf(store.get('outbox', WEEK)!)).toEqual(week.effects[0]);
    expect(replyText(week.reply)).toBe(`announce (7 days left): ${WEEK} → announcements`);

    const outbox = store.count('outbox');
    for (const at of [D7, new Date('2026-12-08T08:00:00+01:00')]) {
      const again = await tick(at);
      expect(again).toMatchObject({ ok: true, effects: [], tick: { queued: [], reminders: [] } });
      expect(again.reply.blocks).toEqual([]);
    }
    expect(store.count('outbox')).toBe(outbox);

    const d3 = await tick(D3);
    const direct = d3.tick!.reminders.flatMap((r) => (r.kind === 'direct' ? [r.person] : []));
    expect(direct.sort()).toEqual(['akiko', 'olivia', 'pierre', 'sam']);
    expect(
      d3.effects
        .filter((e) => e.kind === 'notify')
        .map((e) => (e.kind === 'notify' ? e.person : ''))
        .sort(),
    ).toEqual(direct);
    expect((await tick(D3)).tick?.queued).toEqual([]);
    // Each due reminder committed once, by the system.
    expect((await audited(store, 'reminders.due')).map((e) => [e.actor, e.detail])).toEqual([
      ['system', { announce: 1 }],
      ['system', expect.objectContaining({ announce: 1, direct: 4 })],
    ]);
  });

  it('the scheduler queues through handle what a tick through handle queues', async () => {
    const direct = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    const scheduled = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    const scheduler = createScheduler(scheduled.bot, () => undefined);
    for (const at of [D7, D3, D3]) {
      const byHandle = await handle({ kind: 'tick', job: 'reminders', at }, direct.bot.systemContext());
      const byScheduler = await scheduler.tick(at);
      expect(byScheduler.queued).toEqual(byHandle.tick?.reminders);
      expect(replyText(byScheduler.reply)).toBe(replyText(byHandle.reply));
    }
    const ids = (s: Store) => s.list('outbox').map((i) => i.id);
    expect(ids(scheduled.store)).toEqual(ids(direct.store));
  });

  it('a failure-digest tick posts the day’s failed deliveries to approvals once a day', async () => {
    const { bot, store } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    const at = '2026-12-07T10:00:00Z';
    const effect = {
      kind: 'notify' as const,
      person: 'sam',
      message: { visibility: 'private' as const, tone: 'info' as const, blocks: [] },
    };
    await store.commit({ at, actor: 'system', action: 'test.failed' }, [
      {
        collection: 'outbox',
        id: 'x:1',
        value: { ...outboxItem('x:1', effect, at), status: 'failed', failures: [{ platform: 'slack', reason: 'user_not_found', at }] },
      },
    ]);
    const digest = (when: Date) => handle({ kind: 'tick', job: 'failure-digest', at: when }, bot.systemContext());
    const first = await digest(D7);
    expect(first).toMatchObject({ ok: true, tick: { job: 'failure-digest', queued: ['outbox-failures:2026-12-08'], reminders: [] } });
    expect(first.effects).toEqual([expect.objectContaining({ kind: 'post', channel: 'approvals', subject: 'outbox-failures:2026-12-08' })]);
    expect(replyText(first.effects[0]!.message)).toContain('user_not_found');
    expect((await digest(new Date('2026-12-08T18:00:00+01:00'))).tick?.queued).toEqual([]);
  });

  it('only the system ticks: a tick with a person’s context is a fault and queues nothing', async () => {
    const { bot, store } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    for (const person of ['akiko', 'pierre', 'olivia'])
      await expect(handle({ kind: 'tick', job: 'reminders', at: D7 }, bot.contextFor(person, 'test'))).rejects.toMatchObject({
        code: 'entry.tick_not_system',
      });
    expect(store.count('outbox')).toBe(0);
  });
});
