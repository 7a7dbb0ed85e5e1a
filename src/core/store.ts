import type { PersonalErasure } from './personal-data.ts';
import type {
  Change,
  CollectionName,
  Collections,
  IdempotencyKey,
  IndexedCollection,
  IndexedField,
  OperationalKind,
  OperationalRecords,
  SequenceName,
} from './records.ts';

/** What happened, by whom: every state change is committed with one. */
export interface AuditEvent {
  /** ISO instant, from the injected clock. */
  at: string;
  /** Person id, or `system`. */
  actor: string;
  /** `request.filed`, `request.approved`, `attestation.recorded`, `policy.loaded`, … */
  action: string;
  subject?: string;
  detail?: Record<string, unknown>;
}

/** One line of the append-only audit log: the event, the changes it made, and the hash chain. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  changes: Change[];
  /** SHA-256 (hex) of the previous entry; 64 zeros for the first. */
  prev: string;
  /** SHA-256 (hex) of this entry's canonical JSON without `hash`. */
  hash: string;
}

/**
 * What a failed verification found first. The chain's own: `unreadable`, `changed`, `removed`, `reordered`.
 * `snapshot-mismatch`: the stored state the store opens from is not what replaying the
 * log up to it gives, so state was changed without an audit entry; `seq` is the snapshot's.
 */
export type AuditProblem = 'changed' | 'removed' | 'unreadable' | 'reordered' | 'snapshot-mismatch';

export type AuditVerification =
  | { ok: true; entries: number }
  | {
      ok: false;
      /** Entries verified sound before the problem. */
      entries: number;
      seq: number;
      /** 1-based line of the log; 0 when the problem is not on a line (a snapshot taken before any entry). */
      line: number;
      problem: AuditProblem;
      /** What exactly differs, for people (e.g. the first stored record that the log does not back). */
      detail?: string;
    };

/**
 * The check of the whole audit chain, from entry 1, that a store runs in the background once open
 * (opening verifies only the entries after the store's latest snapshot, to start fast). `entries`:
 * entries verified sound so far (all of them once `ok`). `failed` names the first bad entry as
 * `verifyAudit` does (`line`, `seq`, `problem`, `detail`); with only `detail`, the log could not be read.
 */
export interface ChainCheck {
  state: 'running' | 'ok' | 'failed';
  entries: number;
  line?: number;
  seq?: number;
  problem?: AuditProblem;
  detail?: string;
}

/**
 * A consistent read of the store as of one audit entry (`seq`). Reads are synchronous so the domain's
 * checks stay plain functions: a backend has what a unit of work reads at hand before running it (the
 * embedded ones hold the state in memory; a database backend keeps a replica it catches up).
 */
export interface StoreView {
  /** The audit entry this view reflects (0 before the first). */
  readonly seq: number;
  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined;
  /** Every record of a collection, in the order first stored. For listings and exports: prefer `where`. */
  list<C extends CollectionName>(collection: C): Collections[C][];
  /** The records whose indexed `field` equals `value`, in `list` order (see INDEXED_FIELDS): no full scan. */
  where<C extends IndexedCollection>(collection: C, field: IndexedField<C>, value: string): Collections[C][];
  /** Records of a collection whose `person` field is this person: `where(collection, 'person', person)`. */
  listByPerson<C extends 'requests' | 'attestations'>(collection: C, person: string): Collections[C][];
  count(collection: CollectionName): number;
  /** The delivery (a Slack trigger, a Teams activity) already handled under this key in the last KEY_KEPT_MS, if one was. */
  claimed(key: string): IdempotencyKey | undefined;
}

/** What a unit of work sees: a view, and the next numbers of id sequences, committed with its changes. */
export interface Transaction extends StoreView {
  /** The next number of `sequence` (1 for the first). Drawn numbers are kept only if the work commits. */
  next(sequence: SequenceName): number;
}

/** What a unit of work decided: its result, and the change to make, if any. */
export interface Outcome<T> {
  result: T;
  commit?: {
    event: AuditEvent;
    changes: Change[];
    /** The delivery key this change answers: stored with it, so a retry finds both or neither. */
    claim?: { key: string; result: string };
  };
}

/**
 * Reads a consistent view and decides what to change. It may run more than once (when another writer
 * committed meanwhile, it runs again on the newer state), so it must do nothing but read and decide.
 */
export type Work<T> = (tx: Transaction) => Outcome<T> | Promise<Outcome<T>>;

