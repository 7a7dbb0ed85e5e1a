import { describe, expect, it } from 'vitest';
import { put, type Change } from '../../src/core/records.ts';
import type { AuditEvent, Store } from '../../src/core/store.ts';
import { entryLine, GENESIS, hashEntry } from '../../storage/audit-chain.ts';
import { closedAfterEach, event, idempotencyKey, readAll, request } from './helpers.ts';
import { erasureContract } from './erasure-contract.ts';
import { remove, storeReadContract } from './store-read-contract.ts';
import { unitOfWorkContract, type StoreKind } from './unit-of-work-contract.ts';

/**
 * The behaviour every Store that writes must have, run against each implementation (as botbuilder
 * does): its unit of work (see `unitOfWorkContract`), its reads (see `storeReadContract`), then what
 * committing does.
 */
export function storeContract(
  name: string,
  makeStore: () => Store | Promise<Store>,
  replicas?: () => Promise<[Store, Store]> | [Store, Store],
  kind: StoreKind = 'embedded',
): void {
  unitOfWorkContract(name, makeStore, replicas, kind);
  erasureContract(name, makeStore, replicas);
  storeReadContract(name, async (write) => {
    const store = await makeStore();
    await write(store);
    return store;
  });

  describe(`${name}: the Store contract, commits`, () => {
    const fresh = closedAfterEach(makeStore);

    it('shows each commit in its reads: puts, updates and removals', async () => {
      const store = await fresh();
      expect(store.get('requests', 'EX-1')).toBeUndefined();
      await store.commit(event(), [put('requests', request('EX-1'))]);
      expect(store.get('requests', 'EX-1')).toEqual(request('EX-1'));
      await store.commit(event('request.approved'), [put('requests', request('EX-1', 'pierre', { status: 'approved' }))]);
      expect(store.get('requests', 'EX-1')?.status).toBe('approved');
      await store.commit(event('request.purged'), [remove('requests', 'EX-1')]);
      expect(store.get('requests', 'EX-1')).toBeUndefined();
      expect(store.list('requests')).toEqual([]);
    });

    it('returns each commit as the next entry of the hash chain', async () => {
      const store = await fresh();
      const changes = [put('requests', request('EX-1'))];
      const first = await store.commit(event('request.filed', { subject: 'EX-1', detail: { app: 'tiktok' } }), changes);
      const second = await store.commit(event('policy.loaded', { actor: 'system' }), []);
      expect(first).toMatchObject({ seq: 1, prev: GENESIS, action: 'request.filed', subject: 'EX-1', changes });
      expect(first.detail).toEqual({ app: 'tiktok' });
      // The hash covers the stored form, whose personal values are sealed apart (storage/personal-seal.ts).
      expect(first.hash).toBe(hashEntry(JSON.parse(entryLine(first))));
      expect(second).toMatchObject({ seq: 2, prev: first.hash, actor: 'system', changes: [] });
    });

    it('keeps its own copy: what the caller mutates later changes nothing', async () => {
      const store = await fresh();
      const record = request('EX-1');
      const detail = { note: 'original' };
      const entry = await store.commit(event('request.filed', { detail }), [put('requests', record)]);
      record.status = 'approved';
      detail.note = 'rewritten';
      expect(store.get('requests', 'EX-1')?.status).toBe('requested');
      expect(entry.detail).toEqual({ note: 'original' });
      expect(await store.verifyAudit()).toMatchObject({ ok: true });
    });

    it('refuses a malformed commit with storage.bad_commit and changes nothing', async () => {
      const store = await fresh();
      const bad: unknown[] = [
        [{ collection: 'nope', id: 'x', value: null }],
        [{ collection: 'requests', id: 'EX-1', value: request('EX-2') }],
        [{ collection: 'keys', id: 'k', value: { id: 'k', at: AT_DATE, result: 1n } }],
      ];
      for (const changes of bad) {
        await expect(store.commit(event(), changes as Change[])).rejects.toMatchObject({ code: 'storage.bad_commit' });
      }
      await expect(store.commit({ actor: 'x' } as AuditEvent, [])).rejects.toMatchObject({ code: 'storage.bad_commit' });
      expect(store.count('requests')).toBe(0);
      expect((await store.commit(event(), [])).seq).toBe(1);
    });

    it('lands 500 concurrent commits in call order, with a sound chain', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 500 }, (_, i) => `K-${i}`);
      const entries = await Promise.all(ids.map((id) => store.commit(event(), [put('keys', idempotencyKey(id))])));
      expect(entries.map((entry) => entry.seq)).toEqual(ids.map((_, i) => i + 1));
      expect(store.list('keys').map((key) => key.id)).toEqual(ids);
      expect((await readAll(store)).map((entry) => entry.changes[0]?.id)).toEqual(ids);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 500 });
    });

    it.runIf(kind === 'embedded')('sees a commit at once, before it resolves: check-then-commit without an await is atomic', async () => {
      const store = await fresh();
      const fileOnce = (id: string) => (store.get('requests', id) ? undefined : store.commit(event(), [put('requests', request(id))]));
      const results = [fileOnce('EX-1'), fileOnce('EX-1')];
      expect(results[1]).toBeUndefined();
      await results[0];
      expect(store.count('requests')).toBe(1);
    });

    it.runIf(kind === 'shared')('shows a commit once the database has it: commits called at once land in call order', async () => {
      const store = await fresh();
      const committed = ['EX-1', 'EX-2', 'EX-3'].map((id) =>
        store.commit(event(), [put('requests', request(id))]).then((entry) => ({ entry, seen: store.get('requests', id) })),
      );
      const done = await Promise.all(committed);
      expect(done.map((d) => d.entry.seq)).toEqual([1, 2, 3]);
      expect(done.every((d) => d.seen !== undefined)).toBe(true);
    });

    it('refuses commits once closed', async () => {
      const store = await fresh();
      await store.close();
      await expect(store.commit(event(), [])).rejects.toMatchObject({ code: 'storage.closed' });
    });
  });
}

const AT_DATE = '2023-03-02T10:30:00.000Z';
