import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { openLowdbStoreReadOnly } from '../../storage/lowdb/index.ts';
import { event, idempotencyKey, readAll, tempDirs } from './helpers.ts';
import { auditFileLines, auditPath, commitNumber, lockPath, openWithLog, visibleState, writeAuditFileLines } from './lowdb-helpers.ts';
import { storeReadContract } from './store-read-contract.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

// Small compactEvery, so that reads come from a snapshot and the entries replayed after it.
storeReadContract('LowdbStore opened read-only', async (write) => {
  const dir = await dirs.make();
  const { store } = await openWithLog(dir, { compactEvery: 2 });
  await write(store);
  await store.close();
  return openLowdbStoreReadOnly({ dir, log: () => {} });
});

/** A closed store with n commits of a varied history, snapshots every 3. */
async function storeWith(n: number): Promise<string> {
  const dir = await dirs.make();
  const { store } = await openWithLog(dir, { compactEvery: 3 });
  for (let i = 1; i <= n; i++) await commitNumber(store, i);
  await store.close();
  return dir;
}

/** Every file of a directory with its bytes and mtime: to show that nothing was written. */
async function directoryImage(dir: string) {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (name) => [name, await readFile(join(dir, name)), (await stat(join(dir, name))).mtimeMs]));
}

describe('openLowdbStoreReadOnly', () => {
  it('answers as the store that wrote the directory does', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { compactEvery: 3 });
    for (let n = 1; n <= 20; n++) await commitNumber(store, n);
    const written = { state: visibleState(store), audit: await readAll(store), verified: await store.verifyAudit() };
    await store.close();
    const readOnly = await openLowdbStoreReadOnly({ dir, log: () => {} });
    const read = { state: visibleState(readOnly), audit: await readAll(readOnly), verified: await readOnly.verifyAudit() };
    expect(read).toEqual(written);
  });

  it('reads while a server holds the lock, takes none, and refuses commits with storage.read_only', async () => {
    const dir = await dirs.make();
    const { store: server } = await openWithLog(dir);
    await server.commit(event(), [put('keys', idempotencyKey('K-1'))]);
    const lock = await readFile(lockPath(dir), 'utf8');

    const readOnly = await openLowdbStoreReadOnly({ dir, log: () => {} });
    expect(readOnly.list('keys').map((key) => key.id)).toEqual(['K-1']);
    await expect(readOnly.commit(event(), [])).rejects.toMatchObject({ code: 'storage.read_only' });
    await readOnly.close();
    expect(await readFile(lockPath(dir), 'utf8')).toBe(lock);

    // It shows the state as of its open; the server goes on committing undisturbed.
    await server.commit(event(), [put('keys', idempotencyKey('K-2'))]);
    expect(readOnly.count('keys')).toBe(1);
    expect((await readAll(readOnly)).map((entry) => entry.seq)).toEqual([1]);
    expect(await readOnly.verifyAudit()).toEqual({ ok: true, entries: 2 }); // the directory as it is now
    await server.close();
  });

  it('writes nothing, and leaves a torn last line where it is, out of its state', async () => {
    const dir = await storeWith(7);
    await appendFile(auditPath(dir), '{"action":"request.fi');
    const before = await directoryImage(dir);
    const logged: string[] = [];

    const readOnly = await openLowdbStoreReadOnly({ dir, log: (line) => logged.push(line) });
    expect(logged).toEqual([`${auditPath(dir)}: left out a torn last line (21 bytes): a write in progress or cut short`]);
    expect((await readAll(readOnly)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(readOnly.get('requests', 'EX-7')).toBeDefined();
    await readOnly.close();
    expect(await directoryImage(dir)).toEqual(before);
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it.each([
    { where: 'after the snapshot', entries: 4 },
    { where: 'on which the snapshot ends', entries: 3 },
  ])('keeps a sound last entry that lacks its newline, without adding it: $where', async ({ entries }) => {
    const dir = await storeWith(entries);
    await truncate(auditPath(dir), (await stat(auditPath(dir))).size - 1);
    const before = await readFile(auditPath(dir));
    const readOnly = await openLowdbStoreReadOnly({ dir, log: () => {} });
    const audit = await readAll(readOnly);
    expect(audit.map((entry) => entry.seq)).toEqual([1, 2, 3, 4].slice(0, entries));
    for (const { collection, id, value } of audit.at(-1)?.changes ?? []) {
      expect(readOnly.get(collection, id)).toEqual(value);
    }
    expect(await readFile(auditPath(dir))).toEqual(before);
  });

  it('is an empty store for a directory that does not exist yet, and does not create it', async () => {
    const dir = join(await dirs.make(), 'data');
    const readOnly = await openLowdbStoreReadOnly({ dir, log: () => {} });
    expect([readOnly.count('requests'), readOnly.list('keys'), await readAll(readOnly)]).toEqual([0, [], []]);
    expect(await readOnly.verifyAudit()).toEqual({ ok: true, entries: 0 });
    await expect(readOnly.commit(event(), [])).rejects.toMatchObject({ code: 'storage.read_only' });
    await readOnly.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a path that is a file with storage.open_failed', async () => {
    const file = join(await dirs.make(), 'not-a-dir');
    await writeFile(file, '');
    await expect(openLowdbStoreReadOnly({ dir: file, log: () => {} })).rejects.toMatchObject({
      code: 'storage.open_failed',
    });
  });

  it('refuses a damaged log with storage.corrupt, as a normal open does', async () => {
    const dir = await storeWith(5); // snapshot at seq 3
    const lines = await auditFileLines(dir);
    await writeAuditFileLines(dir, [...lines.slice(0, 3), 'garbage', ...lines.slice(3)]);
    await expect(openLowdbStoreReadOnly({ dir, log: () => {} })).rejects.toMatchObject({
      code: 'storage.corrupt',
      details: { line: 4 },
    });
  });
});
