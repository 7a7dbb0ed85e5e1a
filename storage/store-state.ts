import type { Change } from '../src/core/records.ts';
import type { AuditEntry, AuditEvent } from '../src/core/store.ts';
import { chainEntry, GENESIS, type ChainHead } from './audit-chain.ts';
import { deepFreeze } from './canonical-json.ts';
import { entryShapeProblem } from './entry-shape.ts';
import { RecordIndex } from './record-index.ts';
import { describeCause, storageError } from './storage-errors.ts';

/**
 * What every store holds in memory: the records and the head of the audit chain. Both change only
 * together, by `commit` (new entries) or `replay` (entries read back from disk).
 */
export class StoreState {
  readonly records: RecordIndex;
  #head: ChainHead;

  constructor(records = new RecordIndex(), head: ChainHead = { seq: 0, hash: GENESIS }) {
    this.records = records;
    this.#head = { ...head };
  }

  get head(): ChainHead {
    return { ...this.#head };
  }

  /**
   * Chains the event and changes into the next entry and applies it, synchronously, so that commits
   * are ordered as they are called and a check-then-commit with no `await` between is atomic.
   * Throws `storage.bad_commit`, having changed nothing, if the entry could not be stored.
   */
  commit(event: AuditEvent, changes: Change[]): AuditEntry {
    const entry = this.prepare(event, changes);
    this.replay(entry);
    return entry;
  }

  /** The next entry for these changes, chained to the head but not applied (a shared log takes it or not). */
  prepare(event: AuditEvent, changes: Change[]): AuditEntry {
    let entry: AuditEntry;
    try {
      entry = chainEntry(this.#head.hash, this.#head.seq + 1, event, changes);
    } catch (cause) {
      throw badCommit(event, `not JSON data (${describeCause(cause)})`);
    }
    const problem = entryShapeProblem(entry);
    if (problem !== undefined) throw badCommit(event, problem);
    return entry;
  }

  /** Applies an entry that is already chained (read back from the log, where it was verified). */
  replay(entry: AuditEntry): void {
    deepFreeze(entry); // records read back are as immutable as committed ones (a no-op for those)
    this.records.applyEntry(entry);
    this.#head = { seq: entry.seq, hash: entry.hash };
  }
}

function badCommit(event: AuditEvent, problem: string) {
  const action = typeof event?.action === 'string' ? `"${event.action}"` : 'an event';
  return storageError('storage.bad_commit', `cannot commit ${action}: ${problem}; nothing was changed`);
}
