import type pg from 'pg';
import { storageError } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { createClient, createPool, describeDbError, redactedUrl } from './connection.ts';
import { migrate } from './migrations.ts';
import { PostgresOperations } from './pg-operations.ts';
import { auditRows, type RowQuery } from './audit-rows.ts';
import { PostgresStore } from './pg-store.ts';
import { checkEntryLine } from '../audit-chain.ts';

export interface PostgresStoreOptions {
  /** DATABASE_URL: `postgres://user:password@host:port/database`. */
  url: string;
  /** The clock, for when operational records expire. Entries carry the caller's own `at`. */
  now?: () => Date;
  log?: (line: string) => void;
  /**
   * Listen for the entries other replicas commit and catch up at once (default true: a server). A
   * one-shot command leaves it off: it catches up when a unit of work loses the race.
   */
  listen?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** How long the listener waits before reconnecting, doubling up to the last. */
const RECONNECT_MS = [250, 500, 1_000, 2_000, 5_000];
/** Expired operational rows are deleted this often. */
const PRUNE_EVERY_MS = 3600_000;

/**
 * Opens the PostgreSQL store: connects (refused with `storage.open_failed` in one line if the database
 * cannot be reached), brings the schema up to date under an advisory lock (two replicas starting at
 * once: one migrates, the other waits), replays and verifies the whole log (`storage.corrupt` names
 * the first row that does not chain), then listens for other replicas' entries.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const where = redactedUrl(options.url);
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => new Date());
  let store: PostgresStore | undefined;
  const pool = createPool(options.url, options.poolSize ?? 10, (error) => store?.reachable(error));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storageError('storage.open_failed', `cannot connect to PostgreSQL at ${where}: ${describeDbError(error)}`);
  }
  try {
    await migrate(pool, log);
    const state = await replayLog(pool, where);
    store = new PostgresStore({ pool, state, operations: new PostgresOperations(pool, now), where, log });
  } catch (error) {
    await pool.end().catch(() => undefined);
    if ((error as { code?: string }).code?.startsWith('storage.')) throw error;
    throw storageError('storage.open_failed', `cannot open the AppWarden schema in ${where}: ${describeDbError(error)}`);
  }
  if (options.listen ?? true) {
    const stopListening = await listen(options.url, store);
    const pruning = setInterval(() => void store!.operations.prune(now()).catch(() => undefined), PRUNE_EVERY_MS).unref();
    store.beforeClose(async () => {
      clearInterval(pruning);
      await stopListening();
    });
  }
  await store.operations.prune(now()).catch(() => undefined);
  return store;
}

/** Every entry, verified as it is applied: a row that does not chain is refused, naming it. */
async function replayLog(pool: pg.Pool, where: string): Promise<StoreState> {
  const state = new StoreState();
  const query: RowQuery = async (text, params) => (await pool.query(text, params)).rows;
  for await (const row of auditRows(query, 0)) {
    const check = checkEntryLine(row.line, state.head);
    if (!check.ok || check.entry.seq !== row.seq)
      throw storageError(
        'storage.corrupt',
        `appwarden_audit in ${where} is damaged at row ${row.seq} (${check.ok ? 'moved' : check.problem}) after ${state.head.seq} sound entries; ` +
          'run `appwarden audit verify` for the details. The store will not open on it',
      );
    state.replay(check.entry);
  }
  return state;
}

/**
 * LISTENs on a connection of its own for new entries; when it breaks, the store is marked unavailable
 * and the listener reconnects with back-off, catching up on what it missed. Resolves once listening.
 */
async function listen(url: string, store: PostgresStore): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = createClient(url);
    next.on('notification', (message) => store.noticed(Number(message.payload)));
    next.on('error', (error) => {
      if (client !== next) return;
      client = undefined;
      store.reachable(error);
      void next.end().catch(() => undefined);
      reconnect();
    });
    next.on('end', () => {
      if (client !== next || stopped) return;
      client = undefined;
      store.reachable(new Error('the listening connection ended'));
      reconnect();
    });
    await next.connect();
    await next.query('LISTEN appwarden_audit');
    client = next;
    failures = 0;
    store.reachable();
    void store.refresh().catch(() => undefined); // what was committed while nobody listened
  };
  const reconnect = () => {
    if (stopped || timer) return;
    const wait = RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]!;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((error: Error) => {
        store.reachable(error);
        reconnect();
      });
    }, wait);
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
}
