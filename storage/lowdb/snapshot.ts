import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { COLLECTION_NAMES } from '../../src/core/records.ts';
import { GENESIS } from '../audit-chain.ts';
import { deepFreeze, isPlainObject } from '../canonical-json.ts';
import type { CollectionArrays } from '../record-index.ts';
import { fsyncDir, fsyncFile } from './data-dir.ts';

/** `state.json`: the records as of audit entry `seq`, whose line ends at byte `offset` of audit.jsonl. */
export interface Snapshot {
  format: 1;
  seq: number;
  offset: number;
  /** The hash of entry `seq` (GENESIS for 0): ties the snapshot to this very log. */
  hash: string;
  collections: CollectionArrays;
}

export type SnapshotRead = { found: false } | { found: true; snapshot: Snapshot } | { found: true; problem: string };

/** Reads the snapshot; a damaged one is reported, not thrown, as the audit log can rebuild it. */
export async function readSnapshot(path: string): Promise<SnapshotRead> {
  const db = new Low<unknown>(new JSONFile<unknown>(path), null);
  try {
    await db.read();
  } catch (error) {
    if (error instanceof SyntaxError) return { found: true, problem: `not JSON (${error.message})` };
    throw error;
  }
  if (db.data === null) return { found: false };
  const problem = snapshotProblem(db.data);
  if (problem !== undefined) return { found: true, problem };
  return { found: true, snapshot: deepFreeze(db.data as Snapshot) };
}

/** Writes the snapshot with lowdb (temp file + rename), then makes the file and the rename durable. */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await new Low<Snapshot>(new JSONFile<Snapshot>(path), snapshot).write();
  await fsyncFile(path);
  await fsyncDir(dirname(path));
}

export const emptySnapshot = (): Snapshot => ({
  format: 1,
  seq: 0,
  offset: 0,
  hash: GENESIS,
  collections: Object.fromEntries(COLLECTION_NAMES.map((name) => [name, []])) as unknown as CollectionArrays,
});

function snapshotProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not an object';
  if (value.format !== 1) return `format ${JSON.stringify(value.format)} is not 1`;
  for (const key of ['seq', 'offset'] as const) {
    if (!Number.isSafeInteger(value[key]) || (value[key] as number) < 0) return `${key}: not a non-negative integer`;
  }
  if (typeof value.hash !== 'string' || !/^[0-9a-f]{64}$/.test(value.hash)) return 'hash: not a SHA-256 hex digest';
  if (!isPlainObject(value.collections)) return 'collections: not an object';
  for (const name of COLLECTION_NAMES) {
    const records = value.collections[name] ?? [];
    if (!Array.isArray(records)) return `collections.${name}: not an array`;
    const bad = records.findIndex((record) => !isPlainObject(record) || typeof record.id !== 'string');
    if (bad !== -1) return `collections.${name}[${bad}]: not a record with an id`;
  }
  return undefined;
}
