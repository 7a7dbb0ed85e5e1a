import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OperationalKind, OperationalRecords } from '../../src/core/records.ts';
import type { OperationalState } from '../../src/core/store.ts';
import type { MemoryOperations } from '../operational/memory-operations.ts';
import { describeCause, storageError, storeClosed } from '../storage-errors.ts';
import { dataFiles, fsyncDir } from './data-dir.ts';
import { fileSink, GroupCommitWriter, type AppendSink } from './group-commit.ts';
import { operationLine, parseOperationLine } from './operations-lines.ts';
import { replayOperations } from './replay-operations.ts';

/** Compact once the journal holds more lines than this, and more than twice the live records. */
export const COMPACT_ABOVE = 1000;
/** Text written between two turns of the event loop when compacting. */
const SLICE_CHARS = 64 * 1024;

export interface OperationsJournalOptions {
  /** DATA_DIR, which must exist (and, for writing, be locked by this process). */
  dir: string;
  /** The clock records expire by. */
  now: () => Date;
  log: (line: string) => void;
  /** How appended lines reach the disk (default `fileSink`); used again for the file compaction makes. */
  sink?: (handle: FileHandle) => AppendSink;
  /** See COMPACT_ABOVE. */
  compactAbove?: number;
}

/** A put or delete accepted while the journal is being rewritten: appended to the new file after the swap. */
interface Held {
  line: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Opens DIR/operations.jsonl for this process (created empty if missing, as in a data directory made
 * before it existed), replays it (see `replayOperations`) and cuts a torn last line off. Node's file
 * errors propagate (the caller wraps them as `storage.open_failed`); damage in the file never refuses.
 */
export async function openOperationsJournal(options: OperationsJournalOptions): Promise<OperationsJournal> {
  const path = dataFiles(options.dir).operations;
  const handle = await open(path, 'a+');
  try {
    await fsyncDir(options.dir); // the file may have just been created
    const size = (await handle.stat()).size;
    const replayed = await replayOperations({ handle, path, size }, options.now, options.log);
    if (replayed.end < size) {
      await handle.truncate(replayed.end);
      await handle.sync();
      options.log(`${path}: dropped a torn last line (${size - replayed.end} bytes) left by a crash`);
    }
    return new OperationsJournal({ ...options, path, handle, ...replayed });
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The embedded store's operational state: in memory (a MemoryOperations), and in operations.jsonl, an
 * append-only journal of every put and delete written with group commit, so a write resolves once it
 * is durable. It is not hash-chained: it is not the audit record. A change is applied in memory at once
 * (so `take` checks and applies in one synchronous step, atomic within the process), then awaits the
 * disk. When the journal holds many more lines than live records it is rewritten with only those (see
 * `#compact`). After a failed write or sync every later write is refused with `storage.write_failed`;
 * the audit store goes on, and reopening recovers what reached the disk.
 */
export class OperationsJournal implements OperationalState {
  readonly #memory: MemoryOperations;
  readonly #path: string;
  readonly #dir: string;
  readonly #now: () => Date;
  readonly #log: (line: string) => void;
  readonly #sink: (handle: FileHandle) => AppendSink;
  readonly #compactAbove: number;
  #handle: FileHandle;
  #writer: GroupCommitWriter;
  /** Lines in the journal file, or bound for it. */
  #lines: number;
  /** Weigh compaction again once the journal has this many lines (amortises the count of live records). */
  #nextCheck: number;
  /** Set while compacting: writes wait here for the new file. */
  #held: Held[] | undefined;
  #compacting: Promise<void> | undefined;
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  /** Records as replayed at open, not written since: written by an earlier process (see `take`). */
  readonly #replayed: Set<string>;

  constructor(
    parts: OperationsJournalOptions & { path: string; handle: FileHandle; operations: MemoryOperations; lines: number; end: number },
  ) {
    this.#memory = parts.operations;
    this.#path = parts.path;
    this.#dir = parts.dir;
    this.#now = parts.now;
    this.#log = parts.log;
    this.#sink = parts.sink ?? fileSink;
    this.#compactAbove = parts.compactAbove ?? COMPACT_ABOVE;
    this.#handle = parts.handle;
    this.#writer = this.#writerFor(parts.handle, parts.end);
    this.#lines = parts.lines;
    this.#nextCheck = this.#compactAbove + 1;
    this.#replayed = new Set(Array.from(parts.operations.entries(), (e) => keyOf(e.kind, e.record.id)));
    this.#considerCompacting(); // a journal left long by the last run, or full of records expired since
  }

  /** Set once a write, a sync or a compaction's swap has failed: every later write is refused with it. */
  get failure(): Error | undefined {
    return this.#failure ?? this.#writer.failure;
  }

  get<K extends OperationalKind>(kind: K, id: string): Promise<OperationalRecords[K] | undefined> {
    return this.#memory.get(kind, id);
  }

  list<K extends OperationalKind>(kind: K): Promise<OperationalRecords[K][]> {
    return this.#memory.list(kind);
  }

  /** Every unexpired record with its kind and expiry: what `appwarden migrate` copies into a database. */
  *entries(): Iterable<{ kind: OperationalKind; record: OperationalRecords[OperationalKind]; expiresAt: number }> {
    const now = this.#now().getTime();
    for (const entry of this.#memory.entries()) if (entry.expiresAt > now) yield entry;
  }

  put<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date): Promise<void> {
    return this.#write(kind, record?.id, record, expiresAt);
  }

  /**
   * As OperationalState says, and a lease held by a record this journal replayed at open is void:
   * this process locks DATA_DIR, so whoever took it was an earlier process, gone now (a crash, a
   * stop with deliveries unfinished). A restarted server so resumes at once what it left in flight.
   */
  take<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date, now: Date): Promise<boolean> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    // The check and the change in one synchronous step: no other write of this process comes between.
    const free = this.#memory.isFree(kind, record?.id, now) || this.#replayed.has(keyOf(kind, record?.id));
    if (!free) return Promise.resolve(false);
    return this.#write(kind, record?.id, record, expiresAt).then(() => true);
  }

  delete(kind: OperationalKind, id: string): Promise<void> {
    return this.#write(kind, id, null);
  }

  /**
   * Deletes every record for which `drops` holds and rewrites the journal at once, so no line of them
   * is left in the file (an erasure's). Answers how many records it deleted.
   */
  async erase(drops: (record: unknown) => boolean): Promise<number> {
    const gone = [...this.#memory.entries()].filter(({ record }) => drops(record));
    await Promise.all(gone.map(({ kind, record }) => this.delete(kind, record.id)));
    await this.#compacting;
    const refusal = this.#refusal();
    if (refusal) throw refusal;
    this.#compact();
    await this.#compacting;
    if (this.failure) throw this.failure;
    return gone.length;
  }

  /** Settles once no compaction is under way (at once if none is). */
  async compacted(): Promise<void> {
    await this.#compacting;
  }

  /** Waits for a compaction under way and every pending write, then closes the file. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#compacting;
    await this.#writer.settled();
    await this.#handle.close();
  }

  #refusal(): Error | undefined {
    if (this.#closing) return storeClosed(this.#dir);
    return this.failure;
  }

  /** Applies the change in memory at once, then resolves once its line is durable. */
  #write(kind: OperationalKind, id: string, record: object | null, expiresAt?: Date): Promise<void> {
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    let line: string;
    try {
      line = operationLine(kind, id, record, expiresAt);
    } catch (error) {
      return Promise.reject(error);
    }
    // What a reopen will read: the record as written (Dates as strings, no undefined members).
    const read = parseOperationLine(line);
    if ('problem' in read) return Promise.reject(storageError('storage.bad_commit', `operational record not stored: ${read.problem}`));
    this.#memory.apply(kind, id, read.line.record, read.line.expiresAt);
    this.#replayed.delete(keyOf(kind, id));
    this.#lines++;
    const held = this.#held;
    const durable = held ? new Promise<void>((resolve, reject) => held.push({ line, resolve, reject })) : this.#writer.append(line);
    this.#considerCompacting();
    return durable;
  }

  /** Starts a compaction when the journal is long and mostly dead lines; otherwise decides when to look again. */
  #considerCompacting(): void {
    if (this.#lines < this.#nextCheck || this.#compacting || this.failure || this.#closing) return;
    const live = this.#memory.prune(this.#now());
    if (this.#lines > 2 * live) this.#compact();
    else this.#nextCheck = this.#lines + Math.max(1, Math.ceil(live / 2));
  }

  /**
   * Rewrites the journal with only the live records, captured now: a temp file, fsync'ed, renamed
   * over the journal, then the directory fsync'ed. Writes made meanwhile are applied in memory as
   * usual but their lines are held, and appended to the new file once it has replaced the old one
   * (their promises resolve then); those already handed to the old file are in the capture, and the
   * rename waits until they are durable there, so a crash at any point leaves one whole journal.
   */
  #compact(): void {
    const records = [...this.#memory.entries()];
    this.#held = [];
    this.#compacting = this.#swap(records).finally(() => {
      this.#compacting = undefined;
    });
  }

