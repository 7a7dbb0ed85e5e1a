import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { AppWardenError } from '../../src/core/result.ts';
import { chainEntry, entryLine } from '../../storage/audit-chain.ts';
import { openLowdbStore, openLowdbStoreReadOnly, verifyAuditFile } from '../../storage/lowdb/index.ts';
import { cli } from '../support/cli.ts';
import { event, idempotencyKey, readAll, tempDirs } from './helpers.ts';
import { auditPath, openWithLog, auditFileLines, snapshotPath, writeAuditFileLines } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A closed store holding keys K-1..K-n, one commit each. */
async function storeWithKeys(n: number, compactEvery = 1000): Promise<string> {
  const dir = await dirs.make();
  const { store } = await openWithLog(dir, { compactEvery });
  for (let i = 1; i <= n; i++) await store.commit(event(), [put('keys', idempotencyKey(`K-${i}`))]);
  await store.close();
  return dir;
}

const STARTED = new Date('2026-01-05T08:00:00.000Z');
const SIDE_FILE = 'audit.torn-2026-01-05T08-00-00.000Z.jsonl';

/** Entry 4, as the store would have written it after K-1..K-3 (`prev` to link it elsewhere). */
async function nextEntry(dir: string, prev?: string): Promise<string> {
  const last = JSON.parse((await auditFileLines(dir)).at(-1) ?? '') as { hash: string };
  return entryLine(chainEntry(prev ?? last.hash, 4, event(), [put('keys', idempotencyKey('K-4'))]));
}

describe('LowdbStore: a torn last line left by a crash', () => {
  it.each([
    { tail: 'half a line', make: async () => '{"action":"request.filed","actor":"pie' },
    { tail: 'bytes that are not JSON', make: async () => 'garbage}' },
    { tail: 'NUL bytes where the write never landed', make: async () => '\0'.repeat(4096) },
    { tail: 'an entry without its newline that does not link', make: (dir: string) => nextEntry(dir, 'e'.repeat(64)) },
    {
      tail: 'an entry without its newline, changed',
      make: async (dir: string) => (await nextEntry(dir)).replace(':K-4"', ':K-5"'),
    },
  ])('is moved to a side file, then cut, with one log line: $tail', async ({ make }) => {
    const dir = await storeWithKeys(3);
    const goodSize = (await stat(auditPath(dir))).size;
    const tail = await make(dir);
    await appendFile(auditPath(dir), tail);

    const { store, logged } = await openWithLog(dir, { now: () => STARTED });
    const aside = join(dir, SIDE_FILE);
    expect(logged).toEqual([`${auditPath(dir)}: moved a torn last line (${Buffer.byteLength(tail)} bytes) left by a crash to ${aside}`]);
    expect(await readFile(aside, 'utf8')).toBe(tail); // every byte kept, as evidence
    expect((await stat(auditPath(dir))).size).toBe(goodSize);
    expect(store.list('keys').map((key) => key.id)).toEqual(['K-1', 'K-2', 'K-3']);
    expect((await store.commit(event(), [])).seq).toBe(4);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 4 });
    await store.close();
    const again = await openWithLog(dir);
    expect(again.logged).toEqual([]);
    await again.store.close();
  });

  it.each([
    { what: 'a whole next entry (the crash fell between it and its newline)', make: nextEntry },
    { what: 'the last newline deleted by hand', make: async () => '' },
  ])('keeps a sound last entry that lacks only its newline, and adds it: $what', async ({ make }) => {
    const dir = await storeWithKeys(3);
    const tail = await make(dir);
    await appendFile(auditPath(dir), tail);
    if (tail === '') await truncate(auditPath(dir), (await stat(auditPath(dir))).size - 1);
    const before = await readFile(auditPath(dir));
    const lastSeq = tail === '' ? 3 : 4;

    const { store, logged } = await openWithLog(dir, { now: () => STARTED });
    expect(logged).toEqual([
      `${auditPath(dir)}: the last entry (seq ${lastSeq}) was whole but had no newline; kept it and added the newline`,
    ]);
    expect(await readFile(auditPath(dir))).toEqual(Buffer.concat([before, Buffer.from('\n')]));
    expect(existsSync(join(dir, SIDE_FILE))).toBe(false);
    expect(store.list('keys').map((key) => key.id)).toEqual(['K-1', 'K-2', 'K-3', 'K-4'].slice(0, lastSeq));
    expect((await store.commit(event(), [])).seq).toBe(lastSeq + 1);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: lastSeq + 1 });
    await store.close();
  });

  it('keeps the last entry when only its newline is gone and the snapshot ends on it', async () => {
    const dir = await storeWithKeys(4, 4);
    const whole = await readFile(auditPath(dir));
    await truncate(auditPath(dir), whole.length - 1);
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([`${auditPath(dir)}: the last entry (seq 4) was whole but had no newline; kept it and added the newline`]);
    expect(await readFile(auditPath(dir))).toEqual(whole);
    expect(store.get('keys', 'K-4')).toBeDefined();
    expect((await store.commit(event(), [])).seq).toBe(5);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
    await store.close();
  });

  it('never overwrites an earlier side file from the same instant', async () => {
    const dir = await storeWithKeys(3);
    for (const tail of ['first tear', 'second tear']) {
      await appendFile(auditPath(dir), tail);
      await (await openWithLog(dir, { now: () => STARTED })).store.close();
    }
    expect(await readFile(join(dir, SIDE_FILE), 'utf8')).toBe('first tear');
    expect(await readFile(join(dir, SIDE_FILE.replace('.jsonl', '-2.jsonl')), 'utf8')).toBe('second tear');
  });
});

