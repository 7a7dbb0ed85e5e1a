import { createHash } from 'node:crypto';
import type { Change } from '../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditProblem, AuditVerification } from '../src/core/store.ts';
import { canonicalJson, frozenJsonCopy } from './canonical-json.ts';
import { entryShapeProblem } from './entry-shape.ts';

export { canonicalJson } from './canonical-json.ts';

/** The `prev` of the first entry. */
export const GENESIS = '0'.repeat(64);

export type UnsealedEntry = Omit<AuditEntry, 'hash'>;
/** What the chain alone can show is wrong with a line. */
export type ChainProblem = Exclude<AuditProblem, 'snapshot-mismatch'>;
export type AuditFailure = Extract<AuditVerification, { ok: false }>;

/**
 * SHA-256 (hex) of the entry's canonical JSON without `hash` (left out if present); `prev` is
 * included, which is what makes the chain.
 */
export function hashEntry(entry: UnsealedEntry | AuditEntry): string {
  const { hash: _ignored, ...unsealed } = entry as AuditEntry;
  return createHash('sha256').update(canonicalJson(unsealed), 'utf8').digest('hex');
}

/** An entry as one line of the audit log (without its newline): canonical JSON, `hash` included. */
export const entryLine = (entry: AuditEntry): string => canonicalJson(entry);

/**
 * The next entry of a chain: a frozen, plain-JSON copy of the event and changes (so it is exactly what
 * is hashed and written, and the caller's objects are not retained), sealed with its hash. Only the
 * known event fields are taken, so a caller cannot smuggle in a `seq` or a `hash`.
 */
export function chainEntry(prev: string, seq: number, event: AuditEvent, changes: Change[]): AuditEntry {
  const { at, actor, action, subject, detail } = event;
  const unsealed = frozenJsonCopy<UnsealedEntry>({ at, actor, action, subject, detail, seq, changes, prev });
  return Object.freeze({ ...unsealed, hash: hashEntry(unsealed) });
}

/** Where the chain stands: the last entry's seq and hash (0 and GENESIS before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** `skipped`: the seq jumps ahead; whether entries were removed or moved is for what follows to tell. */
export type LineCheck = { ok: true; entry: AuditEntry } | { ok: false; problem: ChainProblem | 'skipped' };

/**
 * Checks one line against the head of the chain before it. A line must be byte for byte the canonical
 * form of its entry (so no edit, not even of whitespace, goes unseen), carry its own correct hash
 * (which is what guards the last entry), and link to the head by `seq` and `prev`.
 */
export function checkEntryLine(text: string, head: ChainHead): LineCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  if (entryShapeProblem(value) !== undefined) return { ok: false, problem: 'changed' };
  const entry = value as AuditEntry;
  if (entryLine(entry) !== text || hashEntry(entry) !== entry.hash) return { ok: false, problem: 'changed' };
  if (entry.seq <= head.seq) return { ok: false, problem: 'reordered' };
  if (entry.seq > head.seq + 1) return { ok: false, problem: 'skipped' };
  if (entry.prev !== head.hash) return { ok: false, problem: 'removed' };
  return { ok: true, entry };
}

/**
 * Verifies a log line by line, in one pass and constant memory, and names the FIRST bad entry by the
 * seq it should have had and its 1-based line. `push(null)` is a line that is not text at all (cut
 * short by a crash, or not UTF-8).
 */
export class ChainVerifier {
  #head: ChainHead = { seq: 0, hash: GENESIS };
  #line = 0;
  #failure: AuditFailure | undefined;
  /** After a forward jump in seq, the seq that went missing, until a later line shows it was moved. */
  #missingSeq: number | undefined;

  /** Returns the line's entry if it is sound and no earlier line failed (for a caller that replays). */
  push(text: string | null): AuditEntry | undefined {
    const line = ++this.#line;
    if (this.#failure) {
      if (this.#missingSeq !== undefined && text !== null && seqOf(text) <= this.#missingSeq) {
        this.#failure.problem = 'reordered';
        this.#missingSeq = undefined;
      }
      return undefined;
    }
    const check: LineCheck = text === null ? { ok: false, problem: 'unreadable' } : checkEntryLine(text, this.#head);
    if (check.ok) {
      this.#head = { seq: check.entry.seq, hash: check.entry.hash };
      return check.entry;
    }
    const seq = this.#head.seq + 1;
    this.#failure = { ok: false, entries: this.#head.seq, seq, line, problem: 'removed' };
    if (check.problem === 'skipped') this.#missingSeq = seq;
    else this.#failure.problem = check.problem;
    return undefined;
  }

  /** True once more lines cannot change the result: the reader may stop. */
  get isDecided(): boolean {
    return this.#failure !== undefined && this.#missingSeq === undefined;
  }

  result(): AuditVerification {
    return this.#failure ? { ...this.#failure } : { ok: true, entries: this.#head.seq };
  }
}

/** The seq a line claims, without trusting it: Infinity when it has none. */
function seqOf(text: string): number {
  try {
    const seq: unknown = (JSON.parse(text) as { seq?: unknown } | null)?.seq;
    return typeof seq === 'number' ? seq : Infinity;
  } catch {
    return Infinity;
  }
}

/** Verifies the lines of an audit log (each without its newline). */
export function verifyChain(lines: readonly string[]): AuditVerification {
  const verifier = new ChainVerifier();
  for (const line of lines) verifier.push(line);
  return verifier.result();
}
