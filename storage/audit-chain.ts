import { createHash } from 'node:crypto';
import type { Change } from '../src/core/records.ts';
import type { AuditEntry, AuditEvent, AuditProblem, AuditVerification } from '../src/core/store.ts';
import { canonicalJson, canonicalMemberList, frozenJsonCopy, withMembers } from './canonical-json.ts';
import { entryShapeProblem } from './entry-shape.ts';
import { sealEntry, type StoredEntry, unsealEntry } from './personal-seal.ts';

export { canonicalJson } from './canonical-json.ts';

/** The `prev` of the first entry. */
export const GENESIS = '0'.repeat(64);

export type UnsealedEntry = Omit<AuditEntry, 'hash'>;
/** What the chain alone can show is wrong with a line. */
export type ChainProblem = Exclude<AuditProblem, 'snapshot-mismatch'>;
export type AuditFailure = Extract<AuditVerification, { ok: false }>;

/** The audited actions that erase personal values of earlier entries; each says how many in `detail.values`. */
export const ERASING_ACTIONS: ReadonlySet<string> = new Set(['person.erased', 'retention.applied']);

/**
 * SHA-256 (hex) of the entry's canonical JSON without `hash` and without the personal values kept
 * beside it (see storage/personal-seal.ts); `prev` is included, which is what makes the chain.
 */
export function hashEntry(entry: UnsealedEntry | StoredEntry): string {
  const { hash: _ignored, personal: _apart, ...hashed } = entry as StoredEntry;
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}

/** The stored line of each entry this process chained or read: an entry is used in its plain form. */
const storedLines = new WeakMap<AuditEntry, string>();

/**
 * An entry as one line of the audit log (without its newline): the canonical JSON of its sealed form,
 * `hash` and `personal` included. An entry stored before sealing is its own canonical JSON.
 */
export const entryLine = (entry: AuditEntry): string => storedLines.get(entry) ?? canonicalJson(entry);

/**
 * The next entry of a chain: a frozen, plain-JSON copy of the event and changes (so it is exactly what
 * is hashed and written, and the caller's objects are not retained), its personal values sealed apart
 * and its hash taken over the sealed form. Only the known event fields are taken, so a caller cannot
 * smuggle in a `seq` or a `hash`.
 */
export function chainEntry(prev: string, seq: number, event: AuditEvent, changes: Change[]): AuditEntry {
  const { at, actor, action, subject, detail } = event;
  const unsealed = frozenJsonCopy<UnsealedEntry>({ at, actor, action, subject, detail, seq, changes, prev });
  const { personal, ...hashed } = sealEntry(unsealed) as StoredEntry;
  // Serialised once: the hashed form, and the stored line, which adds `hash` and `personal` to it.
  const members = canonicalMemberList(hashed);
  const hash = createHash('sha256')
    .update(`{${members.map(([, member]) => member).join(',')}}`, 'utf8')
    .digest('hex');
  const entry: AuditEntry = Object.freeze({ ...unsealed, hash });
  storedLines.set(entry, withMembers(members, personal === undefined ? { hash } : { hash, personal }));
  return entry;
}

/**
 * The plain entry of a stored line, for readers of a log the store verified when it read it: not
 * checked against the chain, nor its values against their digests (`checkEntryLine` and `audit verify` do).
 */
export function entryFromLine(text: string): AuditEntry {
  const stored = JSON.parse(text) as StoredEntry;
  const unsealed = unsealEntry(stored, false);
  if (!unsealed.ok) throw new Error(`audit entry ${String(stored?.seq)}: ${unsealed.problem}`);
  storedLines.set(unsealed.entry, text);
  return unsealed.entry;
}

/** Where the chain stands: the last entry's seq and hash (0 and GENESIS before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * `skipped`: the seq jumps ahead; whether entries were removed or moved is for what follows to tell.
 * `erased`: how many of the entry's personal values each later erasing entry replaced.
 */
export type LineCheck =
  | { ok: true; entry: AuditEntry; erased: Map<number, number> }
  | { ok: false; problem: ChainProblem | 'skipped'; detail?: string };

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
  const stored = value as StoredEntry;
  if (canonicalJson(stored) !== text || hashEntry(stored) !== stored.hash) return { ok: false, problem: 'changed' };
  if (stored.seq <= head.seq) return { ok: false, problem: 'reordered' };
  if (stored.seq > head.seq + 1) return { ok: false, problem: 'skipped' };
  if (stored.prev !== head.hash) return { ok: false, problem: 'removed' };
  const unsealed = unsealEntry(stored);
  if (!unsealed.ok) return { ok: false, problem: 'changed', detail: unsealed.problem };
  storedLines.set(unsealed.entry, text);
  return { ok: true, entry: unsealed.entry, erased: unsealed.erased };
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
  /** Personal values found erased, by the seq of the entry that erased them; and what each erasing entry declared. */
  readonly #erased = new Map<number, number>();
  readonly #declared = new Map<number, number>();

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
      for (const [by, count] of check.erased) this.#erased.set(by, (this.#erased.get(by) ?? 0) + count);
      if (ERASING_ACTIONS.has(check.entry.action)) this.#declared.set(check.entry.seq, Number(check.entry.detail?.values ?? 0));
      return check.entry;
    }
    const seq = this.#head.seq + 1;
    this.#failure = { ok: false, entries: this.#head.seq, seq, line, problem: 'removed' };
    if (check.problem === 'skipped') this.#missingSeq = seq;
    else this.#failure.problem = check.problem;
    if (!check.ok && check.detail !== undefined) this.#failure.detail = check.detail;
    return undefined;
  }

  /** True once more lines cannot change the result: the reader may stop. */
  get isDecided(): boolean {
    return this.#failure !== undefined && this.#missingSeq === undefined;
  }

  result(): AuditVerification {
    if (this.#failure) return { ...this.#failure };
    return this.#erasuresProblem() ?? { ok: true, entries: this.#head.seq };
  }

  /**
   * Every erased value must be one an audited erasure declared: a value removed by hand, or marked as
   * erased by an entry that erased nothing or fewer, is a change behind the log's back.
   */
  #erasuresProblem(): AuditFailure | undefined {
    for (const by of new Set([...this.#erased.keys(), ...this.#declared.keys()])) {
      const found = this.#erased.get(by) ?? 0;
      const declared = this.#declared.get(by);
      if (found === (declared ?? 0) && (declared !== undefined || found === 0)) continue;
      const detail =
        declared === undefined
          ? `${found} personal value(s) are marked as erased by entry ${by}, which erased nothing`
          : `entry ${by} erased ${declared} personal value(s), but ${found} are marked as erased by it`;
      const seq = Math.min(by, this.#head.seq);
      return { ok: false, entries: seq - 1, seq, line: seq, problem: 'changed', detail };
    }
    return undefined;
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
