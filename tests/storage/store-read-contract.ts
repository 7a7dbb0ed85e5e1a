import { afterEach, describe, expect, it } from 'vitest';
import { put, type Change } from '../../src/core/records.ts';
import type { AuditEntry, Store } from '../../src/core/store.ts';
import { attestation, event, idempotencyKey, readAll, request } from './helpers.ts';

export const remove = (collection: Change['collection'], id: string) => ({ collection, id, value: null }) as Change;

/**
 * A store holding what `write` committed: the store `write` was given, or one opened afterwards on
 * what it left (a reopened or read-only store), so the same reads can be asked of both.
 */
export type StoreHolding = (write: (store: Store) => Promise<void>) => Promise<Store>;

/** What every Store must answer about committed state, however it came to hold it. */
export function storeReadContract(name: string, holding: StoreHolding): void {
  describe(`${name}: the Store contract, reads`, () => {
    const open: Store[] = [];
    const storeHolding: StoreHolding = async (write) => {
      const store = await holding(write);
      open.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    it('gets and lists what was put, updated and removed', async () => {
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [put('requests', request('EX-1')), put('requests', request('EX-2'))]);
        await s.commit(event('request.approved'), [put('requests', request('EX-1', 'pierre', { status: 'approved' }))]);
        await s.commit(event('request.purged'), [remove('requests', 'EX-2')]);
      });
      expect(store.get('requests', 'EX-1')).toEqual(request('EX-1', 'pierre', { status: 'approved' }));
      expect(store.get('requests', 'EX-2')).toBeUndefined();
      expect(store.list('requests').map((r) => r.id)).toEqual(['EX-1']);
    });

    it('lists in insertion order: an update keeps its place, a removed id put again goes last', async () => {
      const store = await storeHolding(async (s) => {
        // Integer-like ids are where an object keyed by id would reorder.
        for (const id of ['b', '12', 'a', '3']) await s.commit(event(), [put('keys', idempotencyKey(id))]);
        await s.commit(event(), [put('keys', { ...idempotencyKey('12'), result: 'again' })]);
        await s.commit(event(), [remove('keys', 'b'), put('keys', idempotencyKey('b'))]);
      });
      expect(store.list('keys').map((key) => key.id)).toEqual(['12', 'a', '3', 'b']);
      expect(store.get('keys', '12')?.result).toBe('again');
    });

    it("lists a person's requests and attestations in list order, following changes of hands", async () => {
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [
          put('requests', request('EX-1', 'pierre')),
          put('requests', request('EX-2', 'akiko')),
          put('requests', request('EX-3', 'pierre')),
          put('attestations', attestation('AT-1', 'akiko')),
        ]);
        await s.commit(event(), [put('requests', request('EX-1', 'akiko')), remove('requests', 'EX-3')]);
      });
      expect(store.listByPerson('requests', 'pierre')).toEqual([]);
      // EX-1 keeps its place in the list when it changes hands, so it comes first in akiko's too.
      expect(store.listByPerson('requests', 'akiko').map((r) => r.id)).toEqual(['EX-1', 'EX-2']);
      expect(store.listByPerson('attestations', 'akiko').map((a) => a.id)).toEqual(['AT-1']);
      expect(store.listByPerson('requests', 'nobody')).toEqual([]);
    });

    it('counts each collection', async () => {
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [put('requests', request('EX-1')), put('requests', request('EX-2'))]);
        await s.commit(event(), [put('keys', idempotencyKey('k')), remove('requests', 'EX-1'), remove('keys', 'none')]);
      });
      expect([store.count('requests'), store.count('keys'), store.count('attestations')]).toEqual([1, 1, 0]);
    });

    it('reads the audit log back in order, from a seq on', async () => {
      const entries: AuditEntry[] = [];
      const store = await storeHolding(async (s) => {
        for (const action of ['a.one', 'a.two', 'a.three']) entries.push(await s.commit(event(action), []));
      });
      expect(await readAll(store)).toEqual(entries);
      expect((await readAll(store, 2)).map((entry) => entry.action)).toEqual(['a.two', 'a.three']);
      expect(await readAll(store, 4)).toEqual([]);
    });

    it('verifies its audit log, and an empty one', async () => {
      const empty = await storeHolding(async () => {});
      expect(await empty.verifyAudit()).toEqual({ ok: true, entries: 0 });
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [put('requests', request('EX-1'))]);
        await s.commit(event(), [remove('requests', 'EX-1')]);
      });
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 2 });
    });

    it('hands out frozen records: what a reader changes cannot reach stored state', async () => {
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [put('requests', request('EX-1'))]);
      });
      const read = store.get('requests', 'EX-1');
      expect(() => {
        if (read) read.status = 'approved';
      }).toThrow(TypeError);
      expect(store.get('requests', 'EX-1')?.status).toBe('requested');
    });

    it('holds records as JSON does: a Date became its ISO string, undefined members went', async () => {
      const odd = { ...request('EX-1'), conditions: undefined, decidedAt: new Date(AT_DATE) as unknown as string };
      const store = await storeHolding(async (s) => {
        await s.commit(event(), [put('requests', odd)]);
      });
      const stored = store.get('requests', 'EX-1');
      expect(stored?.decidedAt).toBe(AT_DATE);
      expect(stored && 'conditions' in stored).toBe(false);
    });
  });
}

const AT_DATE = '2023-03-02T10:30:00.000Z';
