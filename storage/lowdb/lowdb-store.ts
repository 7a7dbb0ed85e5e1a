import { open, type FileHandle } from 'node:fs/promises';
import type { PersonalErasure } from '../../src/core/personal-data.ts';
import type { Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, ChainCheck, Erased, Store } from '../../src/core/store.ts';
import { entryFromLine, entryLine } from '../audit-chain.ts';
import { ErasureRun } from '../erasure-run.ts';
import { describeCause, storageError, storeClosed } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { UnitOfWorkStore } from '../unit-of-work.ts';
import { BackgroundChainCheck } from './chain-check.ts';
import { Compactor, type SnapshotPlan } from './compactor.ts';
import type { DataDirLock } from './data-dir-lock.ts';
import { dataFiles } from './data-dir.ts';
import { eraseInLog } from './erase-in-log.ts';
import { GroupCommitWriter, type AppendSink } from './group-commit.ts';
import type { OperationsJournal } from './operations-journal.ts';
import { readAuditEntries } from './read-audit.ts';
import { writeSnapshot } from './snapshot.ts';
import { snapshotToCheck, verifyAuditLog } from './verify-audit-file.ts';

/** What `openLowdbStore` hands over once the directory is locked and the state loaded. */
export interface LowdbStoreParts {
  dir: string;
  state: StoreState;
  audit: FileHandle;
  auditEnd: number;
  /** Where appended lines go: the audit file, made durable. */
  sink: AppendSink;
  /** The same for the file an erasure puts in the log's place. */
  sinkFor: (audit: FileHandle) => AppendSink;
  entriesSinceSnapshot: number;
  lock: DataDirLock;
  /** Operational state, journaled in DIR/operations.jsonl (see OperationsJournal). */
  operations: OperationsJournal;
  compactEvery: number;
  /** Whether to check the whole chain in the background once open (see `BackgroundChainCheck`). */
  checkChain: boolean;
  log: (line: string) => void;
}

/**
 * The embedded Store. State lives in memory; DIR/audit.jsonl is both the hash-chained audit log and
 * the journal of every change, appended with group commit; DIR/state.json (lowdb) is a snapshot that
 * spares opening a full replay. A commit costs one appended line and a share of one fdatasync, however
 * much is stored. Opening verifies the entries after the snapshot; the rest of the chain is checked in
 * the background meanwhile (`chainCheck`). Operational state lives apart, in DIR/operations.jsonl (see
 * OperationsJournal). Open it with `openLowdbStore`.
 */
export class LowdbStore extends UnitOfWorkStore implements Store {
  /** Apart from the audited record: its write failures do not fail the store's commits, nor these them. */
  readonly operations: OperationsJournal;
  readonly dir: string;
  protected state: StoreState;
  #audit: FileHandle;
  readonly #auditPath: string;
  readonly #snapshotPath: string;
  #writer: GroupCommitWriter;
  #compactor: Compactor;
  readonly #lock: DataDirLock;
  #chainCheck: BackgroundChainCheck | undefined;
  readonly #parts: LowdbStoreParts;
  #closing: Promise<void> | undefined;

  constructor(parts: LowdbStoreParts) {
    super();
    this.dir = parts.dir;
    this.state = parts.state;
    this.#audit = parts.audit;
    this.#lock = parts.lock;
    this.operations = parts.operations;
    this.#parts = parts;
    const files = dataFiles(parts.dir);
    this.#auditPath = files.audit;
    this.#snapshotPath = files.snapshot;
    this.#writer = this.#writerFor(parts.sink, parts.auditEnd);
    this.#compactor = this.#compactorFrom(parts.entriesSinceSnapshot);
    // Opening verified the entries after the snapshot; this checks the ones before it too, meanwhile.
    this.#chainCheck = parts.checkChain
      ? new BackgroundChainCheck({ path: files.audit, end: parts.auditEnd, head: parts.state.head, log: parts.log })
      : undefined;
  }

  /** The background check of the whole chain: `running`, then `ok` or `failed` (see ChainCheck). */
  get chainCheck(): ChainCheck | undefined {
    return this.#chainCheck?.status;
  }

  /** Settles once the background chain check is over (at once if none runs). */
  async chainChecked(): Promise<ChainCheck | undefined> {
    return this.#chainCheck?.finished();
  }

  /** Set once a write or sync has failed: the store refuses commits, and memory may be ahead of the disk. */
  get failure(): Error | undefined {
    return this.#writer.failure;
  }

  /** This process alone writes the directory (it holds the lock): there is never anything to catch up. */
  protected async catchUp(): Promise<void> {}

