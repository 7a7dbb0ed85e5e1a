import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createDatabase, dropDatabases } from './pg-admin.ts';

export { ADMIN_URL } from './pg-admin.ts';

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

/**
 * Databases for one test file: `make()` creates an empty one and answers its URL; all are dropped
 * (their connections ended first) when the file's tests are over.
 */
export function testDatabases() {
  const made: string[] = [];
  afterAll(() => dropDatabases(made.splice(0)));
  return {
    async make(): Promise<string> {
      const { name, url } = await createDatabase('appwarden_test');
      made.push(name);
      return url;
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
