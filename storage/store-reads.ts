import type { CollectionName, Collections } from '../src/core/records.ts';
import type { StoreState } from './store-state.ts';

/** The Store port's reads, the same for every store: straight from the in-memory state. */
export abstract class StoreReads {
  protected abstract readonly state: StoreState;

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.state.records.get(collection, id);
  }

  list<C extends CollectionName>(collection: C): Collections[C][] {
    return this.state.records.list(collection);
  }

  listByPerson<C extends 'requests' | 'attestations'>(collection: C, person: string): Collections[C][] {
    return this.state.records.listByPerson(collection, person);
  }

  count(collection: CollectionName): number {
    return this.state.records.count(collection);
  }
}
