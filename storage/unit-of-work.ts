import { SEQUENCE_NAMES, type Change, type SequenceName } from '../src/core/records.ts';
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

  constructor(records: RecordIndex, seq: number) {
    super();
    this.records = records;
    this.seq = seq;
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
   * Commits as entry `seq + 1` and applies it to this process's state at once, or answers `conflict`
   * when that place is taken. Resolves once durable; rejects (having changed nothing) when it cannot write.
   */
  protected abstract commitAt(seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry> | 'conflict';

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
    if (!isPromise(outcome)) {
      const committed = this.#commit(tx, outcome);
      if (committed !== 'conflict') return committed;
    }
    // The work awaits (or lost a race): hold the turn until its change is applied, not until it is durable.
    const applied = this.#settle(work, tx, outcome);
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

  commit(event: AuditEvent, changes: Change[]): Promise<AuditEntry> {
    return this.transact(() => ({ result: undefined, commit: { event, changes } })).then((done) => done.entry!);
  }

  /** Runs the work to a commit (or none), catching up and running it again on each lost race. */
  async #settle<T>(
    work: Work<T>,
    first: TransactionView,
    outcome: Outcome<T> | Promise<Outcome<T>>,
  ): Promise<{ durable: Promise<Transacted<T>> }> {
    let tx = first;
    for (let attempt = 1; ; attempt++) {
      const decided = await outcome;
      const committed = attempt === 1 && !isPromise(outcome) ? 'conflict' : this.#commit(tx, decided, attempt);
      if (committed !== 'conflict') return { durable: committed };
      if (attempt >= MAX_ATTEMPTS) {
        const action = decided.commit?.event.action ?? 'a unit of work';
        throw storageError('storage.conflict', `"${action}" lost the race to commit ${attempt} times in a row; nothing was changed`);
      }
      await this.catchUp();
      tx = new TransactionView(this.records, this.seq);
      outcome = work(tx);
    }
  }

  /** Commits what the work decided at the place after its view, or `conflict` when that place (or its key) is taken. */
  #commit<T>(tx: TransactionView, outcome: Outcome<T>, attempts = 1): Promise<Transacted<T>> | 'conflict' {
    const { result, commit } = outcome;
    if (!commit) return Promise.resolve({ result, attempts });
    // After an `await` in the work the state may be newer than the view: only a commit at the view's place counts.
    const raced = this.seq !== tx.seq || (commit.claim !== undefined && this.claimed(commit.claim.key) !== undefined);
    const committed = raced ? 'conflict' : this.commitAt(tx.seq, commit.event, changesOf(tx, commit));
    return committed === 'conflict' ? committed : committed.then((entry) => ({ result, entry, attempts }));
  }
}
