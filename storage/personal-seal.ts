import { createHmac, randomBytes } from 'node:crypto';
import { isClearId, isClearKey, type ValueErasure } from '../src/core/personal-data.ts';
import type { AuditEntry } from '../src/core/store.ts';

/**
 * Personal values kept beside the hashed entry. Each string of an entry that may be personal (see
 * src/core/personal-data.ts) is replaced in the hashed entry by `pd:<ref>`, where ref is the first
 * 128 bits of HMAC-SHA256(nonce, value) with a random nonce of its own; the entry's `personal` member,
 * which the hash leaves out, holds `v:<nonce>:<value>`. So the chain commits to every value, a changed
 * value is seen (its digest no longer matches), and an erasure replaces the member with
 * `e:<seq>:<replacement>` (seq: the audited entry that erased it) without touching what is hashed. Once
 * the nonce is gone the digest cannot be tested against guesses: nothing of the value is left.
 */
export type PersonalMembers = Record<string, string>;

/** An entry as stored: sealed values, and the members that hold them. */
export type StoredEntry = AuditEntry & { personal?: PersonalMembers };

const PLACEHOLDER = /^pd:([0-9a-f]{32})$/;
const KEPT = /^v:([0-9a-f]{32}):/s;
const ERASED = /^e:([1-9][0-9]*):/s;
export const REF_PATTERN = /^[0-9a-f]{32}$/;

/** Random bytes drawn 4 KiB at a time: one system call per 256 nonces, not one each (most of a commit's sealing time). */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let drawn = POOL_BYTES;

function nonce(): string {
  if (drawn + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    drawn = 0;
  }
  drawn += 16;
  return pool.toString('hex', drawn - 16, drawn);
}

const digestOf = (nonce: string, value: string): string =>
  createHmac('sha256', Buffer.from(nonce, 'hex')).update(value, 'utf8').digest('hex').slice(0, 32);

/** Where a value sits, as the walk finds it: its nearest key, and the record (change value) around it. */
export interface SealablePlace {
  key: string | undefined;
  record?: Record<string, unknown>;
  /** In the event's `detail` (or its actor or subject). */
  event: boolean;
}

type Visit = (value: string, place: SealablePlace) => string;

/**
 * A copy of the entry with every sealable string passed through `visit`, in one fixed order (the order
 * of the entry's own keys): the event's actor and subject, its detail, then each change's id and value.
 */
function mapSealable<E extends Omit<AuditEntry, 'hash'>>(entry: E, visit: Visit): E {
  const out: Record<string, unknown> = { ...entry };
  for (const field of ['actor', 'subject'] as const) {
    if (typeof entry[field] === 'string') out[field] = visit(entry[field], { key: undefined, event: true });
  }
  if (entry.detail !== undefined) out.detail = mapValue(entry.detail, undefined, visit, { key: undefined, event: true });
  out.changes = entry.changes.map((change) => {
    const record = change.value as Record<string, unknown> | null;
    const clearId = isClearId(change.collection);
    const value =
      record === null
        ? null
        : Object.fromEntries(
            Object.entries(record).map(([k, v]) => [
              k,
              k === 'id' && clearId ? v : mapValue(v, k, visit, { key: k, record, event: false }),
            ]),
          );
    return {
      collection: change.collection,
      id: clearId ? change.id : visit(change.id, { key: 'id', record: record ?? undefined, event: false }),
      value,
    };
  });
  return out as E;
}

function mapValue(value: unknown, key: string | undefined, visit: Visit, place: SealablePlace): unknown {
  if (typeof value === 'string') return isClearKey(key) ? value : visit(value, { ...place, key });
  if (Array.isArray(value)) return value.map((item) => mapValue(item, key, visit, place));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapValue(v, k, visit, place)]));
  }
  return value;
}

