import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { storageError } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { openIfExists } from './audit-lines.ts';
import { dataFiles, withOpenFailed } from './data-dir.ts';
import { LowdbReadOnlyStore } from './lowdb-read-only-store.ts';
import { loadOperationsReadOnly, ReadOnlyOperations } from './read-only-operations.ts';
import { replayLog, usableSnapshot } from './replay-log.ts';

export interface LowdbReadOnlyOptions {
  /** DATA_DIR. Never created: a directory that does not exist yet holds an empty store. */
  dir: string;
  /** Where what was set aside is reported (an unusable snapshot, an unreadable last line, damaged operational lines). */
  log?: (line: string) => void;
  /** The clock operational records expire by. */
  now?: () => Date;
}

/**
 * Opens DIR for reading, for CLI commands that only read, even while a server holds its lock: the
 * snapshot and the log are replayed exactly as `openLowdbStore` does, but nothing is locked, created,
 * written, cut or moved. A torn last line (one without its newline: a server mid-append, or a crash) is
 * left out in memory only; a newline-terminated one that is not a sound entry is damage, refused.
 * `commit` rejects with `storage.read_only`, as do writes of operational state (read from operations.jsonl
 * as it is on disk, see `loadOperationsReadOnly`). Refuses with `storage.corrupt` or `storage.open_failed`
 * as `openLowdbStore` does.
 */
export async function openLowdbStoreReadOnly(options: LowdbReadOnlyOptions): Promise<LowdbReadOnlyStore> {
  const dir = resolve(options.dir);
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => new Date());
  return withOpenFailed(dir, async () => {
    if (!(await directoryExists(dir))) {
      return new LowdbReadOnlyStore({ dir, state: new StoreState(), auditEnd: 0, operations: new ReadOnlyOperations(dir) });
    }
    const files = dataFiles(dir);
    // Independent of the log (it is not the record): read as it is, before or after makes no difference.
    const operations = await loadOperationsReadOnly(dir, now, log);
    // Read before the log: a running writer snapshots only what its log already holds.
    const snapshot = await usableSnapshot(files.snapshot, log);
    const audit = await openIfExists(files.audit);
    try {
      const size = audit ? (await audit.stat()).size : 0;
      const { state, tail } = await replayLog({ handle: audit, path: files.audit, size }, snapshot);
      if (tail?.kind !== 'torn') return new LowdbReadOnlyStore({ dir, state, auditEnd: size, operations });
      const bytes = size - tail.start;
      log(`${files.audit}: left out a torn last line (${bytes} bytes): a write in progress or cut short`);
      return new LowdbReadOnlyStore({ dir, state, auditEnd: tail.start, operations });
    } finally {
      await audit?.close();
    }
  });
}

/** False only when nothing is there: a file in the way is a mistake to report, not an empty store. */
async function directoryExists(dir: string): Promise<boolean> {
  try {
    if ((await stat(dir)).isDirectory()) return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  throw storageError('storage.open_failed', `cannot use DATA_DIR ${dir}: not a directory`);
}
