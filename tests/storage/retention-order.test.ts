import { describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import type { Policy } from '../../src/core/policy.ts';
import { applyRetention } from '../../src/runtime/retention.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { event, readAll, request } from './helpers.ts';

const NOW = new Date('2026-06-01T09:00:00.000Z');
const policy = { retention: { free_text_days: 30 }, people: [], units: [] } as unknown as Policy;

describe('retention of free text', () => {
  it('finds old free text written after an entry dated a little later (replicas whose clocks differ)', async () => {
    const store = createMemoryStore();
    // Written first, dated 29 days 20 hours ago: newer than the cut, so nothing of it goes.
    await store.commit(event('policy.loaded', { at: '2026-05-02T13:00:00.000Z' }), []);
    // Written next by a replica whose clock was behind: dated 30 days and an hour ago.
    await store.commit(event('request.filed', { at: '2026-05-02T08:00:00.000Z', detail: { reason: 'the spring festival account' } }), [
      put('requests', request('EX-1', 'pierre', { reason: 'the spring festival account' })),
    ]);
    const done = await applyRetention(store, policy, NOW);
    expect(done?.freeText).toBeGreaterThan(0);
    expect(JSON.stringify([store.list('requests'), await readAll(store)])).not.toContain('spring festival');
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });
});
