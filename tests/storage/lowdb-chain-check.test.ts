import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { personErasure } from '../../src/core/personal-data.ts';
import { put } from '../../src/core/records.ts';
import { chainEntry, entryLine, GENESIS } from '../../storage/audit-chain.ts';
import { emptySnapshot, writeSnapshot } from '../../storage/lowdb/snapshot.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { event, idempotencyKey, settledState, tempDirs } from './helpers.ts';
import { auditPath, openWithLog, readSnapshotSeq } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A closed store of keys K-1..K-10, one commit each, with its snapshot at seq 8. */
async function storeWithSnapshotAt8(): Promise<string> {
  const dir = await dirs.make();
  const { store } = await openWithLog(dir, { compactEvery: 8 }); // one snapshot: none is running at 8
  for (let i = 1; i <= 10; i++) await store.commit(event(), [put('keys', idempotencyKey(`K-${i}`))]);
  await store.close();
  expect(await readSnapshotSeq(dir)).toBe(8);
  return dir;
}

/** Flips bits (`xor`) of the byte at `at` of line `n`. */
async function flipLine(dir: string, n: number, at: (line: Buffer) => number, xor: number) {
  const bytes = await readFile(auditPath(dir));
  let start = 0;
  for (let line = 1; line < n; line++) start = bytes.indexOf(0x0a, start) + 1;
  const index = start + at(bytes.subarray(start, bytes.indexOf(0x0a, start)));
  bytes[index] = (bytes[index] ?? 0) ^ xor;
  await writeFile(auditPath(dir), bytes);
}

/**
 * A log of `n` entries without changes, and a snapshot at its last: opening replays nothing, while the
 * background check has every line to read. Written directly: committing them one by one takes long.
 */
async function longLogSnapshotted(n: number): Promise<string> {
  const dir = await dirs.make();
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const entry = chainEntry(prev, seq, event('test.filler', { detail: { seq } }), []);
    lines.push(entryLine(entry));
    prev = entry.hash;
  }
  const text = lines.map((line) => `${line}\n`).join('');
  await writeFile(auditPath(dir), text);
  await writeSnapshot(`${dir}/state.json`, { ...emptySnapshot(), seq: n, offset: Buffer.byteLength(text), hash: prev });
  return dir;
}

describe('LowdbStore: the whole chain checked in the background after opening', () => {
  it('an erasure stops the check to rewrite the log, then checks the new log whole', async () => {
    const dir = await storeWithSnapshotAt8();
    const { store, logged } = await openWithLog(dir, { checkChain: true });
    await store.commit(event('request.filed', { actor: 'nora@agency.gov', detail: { reason: 'Nora Quist, for the festival' } }), []);
    const erased = await store.erase(personErasure({ identifiers: ['nora@agency.gov', 'Nora Quist'], pseudonym: 'erased-1a2b' }), {
      at: '2026-04-01T09:00:00.000Z',
      actor: 'system',
      action: 'person.erased',
      subject: 'erased-1a2b',
      detail: { reason: 'art. 17' },
    });
    expect(erased.entry?.seq).toBe(12);
    expect(await store.chainChecked()).toEqual({ state: 'ok', entries: 12 });
    expect(logged.at(-1)).toMatch(/the whole audit chain checked in the background: 12 entries, intact/);
    await store.close();
  });

  it('runs once open, ends ok with every entry, and logs the result once', async () => {
    const dir = await storeWithSnapshotAt8();
    const { store, logged } = await openWithLog(dir, { checkChain: true });
    expect(store.chainCheck).toEqual({ state: 'running', entries: 0 });
    expect(await store.chainChecked()).toEqual({ state: 'ok', entries: 10 });
    expect(store.chainCheck).toEqual({ state: 'ok', entries: 10 });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      new RegExp(`^${auditPath(dir)}: the whole audit chain checked in the background: 10 entries, intact \\(\\d+\\.\\d s\\)$`),
    );
    await store.close();
  });

  it.each([
    { what: 'still JSON, one character changed', problem: 'changed', at: (line: Buffer) => line.indexOf('K-') + 2, xor: 0x01 },
    { what: 'no longer JSON', problem: 'unreadable', at: (line: Buffer) => line.length - 1, xor: 0x01 },
    { what: 'not UTF-8', problem: 'unreadable', at: (line: Buffer) => line.indexOf('K-'), xor: 0x80 },
  ])('reports a byte flipped before the snapshot, which opening does not read, naming the line: $what', async (flip) => {
    for (const n of [1, 5, 7]) {
      const dir = await storeWithSnapshotAt8();
      await flipLine(dir, n, flip.at, flip.xor);
      const { store, logged } = await openWithLog(dir, { checkChain: true });
      // The open itself goes through: the state it runs on (state.json, entries 9 and 10) is sound.
      expect(store.get('keys', 'K-10')).toBeDefined();
      const failed = { state: 'failed', entries: n - 1, line: n, seq: n, problem: flip.problem };
      expect(await store.chainChecked()).toMatchObject(failed);
      expect(store.chainCheck).toMatchObject(failed);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(
        `${auditPath(dir)}: the background check of the whole audit chain FAILED at line ${n} (seq ${n}): ${flip.problem}`,
      );
      expect(logged[0]).toContain('appwarden audit verify');
      expect(await store.verifyAudit()).toMatchObject({ ok: false, line: n, problem: flip.problem });
      expect(store.failure).toBeUndefined(); // reported, not fatal: what it serves is sound
      await store.close();
    }
  });

  it('does not hold up commits: one made at once is durable while the check still runs', { timeout: 60_000 }, async () => {
    const dir = await longLogSnapshotted(30_000);
    const { store, logged } = await openWithLog(dir, { checkChain: true });
    const checked = store.chainChecked();
    const entry = await store.commit(event(), [put('keys', idempotencyKey('K-new'))]);
    expect(entry.seq).toBe(30_001);
    expect(await settledState(checked)).toBe('pending');
    expect(store.chainCheck?.state).toBe('running');
    expect(await checked).toEqual({ state: 'ok', entries: 30_000 }); // the lines there were at open
    expect(logged).toHaveLength(1);
    await store.close();
  });

  it('stops when the store closes before it is done, and logs nothing', async () => {
    const dir = await longLogSnapshotted(5_000);
    const { store, logged } = await openWithLog(dir, { checkChain: true });
    await store.close();
    expect(store.chainCheck?.state).toBe('running');
    expect(logged).toEqual([]);
  });

  it('is off when asked, and trivially ok on an empty log', async () => {
    const { store } = await openWithLog(await storeWithSnapshotAt8(), { checkChain: false });
    expect(store.chainCheck).toBeUndefined();
    await store.close();
    const { store: empty, logged } = await openWithLog(await dirs.make(), { checkChain: true });
    expect(await empty.chainChecked()).toEqual({ state: 'ok', entries: 0 });
    expect(logged).toEqual([]);
    await empty.close();
  });
});

describe('MemoryStore: chainCheck', () => {
  it('is ok, with every entry: it chained them all itself', async () => {
    const store = createMemoryStore();
    await store.commit(event(), []);
    expect(store.chainCheck).toEqual({ state: 'ok', entries: 1 });
  });
});
