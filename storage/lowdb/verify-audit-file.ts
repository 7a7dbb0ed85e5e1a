import { open, type FileHandle } from 'node:fs/promises';
import type { AuditEntry, AuditVerification } from '../../src/core/store.ts';
import { ChainVerifier } from '../audit-chain.ts';
import { storageError } from '../storage-errors.ts';
import { lineText, readAuditLines } from './audit-lines.ts';
import { dataFiles } from './data-dir.ts';

/**
 * Verifies DIR/audit.jsonl without taking the lock, for `appwarden audit verify` while a server runs.
 * A missing log is an empty one.
 */
export async function verifyAuditFile(dir: string): Promise<AuditVerification> {
  const path = dataFiles(dir).audit;
  const first = await verifyAuditLines(path);
  // A running server may be mid-append: a last line cut short is read once more before it is blamed.
  return first.lastLineCutShort ? (await verifyAuditLines(path)).verification : first.verification;
}

/** Verifies an audit log from its start up to byte `end` (default: its end). */
export async function verifyAuditLog(path: string, end?: number): Promise<AuditVerification> {
  return (await verifyAuditLines(path, end)).verification;
}

/** One streaming pass, in constant memory. */
async function verifyAuditLines(path: string, end?: number) {
  const handle = await openIfExists(path);
  if (!handle) return { verification: { ok: true, entries: 0 } as const, lastLineCutShort: false };
  try {
    const verifier = new ChainVerifier();
    let lastLineCutShort = false;
    for await (const line of readAuditLines(handle, 0, end)) {
      verifier.push(lineText(line));
      lastLineCutShort = !line.complete;
    }
    return { verification: verifier.result(), lastLineCutShort };
  } finally {
    await handle.close();
  }
}

/**
 * The entries of an audit log up to byte `end`, from seq `fromSeq` on, parsed but not verified (that
 * is `verifyAuditLog`'s job). Lines before `fromSeq` are counted, not parsed: line n holds seq n.
 */
export async function* readAuditEntries(path: string, end: number, fromSeq = 1): AsyncGenerator<AuditEntry> {
  const handle = await openIfExists(path);
  if (!handle) return;
  try {
    let lineNumber = 0;
    for await (const line of readAuditLines(handle, 0, end)) {
      if (++lineNumber < fromSeq) continue;
      const entry = parseEntry(lineText(line));
      if (entry?.seq !== lineNumber) {
        throw storageError('storage.corrupt', `${path} line ${lineNumber} is not entry seq ${lineNumber}`, {
          line: lineNumber,
        });
      }
      yield entry;
    }
  } finally {
    await handle.close();
  }
}

function parseEntry(text: string | null): AuditEntry | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as AuditEntry;
  } catch {
    return undefined;
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
