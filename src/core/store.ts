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

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; seq: number; line: number; problem: 'changed' | 'removed' | 'unreadable' | 'reordered' };

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
  verifyAudit(): Promise<AuditVerification>;
  close(): Promise<void>;
}
