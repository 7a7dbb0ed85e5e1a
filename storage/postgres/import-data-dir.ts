import type { AuditVerification } from '../../src/core/store.ts';
import { entryLine } from '../audit-chain.ts';
import { openLowdbStore } from '../lowdb/index.ts';
import { storageError } from '../storage-errors.ts';
import { createPool, describeDbError, redactedUrl } from './connection.ts';
import { migrate } from './migrations.ts';
import { openPostgresStore } from './open-pg-store.ts';

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters a statement. */
const ROWS_PER_INSERT = 1_000;

export interface ImportResult {
  entries: number;
  operational: number;
  /** The last entry's seq and hash, the same on both sides once checked. */
  head: { seq: number; hash: string };
}

/**
 * `appwarden migrate --from DATA_DIR --to DATABASE_URL`: moves an embedded deployment into an empty
 * PostgreSQL database, in one transaction (all of it or nothing). The data directory is opened with
 * its lock (so the server must be stopped: entries written during the copy would be left behind) and
 * verified first; the database is verified after, by opening it as a replica does (every row replayed
 * and chained) and comparing its head with the directory's.
 */
export async function importDataDir(options: { from: string; to: string; log: (line: string) => void }): Promise<ImportResult> {
  const where = redactedUrl(options.to);
  const source = await openLowdbStore({ dir: options.from, log: options.log, checkChain: false });
  try {
    const verified: AuditVerification = await source.verifyAudit();
    if (!verified.ok)
      throw storageError(
        'storage.corrupt',
        `${options.from}: the audit log fails verification at entry ${verified.seq} (${verified.problem}); nothing was moved`,
      );
    const pool = createPool(options.to, 2, () => undefined);
    try {
      await pool.query('SELECT 1').catch((error: unknown) => {
        throw storageError('storage.open_failed', `cannot connect to PostgreSQL at ${where}: ${describeDbError(error)}; nothing was moved`);
      });
      await migrate(pool, options.log);
      const client = await pool.connect();
      let operational = 0;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM appwarden_audit');
        if (Number(rows[0]!.count) > 0)
          throw storageError(
            'storage.open_failed',
            `${where} already holds ${rows[0]!.count} audit entries: move into an empty database; nothing was moved`,
          );
        let batch: [number, string][] = [];
        const flush = async () => {
          if (!batch.length) return;
          const values = batch.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
          await client.query(`INSERT INTO appwarden_audit (seq, line) VALUES ${values}`, batch.flat());
          batch = [];
        };
        for await (const entry of source.readAudit()) {
          batch.push([entry.seq, entryLine(entry)]);
          if (batch.length >= ROWS_PER_INSERT) await flush();
        }
        await flush();
        for (const { kind, record, expiresAt } of source.operations.entries()) {
          await client.query('INSERT INTO appwarden_operations (kind, id, record, expires_at, lease_until) VALUES ($1, $2, $3, $4, $5)', [
            kind,
            record.id,
            JSON.stringify(record),
            new Date(expiresAt),
            (record as { leaseUntil?: string }).leaseUntil ?? null,
          ]);
          operational++;
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code?.startsWith('storage.')) throw error;
        throw storageError('storage.write_failed', `could not copy into ${where}: ${describeDbError(error)}; nothing was moved`);
      } finally {
        client.release();
      }
      const head = source.seq === 0 ? { seq: 0, hash: '' } : { seq: source.seq, hash: (await lastEntry(source))!.hash };
      const target = await openPostgresStore({ url: options.to, log: options.log, listen: false });
      try {
        const there = await target.verifyAudit();
        const theirs = target.seq === 0 ? undefined : await lastEntry(target);
        if (!there.ok || target.seq !== head.seq || (theirs && theirs.hash !== head.hash))
          throw storageError(
            'storage.corrupt',
            `the copy in ${where} was written but does not verify as ${options.from} does; do not use it: drop it and migrate again`,
          );
      } finally {
        await target.close();
      }
      return { entries: verified.entries, operational, head };
    } finally {
      await pool.end().catch(() => undefined);
    }
  } finally {
    await source.close();
  }
}

async function lastEntry(store: { seq: number; readAudit(from?: number): AsyncIterable<{ hash: string }> }) {
  for await (const entry of store.readAudit(store.seq)) return entry;
  return undefined;
}