  async #swap(records: Iterable<{ kind: OperationalKind; record: { id: string }; expiresAt: number }>): Promise<void> {
    const temp = join(this.#dir, `.${basename(this.#path)}.tmp`);
    let bytes: number;
    let count: number;
    try {
      ({ bytes, count } = await writeJournalFile(temp, records));
      await this.#writer.settled();
      if (this.#writer.failure) throw this.#writer.failure;
      await rename(temp, this.#path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      if (this.#writer.failure) return this.#release(this.#writer.failure);
      // Harmless: the old journal is whole and still in use; try again after as many lines again.
      this.#log(`${this.#path}: compaction failed (${describeCause(error)}); the journal goes on unchanged`);
      this.#nextCheck = this.#lines + this.#compactAbove;
      return this.#release();
    }
    // The new file is the journal now: if it cannot be made durable and used, what is on disk is unknown.
    try {
      await fsyncDir(dirname(this.#path));
      const handle = await open(this.#path, 'a');
      await this.#handle.close().catch(() => undefined);
      this.#handle = handle;
      this.#writer = this.#writerFor(handle, bytes);
    } catch (error) {
      this.#failure = this.#writeFailed(error, this.#held?.length ?? 0);
      return this.#release(this.#failure);
    }
    this.#lines = count + (this.#held?.length ?? 0);
    this.#nextCheck = Math.max(this.#compactAbove + 1, this.#lines + Math.ceil(count / 2));
    this.#release();
  }

  /** Appends the held lines to the current file, or rejects them all with `failure`. */
  #release(failure?: Error): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const { line, resolve, reject } of held) {
      if (failure) reject(failure);
      else this.#writer.append(line).then(resolve, reject);
    }
  }

  #writerFor(handle: FileHandle, end: number): GroupCommitWriter {
    return new GroupCommitWriter(this.#sink(handle), end, (cause, waiting) => this.#writeFailed(cause, waiting));
  }

  #writeFailed(cause: unknown, waiting: number): Error {
    return storageError(
      'storage.write_failed',
      `could not write ${this.#path} (${describeCause(cause)}): ${waiting} operational write(s) may not be durable. ` +
        'Operational state refuses further writes (the audit log is not affected); restart to reload it from disk',
      { cause },
    );
  }
}

/** A record's place: kinds hold no `/`, so the id after the first one is whole. */
const keyOf = (kind: OperationalKind, id: string) => `${kind}/${id}`;

/** Writes the records as a new journal file, a slice at a time, and fsyncs it; removes nothing on failure. */
async function writeJournalFile(
  path: string,
  records: Iterable<{ kind: OperationalKind; record: { id: string }; expiresAt: number }>,
): Promise<{ bytes: number; count: number }> {
  const handle = await open(path, 'w');
  let bytes = 0;
  let count = 0;
  try {
    let slice = '';
    for (const { kind, record, expiresAt } of records) {
      slice += `${operationLine(kind, record.id, record, new Date(expiresAt))}\n`;
      count++;
      if (slice.length >= SLICE_CHARS) {
        bytes += await writeAll(handle, slice);
        slice = '';
      }
    }
    bytes += await writeAll(handle, slice);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, count };
}

async function writeAll(handle: FileHandle, text: string): Promise<number> {
  const data = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < data.length; ) offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
  return data.length;
}
