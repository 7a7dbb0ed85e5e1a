import { createMemoryStore, MemoryDatabase } from '../../storage/memory/memory-store.ts';
import { operationsContract } from './operations-contract.ts';
import { storeContract } from './store-contract.ts';

storeContract('MemoryStore', createMemoryStore, () => {
  const database = new MemoryDatabase();
  return [createMemoryStore(database), createMemoryStore(database)];
});

operationsContract('MemoryStore', createMemoryStore);
