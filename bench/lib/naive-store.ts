import { MemoryOperations } from '../../storage/operational/memory-operations.ts';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { COLLECTION_NAMES, type Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, Store } from '../../src/core/store.ts';
import { RecordIndex, type CollectionArrays } from '../../storage/record-index.ts';
import { StoreState } from '../../storage/store-state.ts';
import { UnitOfWorkStore } from '../../storage/unit-of-work.ts';

/**
 * The naive way to use lowdb as the Store: the records live in `db.data`, and every commit rewrites
 * the whole JSON file (lowdb's `write()`: JSON.stringify of everything, temp file, rename; writes that
 * arrive meanwhile are coalesced into the next one). It keeps no audit log on disk, which flatters it.
 * For comparison only: bench/write-cost.ts measures it beside LowdbStore.
 */
export class NaiveLowdbStore extends UnitOfWorkStore implements Store {
  // Like its audit log, the naive store keeps no operational state on disk.
  readonly operations = new MemoryOperations();
  protected readonly state: StoreState;
  readonly #db: Low<CollectionArrays>;
  /** Where each record sits in its array, so a put of an existing id replaces it in place. */
  readonly #positions = new Map<string, number>();

  private constructor(db: Low<CollectionArrays>) {
    super();
    this.#db = db;
    this.state = new StoreState(RecordIndex.fromArrays(db.data));
    for (const name of COLLECTION_NAMES) db.data[name].forEach((record, i) => this.#positions.set(`${name}/${record.id}`, i));
  }

  /** A store whose file already holds `collections`. */
  static async create(path: string, collections: CollectionArrays): Promise<NaiveLowdbStore> {
    const db = new Low<CollectionArrays>(new JSONFile<CollectionArrays>(path), collections);
    await db.write();
    return new NaiveLowdbStore(db);
  }

  protected async catchUp(): Promise<void> {}

  protected async commitAt(_seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry> {
    const entry = this.state.commit(event, changes);
    for (const { collection, id } of entry.changes) {
      const records = this.#db.data[collection] as unknown[];
      const key = `${collection}/${id}`;
      const at = this.#positions.get(key);
      const value = this.state.records.get(collection, id);
      if (value === undefined && at !== undefined) {
        records.splice(at, 1); // rare here; positions after it shift
        this.#positions.delete(key);
        records.forEach((record, i) => this.#positions.set(`${collection}/${(record as { id: string }).id}`, i));
      } else if (value !== undefined && at !== undefined) records[at] = value;
      else if (value !== undefined) this.#positions.set(key, records.push(value) - 1);
    }
    await this.#db.write();
    return entry;
  }

  async *readAudit(): AsyncIterable<AuditEntry> {}

  erase(): Promise<never> {
    return Promise.reject(new Error('the naive store of the benchmarks does not erase'));
  }

  async verifyAudit(): Promise<AuditVerification> {
    return { ok: true, entries: this.state.head.seq };
  }

  async close(): Promise<void> {}
}