  /** Applies and chains at once (in call order); resolves when the entry is fdatasync'ed. */
  protected commitAt(seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry> | 'conflict' {
    if (this.#closing) return Promise.reject(storeClosed(this.dir));
    if (this.#writer.failure) return Promise.reject(this.#writer.failure);
    if (seq !== this.state.head.seq) return 'conflict';
    let entry: AuditEntry;
    try {
      entry = this.state.commit(event, changes);
    } catch (error) {
      return Promise.reject(error);
    }
    const durable = this.#writer.append(entryLine(entry));
    this.#compactor.noteAppended();
    return durable.then(() => entry);
  }

  /** The durable entries, including those of every commit made before the call. */
  async *readAudit(fromSeq = 1): AsyncIterable<AuditEntry> {
    await this.#writer.settled();
    yield* readAuditEntries(this.#auditPath, this.#writer.durableOffset, fromSeq);
  }

  /** The durable log, and state.json against its replay (the next open trusts state.json). */
  async verifyAudit(): Promise<AuditVerification> {
    // The snapshot first: one written meanwhile would name entries beyond the end chosen below.
    const snapshot = await snapshotToCheck(this.#snapshotPath);
    await this.#writer.settled();
    return verifyAuditLog(this.#auditPath, snapshot, this.#writer.durableOffset);
  }

  /** Waits for pending writes (operational ones too) and any snapshot being written, then releases the directory. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#chainCheck?.stop();
      // Both files are closed, whichever fails, before the lock is released.
      const closed = await Promise.allSettled([this.#closeAudit(), this.operations.close()]);
      const failed = closed.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      await this.#lock.release();
    }
  }

  async #closeAudit(): Promise<void> {
    await this.#writer.settled();
    await this.#compactor.idle();
    await this.#audit.close();
  }

  #writerFor(sink: AppendSink, end: number): GroupCommitWriter {
    return new GroupCommitWriter(sink, end, (cause, waiting) =>
      storageError(
        'storage.write_failed',
        `could not write ${this.#auditPath} (${describeCause(cause)}): ${waiting} commit(s) are not durable. ` +
          'Their changes are visible in memory but may not be on disk, so this store refuses further ' +
          'commits; restart to reload the state from disk',
        { cause },
      ),
    );
  }

  #compactorFrom(sinceLast: number): Compactor {
    return new Compactor({
      every: this.#parts.compactEvery,
      sinceLast,
      plan: () => this.#planSnapshot(),
      write: (snapshot) => writeSnapshot(this.#snapshotPath, snapshot),
      log: this.#parts.log,
    });
  }

  /**
   * Rewrites audit.jsonl with the erased values marked (see `eraseInLog`) and the erasing entry last,
   * then runs on the replay of the new log, snapshots it at once (the old state.json held the values)
   * and drops the operational records the erasure names. Commits wait meanwhile.
   */
  erase(erasure: PersonalErasure, event: AuditEvent): Promise<Erased> {
    return this.exclusive(async () => {
      if (this.#closing) throw storeClosed(this.dir);
      await this.#writer.settled();
      if (this.#writer.failure) throw this.#writer.failure;
      await this.#compactor.idle();
      const run = new ErasureRun(erasure, this.state.head.seq + 1);
      // The state of the new log, replayed as it is written (each line was verified when first read).
      const replayed = new StoreState();
      let entry: AuditEntry | undefined;
      const end = await eraseInLog(
        this.#auditPath,
        this.#snapshotPath,
        this.#writer.durableOffset,
        run,
        () => {
          entry = this.state.prepare(run.event(event), []);
          return entryLine(entry);
        },
        // It reads the log by offsets, which the new file no longer keeps.
        async () => this.#chainCheck?.stop(),
        (line) => replayed.replay(entryFromLine(line)),
      );
      if (end === undefined) return { values: 0, operational: 0, unsealed: run.unsealed };
      // From here on the log on disk is the new one: this process must run on it, or not at all.
      const audit = await open(this.#auditPath, 'a+');
      await this.#audit.close().catch(() => undefined);
      this.#audit = audit;
      this.#writer = this.#writerFor(this.#parts.sinkFor(audit), end);
      this.state = replayed;
      const { seq, hash } = this.state.head;
      await writeSnapshot(this.#snapshotPath, { format: 1, seq, offset: end, hash, collections: this.state.records.toArrays() });
      this.#compactor = this.#compactorFrom(0);
      // The check stopped for the rewrite checks the new log, as one does after a start.
      if (this.#chainCheck)
        this.#chainCheck = new BackgroundChainCheck({ path: this.#auditPath, end, head: this.state.head, log: this.#parts.log });
      const operational = await this.operations.erase((record) => erasure.dropsOperational(record));
      return { entry, values: run.values, operational, unsealed: run.unsealed };
    });
  }

  /** The state as of the last appended entry, and how to know when that entry is on disk. */
  #planSnapshot(): SnapshotPlan {
    const { seq, hash } = this.state.head;
    const offset = this.#writer.appendedOffset;
    return {
      snapshot: { format: 1, seq, offset, hash, collections: this.state.records.toArrays() },
      durable: this.#writer.settled(),
      isDurable: () => this.#writer.durableOffset >= offset,
    };
  }
}
