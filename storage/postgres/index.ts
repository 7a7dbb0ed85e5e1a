export { MIGRATIONS, migrate } from './migrations.ts';
export { openPostgresStore, type PostgresStoreOptions } from './open-pg-store.ts';
export { PostgresStore, verifyAuditRows } from './pg-store.ts';
