import type { Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, ChainCheck, Store } from '../../src/core/store.ts';
import { entryLine, verifyChain } from '../audit-chain.ts';
import { storeClosed } from '../storage-errors.ts';
import { StoreReads } from '../store-reads.ts';
import { StoreState } from '../store-state.ts';

/**
 * A Store in memory, for unit tests of the layers above. It behaves as the lowdb store does — same
 * chain, same validation, records copied through JSON on commit and frozen — but nothing is durable.
 */
export class MemoryStore extends StoreReads implements Store {
  protected readonly state = new StoreState();
  readonly #entries: AuditEntry[] = [];
  #closed = false;

  commit(event: AuditEvent, changes: Change[]): Promise<AuditEntry> {
    if (this.#closed) return Promise.reject(storeClosed('memory'));
    try {
      const entry = this.state.commit(event, changes);
      this.#entries.push(entry);
      return Promise.resolve(entry);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async *readAudit(fromSeq = 1): AsyncIterable<AuditEntry> {
    // seq n is at index n - 1; slicing first keeps the walk stable while commits go on.
    yield* this.#entries.slice(Math.max(0, Math.ceil(fromSeq) - 1));
  }

  async verifyAudit(): Promise<AuditVerification> {
    return verifyChain(this.#entries.map(entryLine));
  }

  /** Nothing to check in the background: every entry was chained here, and never read back. */
  get chainCheck(): ChainCheck {
    return { state: 'ok', entries: this.#entries.length };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export const createMemoryStore = (): MemoryStore => new MemoryStore();
