import type { PersonalErasure } from '../../src/core/personal-data.ts';
import type { Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, ChainCheck, Erased, Store } from '../../src/core/store.ts';
import { entryFromLine, entryLine, ERASING_ACTIONS, verifyChain } from '../audit-chain.ts';
import { ErasureRun } from '../erasure-run.ts';
import { MemoryOperations } from '../operational/memory-operations.ts';
import { storeClosed } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { UnitOfWorkStore } from '../unit-of-work.ts';

/**
 * The log several memory stores share, as replicas share a database: an entry takes place n only if
 * n is the next free place, so a replica that has not caught up loses the race and runs its work again.
 */
export class MemoryDatabase {
  entries: AuditEntry[] = [];
  /** Operational state, one for all replicas (as a table of the database would be). */
  readonly operations = new MemoryOperations();

  /** Takes `entry` at its place, or answers false when another entry is already there. */
  append(entry: AuditEntry): boolean {
    if (entry.seq !== this.entries.length + 1) return false;
    this.entries.push(entry);
    return true;
  }
}

/**
 * A Store in memory, for unit tests of the layers above. It behaves as the lowdb store does — same
 * chain, same validation, records copied through JSON on commit and frozen — but nothing is durable.
 * Given a shared `MemoryDatabase`, it is one replica among several: it sees what the others commit
 * only when it catches up (on a lost race, or `catchUp()`), as a replica of a database would.
 */
export class MemoryStore extends UnitOfWorkStore implements Store {
  protected state = new StoreState();
  readonly #database: MemoryDatabase;
  #closed = false;

  get operations(): MemoryOperations {
    return this.#database.operations;
  }

  constructor(database = new MemoryDatabase()) {
    super();
    this.#database = database;
  }

  protected commitAt(seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry> | 'conflict' {
    if (this.#closed) return Promise.reject(storeClosed('memory'));
    if (this.#database.entries.length !== seq) return 'conflict';
    try {
      const entry = this.state.prepare(event, changes);
      if (!this.#database.append(entry)) return 'conflict';
      this.state.replay(entry);
      return Promise.resolve(entry);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Applies what the other replicas committed since this one last looked; after an erasure, replays it all. */
  protected override readonly sharesData = true;

  protected override behindOthers(): Promise<boolean> {
    return Promise.resolve(this.#database.entries.length > this.state.head.seq);
  }

  async catchUp(): Promise<void> {
    const fresh = this.#database.entries.slice(this.state.head.seq);
    if (fresh.some((entry) => ERASING_ACTIONS.has(entry.action))) return this.#replayAll();
    for (const entry of fresh) this.state.replay(entry);
  }

  #replayAll(): void {
    const state = new StoreState();
    for (const entry of this.#database.entries) state.replay(entry);
    this.state = state;
  }

  /** Rewrites the shared log's personal values, as a database store does, and replays it. */
  erase(erasure: PersonalErasure, event: AuditEvent): Promise<Erased> {
    return this.exclusive(async () => {
      if (this.#closed) throw storeClosed('memory');
      await this.catchUp();
      const run = new ErasureRun(erasure, this.state.head.seq + 1);
      const lines = this.#database.entries.map(entryLine);
      for (const line of lines) run.collect(line);
      const rewritten = lines.map((line) => entryFromLine(run.rewrite(line)));
      if (run.isIdle) return { values: 0, operational: 0, unsealed: run.unsealed };
      const entry = this.state.prepare(run.event(event), []);
      this.#database.entries = [...rewritten, entry];
      this.#replayAll();
      const operational = await this.#database.operations.erase((record) => erasure.dropsOperational(record));
      return { entry, values: run.values, operational, unsealed: run.unsealed };
    });
  }

  async *readAudit(fromSeq = 1): AsyncIterable<AuditEntry> {
    // seq n is at index n - 1; slicing first keeps the walk stable while commits go on.
    yield* this.#database.entries.slice(Math.max(0, Math.ceil(fromSeq) - 1));
  }

  async verifyAudit(): Promise<AuditVerification> {
    return verifyChain(this.#database.entries.map(entryLine));
  }

  /** Nothing to check in the background: every entry was chained here, and never read back. */
  get chainCheck(): ChainCheck {
    return { state: 'ok', entries: this.#database.entries.length };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export const createMemoryStore = (database?: MemoryDatabase): MemoryStore => new MemoryStore(database);
