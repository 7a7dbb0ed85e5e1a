import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/**
 * The PostgreSQL server the tests use: TEST_DATABASE_URL, else DATABASE_URL, else the machine's local
 * server. Each test file gets databases of its own, created here and dropped when it ends.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What the global set-up found: the server's URL, or why there is none (the tests then skip, and say so). */
export interface PostgresAvailability {
  url?: string;
  why?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresAvailability;
  }
}

/** Whether this run has a PostgreSQL server (found once, by tests/support/postgres-setup.ts). */
export const postgresAvailable = (): boolean => inject('postgres')?.url !== undefined;

const urlFor = (database: string): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
};

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Databases for one test file: `make()` creates an empty one and answers its URL; all are dropped
 * (their connections ended first) when the file's tests are over.
 */
export function testDatabases() {
  const made: string[] = [];
  afterAll(async () => {
    if (!made.length) return;
    await admin(async (client) => {
      for (const name of made.splice(0)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  });
  return {
    async make(): Promise<string> {
      const name = `appwarden_test_${randomBytes(6).toString('hex')}`;
      await admin((client) => client.query(`CREATE DATABASE ${name}`));
      made.push(name);
      return urlFor(name);
    },
  };
}

/** Runs SQL on a test database, as an operator (or an attacker with its credentials) would. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}
