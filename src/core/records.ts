import type { Delegation } from './delegation.ts';
import type { DirectoryRecord, DirectorySourceState } from './directory.ts';
import type { InventoryDevice, InventoryFlag, InventorySourceState } from './inventory.ts';
import type { DeviceClass } from './policy.ts';

/** The exception workflow: requested → approved | denied | withdrawn; approved → expired | revoked. */
export const REQUEST_STATUSES = ['requested', 'approved', 'denied', 'withdrawn', 'expired', 'revoked'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface ExceptionRequest {
  /** Short and typable, for `approve EX-12`. */
  id: string;
  person: string;
  /** The requester's unit when the request was filed: approver scope is judged against it. */
  unit: string;
  /** The requester's platform ids when they filed it: the decision reaches them even if the policy drops them. */
  contact?: { slack?: string; teams?: string };
  app: string;
  /** The prohibiting rules this is an exception to. */
  rules: string[];
  device: DeviceClass;
  purpose: string;
  days: number;
  reason: string;
  status: RequestStatus;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  /** When a deputy decided: the approver they decided for (`decidedBy` is the deputy). */
  decidedFor?: string;
  /** A denial's or revocation's reason, shown to the requester. */
  decisionReason?: string;
  /** Set on approval: the instant the exception stops counting. */
  expiresAt?: string;
  /** When it was withdrawn, expired or revoked, and by whom (`system` for expiry). */
  endedAt?: string;
  endedBy?: string;
  /** Why the system ended it, when no person did: the requester left the organisation (the directory says so). */
  endedBecause?: 'left' | 'unanswered';
  /** Conditions copied from the rule at approval, e.g. "dedicated tablet only", and the approver's own. */
  conditions?: string;
  /** The approver's own condition, as they gave it (also part of `conditions`). */
  approverCondition?: string;
  /** The days asked for, when the approver granted fewer (`days` is then what was granted). */
  askedDays?: number;
  /** The approvers sent their own copy of the request (a direct message with its buttons): when filed, and on escalation. */
  notified?: string[];
  /** Who it was escalated to (after `escalate_after_hours`): they may decide it too. */
  escalatedTo?: string[];
  /** An extension: the exception it extends, and where that one ends (the extension's days count on from there). */
  extends?: string;
  from?: string;
  /** With approval stages: the stage it waits at (0 first), and every approval given so far. */
  stage?: number;
  approvals?: { stage: number; by: string; at: string; for?: string }[];
}

export const ATTESTATION_STATEMENTS = ['removed', 'never-installed', 'removed-work-apps'] as const;
export type AttestationStatement = (typeof ATTESTATION_STATEMENTS)[number];

export interface Attestation {
  id: string;
  person: string;
  rule: string;
  app: string;
  at: string;
  statement: AttestationStatement;
}

/**
 * How long a delivery key is remembered: platforms retry within minutes (Slack for 30 minutes at most,
 * Bot Framework sooner), so a week is ample. Keys older than this, counted from each audit entry's
 * instant, drop out of the state as the log goes on (see RecordIndex.applyEntry): the state's keys are
 * operational, while the entry that claimed one keeps the record of which delivery made the change.
 */
export const KEY_KEPT_MS = 7 * 86_400_000;

/** Remembers a platform delivery or click already handled, so retries and double clicks do nothing twice. */
export interface IdempotencyKey {
  id: string;
  at: string;
  /** What the first handling produced (e.g. the request id), to answer a retry the same way. */
  result: string;
}

/** Where a platform message about a record lives, so it can be updated later (e.g. Slack channel + ts). */
export interface PlatformMessage {
  id: string;
  platform: string;
  subject: string;
  ref: Record<string, string>;
}

/** How to reach a conversation later (a Teams conversation reference, as the SDK gives it). */
export interface ConversationRecord {
  /**
   * `teams:user:<person>` for a person's personal chat, `teams:conversation:<id>` for a channel or
   * chat, `teams:member:<person>` for how to open a personal chat with someone met in a channel,
   * `teams:tenant:<id>` for the tenant's service URL.
   */
  id: string;
  platform: string;
  person?: string;
  reference: Record<string, unknown>;
  /**
   * Where the reference came from: an activity whose Bot Framework token was checked, or the local
   * emulator. Only references of the running mode are ever sent to; older records without it are not.
   */
  trust?: 'bot-framework' | 'emulator';
  at: string;
}

/**
 * Something to deliver on the chat platforms, recorded in the same commit as the change it follows
 * from: a restart delivers what a crash left undelivered.
 */
export interface OutboxItem {
  /** The reminder key, or `<action>:<subject>:<n>` for a command's effect. */
  id: string;
  /**
   * `sending` is recorded before the first delivery: after a crash the platform is asked whether it
   * arrived. `failed`: every platform delivered it or refused it for good (see `failures`).
   */
  status: 'due' | 'sending' | 'sent' | 'failed';
  createdAt: string;
  /** When delivery began: a check for a message that may have landed looks from here on. */
  sendingAt?: string;
  /** The effect, opaque to the core (the command layer's `Effect`). */
  effect: Record<string, unknown>;
  /** Platforms that have delivered it; an effect may go to Slack and Teams. */
  deliveredTo: string[];
  /** Platforms that refused it for good, each recorded once, with the platform's reason. */
  failures?: { platform: string; reason: string; at: string }[];
  sentAt?: string;
}

/**
 * How the delivery of one outbox item is going, while it goes: operational state, not part of the
 * audited record (which holds the item when queued, and one entry when it is delivered or has failed).
 */
export interface DeliveryProgress {
  /** The outbox item's id. */
  id: string;
  /** When delivery began: after a crash the platforms are asked whether it arrived from here on. */
  sendingAt: string;
  /** Platforms that have delivered it. */
  deliveredTo: string[];
  /** Platforms that refused it for good, with their reason. */
  failures?: { platform: string; reason: string; at: string }[];
  /**
   * The process delivering it (the outbox's owner identity) and until when that process holds it (ISO):
   * it renews the lease while it works; once the lease has ended another process may take it over (see
   * `OperationalState.take`). Progress stored before leases has neither: read as a lease that has ended.
   */
  owner: string;
  leaseUntil: string;
}

/** What the runtime keeps outside the audited record, each until it expires (see OperationalState). */
export interface OperationalRecords {
  messages: PlatformMessage;
  conversations: ConversationRecord;
  deliveries: DeliveryProgress;
  secrets: SharedSecret;
  revoked_sessions: RevokedSession;
}
export type OperationalKind = keyof OperationalRecords;
export const OPERATIONAL_KINDS: readonly OperationalKind[] = ['messages', 'conversations', 'deliveries', 'secrets', 'revoked_sessions'];

/** A web session signed out before its time (its id): kept until the session would have expired. */
export interface RevokedSession {
  id: string;
}

/** A key the processes sharing a store agree on (the first to store it wins), e.g. what signs /admin's cookies. */
export interface SharedSecret {
  id: string;
  /** base64url. */
  key: string;
}

/** A usage survey: "report your LINE usage by 26 March". */
export interface Census {
  id: string;
  app: string;
  /** Answers can be given and corrected until the end of this day (organisation's zone). */
  due: string;
  units: string[];
  question?: string;
  startedBy: string;
  startedAt: string;
}

export interface CensusUse {
  purpose: string;
  personalData: boolean;
  /** Roughly how many staff or residents it reaches. */
  people: number;
  account?: string;
}

/**
 * One version of a unit's answer. Every answer (a correction, or another reporter's) is the next
 * revision; the one it supersedes is kept, so nothing given is lost.
 */
export interface CensusAnswer {
  /** `<census>/<unit>` for the current version; `<census>/<unit>#<revision>` for an earlier one. */
  id: string;
  census: string;
  unit: string;
  usesApp: boolean;
  uses: CensusUse[];
  answeredBy: string;
  answeredAt: string;
  /** 1 for the unit's first answer. */
  revision: number;
}

/** An official account's status as changed at run time (the policy file gives the starting status). */
export interface AccountState {
  id: string;
  status: 'active' | 'suspended' | 'private' | 'closed';
  reason: string;
  by: string;
  at: string;
}

/**
 * A named counter: the last number drawn for an id series (`requests` → EX-1, EX-2, …). It is drawn in
 * the unit of work that uses it and committed with its changes, so two writers never draw the same one.
 */
export interface SequenceRecord {
  id: SequenceName;
  value: number;
}
export const SEQUENCE_NAMES = ['requests', 'attestations', 'censuses'] as const;
export type SequenceName = (typeof SEQUENCE_NAMES)[number];

export interface Collections {
  requests: ExceptionRequest;
  attestations: Attestation;
  keys: IdempotencyKey;
  messages: PlatformMessage;
  conversations: ConversationRecord;
  outbox: OutboxItem;
  censuses: Census;
  census_answers: CensusAnswer;
  accounts: AccountState;
  sequences: SequenceRecord;
  /** Everyone the identity sources know, and where each source stands (src/core/directory.ts). */
  directory: DirectoryRecord;
  directory_sources: DirectorySourceState;
  /** Approvers away, and who decides for them until when (src/core/delegation.ts). */
  delegations: Delegation;
  /** Managed devices as the MDMs last reported them, and where each MDM stands (src/core/inventory.ts). */
  devices: InventoryDevice;
  inventory_sources: InventorySourceState;
  /** Attestations an inventory contradicted, each told to the person once. */
  inventory_flags: InventoryFlag;
}
export type CollectionName = keyof Collections;
export const COLLECTION_NAMES: CollectionName[] = [
  'requests',
  'attestations',
  'keys',
  'messages',
  'conversations',
  'outbox',
  'censuses',
  'census_answers',
  'accounts',
  'sequences',
  'directory',
  'directory_sources',
  'delegations',
  'devices',
  'inventory_sources',
  'inventory_flags',
];

/**
 * The fields a collection is indexed by: what a unit of work can ask for (`where`) without reading the
 * whole collection. A database backend keeps an index on each.
 */
export const INDEXED_FIELDS = {
  requests: ['person', 'status'],
  attestations: ['person', 'rule'],
  outbox: ['status'],
  census_answers: ['census'],
  delegations: ['to'],
} as const satisfies { [C in CollectionName]?: readonly (keyof Collections[C] & string)[] };
export type IndexedCollection = keyof typeof INDEXED_FIELDS;
export type IndexedField<C extends IndexedCollection> = (typeof INDEXED_FIELDS)[C][number];

/** One record put (or removed, with `value: null`). */
export type Change = {
  [C in CollectionName]: { collection: C; id: string; value: Collections[C] | null };
}[CollectionName];

export const put = <C extends CollectionName>(collection: C, value: Collections[C] & { id: string }): Change =>
  ({ collection, id: value.id, value }) as Change;
