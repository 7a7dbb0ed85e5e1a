import { OPERATIONAL_KINDS, type OperationalKind, type OperationalRecords } from '../../src/core/records.ts';
import { isPlainObject } from '../canonical-json.ts';
import { storageError } from '../storage-errors.ts';

/**
 * One line of operations.jsonl: a put (`record`, kept until `expiresAt`, an ISO instant) or a delete
 * (`record: null`, no `expiresAt`). The last line for a kind and id wins.
 *
 *   {"kind":"messages","id":"slack:EX-1","record":{…},"expiresAt":"2026-02-01T09:00:00.000Z"}
 *   {"kind":"messages","id":"slack:EX-1","record":null}
 */
export interface OperationLine {
  kind: OperationalKind;
  id: string;
  record: OperationalRecords[OperationalKind] | null;
  /** Epoch milliseconds; 0 for a delete. */
  expiresAt: number;
}

/** The line for a put or a delete; `storage.bad_commit` for what cannot be stored (a caller's bug). */
export function operationLine(kind: OperationalKind, id: string, record: object | null, expiresAt?: Date): string {
  const refuse = (why: string) => storageError('storage.bad_commit', `operational ${kind} record not stored: ${why}`, { kind, id });
  if (!OPERATIONAL_KINDS.includes(kind)) throw refuse(`${String(kind)} is not an operational kind`);
  if (typeof id !== 'string' || id === '') throw refuse('its id must be a non-empty string');
  if (record === null) return JSON.stringify({ kind, id, record: null });
  const at = expiresAt?.getTime();
  if (at === undefined || !Number.isFinite(at)) throw refuse('its expiry is not a valid date');
  let text: string;
  try {
    text = JSON.stringify({ kind, id, record, expiresAt: new Date(at).toISOString() });
  } catch (error) {
    throw refuse(`not JSON data (${error instanceof Error ? error.message : String(error)})`);
  }
  return text;
}

/** A line read back, or why it is not one (damage: the caller skips it). */
export function parseOperationLine(text: string): { line: OperationLine } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  if (!isPlainObject(value)) return { problem: 'not a JSON object' };
  const { kind, id, record, expiresAt } = value;
  if (!OPERATIONAL_KINDS.includes(kind as OperationalKind)) return { problem: `unknown kind ${JSON.stringify(kind)}` };
  if (typeof id !== 'string' || id === '') return { problem: 'no id' };
  if (record === null) return { line: { kind: kind as OperationalKind, id, record: null, expiresAt: 0 } };
  if (!isPlainObject(record) || record.id !== id) return { problem: `the record is not one with id ${JSON.stringify(id)}` };
  const at = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
  if (!Number.isFinite(at)) return { problem: 'no valid expiresAt' };
  return { line: { kind: kind as OperationalKind, id, record: record as never, expiresAt: at } };
}
