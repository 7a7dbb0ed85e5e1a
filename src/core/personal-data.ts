import type { CollectionName } from './records.ts';

/**
 * Which values of the record are personal data, and whose. The store keeps every string of an audit
 * entry apart from the hashed entry (sealed: the entry holds a keyed digest) unless this map says it can
 * never be personal; an erasure then replaces the values that are a person's (see `erasureOf`), and the
 * chain still proves every entry. Pure data and functions: the storage layer does the sealing.
 */

/**
 * Keys whose values are never personal: states, kinds, policy names (apps, rules, units) and instants.
 * Anything else a person could have typed or be named by, so it is sealed (`purpose` too: a census use's
 * purpose is typed text, though a request's is a policy id).
 */
const CLEAR_KEYS: ReadonlySet<string> = new Set([
  'action',
  'app',
  'apps',
  'at',
  'census',
  'collection',
  'device',
  'due',
  'kind',
  'os',
  'owner',
  'platform',
  'rule',
  'rules',
  'since',
  'source',
  'stage',
  'statement',
  'status',
  'unit',
  'units',
  'until',
]);

/** Collections whose record ids are made by AppWarden or the policy (EX-12, a census, a unit), never from a person. */
const CLEAR_ID_COLLECTIONS: ReadonlySet<CollectionName> = new Set([
  'requests',
  'attestations',
  'censuses',
  'census_answers',
  'accounts',
  'sequences',
  'directory_sources',
  'inventory_sources',
]);

/** Whether a string under `key` (the nearest object key above it) is never personal. */
export const isClearKey = (key: string | undefined): boolean => key !== undefined && (CLEAR_KEYS.has(key) || key.endsWith('At'));

/** Whether a change's record id in `collection` is never personal. */
export const isClearId = (collection: string): boolean => CLEAR_ID_COLLECTIONS.has(collection as CollectionName);

/** Text a person wrote or that describes them in their own words: erased whole when it is theirs, and dropped by `retention.free_text_days`. */
export const FREE_TEXT_KEYS: ReadonlySet<string> = new Set(['reason', 'decisionReason', 'approverCondition', 'name', 'deviceName']);

/** The fields of a record that name the person it is about (a request's requester, a census answer's reporter). */
const OWNER_KEYS = ['person', 'answeredBy', 'users', 'email'] as const;

/** Who an erasure is for: every string they are known by, and the pseudonym that takes their place. */
export interface ErasedPerson {
  /** Their person id, emails, names, platform and source ids: replaced by `pseudonym` wherever they appear. */
  identifiers: string[];
  pseudonym: string;
}

/** What an erasure does to one stored value: its replacement, or undefined to keep it. */
export type ValueErasure = (value: string, where: ValuePlace) => string | undefined;

/** Where a sealed value sits in its entry. */
export interface ValuePlace {
  /** The nearest object key above it (`reason`, `person`…); undefined for the event's own fields. */
  key: string | undefined;
  /** The record it belongs to, when it is in a change (or the entry's detail, with the entry's actor). */
  owner: 'theirs' | 'other';
}

/** The text that takes the place of erased free text. */
export const ERASED_TEXT = '[erased]';

/** Identifiers shorter than this are not searched for inside longer text (a two-letter name would match everywhere). */
const MIN_IDENTIFIER = 3;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The erasure of one person's personal data, value by value: a value that names them becomes their
 * pseudonym (so their records still join, as someone erased); their own free text becomes `[erased]`, and
 * so does any text that quotes it; text that mentions them keeps its other words with their names replaced.
 */
export function erasureOf(person: ErasedPerson, theirTexts: ReadonlySet<string>): ValueErasure {
  const identifiers = [...new Set(person.identifiers.filter((i) => i.trim().length >= MIN_IDENTIFIER))].sort((a, b) => b.length - a.length);
  const exact = new Set(identifiers.map((i) => i.toLowerCase()));
  const mention = identifiers.length ? new RegExp(identifiers.map(escapeRegExp).join('|'), 'giu') : undefined;
  const quotes = [...theirTexts].filter((t) => t.length >= 8);
  return (value, where) => {
    if (exact.has(value.toLowerCase())) return person.pseudonym;
    if (where.owner === 'theirs' && where.key !== undefined && FREE_TEXT_KEYS.has(where.key)) return ERASED_TEXT;
    if (theirTexts.has(value) || quotes.some((q) => value.includes(q))) return ERASED_TEXT;
    if (mention && value.search(mention) >= 0) return value.replace(mention, person.pseudonym);
    return undefined;
  };
}

