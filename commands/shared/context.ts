import type { Wording } from '../wording/wording.ts';
import type { Person } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { Store } from '../../src/core/store.ts';
import type { Reply } from './reply.ts';

/** Everything a command may use. Adapters build it; commands never read the environment or the clock. */
export interface CommandContext {
  policy: Policy;
  store: Store;
  now: () => Date;
  /** Who is asking. */
  person: Person;
  m: Wording;
  /** Where the command came from: `slack`, `teams`, `cli`; recorded in the audit log. */
  surface: string;
  /** Who really typed it when the surface cannot vouch for the person (the terminal's OS user); audited. */
  operator?: string;
  /**
   * The platform's id for this delivery (a Slack trigger id, a Teams activity id). A retry with the
   * same key changes nothing the second time; the key is stored in the same commit as the change.
   */
  idempotencyKey?: string;
  /**
   * Wraps each interaction that enters through `handle`, by its name (see interactionName): the wiring
   * counts and times them for its metrics. It returns what `work` returns, untouched.
   */
  observe?: <T extends CommandResult>(name: string, work: () => Promise<T>) => Promise<T>;
}

/** The actor of what the clock does (ticks): audited as `system`, listed nowhere, holding no role. */
export const SYSTEM_ACTOR = 'system';

export function systemPerson(policy: Policy): Person {
  const org = policy.organization;
  return { id: SYSTEM_ACTOR, name: SYSTEM_ACTOR, unit: org.default_unit, roles: [], locale: org.locale, listed: false };
}

export const isSystem = (person: Person) => person.id === SYSTEM_ACTOR && !person.listed;

/** Where to reach someone on each platform: their platform ids, as known when an effect was queued. */
export interface Address {
  slack?: string;
  teams?: string;
  /** How to name them where they are mentioned (a decider of a request). */
  name?: string;
}

/** What a command wants done beyond answering the asker; the adapter delivers it on its platform. */
export type Effect =
  /**
   * A message to a configured channel; `subject` (e.g. a request id) lets the adapter remember where it went.
   * `deciders`: who may still act on the message's buttons (a request's approvers; none once it is decided).
   * A surface that shows a message per viewer shows the buttons to them alone; left out, the message is
   * shown as it is (items queued before the field existed).
   */
  | { kind: 'post'; channel: 'approvals' | 'announcements'; subject?: string; message: Reply; deciders?: Address[] }
  /**
   * Replace the message posted earlier about `subject` (buttons gone, outcome shown); `deciders` as for a
   * post. `onlyWhereSent`: a copy that may not exist on every platform (an approver's own copy of a
   * request): where it was never sent, nothing is posted in its place. `for`: the person whose copy it is.
   */
  | { kind: 'update'; subject: string; message: Reply; deciders?: Address[]; onlyWhereSent?: boolean; for?: string }
  /**
   * A direct message to a person, in their language. `address`: their platform ids as known when it
   * was queued, so someone who has since left the policy still hears about their own request.
   * `subject`: the message is a copy of a shared one (an approver's copy of a request card), remembered
   * under this subject so that an `update` of it reaches this copy too.
   */
  | { kind: 'notify'; person: string; message: Reply; address?: Address; subject?: string };

export interface CommandResult {
  ok: boolean;
  reply: Reply;
  effects: Effect[];
  /** Machine-readable outcome for `--json` and for adapters (e.g. the Decision, the request). */
  data?: unknown;
  /** For a report: the figures (from src/core) that every number of its reply is made of, for surfaces that draw them. */
  figures?: unknown;
  /** For a refusal: its stable code, and the input field it is about (`purpose`, `days`, …) when there is one. */
  code?: string;
  field?: string;
  /** For a form: every field's problem at once (`use1_personal` → message). */
  fields?: Record<string, string>;
}
