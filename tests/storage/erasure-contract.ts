import { describe, expect, it } from 'vitest';
import { freeTextRetention, personErasure } from '../../src/core/personal-data.ts';
import { put } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';
import { closedAfterEach, event, readAll, request } from './helpers.ts';

/** What the record holds of Nora, who left, beside Omar, who stays. */
const NORA = ['nora@agency.gov', 'Nora Quist', 'U0NORA'];
const NORAS_REASON = 'my own campaign for the spring festival';

/** Nora's request decided by Omar, her attestation, a message naming her, and a conversation reference. */
async function withNora(store: Store) {
  await store.commit(event('directory.synced', { actor: 'system' }), [
    put('directory', {
      id: 'nora@agency.gov',
      email: 'nora@agency.gov',
      sources: { csv: { key: 'nora@agency.gov', name: 'Nora Quist', slack: 'U0NORA' } },
      since: '2023-01-01T00:00:00.000Z',
      leftAt: '2023-03-01T00:00:00.000Z',
    }),
    put('directory', {
      id: 'omar@agency.gov',
      email: 'omar@agency.gov',
      sources: { csv: { key: 'omar@agency.gov', name: 'Omar Farah' } },
      since: '2023-01-01T00:00:00.000Z',
    }),
  ]);
  await store.commit(event('request.filed', { actor: 'nora@agency.gov', subject: 'EX-1', detail: { reason: NORAS_REASON } }), [
    put('requests', request('EX-1', 'nora@agency.gov', { reason: NORAS_REASON, contact: { slack: 'U0NORA' } })),
    put('outbox', {
      id: 'request.filed:EX-1:1',
      status: 'due',
      createdAt: '2023-03-01T09:00:00.000Z',
      effect: { kind: 'dm', to: 'U0NORA', text: `Nora Quist asked for TikTok: "${NORAS_REASON}"` },
      deliveredTo: [],
    }),
  ]);
  await store.commit(event('request.approved', { actor: 'omar@agency.gov', subject: 'EX-1', detail: { reason: 'fine by me, Omar' } }), [
    put('requests', request('EX-1', 'nora@agency.gov', { reason: NORAS_REASON, status: 'approved', decidedBy: 'omar@agency.gov' })),
    put('requests', request('EX-2', 'omar@agency.gov', { reason: 'the press office account' })),
  ]);
  const far = new Date('2100-01-01T00:00:00.000Z');
  await store.operations.put(
    'conversations',
    {
      id: 'teams:user:nora@agency.gov',
      platform: 'teams',
      person: 'nora@agency.gov',
      reference: { user: { name: 'Nora Quist' } },
      at: '2023-03-01T09:00:00.000Z',
    },
    far,
  );
  await store.operations.put(
    'conversations',
    {
      id: 'teams:user:omar@agency.gov',
      platform: 'teams',
      person: 'omar@agency.gov',
      reference: { user: { name: 'Omar Farah' } },
      at: '2023-03-01T09:00:00.000Z',
    },
    far,
  );
}

const noraErasure = () => personErasure({ identifiers: NORA, pseudonym: 'erased-1a2b' });
const erasureEvent = {
  at: '2023-04-01T09:00:00.000Z',
  actor: 'system',
  action: 'person.erased',
  subject: 'erased-1a2b',
  detail: { reason: 'art. 17 request 2023-118' },
};

