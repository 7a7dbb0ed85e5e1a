import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server that tests and benchmarks use: TEST_DATABASE_URL, else DATABASE_URL, else the
 * machine's local server. Plain node-postgres, no vitest, so that bench/ can use it too.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

/** Creates an empty database with a fresh name (`<prefix>_<random>`); answers its name and URL. */
export async function createDatabase(prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, url: urlFor(name) };
}

/** Drops databases made by createDatabase, ending whatever connections they still have. */
export async function dropDatabases(names: string[]): Promise<void> {
  if (!names.length) return;
  await admin(async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
