import type { AuditVerification } from '../src/core/store.ts';
import { ChainVerifier, GENESIS, type AuditFailure } from './audit-chain.ts';
import { RecordIndex, type CollectionArrays } from './record-index.ts';
import { firstStateDifference } from './state-diff.ts';

/** What a snapshot says it is: the records as of entry `seq`, whose line ends at byte `offset`. */
export interface SnapshotClaim {
  seq: number;
  hash: string;
  offset?: number;
  collections: Partial<CollectionArrays>;
}

/**
 * Verifies the chain as `ChainVerifier` does and, given the snapshot a store would open from, replays
 * the entries up to it into a fresh index and compares. A snapshot is derived data that opening trusts
 * (that is what keeps opening fast), so a hand edit to it would change state with no audit entry:
 * verification is where it is caught. Memory: the records up to the snapshot, then constant.
 */
export class ReplayVerifier {
  readonly #chain = new ChainVerifier();
  readonly #snapshot: SnapshotClaim | undefined;
  /** The replay, until the snapshot's seq is reached and compared. */
  #replay: RecordIndex | undefined;
  #failure: AuditFailure | undefined;

  constructor(snapshot?: SnapshotClaim) {
    this.#snapshot = snapshot;
    if (!snapshot) return;
    this.#replay = new RecordIndex();
    if (snapshot.seq === 0) this.#compare(0, GENESIS, 0);
  }

  /** One line (null: not text at all), and the byte just after it when the caller knows it. */
  push(text: string | null, end?: number): void {
    if (this.#failure) return;
    const entry = this.#chain.push(text);
    if (!entry || !this.#replay || !this.#snapshot) return;
    this.#replay.applyEntry(entry);
    if (entry.seq === this.#snapshot.seq) this.#compare(entry.seq, entry.hash, end);
  }

  get isDecided(): boolean {
    return this.#failure !== undefined || this.#chain.isDecided;
  }

  result(): AuditVerification {
    if (this.#failure) return { ...this.#failure };
    const chain = this.#chain.result();
    if (!chain.ok || !this.#replay || !this.#snapshot) return chain;
    // A sound chain that ends before the snapshot's entry: entries were cut from the log.
    const seq = chain.entries + 1;
    const detail = `the snapshot is at seq ${this.#snapshot.seq}, but the log ends at seq ${chain.entries}`;
    return { ok: false, entries: chain.entries, seq, line: seq, problem: 'removed', detail };
  }

  #compare(seq: number, hash: string, end: number | undefined): void {
    const snapshot = this.#snapshot;
    const replay = this.#replay;
    if (!snapshot || !replay) return;
    this.#replay = undefined; // compared once; later entries need only the chain
    let detail: string | undefined;
    if (snapshot.hash !== hash) detail = `the snapshot's hash is not that of entry ${seq}`;
    else if (snapshot.offset !== undefined && end !== undefined && snapshot.offset !== end) {
      detail = `the snapshot says entry ${seq} ends at byte ${snapshot.offset}, but it ends at byte ${end}`;
    } else {
      const difference = firstStateDifference(replay.toArrays(), snapshot.collections);
      if (difference !== undefined) detail = `${difference} (replaying the log to seq ${seq})`;
    }
    if (detail !== undefined) {
      this.#failure = { ok: false, entries: seq, seq, line: seq, problem: 'snapshot-mismatch', detail };
    }
  }
}
