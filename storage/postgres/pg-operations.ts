import type pg from 'pg';
import type { OperationalKind, OperationalRecords } from '../../src/core/records.ts';
import type { OperationalState } from '../../src/core/store.ts';
import { deepFreeze } from '../canonical-json.ts';

type Rec<K extends OperationalKind> = OperationalRecords[K];

/** A record's lease end, for the column `take` compares (delivery progress has one; other kinds none). */
const leaseOf = (record: object): string | null => {
  const lease = (record as { leaseUntil?: unknown }).leaseUntil;
  return typeof lease === 'string' ? lease : null;
};

/**
 * Operational state in the table `appwarden_operations`, shared by every replica. Each call is one
 * statement; `take` is a single conditional upsert, so of two replicas taking the same delivery at
 * once exactly one succeeds. Expired rows read as gone and are deleted by `prune`.
 */
export class PostgresOperations implements OperationalState {
  readonly #db: pg.Pool;
  readonly #now: () => Date;

  constructor(db: pg.Pool, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async get<K extends OperationalKind>(kind: K, id: string): Promise<Rec<K> | undefined> {
    const { rows } = await this.#db.query<{ record: Rec<K> }>(
      'SELECT record FROM appwarden_operations WHERE kind = $1 AND id = $2 AND expires_at > $3',
      [kind, id, this.#now()],
    );
    // Frozen, as every store's records are: a caller cannot change what another read shares.
    return rows[0] ? deepFreeze(rows[0].record) : undefined;
  }

  async list<K extends OperationalKind>(kind: K): Promise<Rec<K>[]> {
    const { rows } = await this.#db.query<{ record: Rec<K> }>(
      'SELECT record FROM appwarden_operations WHERE kind = $1 AND expires_at > $2 ORDER BY id',
      [kind, this.#now()],
    );
    return rows.map((r) => deepFreeze(r.record));
  }

  async put<K extends OperationalKind>(kind: K, record: Rec<K>, expiresAt: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO appwarden_operations (kind, id, record, expires_at, lease_until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, id) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at, lease_until = EXCLUDED.lease_until`,
      [kind, record.id, JSON.stringify(record), expiresAt, leaseOf(record)],
    );
  }

  async take<K extends OperationalKind>(kind: K, record: Rec<K>, expiresAt: Date, now: Date): Promise<boolean> {
    // The row is replaced only when it has expired or its holder's lease has ended: one statement, so atomic.
    const { rowCount } = await this.#db.query(
      `INSERT INTO appwarden_operations AS held (kind, id, record, expires_at, lease_until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, id) DO UPDATE SET record = EXCLUDED.record, expires_at = EXCLUDED.expires_at, lease_until = EXCLUDED.lease_until
       WHERE held.expires_at <= $6 OR held.lease_until <= $6`,
      [kind, record.id, JSON.stringify(record), expiresAt, leaseOf(record), now],
    );
    return rowCount === 1;
  }

  /** Deletes, in the caller's transaction, every row whose record `drops` holds for; answers how many. */
  async eraseIn(client: pg.PoolClient, drops: (record: unknown) => boolean): Promise<number> {
    const { rows } = await client.query<{ kind: string; id: string; record: unknown }>('SELECT kind, id, record FROM appwarden_operations');
    const gone = rows.filter((row) => drops(row.record));
    for (const row of gone) await client.query('DELETE FROM appwarden_operations WHERE kind = $1 AND id = $2', [row.kind, row.id]);
    return gone.length;
  }

  async delete(kind: OperationalKind, id: string): Promise<void> {
    await this.#db.query('DELETE FROM appwarden_operations WHERE kind = $1 AND id = $2', [kind, id]);
  }

  /** Deletes what expired before `at`; answers how many rows went. */
  async prune(at: Date): Promise<number> {
    const { rowCount } = await this.#db.query('DELETE FROM appwarden_operations WHERE expires_at <= $1', [at]);
    return rowCount ?? 0;
  }
}
