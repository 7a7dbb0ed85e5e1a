import type pg from 'pg';
import type { PersonalErasure } from '../../src/core/personal-data.ts';
import type { Change } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditVerification, ChainCheck, Erased, Store, Transacted, Work } from '../../src/core/store.ts';
import { ChainVerifier, checkEntryLine, entryFromLine, entryLine, ERASING_ACTIONS } from '../audit-chain.ts';
import { ErasureRun } from '../erasure-run.ts';
import { storageError, storeClosed } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { UnitOfWorkStore } from '../unit-of-work.ts';
import { auditRows } from './audit-rows.ts';
import { describeDbError, isConnectionError, isUniqueViolation } from './connection.ts';
import type { PostgresOperations } from './pg-operations.ts';

/**
 * Any fixed 64-bit number: the lock that orders writers. A commit holds it shared for its one INSERT; a
 * unit that lost the race holds it exclusively while it catches up, runs again and commits, so a
 * second run never loses (without it, replicas under load can lose to each other round after round).
 */
const WRITE_LOCK = 0x41707057726974; // "AppWrit"

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** What `openPostgresStore` hands over once the schema is current and the log replayed. */
export interface PostgresStoreParts {
  pool: pg.Pool;
  state: StoreState;
  operations: PostgresOperations;
  /** Where it was opened, without the password: for messages. */
  where: string;
  log: (line: string) => void;
}

/**
 * The Store on PostgreSQL, one replica among any number on the same database. Each replica holds the
 * records in memory as the embedded store does, replayed from `appwarden_audit` (verifying the chain)
 * at open and caught up as other replicas commit (a trigger NOTIFYs each new entry; see `listen`).
 * A commit is one INSERT at the next seq: the primary key makes the place taken by exactly one writer,
 * and the loser catches up and runs its work again (see WRITE_LOCK). The entry is applied to memory
 * once the database has it, so nothing is shown that is not durable. Open it with `openPostgresStore`.
 */
export class PostgresStore extends UnitOfWorkStore implements Store {
  readonly operations: PostgresOperations;
  protected state: StoreState;
  protected override readonly appliesAtOnce = false;
  protected override readonly sharesData = true;
  readonly #pool: pg.Pool;
  readonly #where: string;
  readonly #log: (line: string) => void;
  /** The connection holding WRITE_LOCK exclusively while a lost unit runs again, if one does. */
  #locked: pg.PoolClient | undefined;
  /** The newest seq another writer is known to have committed (from NOTIFY): a unit catches up to it first. */
  #known = 0;
  #catchingUp: Promise<void> | undefined;
  #catchUpAgain = false;
  #failure: Error | undefined;
  #unavailable: Error | undefined;
  #closed = false;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #beforeClose: (() => Promise<void>)[] = [];

  constructor(parts: PostgresStoreParts) {
    super();
    this.#pool = parts.pool;
    this.state = parts.state;
    this.operations = parts.operations;
    this.#where = parts.where;
    this.#log = parts.log;
    this.#known = parts.state.head.seq;
  }

  /** Set when the database holds an entry this replica cannot accept (a broken chain): it stops writing. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Set while the database cannot be reached; commits reject meanwhile. Cleared once it answers again. */
  get unavailable(): Error | undefined {
    return this.#unavailable;
  }

  /** Opening replayed and verified every entry: there is nothing left to check in the background. */
  get chainCheck(): ChainCheck {
    return { state: 'ok', entries: this.state.head.seq };
  }

