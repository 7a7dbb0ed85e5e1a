export { LowdbStore } from './lowdb-store.ts';
export { openLowdbStore, type LowdbStoreOptions } from './open-lowdb-store.ts';
export { verifyAuditFile } from './verify-audit-file.ts';
