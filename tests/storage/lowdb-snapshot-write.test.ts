import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTION_NAMES, put, type Change } from '../../src/core/records.ts';
import { deepFreeze } from '../../storage/canonical-json.ts';
import { RecordIndex, type CollectionArrays } from '../../storage/record-index.ts';
import { readSnapshot, writeSnapshot, type Snapshot } from '../../storage/lowdb/snapshot.ts';
import { prettyJsonPieces } from '../../storage/lowdb/snapshot-text.ts';
import { attestation, event, idempotencyKey, request, tempDirs } from './helpers.ts';
import { openWithLog, readSnapshotSeq, snapshotPath, visibleState } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** Records with what JSON makes awkward: escapes, U+2028, astral characters, empty containers, nesting. */
function awkwardChanges(n: number): Change[] {
  return [
    put(
      'requests',
      request(`EX-${n}`, n % 2 ? 'pierre' : 'ピエール', {
        reason: `line\nbreak "quoted" \u2028 \\ 🙂 #${n}`,
        rules: n % 3 ? ['a', 'b'] : [],
      }),
    ),
    put('attestations', attestation(`AT-${n}`)),
    put('keys', idempotencyKey(`K-${n}`)),
    put('outbox', {
      id: `O-${n}`,
      status: 'due',
      createdAt: '2026-01-01T00:00:00.000Z',
      effect: { kind: 'post', nested: { deep: [1, 2.5, -0.001, true, null, {}, []] }, empty: {} },
      deliveredTo: [],
    }),
  ];
}

function indexWith(records: number): RecordIndex {
  const index = new RecordIndex();
  for (let n = 1; n <= records; n++) index.apply(awkwardChanges(n).map((change) => deepFreeze(change)));
  return index;
}

const snapshotOf = (collections: CollectionArrays): Snapshot => ({ format: 1, seq: 7, offset: 1234, hash: 'c'.repeat(64), collections });

describe('state.json text, a record at a time', () => {
  it('is exactly what lowdb writes, JSON.stringify(snapshot, null, 2)', () => {
    const snapshot = snapshotOf(indexWith(25).toArrays()); // `messages` and `conversations` stay empty
    expect([...prettyJsonPieces(snapshot, 3)].join('')).toBe(JSON.stringify(snapshot, null, 2));
  });

  it.each([0, 1, 2, 3, 5])('is the same text whatever the depth it streams to (%i)', (levels) => {
    const value = { a: [], b: {}, c: [{ x: [1, { y: 'z\n' }] }, null, 'two'], d: { e: { f: [[], [{}]] } }, skipped: undefined };
    expect([...prettyJsonPieces(value, levels)].join('')).toBe(JSON.stringify(value, null, 2));
    expect([...prettyJsonPieces([], levels)].join('')).toBe('[]');
  });

  it('comes one piece per record, so a writer can stop between any two', () => {
    const pieces = [...prettyJsonPieces(snapshotOf(indexWith(10).toArrays()), 3)];
    const records = pieces.filter((piece) => piece.startsWith('{\n'));
    expect(records).toHaveLength(40); // 10 each of requests, attestations, keys and outbox
  });
});

describe('writeSnapshot, in slices', () => {
  it('writes the very bytes lowdb would, and reads back the same snapshot', async () => {
    const dir = await dirs.make();
    const snapshot = snapshotOf(indexWith(200).toArrays());
    await writeSnapshot(join(dir, 'state.json'), snapshot, 100);
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(JSON.stringify(snapshot, null, 2));
    expect(await readSnapshot(join(dir, 'state.json'))).toEqual({ found: true, snapshot });
    expect(existsSync(join(dir, '.state.json.tmp'))).toBe(false);
  });

  it('writes the records as captured, though the store changes them while it writes', async () => {
    const dir = await dirs.make();
    const index = indexWith(300);
    const snapshot = snapshotOf(index.toArrays());
    const expected = JSON.stringify(snapshot, null, 2);
    // Between slices, the store goes on: records replaced, removed and added.
    let n = 300;
    let turns = 0;
    let writing = true;
    const keepChanging = () => {
      n++;
      index.apply([
        deepFreeze(put('requests', request(`EX-${n % 300}`, 'pierre', { status: 'approved' }))),
        { collection: 'keys', id: `K-${n % 300}`, value: null },
        ...awkwardChanges(n).map((change) => deepFreeze(change)),
      ]);
      turns++;
      if (writing) setImmediate(keepChanging);
    };
    setImmediate(keepChanging);
    await writeSnapshot(join(dir, 'state.json'), snapshot, 512);
    writing = false;
    expect(turns).toBeGreaterThan(20); // the event loop ran (and the store changed) between slices
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(expected);
  });

  it('leaves state.json as it was, and no temp file, when a write fails midway', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'state.json');
    await writeFile(path, 'the previous snapshot');
    const collections = indexWith(50).toArrays();
    // Not JSON data (a store never holds one): serialising it throws after many records are written.
    const bad = { ...collections, keys: [...collections.keys, { id: 'K-bad', at: 1n } as never] };
    await expect(writeSnapshot(path, snapshotOf(bad), 64)).rejects.toThrow(/BigInt/);
    expect(await readFile(path, 'utf8')).toBe('the previous snapshot');
    expect(existsSync(join(dir, '.state.json.tmp'))).toBe(false);
  });
});

describe('LowdbStore: compacting a large state while commits go on', () => {
  it('writes a snapshot at the entry it was planned at, which verifies and reopens to the same state', async () => {
    const dir = await dirs.make();
    const { store, logged } = await openWithLog(dir, { compactEvery: 2000 });
    // 2,000 entries of four records each, committed at once: the snapshot at seq 2000 (~3 MB) is
    // planned in the middle of the burst and written while the rest of it is committed.
    const commits = Array.from({ length: 2500 }, (_, i) => store.commit(event(), awkwardChanges(i + 1)));
    await Promise.all(commits);
    const before = visibleState(store);
    await store.close();
    expect(await readSnapshotSeq(dir)).toBe(2000);
    const written = JSON.parse(await readFile(snapshotPath(dir), 'utf8')) as Snapshot;
    const counts = Object.fromEntries(COLLECTION_NAMES.map((name) => [name, written.collections[name].length]));
    expect(counts).toMatchObject({ requests: 2000, attestations: 2000, keys: 2000, messages: 0, outbox: 2000 });

    const reopened = await openWithLog(dir);
    expect(visibleState(reopened.store)).toEqual(before);
    expect(await reopened.store.verifyAudit()).toEqual({ ok: true, entries: 2500 });
    await reopened.store.close();
    expect([...logged, ...reopened.logged]).toEqual([]);
  });
});
