import type { AuditEntry } from '../../src/core/store.ts';
import { entryFromLine } from '../audit-chain.ts';
import { storageError } from '../storage-errors.ts';
import { decodeLine, openIfExists, readAuditLines } from './audit-lines.ts';

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
      // The caller's `end` says what counts: a read-only store's last entry may lack its newline.
      const entry = parseEntry(decodeLine(line.bytes));
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
    return entryFromLine(text);
  } catch {
    return undefined;
  }
}
