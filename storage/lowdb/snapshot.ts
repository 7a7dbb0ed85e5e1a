import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { COLLECTION_NAMES } from '../../src/core/records.ts';
import { GENESIS } from '../audit-chain.ts';
import { deepFreeze, isPlainObject } from '../canonical-json.ts';
import { RecordIndex, type CollectionArrays } from '../record-index.ts';
import { fsyncDir } from './data-dir.ts';
import { prettyJsonPieces } from './snapshot-text.ts';

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

/** Text serialised between two turns of the event loop: about 0.3 ms of work (measured: ~4.5 ms per MB). */
const SLICE_CHARS = 64 * 1024;
/**
 * Flush the temp file to disk every this many bytes. One fsync of the whole snapshot at the end would
 * write it all at once (about 40 ms for 32 MB here), and the audit log's fdatasyncs — every commit's —
 * would wait behind it; in small flushes they wait a few milliseconds at most.
 */
const SYNC_BYTES = 2 * 1024 * 1024;

/**
 * Writes the snapshot in the very bytes lowdb's JSONFile writes (`JSON.stringify(snapshot, null, 2)`,
 * to a temp file renamed over state.json), but a slice at a time: lowdb builds the whole text, and
 * the Buffer of it, in one synchronous call — 150–250 ms at 100k records, seconds at 1M — during which
 * the server acknowledges nobody. (Handing it to a worker_thread does not help: postMessage clones the
 * records on this thread, which takes as long; see bench/compaction.ts.) Each slice is serialised,
 * then written with an await, so requests are served in between. The records are deep-frozen and
 * replaced, never changed, on update, so the ones the snapshot captured still hold their values
 * however long the write takes. The temp file is fsynced before the rename, and the rename after it.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot, sliceChars = SLICE_CHARS): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`); // lowdb's own temp name
  const handle = await open(temp, 'w');
  try {
    let slice = '';
    let unsynced = 0;
    for (const piece of prettyJsonPieces(snapshot, 3)) {
      slice += piece;
      if (slice.length >= sliceChars) {
        unsynced += await writeAll(handle, slice);
        slice = '';
        if (unsynced >= SYNC_BYTES) {
          await handle.datasync();
          unsynced = 0;
        }
      }
    }
    await writeAll(handle, slice);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }); // state.json itself is untouched
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

/** Writes all of `text`; resolves with the number of bytes. */
async function writeAll(handle: FileHandle, text: string): Promise<number> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
  return bytes.length;
}

export const emptySnapshot = (): Snapshot => ({
  format: 1,
  seq: 0,
  offset: 0,
  hash: GENESIS,
  collections: new RecordIndex().toArrays(),
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
