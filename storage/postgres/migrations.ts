import type { Pool, PoolClient } from 'pg';

/**
 * The schema, as numbered steps applied in order and recorded in `appwarden_migrations`. A step is
 * never edited once released: a change is a new step. Kept in code, not in .sql files, so the
 * bundle (`dist/server.mjs`) carries them.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit log and operational state',
    sql: `
      -- The hash-chained audit log: one row per entry, the entry's canonical JSON exactly as hashed.
      CREATE TABLE appwarden_audit (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        line text NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now()
      );
      -- Append-only for the application. The chain, not this trigger, is what shows a change made by
      -- someone who can drop it.
      CREATE FUNCTION appwarden_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'appwarden_audit is append-only: % refused', TG_OP;
      END $$;
      CREATE TRIGGER appwarden_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON appwarden_audit
        FOR EACH STATEMENT EXECUTE FUNCTION appwarden_audit_append_only();
      -- Every replica listens: a new entry is caught up within moments, not at the next lost race.
      CREATE FUNCTION appwarden_audit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('appwarden_audit', NEW.seq::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER appwarden_audit_notify AFTER INSERT ON appwarden_audit
        FOR EACH ROW EXECUTE FUNCTION appwarden_audit_notify();

      -- Operational state (posts, conversations, delivery progress): not audited, each until it expires.
      CREATE TABLE appwarden_operations (
        kind text NOT NULL,
        id text NOT NULL,
        record jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        lease_until timestamptz,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX appwarden_operations_expiry ON appwarden_operations (expires_at);
    `,
  },
  {
    version: 2,
    name: 'erasure: the personal values beside an entry may change, nothing else',
    sql: `
      -- An erasure marks personal values kept beside an entry (its "personal" member, which the hash
      -- leaves out) as erased. Every other byte of a row stays as written; rows are never deleted.
      DROP TRIGGER appwarden_audit_append_only ON appwarden_audit;
      CREATE TRIGGER appwarden_audit_append_only BEFORE DELETE OR TRUNCATE ON appwarden_audit
        FOR EACH STATEMENT EXECUTE FUNCTION appwarden_audit_append_only();
      CREATE FUNCTION appwarden_audit_personal_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq <> OLD.seq OR (NEW.line::jsonb - 'personal') IS DISTINCT FROM (OLD.line::jsonb - 'personal') THEN
          RAISE EXCEPTION 'appwarden_audit is append-only: UPDATE of entry % refused (only an erasure of its personal values may change it)', OLD.seq;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER appwarden_audit_personal_only BEFORE UPDATE ON appwarden_audit
        FOR EACH ROW EXECUTE FUNCTION appwarden_audit_personal_only();
    `,
  },
];

/** Any fixed 64-bit number: the advisory lock every starting replica takes before looking at the schema. */
const MIGRATION_LOCK = 0x41707057617264; // "AppWard"

/**
 * Brings the schema to the latest version. Two replicas starting at once: the first takes the lock and
 * migrates, the other waits for it and then finds nothing to do. Each step commits with its record, so
 * a failure leaves the schema at the last whole step. Answers the versions applied here.
 */
export async function migrate(pool: Pool, log: (line: string) => void = () => undefined): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await applyPending(client, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(client: PoolClient, log: (line: string) => void): Promise<number[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS appwarden_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM appwarden_migrations');
  const done = new Set(rows.map((r) => r.version));
  const newest = Math.max(0, ...done);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (newest > latest)
    throw new Error(`the database's schema is version ${newest}, newer than this AppWarden knows (${latest}): run the newer version`);
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (done.has(step.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(step.sql);
      await client.query('INSERT INTO appwarden_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    log(`database schema: applied migration ${step.version} (${step.name})`);
    applied.push(step.version);
  }
  return applied;
}
