import type { Config } from './config.ts';
import type { Store } from './core/store.ts';
import { openLowdbStore, openLowdbStoreReadOnly } from '../storage/lowdb/index.ts';
import { redactedUrl } from '../storage/postgres/redacted-url.ts';

/**
 * Who opens the store: the server (listens for other replicas; the embedded store checks its whole
 * chain in the background), a command that may write, or one that only reads (the embedded store is
 * then opened without its lock, so it works beside a running server; PostgreSQL needs no such care).
 */
export type StoreUse = 'server' | 'command' | 'read';

/** The store the configuration names: PostgreSQL when DATABASE_URL is set, else the embedded one in DATA_DIR. */
export async function openConfiguredStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  use: StoreUse,
  log: (line: string) => void,
): Promise<Store> {
  // Loaded only when named: `pg` is not the embedded store's to pay for.
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('../storage/postgres/index.ts');
    return openPostgresStore({ url: config.databaseUrl, log, listen: use === 'server' });
  }
  if (use === 'read') return openLowdbStoreReadOnly({ dir: config.dataDir, log });
  return openLowdbStore({ dir: config.dataDir, log, checkChain: use === 'server' });
}

/** Where the data is, for the start-up line: never the database password. */
export const describeStorage = (config: Pick<Config, 'dataDir' | 'databaseUrl'>): string =>
  config.databaseUrl ? `PostgreSQL ${redactedUrl(config.databaseUrl)}` : config.dataDir;
