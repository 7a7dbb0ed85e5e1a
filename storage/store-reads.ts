import type { CollectionName, Collections, IdempotencyKey, IndexedCollection, IndexedField, SequenceName } from '../src/core/records.ts';
import type { StoreView } from '../src/core/store.ts';
import type { RecordIndex } from './record-index.ts';
import type { StoreState } from './store-state.ts';

/** The view methods over records in memory, the same for every store and every transaction. */
export abstract class RecordReads implements StoreView {
  protected abstract readonly records: RecordIndex;
  abstract readonly seq: number;

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.records.get(collection, id);
  }

  list<C extends CollectionName>(collection: C): Collections[C][] {
    return this.records.list(collection);
  }

  where<C extends IndexedCollection>(collection: C, field: IndexedField<C>, value: string): Collections[C][] {
    return this.records.where(collection, field, value);
  }

  listByPerson<C extends 'requests' | 'attestations'>(collection: C, person: string): Collections[C][] {
    return this.records.where(collection, 'person' as IndexedField<C>, person);
  }

  count(collection: CollectionName): number {
    return this.records.count(collection);
  }

  claimed(key: string): IdempotencyKey | undefined {
    return this.records.get('keys', key);
  }
}

/** The Store port's reads, the same for every store: straight from the in-memory state. */
export abstract class StoreReads extends RecordReads {
  protected abstract state: StoreState;

  protected get records(): RecordIndex {
    return this.state.records;
  }

  get seq(): number {
    return this.state.head.seq;
  }
}

/**
 * The next number of a sequence as a view holds it: its record, or, for data written before sequences
 * were kept, the size of the collection it numbers (ids were `count + 1` then, and none is ever removed).
 */
export const lastDrawn = (view: StoreView, sequence: SequenceName): number =>
  view.get('sequences', sequence)?.value ?? view.count(sequence);
