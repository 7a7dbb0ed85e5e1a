import { describe, expect, it } from 'vitest';
import { botOn } from '../support/bot.ts';

const AT = '2026-12-01T09:00:00Z';

async function audited(store: ReturnType<typeof botOn>['store'], action: string) {
  const found = [];
  for await (const e of store.readAudit()) if (e.action === action) found.push(e);
  return found;
}

describe('delegation: a deputy decides while the approver is away', () => {
  it('decides for the approver until the day given (audited as "deputy for approver"), and is refused after it', async () => {
    const { say, store, clock } = botOn('demo.yaml', AT);
    const set = await say('akiko', 'delegate --to sam --until 2026-12-10');
    expect(set.ok, set.text).toBe(true);
    expect(set.text).toContain('Sam Lee decides for you');
    expect(set.effects).toEqual([expect.objectContaining({ kind: 'notify', person: 'sam' })]);
    await say('pierre', 'request instagram --purpose public-communications --reason "press office"');
    await say('pierre', 'request twitter --purpose public-communications --reason "press office"');

    const approved = await say('sam', 'approve EX-1');
    expect(approved.ok, approved.text).toBe(true);
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: 'sam', decidedFor: 'akiko' });
    const told = approved.effects.find((e) => e.kind === 'notify' && e.person === 'pierre');
    expect(JSON.stringify(told)).toContain('Sam Lee for Akiko Sato');
    expect((await audited(store, 'request.approved'))[0]).toMatchObject({ actor: 'sam', detail: { for: 'akiko' } });

    // The day after the last: Sam is just Sam again.
    clock.set('2026-12-10T23:30:00Z'); // 11 December in Brussels
    const late = await say('sam', 'approve EX-2');
    expect(late).toMatchObject({ ok: false, code: 'not_an_approver' });
    expect(store.get('requests', 'EX-2')?.status).toBe('requested');
  });

  it('never on the deputy’s own request; --off ends it; bad input changes nothing', async () => {
    const { say, store } = botOn('demo.yaml', AT);
    await say('akiko', 'delegate --to pierre --until 2026-12-10');
    await say('pierre', 'request instagram --purpose public-communications --reason "press office"');
    expect(await say('pierre', 'approve EX-1')).toMatchObject({ ok: false, code: 'own_request' });
    const seq = store.seq;
    for (const text of [
      'delegate --to nobody --until 2026-12-10',
      'delegate --to akiko --until 2026-12-10',
      'delegate --to sam --until 2026-11-30',
      'delegate --to sam --until 2028-01-01',
      'delegate --to sam --until soon',
      'delegate --to sam',
    ])
      expect((await say('akiko', text)).ok, text).toBe(false);
    expect(store.seq).toBe(seq);
    expect((await say('akiko', 'delegate')).text).toContain('Pierre Martin decides for you until the end of');
    expect((await say('akiko', 'delegate --off')).ok).toBe(true);
    expect((await say('akiko', 'delegate')).text).toBe('Nobody decides for you.');
    expect((await say('sam', 'delegate --to pierre --until 2026-12-10')).code).toBe('not_permitted'); // no approver, nothing to delegate
  });
});