/** Erasure and retention (issue 20), run against every Store that writes: the chain proves every entry after. */
export function erasureContract(
  name: string,
  makeStore: () => Store | Promise<Store>,
  replicas?: () => Promise<[Store, Store]> | [Store, Store],
): void {
  describe(`${name}: erasing a person`, () => {
    const fresh = closedAfterEach(makeStore);

    it('replaces their names, ids and free text in every entry and record, keeps everyone else, and the chain still verifies', async () => {
      const store = await fresh();
      await withNora(store);
      const before = await readAll(store);
      const done = await store.erase(noraErasure(), erasureEvent);
      expect(done.entry).toMatchObject({
        seq: 4,
        action: 'person.erased',
        detail: { reason: 'art. 17 request 2023-118', values: done.values },
      });
      expect(done.values).toBeGreaterThan(5);
      expect(done.operational).toBe(1);
      const after = await readAll(store);
      const text = JSON.stringify([
        after,
        store.list('requests'),
        store.list('directory'),
        store.list('outbox'),
        await store.operations.list('conversations'),
      ]);
      for (const trace of [...NORA, 'Nora', NORAS_REASON]) expect(text).not.toContain(trace);
      // The same entries, hash for hash: nothing that is hashed changed.
      expect(after.slice(0, 3).map((e) => e.hash)).toEqual(before.map((e) => e.hash));
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 4 });
      // Her records still join, under the pseudonym; Omar's are untouched.
      expect(store.get('requests', 'EX-1')).toMatchObject({
        person: 'erased-1a2b',
        reason: '[erased]',
        decidedBy: 'omar@agency.gov',
        status: 'approved',
      });
      expect(store.where('requests', 'person', 'erased-1a2b').map((r) => r.id)).toEqual(['EX-1']);
      expect(store.get('requests', 'EX-2')?.reason).toBe('the press office account');
      expect(store.get('directory', 'erased-1a2b')?.sources.csv?.name).toBe('erased-1a2b');
      expect(store.get('outbox', 'request.filed:EX-1:1')?.effect).toEqual({ kind: 'dm', to: 'erased-1a2b', text: '[erased]' });
      expect(after[2]?.detail).toEqual({ reason: 'fine by me, Omar' });
      expect(await store.operations.get('conversations', 'teams:user:omar@agency.gov')).toBeDefined();
      // Work goes on after it.
      await store.commit(event('policy.loaded', { actor: 'system' }), []);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
    });

    it('erased again, finds nothing left, and says so', async () => {
      const store = await fresh();
      await withNora(store);
      await store.erase(noraErasure(), erasureEvent);
      const again = await store.erase(noraErasure(), { ...erasureEvent, subject: 'erased-1a2b' });
      expect(again.values).toBe(0);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
    });

    it('retention drops the free text of entries older than the limit, whoever wrote it, and nothing newer', async () => {
      const store = await fresh();
      await withNora(store);
      await store.commit(event('request.filed', { at: '2023-06-01T00:00:00.000Z', subject: 'EX-3' }), [
        put('requests', request('EX-3', 'omar@agency.gov', { reason: 'a newer reason' })),
      ]);
      const done = await store.erase(freeTextRetention('2023-05-01T00:00:00.000Z'), {
        ...erasureEvent,
        action: 'retention.applied',
        subject: 'free text',
      });
      expect(done.values).toBeGreaterThan(0);
      expect(store.get('requests', 'EX-2')?.reason).toBe('[erased]');
      expect(store.get('requests', 'EX-3')?.reason).toBe('a newer reason');
      expect(store.get('requests', 'EX-1')?.person).toBe('nora@agency.gov'); // names stay: only free text goes
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
    });
  });

  if (!replicas) return;
  describe(`${name}: erasing, with two replicas`, () => {
    it('the other replica runs on the erased record once it reads the erasing entry', async () => {
      const [a, b] = await replicas();
      await withNora(a);
      await b.commit(event('policy.loaded', { actor: 'system' }), []); // b catches up with Nora's entries
      expect(b.get('requests', 'EX-1')?.person).toBe('nora@agency.gov');
      await a.erase(noraErasure(), erasureEvent);
      await b.commit(event('policy.loaded', { actor: 'system' }), []); // loses the race, catches up
      expect(b.get('requests', 'EX-1')?.person).toBe('erased-1a2b');
      expect(JSON.stringify(b.list('directory'))).not.toContain('Nora');
      expect(await b.verifyAudit()).toEqual({ ok: true, entries: 6 });
    });
  });
}
