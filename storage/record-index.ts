import { COLLECTION_NAMES, type Change, type CollectionName, type Collections } from '../src/core/records.ts';

type AnyRecord = Collections[CollectionName];
type PersonCollection = 'requests' | 'attestations';
const PERSON_COLLECTIONS: ReadonlySet<CollectionName> = new Set<PersonCollection>(['requests', 'attestations']);

/**
 * Each collection's records as an array in insertion order: the snapshot form. (An object keyed by
 * id would not do: JavaScript lists integer-like keys such as "12" first, whatever the insertion order.)
 */
export type CollectionArrays = { [C in CollectionName]: Collections[C][] };

const byCollection = <T>(make: (collection: CollectionName) => T): Record<CollectionName, T> =>
  Object.fromEntries(COLLECTION_NAMES.map((name) => [name, make(name)])) as Record<CollectionName, T>;

/**
 * The records in memory, with a per-person index kept up to date on every change. Records are stored
 * as given (stores hand in frozen copies). `list` is insertion order: a put of an existing id keeps its
 * place, a removed id put again goes last. `listByPerson` is always in `list` order, so an index built
 * by replaying changes and one rebuilt from a snapshot answer alike.
 */
export class RecordIndex {
  readonly #records = byCollection(() => new Map<string, AnyRecord>());
  /** collection → person → id → record, so `listByPerson` touches only that person's records. */
  readonly #byPerson = byCollection(() => new Map<string, Map<string, AnyRecord>>());

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.#records[collection].get(id) as Collections[C] | undefined;
  }

  list<C extends CollectionName>(collection: C): Collections[C][] {
    return [...this.#records[collection].values()] as Collections[C][];
  }

  listByPerson<C extends PersonCollection>(collection: C, person: string): Collections[C][] {
    const records = this.#byPerson[collection].get(person);
    return records ? ([...records.values()] as Collections[C][]) : [];
  }

  count(collection: CollectionName): number {
    return this.#records[collection].size;
  }

  apply(changes: readonly Change[]): void {
    for (const { collection, id, value } of changes) {
      const records = this.#records[collection];
      const old = records.get(id);
      if (value === null) records.delete(id);
      else records.set(id, value);
      if (PERSON_COLLECTIONS.has(collection)) this.#reindex(collection, id, old, value ?? undefined);
    }
  }

  toArrays(): CollectionArrays {
    return byCollection((collection) => [...this.#records[collection].values()]) as CollectionArrays;
  }

  static fromArrays(arrays: CollectionArrays): RecordIndex {
    const index = new RecordIndex();
    for (const collection of COLLECTION_NAMES) {
      // A collection added by a later version is simply empty in an older snapshot.
      const records: AnyRecord[] = arrays[collection] ?? [];
      index.apply(records.map((value) => ({ collection, id: value.id, value }) as Change));
    }
    return index;
  }

  #reindex(collection: CollectionName, id: string, old: AnyRecord | undefined, value: AnyRecord | undefined): void {
    const oldPerson = personOf(old);
    const newPerson = personOf(value);
    const index = this.#byPerson[collection];
    if (oldPerson !== undefined && oldPerson !== newPerson) {
      const records = index.get(oldPerson);
      records?.delete(id);
      if (records?.size === 0) index.delete(oldPerson);
    }
    if (value === undefined || newPerson === undefined) return;
    if (old !== undefined && oldPerson !== newPerson) {
      // It keeps its place in `list`, so it cannot simply go last in its new person's records: that
      // order would differ from the one an index rebuilt from a snapshot has. Rare (a record changing
      // hands), so the new person's records are rebuilt in `list` order.
      const records = new Map<string, AnyRecord>();
      for (const [key, record] of this.#records[collection]) {
        if (personOf(record) === newPerson) records.set(key, record);
      }
      index.set(newPerson, records);
      return;
    }
    // A new id goes last in both; Map.set on an id already there keeps its place in both.
    let records = index.get(newPerson);
    if (!records) index.set(newPerson, (records = new Map()));
    records.set(id, value);
  }
}

function personOf(record: AnyRecord | undefined): string | undefined {
  const person = record && 'person' in record ? record.person : undefined;
  return typeof person === 'string' ? person : undefined;
}
