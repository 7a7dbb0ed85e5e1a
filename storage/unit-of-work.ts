import { SEQUENCE_NAMES, type Change, type CollectionName, type Collections, type SequenceName } from '../src/core/records.ts';
import type { AuditEntry, AuditEvent, Outcome, Transacted, Transaction, Work } from '../src/core/store.ts';
import type { RecordIndex } from './record-index.ts';
import { lastDrawn, RecordReads, StoreReads } from './store-reads.ts';
import { storageError } from './storage-errors.ts';

/** Runs of one unit of work before giving up: each lost race means another writer did commit. */
export const MAX_ATTEMPTS = 8;

/** What one run of a unit of work sees: the records as of `seq`, and the sequence numbers it drew. */
class TransactionView extends RecordReads implements Transaction {
  readonly seq: number;
  protected readonly records: RecordIndex;
  readonly #drawn = new Map<SequenceName, number>();
  /** Whether the work looked for a record by its id and found none: another writer may have made it since. */
  missed = false;

  constructor(records: RecordIndex, seq: number) {
    super();
    this.records = records;
    this.seq = seq;
  }

  override get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    const found = super.get(collection, id);
    if (found === undefined) this.missed = true;
    return found;
  }

  next(sequence: SequenceName): number {
    if (!SEQUENCE_NAMES.includes(sequence)) throw new TypeError(`no sequence called ${String(sequence)}`);
    const value = (this.#drawn.get(sequence) ?? lastDrawn(this, sequence)) + 1;
    this.#drawn.set(sequence, value);
    return value;
  }

  /** The sequences' new values, to commit with the work's changes. */
  drawn(): Change[] {
    return [...this.#drawn].map(([id, value]) => ({ collection: 'sequences', id, value: { id, value } }));
  }
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T>)?.then === 'function';

/** A unit of work's change as the store commits it: the work's changes, its sequences, its claimed key. */
function changesOf(tx: TransactionView, commit: NonNullable<Outcome<unknown>['commit']>): Change[] {
  const { event, changes, claim } = commit;
  const key: Change[] = claim ? [{ collection: 'keys', id: claim.key, value: { id: claim.key, at: event.at, result: claim.result } }] : [];
  return [...changes, ...tx.drawn(), ...key];
}

/**
 * The unit of work, the same for every store: run the work on the state this process has, commit its
 * changes as the entry after the one it read, and on a lost race catch up and run it again. Units of
 * one process take turns while one awaits, so they race only other processes. A synchronous work on a
 * store with no turn held commits within the `transact` call itself, as a single process's commits
 * always did: in call order, visible to the next read at once.
 */
export abstract class UnitOfWorkStore extends StoreReads {
  /** Applies the entries other writers committed since this process's state. Nothing to do for a store alone. */
  protected abstract catchUp(): Promise<void>;

  /**
   * Commits as entry `seq + 1` and applies it to this process's state, or answers `conflict` when that
   * place is taken. An embedded store (`appliesAtOnce`) applies the entry before returning and resolves
   * once it is durable; a shared database's store learns whether it took the place only when the
   * database answers, so it may resolve `conflict`, and applies the entry when it resolves.
   * Rejects (having changed nothing) when it cannot write.
   */
  protected abstract commitAt(seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry | 'conflict'> | 'conflict';

  /**
   * Whether `commitAt` applies the entry before it returns. When not, every unit holds the turn until
   * the database has answered, so the next unit of this process reads a state that includes it.
   */
  protected readonly appliesAtOnce: boolean = true;

  /**
   * Whether other writers have committed what this process has not read yet. Asked only when a unit
   * that changes nothing looked for a record and found none (an Approve click on one replica for a
   * request filed on another a moment before): then the unit catches up and runs again rather than
   * answer "no such request". A store alone is never behind.
   */
  protected behindOthers(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Whether other writers share this store's data (`behindOthers` can answer true). */
  protected readonly sharesData: boolean = false;

  /**
   * Runs a unit again after it lost the race: by default, catch up and run it. A shared database's
   * store may hold the other writers back meanwhile, so that the second run cannot lose again.
   */
  protected async retry<R>(run: () => Promise<R>): Promise<R> {
    await this.catchUp();
    return run();
  }

  /** Held while a unit that awaits is between its read and its commit; the next unit waits for it. */
  #turn: Promise<void> | undefined;

  transact<T>(work: Work<T>): Promise<Transacted<T>> {
    if (this.#turn) return this.#turn.then(() => this.transact(work));
    const tx = new TransactionView(this.records, this.seq);
    let outcome: Outcome<T> | Promise<Outcome<T>>;
    try {
      outcome = work(tx);
    } catch (error) {
      return Promise.reject(error);
    }
    let tried = false;
    // A store that may be behind others is asked in #settle, which can await the answer.
    const askIfBehind = !isPromise(outcome) && !outcome.commit && tx.missed && this.sharesData;
    if (!isPromise(outcome) && this.appliesAtOnce && !askIfBehind) {
      const committed = this.#commit(tx, outcome);
      if (committed !== 'conflict') return committed.then(appliedAtOnce);
      tried = true;
    }
    // The work awaits, lost a race, or the database has yet to answer: hold the turn until its change is
    // applied (for an embedded store, not until it is durable).
    const applied = this.#settle(work, tx, outcome, tried);
    const turn: Promise<void> = applied.then(
      () => undefined,
      () => undefined,
    );
    this.#turn = turn;
    void turn.then(() => {
      if (this.#turn === turn) this.#turn = undefined;
    });
    return applied.then((a) => a.durable);
  }

  /**
   * Runs `work` alone: after every unit of work that has begun, and before any that begins meanwhile
   * (an erasure, which rewrites what those read).
   */
  protected exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = (this.#turn ?? Promise.resolve()).then(work);
    const turn: Promise<void> = run.then(
      () => undefined,
      () => undefined,
    );
    this.#turn = turn;
    void turn.then(() => {
      if (this.#turn === turn) this.#turn = undefined;
    });
    return run;
  }

  commit(event: AuditEvent, changes: Change[]): Promise<AuditEntry> {
    return this.transact(() => ({ result: undefined, commit: { event, changes } })).then((done) => done.entry!);
  }

  /** Runs the work to a commit (or none), running it again on each lost race. `tried`: the first run's commit already lost. */
  async #settle<T>(
    work: Work<T>,
    tx: TransactionView,
    outcome: Outcome<T> | Promise<Outcome<T>>,
    tried: boolean,
  ): Promise<{ durable: Promise<Transacted<T>> }> {
    const attemptOnce = async (view: TransactionView, running: Outcome<T> | Promise<Outcome<T>>, attempt: number) => {
      const decided = await running;
      // Found nothing, changed nothing, and others wrote since: run it again on what they wrote.
      // A database that cannot say (unreachable) leaves the answer to what this process holds, as before.
      const behind = attempt === 1 && !decided.commit && view.missed && this.sharesData && (await this.behindOthers().catch(() => false));
      if (behind) return { decided, committed: 'conflict' as const };
      const committed = attempt === 1 && tried ? 'conflict' : this.#commit(view, decided, attempt);
      if (committed === 'conflict') return { decided, committed };
      // An embedded store has applied it: its durability is the caller's to wait for, not the turn's.
      if (this.appliesAtOnce) return { decided, committed: { durable: committed.then(appliedAtOnce) } };
      const settled = await committed;
      return { decided, committed: settled === 'conflict' ? settled : { durable: Promise.resolve(settled) } };
    };
    let { decided, committed } = await attemptOnce(tx, outcome, 1);
    for (let attempt = 2; committed === 'conflict'; attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        const action = decided.commit?.event.action ?? 'a unit of work';
        throw storageError('storage.conflict', `"${action}" lost the race to commit ${attempt - 1} times in a row; nothing was changed`);
      }
      ({ decided, committed } = await this.retry(() => {
        const view = new TransactionView(this.records, this.seq);
        return attemptOnce(view, work(view), attempt);
      }));
    }
    return committed;
  }

  /** Commits what the work decided at the place after its view, or `conflict` when that place (or its key) is taken. */
  #commit<T>(tx: TransactionView, outcome: Outcome<T>, attempts = 1): Promise<Transacted<T> | 'conflict'> | 'conflict' {
    const { result, commit } = outcome;
    if (!commit) return Promise.resolve({ result, attempts });
    // After an `await` in the work the state may be newer than the view: only a commit at the view's place counts.
    const raced = this.seq !== tx.seq || (commit.claim !== undefined && this.claimed(commit.claim.key) !== undefined);
    const committed = raced ? 'conflict' : this.commitAt(tx.seq, commit.event, changesOf(tx, commit));
    return committed === 'conflict' ? committed : committed.then((entry) => (entry === 'conflict' ? entry : { result, entry, attempts }));
  }
}

/** An embedded store applies a commit before it returns, so its promise never answers `conflict`. */
function appliedAtOnce<T>(done: Transacted<T> | 'conflict'): Transacted<T> {
  if (done === 'conflict') throw new Error('a store that applies at once answered conflict after applying');
  return done;
}
