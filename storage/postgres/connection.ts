import pg from 'pg';
import { describeCause } from '../storage-errors.ts';

export { redactedUrl } from './redacted-url.ts';

/** Limits on every connection: no call waits forever, no transaction is left open by a stuck process. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const STATEMENT_TIMEOUT_MS = 15_000;
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

/** A pool for DATABASE_URL, with the limits above. Its idle clients' errors are reported, never thrown. */
export function createPool(url: string, max: number, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'appwarden',
  });
  pool.on('error', onIdleError);
  return pool;
}

/** A client outside the pool, for LISTEN (a pooled one would be handed to others). */
export const createClient = (url: string): pg.Client =>
  new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'appwarden-listen',
  });

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error says the database could not be reached or the connection broke (so a statement
 * sent may or may not have been carried out), as opposed to the database refusing the statement.
 * SQLSTATE class 08 is connection exceptions; 57P01–57P03 the server shutting down or starting.
 */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    message ?? '',
  );
}

/** `unique_violation`: the place (or key) another writer took first. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string })?.code === '23505';

export const describeDbError = (error: unknown): string => {
  const code = (error as { code?: string })?.code;
  return `${describeCause(error)}${code && !describeCause(error).includes(code) ? ` (${code})` : ''}`;
};
