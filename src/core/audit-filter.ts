import type { AuditEntry } from './store.ts';

/** What an auditor searches the record for; every field optional, all given must match. */
export interface AuditFilter {
  /** A person id: who acted, what the entry is about, or whose record it changed. */
  person?: string;
  /** A rule id: the entry's subject, its detail's rule, or a changed record's rule(s). */
  rule?: string;
  /** An action (`request.approved`), or its family by prefix (`request`). */
  action?: string;
  /** Epoch milliseconds: from (inclusive) and until (exclusive). */
  from?: number;
  until?: number;
}

/** The fields of a changed record (or an entry's detail) that name people and rules. */
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

function mentions(entry: AuditEntry, keys: readonly string[], wanted: string): boolean {
  const holders: unknown[] = [entry.detail, ...entry.changes.map((c) => c.value)];
  return holders.some((h) =>
    keys.some((k) => {
      const v = field(h, k);
      return v === wanted || (Array.isArray(v) && v.includes(wanted));
    }),
  );
}

/** Whether an entry matches the filter. */
export function matchesAudit(entry: AuditEntry, filter: AuditFilter): boolean {
  const at = Date.parse(entry.at);
  if (filter.from !== undefined && at < filter.from) return false;
  if (filter.until !== undefined && at >= filter.until) return false;
  if (filter.action && entry.action !== filter.action && !entry.action.startsWith(`${filter.action}.`)) return false;
  if (
    filter.person &&
    entry.actor !== filter.person &&
    entry.subject !== filter.person &&
    !mentions(entry, ['person', 'requester'], filter.person)
  )
    return false;
  if (filter.rule && entry.subject !== filter.rule && !mentions(entry, ['rule', 'rules'], filter.rule)) return false;
  return true;
}
