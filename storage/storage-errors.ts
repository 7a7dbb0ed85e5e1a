import { AppWardenError } from '../src/core/result.ts';

/**
 * The faults a store raises, each with a stable code (STYLE.md point 3):
 * - `storage.bad_commit`   a commit whose event or changes are not storable (a caller's bug); nothing changed
 * - `storage.closed`       a commit after `close()`
 * - `storage.write_failed` the audit log could not be written; the store refuses further commits
 * - `storage.corrupt`      the data directory is damaged; the store will not open on it
 * - `storage.locked`       another process (or this one) owns the data directory
 * - `storage.open_failed`  the data directory cannot be used at all (permissions, not a directory, …)
 * - `storage.read_only`    a commit to a store opened read-only (`openLowdbStoreReadOnly`)
 * - `storage.conflict`     a unit of work lost the race to commit too many times in a row; nothing changed
 * - `storage.unavailable`  the database cannot be reached (now); a commit may be refused, never reported done unsaved
 */
export type StorageErrorCode =
  | 'storage.bad_commit'
  | 'storage.closed'
  | 'storage.write_failed'
  | 'storage.corrupt'
  | 'storage.locked'
  | 'storage.open_failed'
  | 'storage.read_only'
  | 'storage.conflict'
  | 'storage.unavailable';

export const storageError = (code: StorageErrorCode, message: string, details?: unknown): AppWardenError =>
  new AppWardenError(code, message, details);

export const storeClosed = (where: string): AppWardenError =>
  storageError('storage.closed', `the store for ${where} is closed; nothing was committed`);

/** A message for an unknown thrown value, for wrapping Node's errors into ours. */
export const describeCause = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));
