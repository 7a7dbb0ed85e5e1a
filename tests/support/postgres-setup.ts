import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ADMIN_URL } from './pg-admin.ts';

/**
 * Global set-up: is there a PostgreSQL server? The PostgreSQL tests run against it, or skip and this
 * says so plainly in the run's output (`.ci/run` fails a run in which they did not run).
 */
export default async function setup(project: TestProject): Promise<void> {
  const where = new URL(ADMIN_URL);
  where.password &&= '***';
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    project.provide('postgres', { url: ADMIN_URL });
  } catch (error) {
    const why = `no PostgreSQL server at ${where} (${(error as Error).message})`;
    process.stderr.write(`\nPostgreSQL tests SKIPPED: ${why}. Set TEST_DATABASE_URL to run them.\n\n`);
    project.provide('postgres', { why });
  } finally {
    await client.end().catch(() => undefined);
  }
}
