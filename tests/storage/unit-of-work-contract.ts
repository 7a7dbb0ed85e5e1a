import { describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import type { Outcome, Store, Transaction } from '../../src/core/store.ts';
import { MAX_ATTEMPTS } from '../../storage/unit-of-work.ts';
import { attestation, closedAfterEach, event, readAll, request } from './helpers.ts';

/** A turn of the event loop: inside a unit of work, the point where another writer can get in. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Approve EX-1 if it still waits: the check-then-change every decision makes. */
const approveOnce =
  (by: string, pause = false) =>
  async (tx: Transaction): Promise<Outcome<string>> => {
    const before = tx.get('requests', 'EX-1');
    if (pause) await tick();
    if (before?.status !== 'requested') return { result: `already ${before?.status}` };
    return {
      result: 'approved',
      commit: {
        event: event('request.approved', { actor: by }),
        changes: [put('requests', { ...before, status: 'approved', decidedBy: by })],
      },
    };
  };

/** File the next request of the `requests` sequence. */
const fileNext = (person: string) => (tx: Transaction) => {
  const id = `EX-${tx.next('requests')}`;
  return { result: id, commit: { event: event('request.filed', { subject: id }), changes: [put('requests', request(id, person))] } };
};

/**
 * `embedded`: one process writes and a commit is applied before it returns (memory, lowdb). `shared`: a
 * database several replicas write, where a commit is applied once the database took it, and a unit
 * that lost a race runs again holding the other writers back, so it cannot lose twice (PostgreSQL).
 */
export type StoreKind = 'embedded' | 'shared';

/**
 * The unit of work every Store must offer (issue 14, item 3), run against each backend. `replicas`,
 * for a backend that can have several: two stores over the same data, each with a state of its own
 * that learns of the other's commits only by catching up, as replicas of a shared database do.
 */
export function unitOfWorkContract(
  name: string,
  makeStore: () => Store | Promise<Store>,
  replicas?: () => Promise<[Store, Store]> | [Store, Store],
  kind: StoreKind = 'embedded',
): void {
  describe(`${name}: the unit of work (transact)`, () => {
    const fresh = closedAfterEach(makeStore);

    it('a work that changes nothing commits nothing and answers its result', async () => {
      const store = await fresh();
      const done = await store.transact((tx) => ({ result: tx.count('requests') }));
      expect(done).toEqual({ result: 0, attempts: 1 });
      expect(store.seq).toBe(0);
      expect(await readAll(store)).toEqual([]);
    });

    it('commits the change as the next entry, durable and visible when it resolves', async () => {
      const store = await fresh();
      const done = await store.transact(fileNext('pierre'));
      expect(done).toMatchObject({ result: 'EX-1', attempts: 1, entry: { seq: 1, action: 'request.filed' } });
      expect(store.get('requests', 'EX-1')?.person).toBe('pierre');
      expect((await readAll(store)).map((e) => e.seq)).toEqual([1]);
    });

    it('a work that throws changes nothing, and the store goes on', async () => {
      const store = await fresh();
      await expect(
        store.transact(async (tx) => {
          tx.next('requests');
          await tick();
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(store.seq).toBe(0);
      expect((await store.transact(fileNext('pierre'))).result).toBe('EX-1');
    });

    it('two approvals of one request at once, each awaiting between its check and its change: one approves, the other is told', async () => {
      const store = await fresh();
      await store.commit(event(), [put('requests', request('EX-1'))]);
      const results = await Promise.all(['akiko', 'bruno'].map((by) => store.transact(approveOnce(by, true))));
      expect(results.map((r) => r.result).sort()).toEqual(['already approved', 'approved']);
      expect((await readAll(store)).filter((e) => e.action === 'request.approved')).toHaveLength(1);
      expect(store.get('requests', 'EX-1')?.decidedBy).toBe(results.find((r) => r.result === 'approved')!.entry!.actor);
    });

    it('ids come from a sequence: 30 units at once draw 1 to 30, each once, committed with their change', async () => {
      const store = await fresh();
      const done = await Promise.all(
        Array.from({ length: 30 }, (_, n) =>
          store.transact(async (tx) => {
            if (n % 2) await tick();
            return fileNext(`p${n}`)(tx);
          }),
        ),
      );
      const ids = done.map((d) => d.result);
      expect(new Set(ids).size).toBe(30);
      expect(ids.map((id) => Number(id.slice(3))).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n + 1));
      expect(store.get('sequences', 'requests')).toEqual({ id: 'requests', value: 30 });
      // The sequence moves in the entry that uses it: never one without the other.
      const last = (await readAll(store)).at(-1)!;
      expect(last.changes.map((c) => c.collection).sort()).toEqual(['requests', 'sequences']);
    });

    it('a number drawn by a work that commits nothing is drawn again by the next one', async () => {
      const store = await fresh();
      expect((await store.transact((tx) => ({ result: tx.next('requests') }))).result).toBe(1);
      expect((await store.transact(fileNext('pierre'))).result).toBe('EX-1');
      expect((await store.transact((tx) => ({ result: [tx.next('attestations'), tx.next('attestations')] }))).result).toEqual([1, 2]);
    });

    it('a sequence not yet kept goes on from the records numbered before sequences were (ids were count + 1)', async () => {
      const store = await fresh();
      await store.commit(event(), [put('requests', request('EX-1')), put('requests', request('EX-2'))]);
      expect((await store.transact(fileNext('pierre'))).result).toBe('EX-3');
    });

    it('a delivery key is claimed with its change: of two units with one key, one changes and the other finds it claimed', async () => {
      const store = await fresh();
      const once = async (tx: Transaction): Promise<Outcome<string>> => {
        if (tx.claimed('slack:trigger:1')) return { result: 'duplicate' };
        await tick();
        const id = `EX-${tx.next('requests')}`;
        return {
          result: id,
          commit: { event: event('request.filed'), changes: [put('requests', request(id))], claim: { key: 'slack:trigger:1', result: id } },
        };
      };
      const results = await Promise.all([store.transact(once), store.transact(once)]);
      expect(results.map((r) => r.result).sort()).toEqual(['EX-1', 'duplicate']);
      expect(store.claimed('slack:trigger:1')).toMatchObject({ id: 'slack:trigger:1', result: 'EX-1' });
      expect(store.count('requests')).toBe(1);
      const entry = results.find((r) => r.entry)!.entry!;
      expect(entry.changes.map((c) => `${c.collection}/${c.id}`)).toEqual(['requests/EX-1', 'sequences/requests', 'keys/slack:trigger:1']);
    });

    it('a delivery key is kept a week from its claim, then drops out of the state as the log goes on', async () => {
      const store = await fresh();
      const claim = (key: string, at: string) =>
        store.transact(() => ({
          result: key,
          commit: { event: event('request.filed', { at }), changes: [], claim: { key, result: key } },
        }));
      await claim('slack:trigger:old', '2026-03-01T09:00:00.000Z');
      await claim('slack:trigger:new', '2026-03-05T09:00:00.000Z');
      await store.commit(event('policy.loaded', { at: '2026-03-08T08:59:59.000Z' }), []);
      expect(store.claimed('slack:trigger:old')).toBeDefined(); // a week less a second
      await store.commit(event('policy.loaded', { at: '2026-03-08T09:00:01.000Z' }), []);
      expect(store.claimed('slack:trigger:old')).toBeUndefined();
      expect(store.claimed('slack:trigger:new')).toBeDefined();
      expect(store.count('keys')).toBe(1);
      // The entry that claimed it still says which delivery made the change.
      expect((await readAll(store))[0]!.changes).toEqual([
        { collection: 'keys', id: 'slack:trigger:old', value: expect.objectContaining({ id: 'slack:trigger:old' }) },
      ]);
      expect(await store.verifyAudit()).toMatchObject({ ok: true });
    });

    it('answers indexed queries without a scan, in list order, as records change', async () => {
      const store = await fresh();
      await store.commit(event(), [
        put('requests', request('EX-1', 'pierre')),
        put('requests', request('EX-2', 'akiko')),
        put('requests', request('EX-3', 'pierre')),
        put('attestations', attestation('AT-1', 'pierre')),
      ]);
      await store.commit(event('request.approved'), [put('requests', request('EX-1', 'pierre', { status: 'approved' }))]);
      const ids = (records: { id: string }[]) => records.map((r) => r.id);
      expect(ids(store.where('requests', 'status', 'requested'))).toEqual(['EX-2', 'EX-3']);
      expect(ids(store.where('requests', 'status', 'approved'))).toEqual(['EX-1']);
      expect(ids(store.where('requests', 'person', 'pierre'))).toEqual(['EX-1', 'EX-3']);
      expect(ids(store.where('attestations', 'rule', attestation('AT-1').rule))).toEqual(['AT-1']);
      await store.commit(event('request.approved'), [put('requests', request('EX-3', 'pierre', { status: 'approved' }))]);
      // EX-3 was stored after EX-1, so it comes after it whenever it took the value.
      expect(ids(store.where('requests', 'status', 'approved'))).toEqual(['EX-1', 'EX-3']);
      expect(store.where('requests', 'status', 'withdrawn')).toEqual([]);
      expect(await store.transact((tx) => ({ result: ids(tx.where('requests', 'status', 'requested')) }))).toMatchObject({
        result: ['EX-2'],
      });
    });
  });

  if (!replicas) return;
  describe(`${name}: two replicas of the same data`, () => {
    it('a replica that has not seen the other commit loses the race, catches up, and runs the work again on the newer state', async () => {
      const [a, b] = await replicas();
      await a.commit(event(), [put('requests', request('EX-1'))]);
      expect(b.get('requests', 'EX-1')).toBeUndefined(); // b has not caught up
      await b.commit(event('policy.loaded', { actor: 'system' }), []); // b loses that race, catches up, then commits
      expect(b.get('requests', 'EX-1')?.status).toBe('requested');
      // Both now see EX-1 waiting; neither has seen the other's latest entry.
      const first = await a.transact(approveOnce('akiko'));
      const second = await b.transact(approveOnce('bruno'));
      expect(first).toMatchObject({ result: 'approved', attempts: 2 });
      expect(second).toEqual({ result: 'already approved', attempts: 2 });
      expect(b.get('requests', 'EX-1')?.decidedBy).toBe('akiko');
      expect((await readAll(b)).map((e) => `${e.seq} ${e.action}`)).toEqual(['1 request.filed', '2 policy.loaded', '3 request.approved']);
    });

    it('a unit that finds no record by its id runs again once caught up when the other replica wrote since; a missing one is missing', async () => {
      const [a, b] = await replicas();
      await a.commit(event(), [put('requests', request('EX-1'))]);
      expect(b.get('requests', 'EX-1')).toBeUndefined(); // b has not caught up: an Approve click there, a moment after the filing
      const status = (id: string) => (tx: Transaction) => ({ result: tx.get('requests', id)?.status ?? 'no such request' });
      expect(await b.transact(status('EX-1'))).toEqual({ result: 'requested', attempts: 2 });
      expect(await b.transact(status('EX-9'))).toEqual({ result: 'no such request', attempts: 1 });
      expect(await a.transact(status('EX-9'))).toEqual({ result: 'no such request', attempts: 1 });
    });

    it('sequences hold across replicas: numbers drawn on both are never drawn twice', async () => {
      const [a, b] = await replicas();
      const ids = [];
      for (let n = 0; n < 6; n++) ids.push((await (n % 2 ? b : a).transact(fileNext(`p${n}`))).result);
      expect(ids).toEqual(['EX-1', 'EX-2', 'EX-3', 'EX-4', 'EX-5', 'EX-6']);
    });

    it('a delivery retried on the other replica finds its key claimed there, even before that replica caught up', async () => {
      const [a, b] = await replicas();
      const once = (tx: Transaction): Outcome<string> =>
        tx.claimed('teams:activity:9')
          ? { result: 'duplicate' }
          : {
              result: 'filed',
              commit: { event: event(), changes: [put('requests', request('EX-1'))], claim: { key: 'teams:activity:9', result: 'EX-1' } },
            };
      expect((await a.transact(once)).result).toBe('filed');
      expect(await b.transact(once)).toEqual({ result: 'duplicate', attempts: 2 });
      expect(b.count('requests')).toBe(1);
    });

    it.runIf(kind === 'shared')('a unit that lost the race runs again with the other writers held back, and wins', async () => {
      const [a, b] = await replicas();
      const rivals: Promise<unknown>[] = [];
      const contested = await b.transact(async (tx) => {
        // Each time b reads, a commits meanwhile; from the second run on, a has to wait for b.
        const rival = a.commit(event('policy.loaded', { actor: 'system' }), []);
        rivals.push(rival);
        if (rivals.length === 1) await rival;
        else await new Promise((r) => setTimeout(r, 50));
        return { result: tx.seq, commit: { event: event(), changes: [put('requests', request(`EX-${tx.seq}`))] } };
      });
      await Promise.all(rivals);
      expect(rivals).toHaveLength(2);
      expect(contested).toMatchObject({ result: 1, attempts: 2, entry: { seq: 2 } });
      expect((await readAll(a)).map((e) => e.action)).toEqual(['policy.loaded', 'request.filed', 'policy.loaded']);
    });

    it.runIf(kind === 'embedded')(`gives up, changing nothing, after ${MAX_ATTEMPTS} lost races in a row`, async () => {
      const [a, b] = await replicas();
      let rivals = 0;
      const contested = await b
        .transact(async (tx) => {
          // Each time b reads, a commits before b can: the race b can never win.
          await a.commit(event('policy.loaded', { actor: 'system' }), []);
          rivals++;
          return { result: 'mine', commit: { event: event(), changes: [put('requests', request(`EX-${tx.seq}`))] } };
        })
        .catch((e: { code?: string }) => e.code);
      expect(contested).toBe('storage.conflict');
      expect(rivals).toBe(MAX_ATTEMPTS);
      expect(a.count('requests')).toBe(0);
      expect((await readAll(a)).every((e) => e.action === 'policy.loaded')).toBe(true);
    });
  });
}
