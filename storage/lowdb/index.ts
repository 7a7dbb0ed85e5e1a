export { LowdbReadOnlyStore } from './lowdb-read-only-store.ts';
export { LowdbStore } from './lowdb-store.ts';
export { openLowdbStoreReadOnly, type LowdbReadOnlyOptions } from './open-lowdb-store-read-only.ts';
export { openLowdbStore, type LowdbStoreOptions } from './open-lowdb-store.ts';
export { OperationsJournal } from './operations-journal.ts';
export { verifyAuditFile } from './verify-audit-file.ts';