export interface Transacted<T> {
  result: T;
  /** The entry committed, when the work made a change. */
  entry?: AuditEntry;
  /** Runs of the work it took (1 without a conflict). */
  attempts: number;
}

/**
 * Operational state: what the runtime needs to reach a post or a conversation again and to resume a
 * delivery, kept apart from the hash-chained record (issue 14, item 4). Not audited and not part of
 * `verifyAudit`; each record lives until `expiresAt` (dropped when the store next compacts or opens),
 * and a record put again gets the new expiry. Reads are asynchronous (a database answers them) and see
 * what every process sharing the store has written; writes are durable when they resolve.
 */
export interface OperationalState {
  get<K extends OperationalKind>(kind: K, id: string): Promise<OperationalRecords[K] | undefined>;
  put<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date): Promise<void>;
  /**
   * Puts `record` only if nothing unexpired (by `now`) is stored under its id, or the stored record's
   * lease has ended: its `leaseUntil` (an ISO instant; a record without one holds until it expires)
   * is at or before `now`. Atomic, and resolves whether it stored. For taking a delivery once among
   * processes: a database does it in one statement,
   *   INSERT … ON CONFLICT (kind, id) DO UPDATE SET … WHERE stored.expires_at <= $now
   *     OR (stored.record->>'leaseUntil')::timestamptz <= $now
   * and tells by the row count whether it stored.
   */
  take<K extends OperationalKind>(kind: K, record: OperationalRecords[K], expiresAt: Date, now: Date): Promise<boolean>;
  delete(kind: OperationalKind, id: string): Promise<void>;
  /** Every unexpired record of a kind (for operators and tests; the runtime reads by id). */
  list<K extends OperationalKind>(kind: K): Promise<OperationalRecords[K][]>;
}

/**
 * The storage port. Every change is a unit of work (`transact`): the work reads a view at sequence n and
 * returns its changes; the store commits them as entry n + 1 only if no other entry took that place
 * meanwhile, else it catches up and runs the work again. So a check and its commit stay atomic across
 * processes sharing a database, whatever `await` the work holds. `transact` resolves once the change
 * and its audit entry are durable. The view methods (the store is itself a view) read the latest state
 * this process knows: for answers, not for decisions that change something.
 */
export interface Store extends StoreView {
  transact<T>(work: Work<T>): Promise<Transacted<T>>;
  /** Operational state, outside the audited record (see OperationalState). */
  readonly operations: OperationalState;
  /** A unit of work that reads nothing: commits `changes` with `event` as the next entry. */
  commit(event: AuditEvent, changes: Change[]): Promise<AuditEntry>;
  /** Audit entries, oldest first, optionally from a sequence number on. */
  readAudit(fromSeq?: number): AsyncIterable<AuditEntry>;
  /**
   * Checks the whole audit chain and that any stored state the store would open from equals the log's
   * replay. Known limit: entries cut from the END of the log, after the latest snapshot, leave a sound
   * shorter chain and cannot be told from a log that never had them without an anchor kept elsewhere.
   */
  verifyAudit(): Promise<AuditVerification>;
  /**
   * Set once the store can no longer write (a failed write or sync): every later commit rejects with
   * this error, and state in memory may be ahead of what is stored. A server reports unhealthy and stops.
   * Undefined while the store is sound (and always, for a store that does not write).
   */
  readonly failure?: Error;
  /**
   * Set while a store on a shared database cannot reach it (commits reject meanwhile, never reported done
   * unsaved); cleared once it answers again. A server reports unhealthy but keeps running.
   */
  readonly unavailable?: Error;
  /**
   * The background check of the whole chain (see ChainCheck), for health reports; a `failed` one means
   * the log is damaged before the state the store runs on. Undefined for a store that runs none.
   */
  readonly chainCheck?: ChainCheck;
  /**
   * Replaces personal values of the entries so far as `erasure` says — kept beside the hashed entries,
   * so the chain still proves every entry — and commits `event` after them, its `detail.values` set to
   * how many it replaced; the state becomes the replay of what is left, and operational records the
   * erasure names are deleted. Runs after the units of work before it, and holds later ones until done.
   */
  erase(erasure: PersonalErasure, event: AuditEvent): Promise<Erased>;
  close(): Promise<void>;
}

/** What an erasure did. `unsealed`: entries stored before personal values were kept apart, which it cannot change. */
export interface Erased {
  /** The erasing entry; none when the erasure asked for none if nothing was erased (`onlyIfAny`). */
  entry?: AuditEntry;
  values: number;
  operational: number;
  unsealed: number;
}
