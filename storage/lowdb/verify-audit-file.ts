import { stat } from 'node:fs/promises';
import type { AuditVerification } from '../../src/core/store.ts';
import { ChainVerifier } from '../audit-chain.ts';
import { describeCause, storageError } from '../storage-errors.ts';
import { lineText, openIfExists, readAuditLines } from './audit-lines.ts';
import { dataFiles } from './data-dir.ts';

/**
 * Verifies DIR/audit.jsonl without taking the lock, for `appwarden audit verify` while a server runs.
 * A directory without a log holds an empty one; a directory that does not exist is `storage.open_failed`
 * (a mistyped path must not pass as a sound log).
 */
export async function verifyAuditFile(dir: string): Promise<AuditVerification> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    const message = `cannot verify DATA_DIR ${dir}: ${describeCause(error)}`;
    throw storageError('storage.open_failed', message, { cause: error });
  }
  const path = dataFiles(dir).audit;
  const first = await verifyAuditLines(path);
  // A running server may be mid-append: a last line cut short is read once more before it is blamed.
  return first.lastLineCutShort ? (await verifyAuditLines(path)).verification : first.verification;
}

/** Verifies an audit log from its start up to byte `end` (default: its end). */
export async function verifyAuditLog(path: string, end?: number): Promise<AuditVerification> {
  return (await verifyAuditLines(path, end)).verification;
}

/** One streaming pass, in constant memory, that stops as soon as the verdict is known. */
async function verifyAuditLines(path: string, end?: number) {
  const handle = await openIfExists(path);
  if (!handle) return { verification: { ok: true, entries: 0 } as const, lastLineCutShort: false };
  try {
    const verifier = new ChainVerifier();
    let lastLineCutShort = false;
    for await (const line of readAuditLines(handle, 0, end)) {
      verifier.push(lineText(line));
      lastLineCutShort = !line.complete;
      if (verifier.isDecided) break;
    }
    return { verification: verifier.result(), lastLineCutShort };
  } finally {
    await handle.close();
  }
}
