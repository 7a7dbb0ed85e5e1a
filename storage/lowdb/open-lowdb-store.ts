import { mkdir, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { storageError } from '../storage-errors.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { withOpenFailed } from './data-dir.ts';
import { fileSink, type AppendSink } from './group-commit.ts';
import { loadState } from './load-state.ts';
import { LowdbStore } from './lowdb-store.ts';
import { openOperationsJournal } from './operations-journal.ts';

export interface LowdbStoreOptions {
  /** DATA_DIR: created if missing. */
  dir: string;
  /**
   * The clock, for the lock's `started`, a torn tail's side file and when operational records expire.
   * Entries carry the caller's own `at`.
   */
  now?: () => Date;
  /** Snapshot after this many entries (default 5000): bounds the replay at the next open. */
  compactEvery?: number;
  /**
   * Check the whole audit chain in the background once open (default true); its result is the store's
   * `chainCheck` and is logged. Opening itself verifies only the entries after the latest snapshot.
   * A one-shot command that closes at once gains nothing from it.
   */
  checkChain?: boolean;
  /**
   * Where recoveries are reported, one line each (a torn tail moved aside, a dead owner's lock taken),
   * and the result of the background chain check.
   */
  log?: (line: string) => void;
  /**
   * How appended entries reach the disk (default `fileSink`: write, then fdatasync). A seam for tests
   * that prove a commit waits for durability; production code leaves it alone.
   */
  sink?: (audit: FileHandle) => AppendSink;
  /** The same seam for operations.jsonl (see OperationsJournal); also given the file a compaction makes. */
  operationsSink?: (operations: FileHandle) => AppendSink;
}

/**
 * Opens the store in DIR for this process alone; a torn last line left by a crash (a last line without
 * its newline) is moved to a side file (see `settleTail`). Refuses with `storage.locked` (another live
 * process, or this one, has it), `storage.corrupt` (a damaged audit log — any newline-terminated line
 * after the snapshot that is not a sound entry, the last one included — or a snapshot from another
 * log) or `storage.open_failed` (the directory cannot be used). Then checks the rest of the chain in
 * the background (see `checkChain`). Operational state is replayed from operations.jsonl (see
 * `openOperationsJournal`): damage there is skipped and logged, never refused.
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
    const loaded = await withOpenFailed(dir, () => loadState(dir, now, log));
    const operations = await withOpenFailed(dir, () => openOperationsJournal({ dir, now, log, sink: options.operationsSink })).catch(
      async (error: unknown) => {
        await loaded.audit.close();
        throw error;
      },
    );
    const sinkFor = options.sink ?? fileSink;
    const checkChain = options.checkChain ?? true;
    return new LowdbStore({ dir, ...loaded, sink: sinkFor(loaded.audit), sinkFor, lock, operations, compactEvery, checkChain, log });
  } catch (error) {
    await lock.release();
    throw error;
  }
}