/** The sealed form of an entry (before its hash): placeholders, and the members holding the values. */
export function sealEntry<E extends Omit<AuditEntry, 'hash'>>(entry: E): E & { personal: PersonalMembers } {
  const personal: PersonalMembers = {};
  const refOf = new Map<string, string>();
  const sealed = mapSealable(entry, (value) => {
    let ref = refOf.get(value);
    if (ref === undefined) {
      const key = nonce();
      ref = digestOf(key, value);
      personal[ref] = `v:${key}:${value}`;
      refOf.set(value, ref);
    }
    return `pd:${ref}`;
  });
  return { ...sealed, personal };
}

/** What unsealing a stored entry gives: the entry as committed (erased values replaced), and erasures seen. */
export type Unsealed = { ok: true; entry: AuditEntry; erased: Map<number, number> } | { ok: false; problem: string };

/**
 * The entry as the store and its readers use it: each placeholder replaced by its value (checked against
 * its digest) or by what an erasure left. `erased`: how many of the entry's values each erasure replaced.
 * An entry stored before sealing (no `personal`) is its own plain form.
 */
export function unsealEntry(stored: StoredEntry, checkDigests = true): Unsealed {
  const { personal, ...entry } = stored;
  const erased = new Map<number, number>();
  if (personal === undefined) return { ok: true, entry, erased };
  const used = new Set<string>();
  let problem: string | undefined;
  const plain = mapSealable(entry, (value) => {
    const ref = PLACEHOLDER.exec(value)?.[1];
    const member = ref === undefined ? undefined : personal[ref];
    if (ref === undefined || member === undefined) {
      problem ??= ref === undefined ? 'a sealed value was replaced in the entry' : `the personal value ${ref} is missing`;
      return value;
    }
    const kept = KEPT.exec(member);
    if (kept) {
      const text = member.slice(kept[0].length);
      if (checkDigests && digestOf(kept[1]!, text) !== ref) problem ??= `the personal value ${ref} does not match its digest`;
      if (!used.has(ref)) used.add(ref);
      return text;
    }
    const erasing = ERASED.exec(member);
    if (!erasing || Number(erasing[1]) <= stored.seq) {
      problem ??= `the personal value ${ref} is neither kept nor erased by a later entry`;
      return value;
    }
    if (!used.has(ref)) {
      used.add(ref);
      erased.set(Number(erasing[1]), (erased.get(Number(erasing[1])) ?? 0) + 1);
    }
    return member.slice(erasing[0].length);
  });
  if (problem === undefined && Object.keys(personal).some((ref) => !used.has(ref)))
    problem = 'a personal value stands for nothing in the entry';
  return problem === undefined ? { ok: true, entry: plain as AuditEntry, erased } : { ok: false, problem };
}

/**
 * A stored entry with the values `erasure` replaces marked as erased by entry `by`. Answers the new
 * members and how many values changed (0: the entry keeps everything). Values already erased stay so.
 * `isTheirs` tells whether a record, or the entry's event, is the erased person's.
 */
export function eraseValues(
  stored: StoredEntry,
  plain: AuditEntry,
  by: number,
  erasure: ValueErasure,
  isTheirs: (record: Record<string, unknown> | undefined, entry: AuditEntry) => boolean,
): { personal: PersonalMembers; erased: number } {
  const personal: PersonalMembers = { ...(stored.personal ?? {}) };
  const refs: string[] = [];
  mapSealable(stored, (value) => {
    refs.push(PLACEHOLDER.exec(value)?.[1] ?? '');
    return value;
  });
  let index = 0;
  let erased = 0;
  mapSealable(plain, (value, place) => {
    const ref = refs[index++]!;
    const member = personal[ref];
    if (member === undefined || !KEPT.test(member)) return value;
    const owner = isTheirs(place.event ? undefined : place.record, plain) ? 'theirs' : 'other';
    const replacement = erasure(value, { key: place.key, owner });
    if (replacement !== undefined) {
      personal[ref] = `e:${by}:${replacement}`;
      erased++;
    }
    return value;
  });
  return { personal, erased };
}
