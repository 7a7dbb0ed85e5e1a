import { stat } from 'node:fs/promises';
import type { AuditVerification } from '../../src/core/store.ts';
import { ReplayVerifier } from '../replay-verifier.ts';
import { describeCause, storageError } from '../storage-errors.ts';
import { lineText, openIfExists, readAuditLines } from './audit-lines.ts';
import { dataFiles } from './data-dir.ts';
import { readSnapshot, type Snapshot } from './snapshot.ts';

/**
 * Verifies DIR without taking the lock, for `appwarden audit verify` while a server runs: the chain of
 * audit.jsonl, and that state.json is exactly the log replayed to the snapshot's entry (a hand-edited
 * record is `snapshot-mismatch`; a log cut before the snapshot's entry is `removed`).
 * A directory without a log holds an empty one; a directory that does not exist is `storage.open_failed`
 * (a mistyped path must not pass as a sound log).
 *
 * Known limit: entries cut from the end of the log AFTER the snapshot's entry leave a sound, shorter
 * chain; without an anchor kept outside DIR (e.g. the last hash, published) that cannot be detected.
 */
export async function verifyAuditFile(dir: string): Promise<AuditVerification> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    const message = `cannot verify DATA_DIR ${dir}: ${describeCause(error)}`;
    throw storageError('storage.open_failed', message, { cause: error });
  }
  return verifyDataDir(dir);
}

/** `verifyAuditFile` on a directory known to exist (or, for a read-only store, one that may not yet). */
export async function verifyDataDir(dir: string): Promise<AuditVerification> {
  const files = dataFiles(dir);
  const first = await verifyAuditLines(files.audit, await snapshotToCheck(files.snapshot));
  if (!first.lastLineCutShort) return first.verification;
  // A running server may be mid-append: a last line cut short is read once more before it is blamed.
  return (await verifyAuditLines(files.audit, await snapshotToCheck(files.snapshot))).verification;
}

/**
 * Verifies an audit log from its start up to byte `end` (default: its end), against the snapshot.
 * Read the snapshot BEFORE choosing `end`: a store writes one only once the log holds its entry.
 */
export async function verifyAuditLog(path: string, snapshot: Snapshot | undefined, end?: number): Promise<AuditVerification> {
  return (await verifyAuditLines(path, snapshot, end)).verification;
}

/**
 * The snapshot an open would start from, if any. One it would set aside as unusable is not checked:
 * opening rebuilds the state from the whole log then, so nothing in it is trusted.
 */
export async function snapshotToCheck(path: string): Promise<Snapshot | undefined> {
  const read = await readSnapshot(path);
  return read.found && 'snapshot' in read ? read.snapshot : undefined;
}

/** One streaming pass that stops as soon as the verdict is known. */
async function verifyAuditLines(path: string, snapshot: Snapshot | undefined, end?: number) {
  const verifier = new ReplayVerifier(snapshot);
  let lastLineCutShort = false;
  const handle = await openIfExists(path);
  try {
    if (handle) {
      for await (const line of readAuditLines(handle, 0, end)) {
        verifier.push(lineText(line), line.end);
        lastLineCutShort = !line.complete;
        if (verifier.isDecided) break;
      }
    }
  } finally {
    await handle?.close();
  }
  return { verification: verifier.result(), lastLineCutShort };
}
