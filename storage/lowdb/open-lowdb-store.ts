import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeCause, storageError } from '../storage-errors.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { loadState } from './load-state.ts';
import { LowdbStore } from './lowdb-store.ts';

export interface LowdbStoreOptions {
  /** DATA_DIR: created if missing. */
  dir: string;
  /** The clock, for the lock's `started`. Audit entries carry the caller's own `at`. */
  now?: () => Date;
  /** Snapshot after this many entries (default 5000): bounds the replay at the next open. */
  compactEvery?: number;
  /** Where recoveries are reported, one line each (a torn tail cut, a dead owner's lock taken over). */
  log?: (line: string) => void;
}

/**
 * Opens the store in DIR for this process alone. Refuses with `storage.locked` (another live process,
 * or this one, has it), `storage.corrupt` (a damaged audit log or a snapshot from another log) or
 * `storage.open_failed` (the directory cannot be used).
 */
export async function openLowdbStore(options: LowdbStoreOptions): Promise<LowdbStore> {
  const dir = resolve(options.dir);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.error(line));
  const compactEvery = options.compactEvery ?? 5000;
  if (!Number.isSafeInteger(compactEvery) || compactEvery < 1) {
    throw storageError('storage.open_failed', `compactEvery must be a positive integer, not ${compactEvery}`);
  }
  const lock = await withOpenFailed(dir, async () => {
    await mkdir(dir, { recursive: true });
    return lockDataDir(dir, now, log);
  });
  try {
    const loaded = await withOpenFailed(dir, () => loadState(dir, log));
    return new LowdbStore({ dir, ...loaded, lock, compactEvery, log });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Node's file errors (EACCES, ENOTDIR, …) become `storage.open_failed`; our own errors pass through. */
async function withOpenFailed<T>(dir: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof Error && 'errno' in error) {
      const message = `cannot use DATA_DIR ${dir}: ${describeCause(error)}`;
      throw storageError('storage.open_failed', message, { cause: error });
    }
    throw error;
  }
}
