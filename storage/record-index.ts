import {
  COLLECTION_NAMES,
  INDEXED_FIELDS,
  KEY_KEPT_MS,
  type Change,
  type CollectionName,
  type Collections,
  type IdempotencyKey,
  type IndexedCollection,
  type IndexedField,
} from '../src/core/records.ts';

type AnyRecord = Collections[CollectionName];

/**
 * Each collection's records as an array in insertion order: the snapshot form. (An object keyed by
 * id would not do: JavaScript lists integer-like keys such as "12" first, whatever the insertion order.)
 */
export type CollectionArrays = { [C in CollectionName]: Collections[C][] };

const byCollection = <T>(make: (collection: CollectionName) => T): { [C in CollectionName]: T } => {
  const out = {} as { [C in CollectionName]: T };
  for (const name of COLLECTION_NAMES) out[name] = make(name);
  return out;
};

const fieldsOf = (collection: CollectionName): readonly string[] =>
  (INDEXED_FIELDS as Partial<Record<CollectionName, readonly string[]>>)[collection] ?? [];

/** field → value → ids having it. */
type FieldIndex = Map<string, Map<string, Set<string>>>;

/**
 * The records in memory, with the indexes of INDEXED_FIELDS kept up to date on every change. Records
 * are stored as given (stores hand in frozen copies). `list` is insertion order: a put of an existing
 * id keeps its place, a removed id put again goes last. `where` answers in `list` order too (each
 * record keeps the position it was first stored at), so an index built by replaying changes and one
 * rebuilt from a snapshot answer alike.
 */
export class RecordIndex {
  readonly #records = byCollection(() => new Map<string, AnyRecord>());
  readonly #position = byCollection(() => new Map<string, number>());
  readonly #next = byCollection(() => 0);
  readonly #fields = byCollection((collection): FieldIndex => new Map(fieldsOf(collection).map((f) => [f, new Map()])));

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.#records[collection].get(id) as Collections[C] | undefined;
  }

  list<C extends CollectionName>(collection: C): Collections[C][] {
    return [...this.#records[collection].values()] as Collections[C][];
  }

  where<C extends IndexedCollection>(collection: C, field: IndexedField<C>, value: string): Collections[C][] {
    const ids = this.#fields[collection].get(field)?.get(value);
    if (!ids?.size) return [];
    const position = this.#position[collection];
    const records = this.#records[collection];
    return [...ids].sort((a, b) => position.get(a)! - position.get(b)!).map((id) => records.get(id) as Collections[C]);
  }

  count(collection: CollectionName): number {
    return this.#records[collection].size;
  }

  /**
   * Applies an audit entry: its changes, then the delivery keys claimed more than KEY_KEPT_MS before
   * its instant drop out. A function of the log alone, so a replay, a snapshot and a live store agree.
   * Keys go in claim order, so this stops at the first one still kept (O(1) per entry, as a rule).
   */
  applyEntry(entry: { at: string; changes: readonly Change[] }): void {
    this.apply(entry.changes);
    const cutoff = Date.parse(entry.at) - KEY_KEPT_MS;
    if (!Number.isFinite(cutoff)) return;
    const keys = this.#records.keys;
    for (const [id, key] of keys) {
      if (!(Date.parse((key as IdempotencyKey).at) < cutoff)) break;
      keys.delete(id);
      this.#position.keys.delete(id);
    }
  }

  apply(changes: readonly Change[]): void {
    for (const { collection, id, value } of changes) {
      const records = this.#records[collection];
      const old = records.get(id);
      if (value === null) {
        records.delete(id);
        this.#position[collection].delete(id);
      } else {
        if (old === undefined) this.#position[collection].set(id, this.#next[collection]++);
        records.set(id, value);
      }
      for (const [field, index] of this.#fields[collection]) reindex(index, id, valueOf(old, field), valueOf(value ?? undefined, field));
    }
  }

  toArrays(): CollectionArrays {
    return byCollection((collection) => [...this.#records[collection].values()]) as CollectionArrays;
  }

  static fromArrays(arrays: Partial<CollectionArrays>): RecordIndex {
    const index = new RecordIndex();
    for (const collection of COLLECTION_NAMES) {
      // A collection added by a later version is simply empty in an older snapshot.
      const records: AnyRecord[] = arrays[collection] ?? [];
      index.apply(records.map((value) => ({ collection, id: value.id, value }) as Change));
    }
    return index;
  }
}

function reindex(index: Map<string, Set<string>>, id: string, old: string | undefined, value: string | undefined): void {
  if (old === value) return;
  if (old !== undefined) {
    const ids = index.get(old);
    ids?.delete(id);
    if (ids?.size === 0) index.delete(old);
  }
  if (value === undefined) return;
  let ids = index.get(value);
  if (!ids) index.set(value, (ids = new Set()));
  ids.add(id);
}

function valueOf(record: AnyRecord | undefined, field: string): string | undefined {
  const value: unknown = record ? Reflect.get(record, field) : undefined;
  return typeof value === 'string' ? value : undefined;
}
