import { existsSync } from 'node:fs';
import { readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimPath } from '../../storage/lowdb/data-dir-lock.ts';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
import { deadPid, runFixture, tempDirs } from './helpers.ts';
import { lockPath, openWithLog } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const STARTED = new Date('2026-01-05T08:00:00.000Z');
const writeLock = (dir: string, owner: object | string) =>
  writeFile(lockPath(dir), typeof owner === 'string' ? owner : JSON.stringify(owner));

describe('LowdbStore: one writer per data directory', () => {
  it('holds appwarden.lock with its pid, host and start while open, and removes it on close', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { now: () => STARTED });
    expect(JSON.parse(await readFile(lockPath(dir), 'utf8'))).toEqual({
      pid: process.pid,
      host: hostname(),
      started: STARTED.toISOString(),
    });
    await store.close();
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it('refuses a second open in the same process, however the directory is named', async () => {
    const dir = await dirs.make();
    const alias = join(await dirs.make(), 'alias');
    await symlink(dir, alias);
    const { store } = await openWithLog(dir, { now: () => STARTED });
    for (const path of [dir, alias]) {
      const second = openLowdbStore({ dir: path, log: () => {} });
      await expect(second).rejects.toMatchObject({ code: 'storage.locked' });
      await expect(second).rejects.toThrow(
        `DATA_DIR ${dir} is already open in this process (pid ${process.pid}, since ${STARTED.toISOString()})`,
      );
    }
    await store.close();
    await (await openLowdbStore({ dir, log: () => {} })).close();
  });

  it('lets only one of two opens started together in the same process through', async () => {
    const dir = await dirs.make();
    const [first, second] = await Promise.allSettled([openLowdbStore({ dir, log: () => {} }), openLowdbStore({ dir, log: () => {} })]);
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = [first, second].find((result) => result.status === 'rejected');
    expect(refused?.reason).toMatchObject({ code: 'storage.locked' });
    const opened = [first, second].find((result) => result.status === 'fulfilled');
    await opened?.value.close();
  });

  it('refuses a second process, naming the owner', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { now: () => STARTED });
    const refused = await runFixture('open-store.ts', [dir]);
    expect(refused.stdout.trim()).toBe(
      `storage.locked DATA_DIR ${dir} is in use by process ${process.pid} (started ${STARTED.toISOString()}); ` +
        'stop it or choose another data directory',
    );
    await store.close();
    expect((await runFixture('open-store.ts', [dir])).stdout.trim()).toBe('opened');
  });

  it('takes over at once the lock of a process that is dead', async () => {
    const dir = await dirs.make();
    const pid = await deadPid();
    await writeLock(dir, { pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' });
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([
      `${lockPath(dir)}: took over the lock of process ${pid} (started 2026-01-01T00:00:00.000Z), ` + 'which is no longer running',
    ]);
    expect(JSON.parse(await readFile(lockPath(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it("takes over a lock bearing this process's pid that this process does not hold (a restarted container)", async () => {
    const dir = await dirs.make();
    await writeLock(dir, { pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' });
    const { store, logged } = await openWithLog(dir);
    expect(logged).toHaveLength(1);
    await store.close();
  });

  it('refuses a lock held on another host, since it cannot tell whether that owner lives', async () => {
    const dir = await dirs.make();
    await writeLock(dir, { pid: 1, host: 'elsewhere.example', started: '2026-01-01T00:00:00.000Z' });
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toThrow(
      /in use by process 1 on host elsewhere\.example .*if that host no longer runs AppWarden, delete/,
    );
  });

  it('refuses an unreadable lock file while it may be being written, and takes it over once old', async () => {
    const dir = await dirs.make();
    await writeLock(dir, '');
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toThrow(/is being opened by another process right now/);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath(dir), aMinuteAgo, aMinuteAgo);
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([
      `${lockPath(dir)}: took over the lock of an unknown process (an unreadable lock file), which is no longer running`,
    ]);
    await store.close();
  });

  it('refuses while another live process is taking over the same dead lock, naming it', async () => {
    const dir = await dirs.make();
    const dead = { pid: await deadPid(), host: hostname(), started: '2026-01-01T00:00:00.000Z' };
    await writeLock(dir, dead);
    const lockText = await readFile(lockPath(dir), 'utf8');
    // The claim of a taker that is still at it: vitest's own main process, alive for sure.
    const taker = { pid: process.ppid, host: hostname(), started: '2026-01-05T08:00:00.000Z' };
    await writeFile(claimPath(lockPath(dir), lockText), JSON.stringify(taker));
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toMatchObject({ code: 'storage.locked' });
    await expect(openLowdbStore({ dir, log: () => {} })).rejects.toThrow(
      `DATA_DIR ${dir} is being taken over by process ${process.ppid} right now; stop it or choose another data directory`,
    );
    expect(await readFile(lockPath(dir), 'utf8')).toBe(lockText); // untouched: the claimant replaces it
  });

  it('takes over a claim left by a taker that died in the middle, then the lock, and leaves no claim', async () => {
    const dir = await dirs.make();
    const pid = await deadPid();
    await writeLock(dir, { pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' });
    const lockText = await readFile(lockPath(dir), 'utf8');
    const claim = claimPath(lockPath(dir), lockText);
    await writeFile(claim, JSON.stringify({ pid, host: hostname(), started: '2026-01-05T08:00:00.000Z' }));
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([
      `${lockPath(dir)}: took over the lock of process ${pid} (started 2026-01-01T00:00:00.000Z), which is no longer running`,
    ]);
    expect(JSON.parse(await readFile(lockPath(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await readdir(dir)).filter((name) => name.startsWith('appwarden.lock.'))).toEqual([]);
    await store.close();
  });

  it('removes what takers that died left behind (claims, new lock files), not what live ones hold', async () => {
    const dir = await dirs.make();
    const deadOwner = JSON.stringify({ pid: await deadPid(), host: hostname(), started: '2026-01-01T00:00:00.000Z' });
    const liveOwner = JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-01-01T00:00:00.000Z' });
    await writeFile(`${lockPath(dir)}.claim-0123`, deadOwner);
    await writeFile(`${lockPath(dir)}.new-1-abcd`, deadOwner);
    await writeFile(`${lockPath(dir)}.claim-4567`, liveOwner);
    const { store } = await openWithLog(dir);
    expect((await readdir(dir)).filter((name) => name.startsWith('appwarden.lock.'))).toEqual(['appwarden.lock.claim-4567']);
    await store.close();
  });

  it('reports a data directory it cannot use as storage.open_failed', async () => {
    const file = join(await dirs.make(), 'a-file');
    await writeFile(file, '');
    await expect(openLowdbStore({ dir: file, log: () => {} })).rejects.toMatchObject({ code: 'storage.open_failed' });
  });
});
