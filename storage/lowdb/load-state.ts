import { open, type FileHandle } from 'node:fs/promises';
import type { StoreState } from '../store-state.ts';
import { dataFiles, fsyncDir } from './data-dir.ts';
import { replayLog, usableSnapshot } from './replay-log.ts';
import { settleTail } from './settle-tail.ts';

export interface LoadedState {
  state: StoreState;
  /** audit.jsonl, open for reading and appending. */
  audit: FileHandle;
  /** Its length: where the next entry goes. */
  auditEnd: number;
  /** How many entries the log holds beyond the snapshot: what the next open would replay. */
  entriesSinceSnapshot: number;
}

/**
 * Rebuilds the state of a data directory for writing: the snapshot, then the audit entries after it
 * (see `replayLog`), and leaves the log ending on a whole line (see `settleTail`).
 */
export async function loadState(dir: string, now: () => Date, log: (line: string) => void): Promise<LoadedState> {
  const files = dataFiles(dir);
  // Read before the log: a running writer snapshots only what its log already holds.
  const snapshot = await usableSnapshot(files.snapshot, log);
  const audit = await open(files.audit, 'a+');
  try {
    await fsyncDir(dir); // the log may have just been created: make its name durable too
    const size = (await audit.stat()).size;
    const { state, tail } = await replayLog({ handle: audit, path: files.audit, size }, snapshot);
    const auditEnd = tail ? await settleTail({ handle: audit, path: files.audit, size }, tail, now, log) : size;
    return { state, audit, auditEnd, entriesSinceSnapshot: state.head.seq - snapshot.seq };
  } catch (error) {
    await audit.close();
    throw error;
  }
}
