import { matchesAudit, type AuditFilter } from '../../src/core/audit-filter.ts';
import { isAdmin, resolvePerson } from '../../src/core/org.ts';
import type { AuditEntry } from '../../src/core/store.ts';
import { addLocalDays, isRealDate, startOfLocalDay } from '../../src/core/time.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';

/** An auditor's search as typed: a person (id, email or platform id), a rule, an action, and local dates (inclusive). */
export interface AuditQuery {
  person?: string;
  rule?: string;
  action?: string;
  from?: string;
  to?: string;
  /** At most this many entries, newest first (all when left out: an export). */
  limit?: number;
}

/** What a search found: the entries (newest first, up to the limit) and how many matched in all. */
export interface AuditFound {
  entries: AuditEntry[];
  matched: number;
}

/** The record is the organisation's: only admins read or verify it. */
const notAdmin = (ctx: CommandContext) => refused('not_admin', ctx.m.t('errors.notAdmin', { command: 'audit' }));

/** The audit record's entries that match, read from the store oldest first (`readAudit`), one at a time. */
export async function searchAudit(query: AuditQuery, ctx: CommandContext): Promise<CommandResult> {
  if (!isAdmin(ctx.person)) return notAdmin(ctx);
  const tz = ctx.policy.organization.timezone;
  for (const d of [query.from, query.to]) if (d && !isRealDate(d)) return refused('invalid_input', ctx.m.t('web.audit.badDate'));
  const filter: AuditFilter = {
    ...(query.person ? { person: resolvePerson(ctx.policy, query.person).id } : {}),
    ...(query.rule ? { rule: query.rule } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.from ? { from: startOfLocalDay(query.from, tz).getTime() } : {}),
    ...(query.to ? { until: startOfLocalDay(addLocalDays(query.to, 1), tz).getTime() } : {}),
  };
  const kept: AuditEntry[] = [];
  let matched = 0;
  for await (const entry of ctx.store.readAudit()) {
    if (!matchesAudit(entry, filter)) continue;
    matched++;
    kept.push(entry);
    // Newest first, within the limit: drop the oldest kept once past it.
    if (query.limit !== undefined && kept.length > query.limit) kept.shift();
  }
  const found: AuditFound = { entries: kept.reverse(), matched };
  return { ok: true, reply: reply('info', [{ type: 'text', text: ctx.m.t('web.audit.count', { n: matched }) }]), effects: [], data: found };
}

/** The whole chain checked, as `appwarden audit verify` checks it (the store's `verifyAudit`). */
export async function verifyAuditChain(ctx: CommandContext): Promise<CommandResult> {
  if (!isAdmin(ctx.person)) return notAdmin(ctx);
  const v = await ctx.store.verifyAudit();
  const text = v.ok
    ? ctx.m.t('web.audit.verified', { entries: v.entries })
    : ctx.m.t('web.audit.failed', { seq: v.seq, problem: `${v.problem}${v.detail ? ` — ${v.detail}` : ''}` });
  return { ok: true, reply: reply(v.ok ? 'ok' : 'error', [{ type: 'text', text }]), effects: [], data: v };
}
