import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTION_NAMES, put } from '../../src/core/records.ts';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
import type { Store, Transaction } from '../../src/core/store.ts';
import { entryFromLine, entryLine } from '../../storage/audit-chain.ts';
import { event, idempotencyKey, readAll, request, tempDirs } from './helpers.ts';
import {
  auditFileLines,
  auditPath,
  commitNumber,
  openWithLog,
  readSnapshotSeq,
  snapshotPath,
  visibleState,
  writeAuditFileLines,
} from './lowdb-helpers.ts';
import { operationsContract } from './operations-contract.ts';
import { storeContract } from './store-contract.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const emptyCollections = () => Object.fromEntries(COLLECTION_NAMES.map((name) => [name, []]));

storeContract('LowdbStore', async () => openLowdbStore({ dir: await dirs.make(), log: () => {} }));
operationsContract('LowdbStore', async () => openLowdbStore({ dir: await dirs.make(), log: () => {}, checkChain: false }));

describe('LowdbStore: reopening', () => {
  it.each([
    { snapshots: 'without snapshots', compactEvery: 1_000_000 },
    { snapshots: 'with a snapshot every 3 entries', compactEvery: 3 },
  ])('restores everything after close, $snapshots', async ({ compactEvery }) => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { compactEvery });
    for (let n = 1; n <= 20; n++) await commitNumber(store, n);
    const before = { state: visibleState(store), audit: await readAll(store) };
    await store.close();
    expect(existsSync(snapshotPath(dir))).toBe(compactEvery < 20);

    const { store: reopened, logged } = await openWithLog(dir, { compactEvery });
    expect({ state: visibleState(reopened), audit: await readAll(reopened) }).toEqual(before);
    expect(logged).toEqual([]);
    expect(Object.isFrozen(reopened.get('requests', 'EX-1'))).toBe(true);
    const next = await reopened.commit(event(), []);
    expect(next).toMatchObject({ seq: 21, prev: before.audit.at(-1)?.hash });
    expect(await reopened.verifyAudit()).toEqual({ ok: true, entries: 21 });
    await reopened.close();
  });

  it('replays the entries after the snapshot, and only those', async () => {
    const dir = await dirs.make();
    const first = await openWithLog(dir, { compactEvery: 5 });
    for (let n = 1; n <= 5; n++) await first.store.commit(event(), [put('keys', idempotencyKey(`K-${n}`))]);
    await first.store.close(); // waits for the snapshot the 5th commit started
    expect(await readSnapshotSeq(dir)).toBe(5);

    const second = await openWithLog(dir, { compactEvery: 1000 });
    for (let n = 6; n <= 8; n++) await second.store.commit(event(), [put('keys', idempotencyKey(`K-${n}`))]);
    await second.store.close();
    expect(await readSnapshotSeq(dir)).toBe(5);
    expect(await auditFileLines(dir)).toHaveLength(8);

    // Edit entry 2, before the snapshot: opening does not read it again, verification does.
    const lines = await auditFileLines(dir);
    await writeAuditFileLines(
      dir,
      lines.map((line, i) => (i === 1 ? line.replace(':K-2"', ':K-X"') : line)),
    );

    const third = await openWithLog(dir);
    expect(third.store.list('keys').map((key) => key.id)).toEqual(['K-1', 'K-2', 'K-3', 'K-4', 'K-5', 'K-6', 'K-7', 'K-8']);
    expect(await third.store.verifyAudit()).toMatchObject({ ok: false, entries: 1, seq: 2, line: 2, problem: 'changed' });
    await third.store.close();
  });

  it('counts the entries replayed at open towards the next snapshot', async () => {
    const dir = await dirs.make();
    const first = await openWithLog(dir, { compactEvery: 1000 });
    for (let n = 1; n <= 5; n++) await first.store.commit(event(), []);
    await first.store.close();
    expect(existsSync(snapshotPath(dir))).toBe(false);
    const second = await openWithLog(dir, { compactEvery: 5 });
    await second.store.commit(event(), []);
    await second.store.close();
    expect(await readSnapshotSeq(dir)).toBe(6);
  });

  it('writes the snapshot in the agreed format, tied to the entry it was taken at', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { compactEvery: 2 });
    await store.commit(event(), [put('keys', idempotencyKey('K-1'))]);
    const second = await store.commit(event(), [put('keys', idempotencyKey('K-2'))]);
    await store.close();
    const snapshot = JSON.parse(await readFile(snapshotPath(dir), 'utf8')) as Record<string, unknown>;
    const auditBytes = (await readFile(auditPath(dir))).length;
    expect(snapshot).toEqual({
      format: 1,
      seq: 2,
      offset: auditBytes,
      hash: second.hash,
      // Every collection, empty or not, so that an older reader sees none missing.
      collections: { ...emptyCollections(), keys: [idempotencyKey('K-1'), idempotencyKey('K-2')] },
    });
  });

  it('creates the data directory, and each commit adds one line to audit.jsonl', async () => {
    const dir = `${await dirs.make()}/nested/data`;
    const { store } = await openWithLog(dir);
    const entry = await store.commit(event(), [put('keys', idempotencyKey('K-1'))]);
    const lines = await auditFileLines(dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(entryLine(entry));
    expect(entryFromLine(lines[0] ?? '')).toEqual(entry);
    await store.close();
  });
});

describe('LowdbStore: sequences', () => {
  it.each([
    { snapshots: 'without snapshots', compactEvery: 1_000_000 },
    { snapshots: 'with a snapshot every 2 entries', compactEvery: 2 },
  ])('go on after a reopen, $snapshots', async ({ compactEvery }) => {
    const dir = await dirs.make();
    const file = (tx: Transaction) => {
      const id = `EX-${tx.next('requests')}`;
      return { result: id, commit: { event: event('request.filed', { subject: id }), changes: [put('requests', request(id))] } };
    };
    const first = await openLowdbStore({ dir, compactEvery, log: () => {} });
    for (let n = 0; n < 3; n++) await first.transact(file);
    await first.close();
    const again = await openLowdbStore({ dir, compactEvery, log: () => {} });
    expect((await again.transact(file)).result).toBe('EX-4');
    expect(again.get('sequences', 'requests')).toEqual({ id: 'requests', value: 4 });
    await again.close();
  });
});

describe('LowdbStore: delivery keys', () => {
  it('expire the same way live, after a reopen from a snapshot, and in a verification replay', async () => {
    const dir = await dirs.make();
    const claim = (store: Store, key: string, at: string) =>
      store.transact(() => ({ result: key, commit: { event: event('request.filed', { at }), changes: [], claim: { key, result: key } } }));
    const first = await openLowdbStore({ dir, compactEvery: 2, log: () => {} });
    await claim(first, 'k1', '2026-03-01T09:00:00.000Z');
    await claim(first, 'k2', '2026-03-06T09:00:00.000Z');
    await claim(first, 'k3', '2026-03-09T09:00:00.000Z'); // k1 is past its week here
    expect([first.claimed('k1'), first.claimed('k2')].map(Boolean)).toEqual([false, true]);
    await first.close();
    const again = await openLowdbStore({ dir, compactEvery: 2, log: () => {} });
    expect([again.claimed('k1'), again.claimed('k2'), again.claimed('k3')].map(Boolean)).toEqual([false, true, true]);
    expect(await again.verifyAudit()).toMatchObject({ ok: true });
    await again.close();
  });
});
