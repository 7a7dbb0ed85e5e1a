import { stringify } from 'csv-stringify/sync';
import { inertCell } from '../core/inert-cell.ts';
import type { AuditEntry, AuditVerification, Store } from '../core/store.ts';

/** What an auditor asked for: entries from one instant to another, as JSON lines or CSV. */
export interface AuditExportRequest {
  /** Inclusive; ISO instants (a date alone is its start, UTC). */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  format: 'jsonl' | 'csv';
}

export interface AuditExportSummary {
  exported: number;
  firstSeq?: number;
  lastSeq?: number;
  /** The whole chain's verification, as `audit verify` gives it. */
  verification: AuditVerification;
  head: { seq: number; hash: string };
}

const CSV_COLUMNS = ['seq', 'at', 'actor', 'action', 'subject', 'detail', 'changes', 'prev', 'hash'] as const;

/**
 * Writes the entries between two instants, oldest first, one line at a time (a year of entries never
 * sits in memory), then verifies the whole chain: the summary says whether what was exported is part
 * of a sound log, and names its head, to be compared with an anchor kept elsewhere.
 */
export async function exportAudit(store: Store, request: AuditExportRequest, write: (text: string) => void): Promise<AuditExportSummary> {
  let exported = 0;
  let firstSeq: number | undefined;
  let lastSeq: number | undefined;
  let head = { seq: 0, hash: '0'.repeat(64) };
  if (request.format === 'csv') write(stringify([[...CSV_COLUMNS]]));
  for await (const entry of store.readAudit()) {
    head = { seq: entry.seq, hash: entry.hash };
    const at = Date.parse(entry.at);
    if ((request.from && at < request.from.getTime()) || (request.to && at >= request.to.getTime())) continue;
    write(request.format === 'csv' ? csvLine(entry) : `${JSON.stringify(entry)}\n`);
    exported++;
    firstSeq ??= entry.seq;
    lastSeq = entry.seq;
  }
  const verification = await store.verifyAudit();
  return { exported, ...(firstSeq !== undefined ? { firstSeq, lastSeq } : {}), verification, head };
}

function csvLine(e: AuditEntry): string {
  // Actors, subjects and details hold what people typed: no cell may become a spreadsheet formula.
  return stringify(
    [
      [
        e.seq,
        e.at,
        e.actor,
        e.action,
        e.subject ?? '',
        e.detail ? JSON.stringify(e.detail) : '',
        JSON.stringify(e.changes),
        e.prev,
        e.hash,
      ],
    ],
    { cast: { string: inertCell } },
  );
}

/** The chain's head: the last entry's seq and hash (what `audit head` prints and the server posts daily). */
export async function auditHead(store: Store): Promise<{ seq: number; hash: string; at?: string }> {
  let head: { seq: number; hash: string; at?: string } = { seq: 0, hash: '0'.repeat(64) };
  for await (const entry of store.readAudit(Math.max(1, store.seq))) head = { seq: entry.seq, hash: entry.hash, at: entry.at };
  return head;
}
