import { COLLECTION_NAMES } from '../src/core/records.ts';
import { isPlainObject } from './canonical-json.ts';
import { REF_PATTERN } from './personal-seal.ts';

const ENTRY_KEYS = new Set(['at', 'actor', 'action', 'subject', 'detail', 'seq', 'changes', 'prev', 'hash', 'personal']);
const CHANGE_KEYS = new Set(['collection', 'id', 'value']);
const COLLECTIONS: ReadonlySet<string> = new Set(COLLECTION_NAMES);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * What is wrong with the shape of an audit entry, as `path: problem`, or undefined if nothing is.
 * One rule for both ends: a commit is refused if its entry would fail it, and a line read back that
 * fails it has been changed. Structure only: the domain's rules are the core's business.
 */
export function entryShapeProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not an object';
  for (const key of Object.keys(value)) if (!ENTRY_KEYS.has(key)) return `${key}: not an audit entry field`;
  for (const key of ['at', 'actor', 'action'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') return `${key}: must be a non-empty string`;
  }
  if ('subject' in value && typeof value.subject !== 'string') return 'subject: must be a string';
  if ('detail' in value && !isPlainObject(value.detail)) return 'detail: must be an object';
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 1) return 'seq: must be a positive integer';
  for (const key of ['prev', 'hash'] as const) {
    if (typeof value[key] !== 'string' || !SHA256_HEX.test(value[key])) return `${key}: must be a SHA-256 hex digest`;
  }
  if ('personal' in value) {
    if (!isPlainObject(value.personal)) return 'personal: must be an object';
    for (const [ref, member] of Object.entries(value.personal)) {
      if (!REF_PATTERN.test(ref) || typeof member !== 'string') return `personal.${ref}: must be a sealed value`;
    }
  }
  if (!Array.isArray(value.changes)) return 'changes: must be an array';
  for (const [index, change] of value.changes.entries()) {
    const problem = changeShapeProblem(change);
    if (problem) return `changes[${index}]${problem}`;
  }
  return undefined;
}

function changeShapeProblem(change: unknown): string | undefined {
  if (!isPlainObject(change)) return ': not an object';
  for (const key of Object.keys(change)) if (!CHANGE_KEYS.has(key)) return `.${key}: not a change field`;
  if (typeof change.collection !== 'string' || !COLLECTIONS.has(change.collection)) {
    return `.collection: must be one of ${COLLECTION_NAMES.join(', ')}`;
  }
  if (typeof change.id !== 'string' || change.id === '') return '.id: must be a non-empty string';
  if (change.value === null) return undefined;
  if (!isPlainObject(change.value)) return '.value: must be a record or null (to remove)';
  if (change.value.id !== change.id) return `.value.id: must equal the change's id "${change.id}"`;
  return undefined;
}