/** Every file of the directory but the log, and the log's bytes: what an open must leave as it was. */
async function dirContents(dir: string) {
  return { files: (await readdir(dir)).sort(), audit: await readFile(auditPath(dir)) };
}

/** Flips bits (`xor`) of one byte of line `n` (at `at` of the line), as a failing disk or a stray write would. */
async function flipLine(dir: string, n: number, at: (line: Buffer) => number, xor: number) {
  const bytes = await readFile(auditPath(dir));
  let start = 0;
  for (let line = 1; line < n; line++) start = bytes.indexOf(0x0a, start) + 1;
  const index = start + at(bytes.subarray(start, bytes.indexOf(0x0a, start)));
  bytes[index] = (bytes[index] ?? 0) ^ xor;
  await writeFile(auditPath(dir), bytes);
}

const FLIPS = [
  // `}` becomes `|`: the line is no longer JSON.
  { what: 'no longer JSON', problem: 'unreadable', at: (line: Buffer) => line.length - 1, xor: 0x01 },
  // `3` becomes `2` in "K-3": still JSON, but not what was written.
  { what: 'still JSON, one character changed', problem: 'changed', at: (line: Buffer) => line.indexOf('K-') + 2, xor: 0x01 },
  // An ASCII byte with its top bit set: not UTF-8 at all.
  { what: 'not UTF-8', problem: 'unreadable', at: (line: Buffer) => line.indexOf('K-'), xor: 0x80 },
] as const;

describe('LowdbStore: a whole last line that no longer verifies is damage, not a torn write', () => {
  it.each(FLIPS)('refuses to open, naming file, line and seq, and moves or cuts nothing: $what', async (flip) => {
    const dir = await storeWithKeys(3);
    await flipLine(dir, 3, flip.at, flip.xor);
    const before = await dirContents(dir);

    const opening = openLowdbStore({ dir, log: () => {} });
    await expect(opening).rejects.toBeInstanceOf(AppWardenError);
    await expect(opening).rejects.toMatchObject({ code: 'storage.corrupt', details: { line: 3, seq: 3, problem: flip.problem } });
    const { message } = (await opening.catch((error: unknown) => error)) as Error;
    expect(message).toContain(`${auditPath(dir)} line 3 (seq 3) is `);
    expect(message).toContain('it ends with its newline');
    expect(message).not.toContain('\n'); // a server prints it as its one line of refusal
    expect(await dirContents(dir)).toEqual(before); // nothing moved aside, nothing cut, nothing added

    // A second try is refused the same (the first released the lock), and verification names it too.
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toMatchObject({ code: 'storage.corrupt' });
    expect(await verifyAuditFile(dir)).toMatchObject({ ok: false, entries: 2, seq: 3, line: 3, problem: flip.problem });
    const verified = await cli(['--data', dir, 'audit', 'verify']);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(`FAILED verification at entry 3 (line 3): ${flip.problem}`);
    expect(await dirContents(dir)).toEqual(before);
  });

  it('refuses too when that line is the entry state.json was taken at, which opening replays nothing after', async () => {
    const dir = await storeWithKeys(4, 4);
    expect(JSON.parse(await readFile(snapshotPath(dir), 'utf8'))).toMatchObject({ seq: 4 });
    await flipLine(dir, 4, FLIPS[1].at, FLIPS[1].xor);
    const before = await dirContents(dir);
    const opening = openLowdbStore({ dir, log: () => {} });
    await expect(opening).rejects.toMatchObject({ code: 'storage.corrupt', details: { line: 4, seq: 4, problem: 'changed' } });
    await expect(opening).rejects.toThrow(/line 4 \(seq 4\) is changed since it was written, and it is the entry state\.json/);
    expect(await dirContents(dir)).toEqual(before);
    expect(await verifyAuditFile(dir)).toMatchObject({ ok: false, entries: 3, seq: 4, line: 4, problem: 'changed' });
  });

  it('the read-only open refuses it as well, rather than leaving it out as a write in progress', async () => {
    const dir = await storeWithKeys(3);
    await flipLine(dir, 3, FLIPS[0].at, FLIPS[0].xor);
    await expect(openLowdbStoreReadOnly({ dir, log: () => {} })).rejects.toMatchObject({
      code: 'storage.corrupt',
      details: { line: 3 },
    });
  });
});

