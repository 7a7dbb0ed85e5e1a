import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { storeContract } from './store-contract.ts';

storeContract('MemoryStore', createMemoryStore);