/** Whether a record (a change's value) is about the person: its owner fields name one of their identifiers. */
export function isTheirRecord(record: Record<string, unknown>, identifiers: ReadonlySet<string>): boolean {
  if (typeof record.id === 'string' && identifiers.has(record.id.toLowerCase())) return true;
  return OWNER_KEYS.some((key) => {
    const value = record[key];
    if (typeof value === 'string') return identifiers.has(value.toLowerCase());
    return Array.isArray(value) && value.some((v) => typeof v === 'string' && identifiers.has(v.toLowerCase()));
  });
}

/** The free text of one of their records, or of an event they caused: what `erasureOf` also looks for when quoted. */
export function freeTextsOf(value: unknown, into: Set<string>, key?: string): void {
  if (typeof value === 'string') {
    if (key !== undefined && FREE_TEXT_KEYS.has(key) && value.trim() !== '') into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) freeTextsOf(item, into, key);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) freeTextsOf(v, into, k);
  }
}

/** The retention of free text: every free-text value becomes `[erased]`, whoever wrote it. */
export const freeTextErasure: ValueErasure = (_value, where) =>
  where.key !== undefined && FREE_TEXT_KEYS.has(where.key) ? ERASED_TEXT : undefined;

/**
 * How a store erases personal values: it reads every entry once (`collect`), then offers each kept
 * value of each entry to `erase`, and commits `event` after them with `detail.values` set to how many
 * it replaced. Operational records for which `dropsOperational` holds are deleted with them.
 */
export interface PersonalErasure {
  collect(entry: { actor: string; subject?: string; detail?: Record<string, unknown>; changes: readonly { value: unknown }[] }): void;
  erase(): {
    value: ValueErasure;
    isTheirs(record: Record<string, unknown> | undefined, entry: { actor: string; subject?: string }): boolean;
  };
  dropsOperational(record: unknown): boolean;
  /** Only entries for which this holds are offered (all of them without it). */
  appliesTo?(entry: { at: string }): boolean;
  /** Change nothing and commit no entry when no value is to be erased (a daily retention run). */
  onlyIfAny?: boolean;
}

/** The erasure of one person: their identifiers, their free text, and every operational record that names them. */
export function personErasure(person: ErasedPerson): PersonalErasure {
  const ids = new Set(person.identifiers.map((i) => i.toLowerCase()));
  const texts = new Set<string>();
  const isTheirEvent = (entry: { actor: string; subject?: string }) =>
    ids.has(entry.actor.toLowerCase()) || (entry.subject !== undefined && ids.has(entry.subject.toLowerCase()));
  const names = (value: unknown): boolean => {
    if (typeof value === 'string') return [...ids].some((id) => id.length >= MIN_IDENTIFIER && value.toLowerCase().includes(id));
    if (Array.isArray(value)) return value.some(names);
    return !!value && typeof value === 'object' && Object.values(value).some(names);
  };
  return {
    collect(entry) {
      for (const change of entry.changes) {
        if (change.value && typeof change.value === 'object' && isTheirRecord(change.value as Record<string, unknown>, ids))
          freeTextsOf(change.value, texts);
      }
      if (isTheirEvent(entry)) freeTextsOf(entry.detail, texts);
    },
    erase: () => ({
      value: erasureOf(person, texts),
      isTheirs: (record, entry) => (record ? isTheirRecord(record, ids) : isTheirEvent(entry)),
    }),
    dropsOperational: names,
  };
}

/** The retention of free text older than `before` (an ISO instant): entries from before it lose their free text. */
export function freeTextRetention(before: string): PersonalErasure & { appliesTo(entry: { at: string }): boolean } {
  return {
    collect() {},
    erase: () => ({ value: freeTextErasure, isTheirs: () => true }),
    dropsOperational: () => false,
    appliesTo: (entry) => entry.at < before,
    onlyIfAny: true,
  };
}

/** Every string a person is known by: their id, and what the directory and their requests hold (someone listed in the policy is not erased). */
export function identifiersOf(
  id: string,
  record:
    | {
        id: string;
        email?: string;
        sources: Record<string, { key: string; email?: string; name?: string; slack?: string; teams?: string } | undefined>;
      }
    | undefined,
  requests: readonly { contact?: { slack?: string; teams?: string } }[],
): string[] {
  const all = [id, record?.id, record?.email];
  for (const source of Object.values(record?.sources ?? {}))
    all.push(source?.key, source?.email, source?.name, source?.slack, source?.teams);
  for (const request of requests) all.push(request.contact?.slack, request.contact?.teams);
  return [...new Set(all.filter((value): value is string => typeof value === 'string' && value.trim() !== ''))];
}