  override transact<T>(work: Work<T>): Promise<Transacted<T>> {
    // Told of a newer entry and not caught up yet: catch up first, so the first run is likely the last.
    if (this.#known > this.seq) return this.catchUp().then(() => super.transact(work));
    return super.transact(work);
  }

  /** Catches up with what other writers committed (after the listener reconnects, or on demand). */
  refresh(): Promise<void> {
    return this.catchUp();
  }

  /** Runs `stop` first when the store closes (the listener, timers). */
  beforeClose(stop: () => Promise<void>): void {
    this.#beforeClose.push(stop);
  }

  /** Another writer committed `seq` (a NOTIFY): catch up in the background. */
  noticed(seq: number): void {
    if (seq > this.#known) this.#known = seq;
    if (seq > this.seq) void this.catchUp().catch(() => undefined);
  }

  /** Marks the database reachable or not, as the listener or a statement found it. */
  reachable(error?: Error): void {
    if (error && !this.#unavailable) this.#log(`PostgreSQL ${this.#where} unreachable: ${describeDbError(error)}`);
    else if (!error && this.#unavailable) this.#log(`PostgreSQL ${this.#where} reachable again`);
    this.#unavailable = error ? storageError('storage.unavailable', `PostgreSQL is unreachable: ${describeDbError(error)}`) : undefined;
  }

  /** Applies the entries other writers committed since this replica's state; one catch-up at a time. */
  protected catchUp(): Promise<void> {
    if (this.#catchingUp) {
      this.#catchUpAgain = true;
      return this.#catchingUp;
    }
    const run = async () => {
      do {
        this.#catchUpAgain = false;
        await this.#readNewEntries(this.#locked ?? this.#pool);
      } while (this.#catchUpAgain);
    };
    const running = run().finally(() => {
      this.#catchingUp = undefined;
    });
    this.#catchingUp = running;
    return running;
  }

  async #readNewEntries(db: Queryable): Promise<void> {
    let erasing = false;
    for await (const { seq, line } of auditRows((text, params) => this.#query(db, text, params), this.seq)) {
      this.#accept(seq, line);
      erasing ||= ERASING_ACTIONS.has((JSON.parse(line) as AuditEntry).action);
    }
    // Another replica erased personal values of entries this one has applied: run on the log as it is now.
    if (erasing) await this.#replayAll(db);
  }

  /** Replays the whole log into a new state (after an erasure rewrote values of applied entries). */
  async #replayAll(db: Queryable): Promise<void> {
    const state = new StoreState();
    for await (const { seq, line } of auditRows((text, params) => this.#query(db, text, params), 0)) {
      const check = checkEntryLine(line, state.head);
      if (!check.ok || check.entry.seq !== seq) {
        this.#failure ??= storageError(
          'storage.corrupt',
          `appwarden_audit row ${seq} in ${this.#where} does not verify after an erasure; run \`appwarden audit verify\``,
        );
        throw this.#failure;
      }
      state.replay(check.entry);
    }
    if (state.head.seq >= this.state.head.seq) this.state = state;
  }

  /**
   * In one transaction holding the write lock: the erasure's two passes over every row, an UPDATE of
   * each row whose personal values change (migration 2 allows no other change), the erasing entry, and
   * the operational rows it names deleted. Then VACUUM FULL, so no dead row version keeps the values in
   * the tables' files, and this replica replays the log; the others do when they read the erasing entry.
   */
  erase(erasure: PersonalErasure, event: AuditEvent): Promise<Erased> {
    return this.exclusive(async () => {
      if (this.#closed) throw storeClosed(this.#where);
      if (this.#failure) throw this.#failure;
      const client = await this.#connect();
      let broken: Error | undefined;
      let done: Erased;
      try {
        const rows = () => auditRows((text, params) => this.#query(client, text, params), 0);
        await this.#query(client, 'BEGIN');
        await this.#query(client, 'SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        await this.#readNewEntries(client);
        const run = new ErasureRun(erasure, this.seq + 1);
        for await (const { line } of rows()) run.collect(line);
        for await (const { seq, line } of rows()) {
          const rewritten = run.rewrite(line);
          if (rewritten !== line) await this.#query(client, 'UPDATE appwarden_audit SET line = $2 WHERE seq = $1', [seq, rewritten]);
        }
        if (run.isIdle) {
          await this.#query(client, 'ROLLBACK');
          return { values: 0, operational: 0, unsealed: run.unsealed };
        }
        const entry = this.state.prepare(run.event(event), []);
        await this.#query(client, 'INSERT INTO appwarden_audit (seq, line) VALUES ($1, $2)', [entry.seq, entryLine(entry)]);
        const operational = await this.operations.eraseIn(client, (record) => erasure.dropsOperational(record));
        await this.#query(client, 'COMMIT');
        done = { entry, values: run.values, operational, unsealed: run.unsealed };
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.release(broken);
      }
      await this.#query(this.#pool, 'VACUUM FULL appwarden_audit, appwarden_operations');
      await this.#replayAll(this.#pool);
      return done;
    });
  }

  /** Applies an entry read from the database if it is the next one; an entry that does not chain stops the store. */
  #accept(seq: number, line: string): void {
    if (seq <= this.seq) return; // applied already: by this replica's own commit, or a catch-up running beside
    const check = checkEntryLine(line, this.state.head);
    if (!check.ok || check.entry.seq !== seq) {
      this.#failure ??= storageError(
        'storage.corrupt',
        `appwarden_audit row ${seq} in ${this.#where} does not continue the chain at entry ${this.seq} (${check.ok ? 'its seq differs from its row' : check.problem}): ` +
          'this replica stops writing; run `appwarden audit verify`',
      );
      throw this.#failure;
    }
    this.state.replay(check.entry);
  }

  /** The database's newest entry is past this replica's (a NOTIFY may still be on its way). */
  protected override async behindOthers(): Promise<boolean> {
    const [head] = (await this.#query(this.#pool, 'SELECT coalesce(max(seq), 0)::bigint AS seq FROM appwarden_audit')) as { seq: string }[];
    const seq = Number(head?.seq ?? 0);
    if (seq > this.#known) this.#known = seq;
    return seq > this.seq;
  }

  /** Retries hold the write lock exclusively: catch up, run the work again and commit with no writer in between. */
  protected override async retry<R>(run: () => Promise<R>): Promise<R> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await this.#query(client, 'BEGIN');
      await this.#query(client, 'SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      this.#locked = client;
      await this.#readNewEntries(client);
      return await run();
    } catch (error) {
      if (isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      const stillLocked = this.#locked === client;
      this.#locked = undefined;
      // A run that decided nothing, or threw, leaves the transaction open: end it.
      if (stillLocked && !broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      client.release(broken);
    }
  }

  protected commitAt(seq: number, event: AuditEvent, changes: Change[]): Promise<AuditEntry | 'conflict'> | 'conflict' {
    if (this.#closed) return Promise.reject(storeClosed(this.#where));
    if (this.#failure) return Promise.reject(this.#failure);
    if (seq !== this.seq) return 'conflict';
    let entry: AuditEntry;
    try {
      entry = this.state.prepare(event, changes);
    } catch (error) {
      return Promise.reject(error);
    }
    const inserting = this.#insert(entry);
    this.#inFlight.add(inserting);
    void inserting.finally(() => this.#inFlight.delete(inserting)).catch(() => undefined);
    return inserting;
  }

  /** INSERTs the entry at its seq and applies it, or answers `conflict` if another writer took the place. */
  async #insert(entry: AuditEntry, tries = 1): Promise<AuditEntry | 'conflict'> {
    const line = entryLine(entry);
    const locked = this.#locked;
    try {
      if (locked) {
        await locked.query('INSERT INTO appwarden_audit (seq, line) VALUES ($1, $2)', [entry.seq, line]);
        this.#locked = undefined; // COMMIT ends the transaction and its lock
        await locked.query('COMMIT');
      } else {
        await this.#pool.query(
          'INSERT INTO appwarden_audit (seq, line) SELECT $1, $2 FROM (SELECT pg_advisory_xact_lock_shared($3)) AS writer',
          [entry.seq, line, WRITE_LOCK],
        );
      }
      this.reachable();
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      if (!isConnectionError(error))
        throw storageError('storage.write_failed', `PostgreSQL refused entry ${entry.seq}: ${describeDbError(error)}`);
      // The statement may or may not have been carried out: ask before saying either.
      this.reachable(error as Error);
      const stored = await this.#storedLine(entry.seq);
      if (stored === undefined)
        throw storageError(
          'storage.unavailable',
          `lost the connection to PostgreSQL while committing entry ${entry.seq} (${describeDbError(error)}), and could not learn whether it was saved; ` +
            'nothing is reported as done — it shows once the database is reachable, if it was saved',
        );
      if (stored === null && tries < 3) return this.#insert(entry, tries + 1);
      if (stored !== line) return 'conflict';
    }
    if (this.seq === entry.seq - 1) this.state.replay(entry);
    // Else a catch-up running beside applied it already, read back from the database.
    return entry;
  }

  /** The line stored at seq, null if none is, undefined if the database cannot be asked. */
  async #storedLine(seq: number): Promise<string | null | undefined> {
    try {
      const { rows } = await this.#pool.query<{ line: string }>('SELECT line FROM appwarden_audit WHERE seq = $1', [seq]);
      this.reachable();
      return rows[0]?.line ?? null;
    } catch (error) {
      if (isConnectionError(error)) this.reachable(error as Error);
      return undefined;
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      if (isConnectionError(error)) this.reachable(error as Error);
      throw storageError('storage.unavailable', `cannot reach PostgreSQL: ${describeDbError(error)}`);
    }
  }

  async #query(db: Queryable, text: string, params?: unknown[]): Promise<unknown[]> {
    try {
      const { rows } = await db.query(text, params);
      this.reachable();
      return rows;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.reachable(error as Error);
      throw storageError('storage.unavailable', `PostgreSQL is unreachable: ${describeDbError(error)}`, { cause: error });
    }
  }

  /** The lines of the log in seq order, a page at a time. */
  #lines(fromSeq = 1): AsyncIterable<{ seq: number; line: string }> {
    return auditRows((text, params) => this.#query(this.#pool, text, params), Math.max(0, Math.ceil(fromSeq) - 1));
  }

  async *readAudit(fromSeq = 1): AsyncIterable<AuditEntry> {
    for await (const { line } of this.#lines(fromSeq)) yield entryFromLine(line);
  }

  /** The whole chain as stored now, row by row in seq order: an edited, deleted or reordered row is named. */
  async verifyAudit(): Promise<AuditVerification> {
    return verifyAuditRows(this.#lines());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#beforeClose.map((stop) => stop()));
    await Promise.allSettled([...this.#inFlight]);
    await this.#catchingUp?.catch(() => undefined);
    await this.#pool.end();
  }
}

/** Verifies rows as the lowdb store verifies lines; the 1-based row position stands for the line. */
export async function verifyAuditRows(rows: AsyncIterable<{ seq: number; line: string }>): Promise<AuditVerification> {
  const verifier = new ChainVerifier();
  let position = 0;
  for await (const { seq, line } of rows) {
    position++;
    // The seq column is the order; the line carries its own seq: a row whose two differ was moved.
    const entry = verifier.push(line);
    if (entry && entry.seq !== seq) return { ok: false, entries: entry.seq - 1, seq: entry.seq, line: position, problem: 'reordered' };
    if (verifier.isDecided) break;
  }
  return verifier.result();
}
