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
}

/** What a command wants done beyond answering the asker; the adapter delivers it on its platform. */
export type Effect =
  /** A message to a configured channel; `subject` (e.g. a request id) lets the adapter remember where it went. */
  | { kind: 'post'; channel: 'approvals' | 'announcements'; subject?: string; message: Reply }
  /** Replace the message posted earlier about `subject` (buttons gone, outcome shown). */
  | { kind: 'update'; subject: string; message: Reply }
  /**
   * A direct message to a person, in their language. `address`: their platform ids as known when it
   * was queued, so someone who has since left the policy still hears about their own request.
   */
  | { kind: 'notify'; person: string; message: Reply; address?: { slack?: string; teams?: string } };

export interface CommandResult {
  ok: boolean;
  reply: Reply;
  effects: Effect[];
  /** Machine-readable outcome for `--json` and for adapters (e.g. the Decision, the request). */
  data?: unknown;
  /** For a refusal: its stable code, and the input field it is about (`purpose`, `days`, …) when there is one. */
  code?: string;
  field?: string;
  /** For a form: every field's problem at once (`use1_personal` → message). */
  fields?: Record<string, string>;
}
