import { existsSync } from 'node:fs';
import { appendFile, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { chainEntry, entryLine } from '../../storage/audit-chain.ts';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
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

describe('LowdbStore: a torn last line left by a crash', () => {
  const wholeNextEntry = async (dir: string) => {
    const last = JSON.parse((await auditFileLines(dir)).at(-1) ?? '') as { hash: string };
    return entryLine(chainEntry(last.hash, 4, event(), [put('keys', idempotencyKey('K-4'))]));
  };

  it.each([
    { tail: 'half a line', make: async () => '{"action":"request.filed","actor":"pie' },
    { tail: 'a whole line that is not JSON', make: async () => 'garbage}\n' },
    { tail: 'NUL bytes where the write never landed', make: async () => '\0'.repeat(4096) },
    { tail: 'a whole entry without its newline (never acknowledged)', make: wholeNextEntry },
  ])('is cut off with one log line, and the store opens on the good entries: $tail', async ({ make }) => {
    const dir = await storeWithKeys(3);
    const goodSize = (await stat(auditPath(dir))).size;
    const tail = await make(dir);
    await appendFile(auditPath(dir), tail);

    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([
      `${auditPath(dir)}: dropped a torn last line (${Buffer.byteLength(tail)} bytes) left by a crash`,
    ]);
    expect((await stat(auditPath(dir))).size).toBe(goodSize);
    expect(store.list('keys').map((key) => key.id)).toEqual(['K-1', 'K-2', 'K-3']);
    expect((await store.commit(event(), [])).seq).toBe(4);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 4 });
    await store.close();
    const again = await openWithLog(dir);
    expect(again.logged).toEqual([]);
    await again.store.close();
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

  it('a whole last line that parses but was changed is damage too, not a torn write', async () => {
    const dir = await storeWithKeys(3);
    const lines = await auditFileLines(dir);
    await writeAuditFileLines(dir, [...lines.slice(0, 2), (lines[2] ?? '').replace('"K-3"', '"K-9"')]);
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
  it.runIf(existsSync('/dev/full'))('rejects every waiting commit and refuses the next ones', async () => {
    const dir = await dirs.make();
    await symlink('/dev/full', auditPath(dir));
    const { store } = await openWithLog(dir);
    const waiting = [1, 2, 3].map((i) => store.commit(event(), [put('keys', idempotencyKey(`K-${i}`))]));
    for (const commit of waiting) {
      await expect(commit).rejects.toMatchObject({ code: 'storage.write_failed' });
    }
    await expect(waiting[0]).rejects.toThrow(
      /ENOSPC.*3 commit\(s\) are not durable.*visible in memory.*refuses further commits/,
    );
    expect(store.count('keys')).toBe(3); // memory is ahead of the disk, as the error says
    await expect(store.commit(event(), [])).rejects.toMatchObject({ code: 'storage.write_failed' });
    await store.close();
  });
});
