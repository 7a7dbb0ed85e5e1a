import type { OperationalKind, OperationalRecords } from '../../src/core/records.ts';
import type { OperationalState } from '../../src/core/store.ts';
import { deepFreeze } from '../canonical-json.ts';

/** A record's lease has ended when its `leaseUntil` is at or before `now`; one without a lease holds until it expires. */
function leaseEnded(record: unknown, now: Date): boolean {
  const until = (record as { leaseUntil?: unknown }).leaseUntil;
  return typeof until === 'string' && Date.parse(until) <= now.getTime();
}

interface Kept<R> {
  record: R;
  expiresAt: number;
}

/**
 * Operational state in memory: for the memory store (shared by its replicas, as a database table
 * would be) and as the in-memory half of the embedded store's journal. Records are copied and frozen
 * as they go in, as the audited ones are.
 */
export class MemoryOperations implements OperationalState {
  readonly #kinds = new Map<OperationalKind, Map<string, Kept<unknown>>>();
  readonly #now: (() => Date) | undefined;

  /**
   * @param now with a clock, a record past its expiry reads as gone (`get`, `list`) before `prune`
   *   drops it; without one, records are kept until pruned. `take` goes by the instant it is given.
   */
  constructor(now?: () => Date) {
    this.#now = now;
  }

  #of<K extends OperationalKind>(kind: K): Map<string, Kept<OperationalRecords[K]>> {
    let records = this.#kinds.get(kind);
    if (!records) this.#kinds.set(kind, (records = new Map()));
    return records as Map<string, Kept<OperationalRecords[K]>>;
  }

  async get<K extends OperationalKind>(kind: K, id: string): Promise<OperationalRecords[K] | undefined> {
    const kept = this.#of(kind).get(id);
    return kept && this.#isLive(kept, this.#now?.()) ? kept.record : undefined;
  }

  async put<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date): Promise<void> {
    this.apply(kind, record.id, record, expiresAt.getTime());
  }

  async take<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date, now: Date): Promise<boolean> {
    // The check and the change in one synchronous step: nothing comes between them.
    if (!this.isFree(kind, record.id, now)) return false;
    this.apply(kind, record.id, record, expiresAt.getTime());
    return true;
  }

  /** Whether `take` may store under this id at `now`: nothing unexpired there, or its lease has ended. */
  isFree(kind: OperationalKind, id: string, now: Date): boolean {
    const kept = this.#of(kind).get(id);
    return kept === undefined || kept.expiresAt <= now.getTime() || leaseEnded(kept.record, now);
  }

  async delete(kind: OperationalKind, id: string): Promise<void> {
    this.apply(kind, id, null, 0);
  }

  async list<K extends OperationalKind>(kind: K): Promise<OperationalRecords[K][]> {
    const at = this.#now?.();
    return [...this.#of(kind).values()].filter((kept) => this.#isLive(kept, at)).map((kept) => kept.record);
  }

  /** Records held, expired ones not yet pruned included. */
  get size(): number {
    let size = 0;
    for (const records of this.#kinds.values()) size += records.size;
    return size;
  }

  #isLive(kept: Kept<unknown>, at: Date | undefined): boolean {
    return at === undefined || kept.expiresAt > at.getTime();
  }

  /** Applies one put (a record) or delete (null), as given or as read back from a journal. */
  apply<K extends OperationalKind>(kind: K, id: string, record: OperationalRecords[K] | null, expiresAt: number): void {
    if (record === null) this.#of(kind).delete(id);
    else this.#of(kind).set(id, { record: deepFreeze(structuredClone(record)), expiresAt });
  }

  /** Drops what expired before `at`; answers how many records are left. */
  prune(at: Date): number {
    let left = 0;
    for (const records of this.#kinds.values()) {
      for (const [id, kept] of records) if (kept.expiresAt <= at.getTime()) records.delete(id);
      left += records.size;
    }
    return left;
  }

  /** Deletes every record for which `drops` holds (an erasure's); answers how many. */
  async erase(drops: (record: unknown) => boolean): Promise<number> {
    let dropped = 0;
    for (const records of this.#kinds.values()) {
      for (const [id, kept] of records) {
        if (!drops(kept.record)) continue;
        records.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Every record with its kind and expiry: what a compacted journal holds. */
  *entries(): Iterable<{ kind: OperationalKind; record: OperationalRecords[OperationalKind]; expiresAt: number }> {
    for (const [kind, records] of this.#kinds)
      for (const kept of records.values()) yield { kind, record: kept.record as never, expiresAt: kept.expiresAt };
  }
}
