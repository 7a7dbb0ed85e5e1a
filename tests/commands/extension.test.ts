import { describe, expect, it } from 'vitest';
import { botOn } from '../support/bot.ts';

describe('an extension, asked before the exception ends', () => {
  it('is a request of its own, decided as any other; its days count on from where the exception ends', async () => {
    const { say, store, clock } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    await say('pierre', 'request instagram --purpose public-communications --days 10 --reason "press office"');
    await say('akiko', 'approve EX-1'); // through 10 December (Brussels)
    expect(store.get('requests', 'EX-1')?.expiresAt).toBe('2026-12-10T23:00:00.000Z');
    clock.set('2026-12-08T09:00:00Z');
    const asked = await say('pierre', 'extend EX-1 --days 20 --reason "the campaign runs on"');
    expect(asked.ok, asked.text).toBe(true);
    expect(asked.text).toContain('Extension EX-2 of EX-1 for Instagram filed: 20 more days after');
    expect(store.get('requests', 'EX-2')).toMatchObject({
      status: 'requested',
      extends: 'EX-1',
      days: 20,
      purpose: 'public-communications',
    });
    expect(asked.effects.map((e) => e.kind)).toEqual(['post', 'notify']); // the approvals post, and Akiko's copy
    expect(await say('pierre', 'extend EX-1 --days 5 --reason "again"')).toMatchObject({ ok: false, code: 'already_requested' });

    expect((await say('akiko', 'approve EX-2')).ok).toBe(true);
    // 20 days after 10 December: through 30 December.
    expect(store.get('requests', 'EX-2')?.expiresAt).toBe('2026-12-30T23:00:00.000Z');
    clock.set('2026-12-20T09:00:00Z');
    expect((await say('pierre', 'check instagram')).data).toMatchObject({ verdict: 'allowed-by-exception' });
  });

  it('only the requester, only before the end, only within the rule’s days; bad input changes nothing', async () => {
    const { say, store, clock } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    await say('pierre', 'request instagram --purpose public-communications --days 10 --reason "press office"');
    expect(await say('pierre', 'extend EX-1 --days 5 --reason "x"')).toMatchObject({ ok: false, code: 'not_active' }); // not approved yet
    await say('akiko', 'approve EX-1');
    const seq = store.seq;
    expect(await say('sam', 'extend EX-1 --days 5 --reason "x"')).toMatchObject({ ok: false, code: 'not_your_request' });
    expect(await say('pierre', 'extend EX-1 --days 500 --reason "x"')).toMatchObject({ ok: false, code: 'over_max_days' });
    expect(await say('pierre', 'extend EX-1 --days 5')).toMatchObject({ ok: false, code: 'reason_missing' });
    expect(await say('pierre', 'extend EX-9 --days 5 --reason "x"')).toMatchObject({ ok: false, code: 'unknown_request' });
    clock.set('2026-12-20T09:00:00Z');
    expect(await say('pierre', 'extend EX-1 --days 5 --reason "x"')).toMatchObject({ ok: false, code: 'not_active' });
    expect(store.seq).toBe(seq);
  });
});
