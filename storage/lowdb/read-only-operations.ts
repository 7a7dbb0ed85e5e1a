import type { OperationalKind, OperationalRecords } from '../../src/core/records.ts';
import type { OperationalState } from '../../src/core/store.ts';
import { MemoryOperations } from '../operational/memory-operations.ts';
import { storageError } from '../storage-errors.ts';
import { openIfExists } from './audit-lines.ts';
import { dataFiles } from './data-dir.ts';
import { replayOperations } from './replay-operations.ts';

/**
 * Reads DIR/operations.jsonl as it is on disk, for a store opened read-only: nothing is locked, created
 * or cut. A torn last line (a server mid-append, or a crash) is left out in memory only; damaged lines
 * are skipped and logged, as a writer's open does. No file (a data directory older than the journal,
 * or none at all): no records.
 */
export async function loadOperationsReadOnly(dir: string, now: () => Date, log: (line: string) => void): Promise<ReadOnlyOperations> {
  const path = dataFiles(dir).operations;
  const handle = await openIfExists(path);
  try {
    const size = handle ? (await handle.stat()).size : 0;
    const { operations, end } = await replayOperations({ handle, path, size }, now, log);
    if (end < size) log(`${path}: left out a torn last line (${size - end} bytes): a write in progress or cut short`);
    return new ReadOnlyOperations(dir, operations);
  } finally {
    await handle?.close();
  }
}

/** Operational state as read once; every write is refused with `storage.read_only`. */
export class ReadOnlyOperations implements OperationalState {
  readonly #dir: string;
  readonly #memory: MemoryOperations;

  constructor(dir: string, memory = new MemoryOperations()) {
    this.#dir = dir;
    this.#memory = memory;
  }

  get<K extends OperationalKind>(kind: K, id: string): Promise<OperationalRecords[K] | undefined> {
    return this.#memory.get(kind, id);
  }

  list<K extends OperationalKind>(kind: K): Promise<OperationalRecords[K][]> {
    return this.#memory.list(kind);
  }

  put(): Promise<void> {
    return Promise.reject(this.#readOnly());
  }

  take(): Promise<boolean> {
    return Promise.reject(this.#readOnly());
  }

  delete(): Promise<void> {
    return Promise.reject(this.#readOnly());
  }

  #readOnly(): Error {
    return storageError('storage.read_only', `the store for ${this.#dir} was opened read-only; no operational state was written`);
  }
}
