import type { Change, CollectionName, Collections } from './records.ts';

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
 * `snapshot-mismatch`: the stored state the store opens from (e.g. state.json) is not what replaying the
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
      /** What exactly differs, for people (e.g. the first record of state.json that the log does not back). */
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
 * The storage port. Reads are synchronous views of committed-or-committing state. `commit` applies
 * the changes at once (so a check-then-commit without an `await` in between is atomic in one
 * process) and resolves only when the changes and their audit entry are durable on disk.
 */
export interface Store {
  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined;
  list<C extends CollectionName>(collection: C): Collections[C][];
  /** Records of a collection whose `person` field is this person (indexed). */
  listByPerson<C extends 'requests' | 'attestations'>(collection: C, person: string): Collections[C][];
  count(collection: CollectionName): number;
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
   * this error, and state in memory may be ahead of the disk. A server reports unhealthy and stops.
   * Undefined while the store is sound (and always, for a store that does not write).
   */
  readonly failure?: Error;
  /**
   * The background check of the whole chain (see ChainCheck), for health reports; a `failed` one means
   * the log is damaged before the state the store runs on. Undefined for a store that runs none.
   */
  readonly chainCheck?: ChainCheck;
  close(): Promise<void>;
}
