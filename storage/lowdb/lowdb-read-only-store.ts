import type { Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, Erased, OperationalState, Store } from '../../src/core/store.ts';
import { storageError } from '../storage-errors.ts';
import type { StoreState } from '../store-state.ts';
import { UnitOfWorkStore } from '../unit-of-work.ts';
import { dataFiles } from './data-dir.ts';
import { readAuditEntries } from './read-audit.ts';
import { verifyDataDir } from './verify-audit-file.ts';

/**
 * The state of a data directory as it was when opened, for reading while a server may own it (see
 * `openLowdbStoreReadOnly`). It holds no lock and no open file, and never writes.
 */
export class LowdbReadOnlyStore extends UnitOfWorkStore implements Store {
  /** Operational state as operations.jsonl held it at open; writes are refused (see ReadOnlyOperations). */
  readonly operations: OperationalState;
  readonly dir: string;
  protected readonly state: StoreState;
  /** Where the log ended for the state read at open: `readAudit` reads that far, so the two agree. */
  readonly #auditEnd: number;

  constructor(parts: { dir: string; state: StoreState; auditEnd: number; operations: OperationalState }) {
    super();
    this.dir = parts.dir;
    this.operations = parts.operations;
    this.state = parts.state;
    this.#auditEnd = parts.auditEnd;
  }

  /** It reads the directory once, as opened: a unit of work that only reads runs; one that changes anything is refused. */
  protected async catchUp(): Promise<void> {}

  protected commitAt(_seq: number, _event: AuditEvent, _changes: Change[]): Promise<AuditEntry> {
    const message = `the store for ${this.dir} was opened read-only; nothing was committed`;
    return Promise.reject(storageError('storage.read_only', message));
  }

  erase(): Promise<Erased> {
    const message = `the store for ${this.dir} was opened read-only; nothing was erased`;
    return Promise.reject(storageError('storage.read_only', message));
  }

  async *readAudit(fromSeq = 1): AsyncIterable<AuditEntry> {
    yield* readAuditEntries(dataFiles(this.dir).audit, this.#auditEnd, fromSeq);
  }

  /** The directory as it is now (a server may have appended since the open), as `verifyAuditFile` does. */
  verifyAudit(): Promise<AuditVerification> {
    return verifyDataDir(this.dir);
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
