import type { FileHandle } from 'node:fs/promises';
import { MemoryOperations } from '../operational/memory-operations.ts';
import { lineText, readAuditLines } from './audit-lines.ts';
import { parseOperationLine } from './operations-lines.ts';

/** Damaged lines named one by one in the log, at most; the rest are counted. */
const NAMED_DAMAGE = 10;

export interface ReplayedOperations {
  /** The unexpired records, hiding each as it expires by the clock. */
  operations: MemoryOperations;
  /** Lines the journal holds up to `end`, damaged ones included: what compaction weighs against live records. */
  lines: number;
  /** Where the journal's last whole line ends: a torn last line, if any, starts here. */
  end: number;
}

/**
 * Rebuilds operational state from operations.jsonl, up to byte `size`. The state is expendable (a
 * reference is learnt again, a delivery asks the platform whether it arrived), so unlike the audit log
 * nothing here refuses to start: a line damaged anywhere is skipped and logged, and a last line without
 * its newline — a write cut short, never acknowledged, since a line and its newline go out in one
 * write and a put resolves only once that write is synced — is left out (see `end`). Records already
 * expired by `now` are dropped.
 */
export async function replayOperations(
  journal: { handle: FileHandle | undefined; path: string; size: number },
  now: () => Date,
  log: (line: string) => void,
): Promise<ReplayedOperations> {
  const operations = new MemoryOperations(now);
  let lines = 0;
  let end = 0;
  const damaged: string[] = [];
  if (journal.handle) {
    for await (const line of readAuditLines(journal.handle, 0, journal.size)) {
      if (!line.complete) break; // a torn tail: only ever the last line
      lines++;
      end = line.end;
      const text = lineText(line);
      const read = text === null ? { problem: 'not UTF-8' } : parseOperationLine(text);
      if ('problem' in read) damaged.push(`line ${lines} (${read.problem})`);
      else operations.apply(read.line.kind, read.line.id, read.line.record, read.line.expiresAt);
    }
  }
  if (damaged.length > 0) {
    const named = damaged.slice(0, NAMED_DAMAGE).join(', ');
    const more = damaged.length > NAMED_DAMAGE ? ` and ${damaged.length - NAMED_DAMAGE} more` : '';
    log(`${journal.path}: skipped ${damaged.length} damaged line(s): ${named}${more}; the records they held are lost`);
  }
  operations.prune(now());
  return { operations, lines, end };
}