describe('LowdbStore: damage it refuses to open on', () => {
  it('a bad line in the middle of the log: storage.corrupt, naming the line', async () => {
    const dir = await storeWithKeys(4);
    const lines = await auditFileLines(dir);
    await writeAuditFileLines(dir, [...lines.slice(0, 2), 'garbage', ...lines.slice(2)]);
    const opening = openLowdbStore({ dir, log: () => {} });
    await expect(opening).rejects.toMatchObject({ code: 'storage.corrupt', details: { line: 3, problem: 'unreadable' } });
    await expect(opening).rejects.toThrow(/audit\.jsonl line 3 \(seq 3\) is unreadable, and it is not the last line/);
    // The refusal released the directory: a second try is refused for the same reason, not as locked.
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toMatchObject({ code: 'storage.corrupt' });
  });

  it('a whole last line that parses but was changed', async () => {
    const dir = await storeWithKeys(3);
    const lines = await auditFileLines(dir);
    await writeAuditFileLines(dir, [...lines.slice(0, 2), (lines[2] ?? '').replace(':K-3"', ':K-9"')]);
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toMatchObject({
      code: 'storage.corrupt',
      details: { line: 3, problem: 'changed' },
    });
  });

  it('a snapshot that does not belong to this log', async () => {
    const dir = await storeWithKeys(4, 2);
    const snapshot = JSON.parse(await readFile(snapshotPath(dir), 'utf8')) as { hash: string };
    await writeFile(snapshotPath(dir), JSON.stringify({ ...snapshot, hash: 'f'.repeat(64) }));
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toThrow(/state\.json does not belong to audit\.jsonl/);
  });

  it('a log shorter than its snapshot says', async () => {
    const dir = await storeWithKeys(4, 4);
    await writeAuditFileLines(dir, (await auditFileLines(dir)).slice(0, 2));
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toMatchObject({ code: 'storage.corrupt' });
  });
});

describe('LowdbStore: what it recovers from', () => {
  it('an unreadable snapshot: rebuilt from the whole log, with one log line', async () => {
    const dir = await storeWithKeys(4, 2);
    await writeFile(snapshotPath(dir), '{"format": 1, "seq"');
    const { store, logged } = await openWithLog(dir);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/state\.json: unusable \(not JSON.*\); rebuilding the state from the whole audit log/);
    expect(store.list('keys').map((key) => key.id)).toEqual(['K-1', 'K-2', 'K-3', 'K-4']);
    expect(await readAll(store)).toHaveLength(4);
    await store.close();
  });
});

describe('LowdbStore: a failed write', () => {
  // /dev/full fails every write with ENOSPC: a real disk-full, no mocks.
  it.runIf(existsSync('/dev/full'))('rejects waiting and later commits, and says so in `failure`', async () => {
    const dir = await dirs.make();
    await symlink('/dev/full', auditPath(dir));
    const { store } = await openWithLog(dir);
    expect(store.failure).toBeUndefined();
    const waiting = [1, 2, 3].map((i) => store.commit(event(), [put('keys', idempotencyKey(`K-${i}`))]));
    for (const commit of waiting) {
      await expect(commit).rejects.toMatchObject({ code: 'storage.write_failed' });
    }
    await expect(waiting[0]).rejects.toThrow(/ENOSPC.*3 commit\(s\) are not durable.*visible in memory.*refuses further commits/);
    expect(store.count('keys')).toBe(3); // memory is ahead of the disk, as the error says
    // What a server checks to report unhealthy and stop, rather than serve state that is not on disk.
    expect(store.failure).toMatchObject({ code: 'storage.write_failed' });
    await expect(waiting[0]).rejects.toBe(store.failure);
    await expect(store.commit(event(), [])).rejects.toBe(store.failure);
    await store.close();
  });
});
