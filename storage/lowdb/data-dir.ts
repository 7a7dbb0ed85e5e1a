import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCause, storageError } from '../storage-errors.ts';

/** The files of a data directory. */
export const dataFiles = (dir: string) => ({
  /** Append-only, hash-chained: the audit log and the journal of every state change. Never rewritten. */
  audit: join(dir, 'audit.jsonl'),
  /** The state as of one audit entry, so opening replays only what came after it. Derived data. */
  snapshot: join(dir, 'state.json'),
  /**
   * Operational state (message and conversation references, delivery progress), one line per put or
   * delete; not hash-chained, not part of the record `audit verify` proves, rewritten when compacted.
   */
  operations: join(dir, 'operations.jsonl'),
  /** Who owns the directory: one writer process at a time. */
  lock: join(dir, 'appwarden.lock'),
});

/** Where a torn last line is kept once cut from the log: `audit.torn-2026-01-05T08-00-00.000Z.jsonl`. */
export const tornTailPath = (dir: string, at: Date): string => join(dir, `audit.torn-${at.toISOString().replaceAll(':', '-')}.jsonl`);

/** Makes a file's contents durable. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries durable (a created or renamed file), where the platform allows it. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  await fsyncFile(dir);
}

/** Node's file errors (EACCES, ENOTDIR, …) become `storage.open_failed`; our own errors pass through. */
export async function withOpenFailed<T>(dir: string, open: () => Promise<T>): Promise<T> {
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
