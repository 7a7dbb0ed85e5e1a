import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { AuditVerification, Store } from '../src/core/store.ts';
import { ChainVerifier, entryLine, GENESIS, type ChainHead } from './audit-chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { storageError } from './storage-errors.ts';

/**
 * A backup is the audit log itself, as of one entry: every entry up to the store's head, one canonical
 * line each (exactly the lines of a data directory's audit.jsonl), between a header and a trailer
 * that name the head. The log is append-only, so a prefix read while the server writes is consistent;
 * everything else in a data directory (the snapshot, the indexes) is derived from it on restore.
 * Operational state (message references, delivery progress) is not in it: see the README.
 */
export const BACKUP_FORMAT = 'appwarden-backup';
const BACKUP_VERSION = 1;

interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  created: string;
  seq: number;
}
interface BackupTrailer {
  end: typeof BACKUP_FORMAT;
  seq: number;
  hash: string;
}

export interface BackupDone {
  file: string;
  entries: number;
  head: ChainHead;
}

/** Writes the store's audit log up to its current head into FILE (via a side file renamed into place, synced). */
export async function writeBackup(store: Store, file: string, created: Date): Promise<BackupDone> {
  const seq = store.seq;
  const partial = `${file}.partial`;
  const out = await open(partial, 'wx');
  let head: ChainHead = { seq: 0, hash: GENESIS };
  try {
    const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, created: created.toISOString(), seq };
    const chunks: string[] = [`${canonicalJson(header)}\n`];
    const flush = async () => {
      if (chunks.length) await out.write(chunks.splice(0).join(''));
    };
    for await (const entry of store.readAudit()) {
      if (entry.seq > seq) break;
      chunks.push(`${entryLine(entry)}\n`);
      head = { seq: entry.seq, hash: entry.hash };
      if (chunks.length >= 1000) await flush();
    }
    if (head.seq !== seq)
      throw storageError('storage.corrupt', `the audit log ends at entry ${head.seq}, but the store is at ${seq}: no backup was written`);
    const trailer: BackupTrailer = { end: BACKUP_FORMAT, seq: head.seq, hash: head.hash };
    chunks.push(`${canonicalJson(trailer)}\n`);
    await flush();
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(partial, { force: true });
    throw error;
  }
  await out.close();
  await rename(partial, file);
  return { file, entries: head.seq, head };
}

/** What reading a backup found: sound, with its head, or the first problem. */
export type BackupCheck =
  | { ok: true; entries: number; head: ChainHead; created: string }
  | { ok: false; problem: string; verification?: AuditVerification };

/**
 * Reads a backup line by line, verifying the chain as it goes, and hands each sound entry line to
 * `onLine` (a restore writes them out). The trailer must name the last entry: a backup cut short, or
 * with entries removed from its end, is refused too.
 */
export async function readBackup(file: string, onLine: (line: string) => Promise<void> | void = () => {}): Promise<BackupCheck> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  const verifier = new ChainVerifier();
  let header: BackupHeader | undefined;
  let trailer: BackupTrailer | undefined;
  let head: ChainHead = { seq: 0, hash: GENESIS };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (n === 1) {
      header = parsed<BackupHeader>(text);
      if (header?.format !== BACKUP_FORMAT || header.version !== BACKUP_VERSION)
        return { ok: false, problem: `${file} is not an AppWarden backup (its first line is not a backup header)` };
      continue;
    }
    if (trailer) return { ok: false, problem: `line ${n} follows the end of the backup` };
    const end = parsed<BackupTrailer>(text);
    if (end?.end === BACKUP_FORMAT) {
      trailer = end;
      continue;
    }
    const entry = verifier.push(text);
    if (!entry) {
      const verification = verifier.result();
      const where = verification.ok ? '' : ` at entry ${verification.seq} (line ${n} of the file): ${verification.problem}`;
      return { ok: false, problem: `the audit chain in the backup does not verify${where}`, verification };
    }
    head = { seq: entry.seq, hash: entry.hash };
    await onLine(text);
  }
  if (!header) return { ok: false, problem: `${file} is empty` };
  if (!trailer) return { ok: false, problem: 'the backup has no end: it was cut short (a copy still being written, or truncated)' };
  if (trailer.seq !== head.seq || trailer.hash !== head.hash || header.seq !== head.seq)
    return {
      ok: false,
      problem: `the backup's end names entry ${trailer.seq} (${trailer.hash.slice(0, 12)}…), but its chain ends at entry ${head.seq} (${head.hash.slice(0, 12)}…)`,
    };
  return { ok: true, entries: head.seq, head, created: header.created };
}

function parsed<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
