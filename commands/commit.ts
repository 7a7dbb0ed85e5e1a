import type { Change } from '../src/core/records.ts';
import type { AuditEvent } from '../src/core/store.ts';
import type { CommandContext, CommandResult } from './context.ts';

/**
 * Commit a command's changes with its audit event. The delivery's idempotency key goes into the
 * same commit, so a retry can never find the change without the key or the key without the change.
 */
export function commitChanges(ctx: CommandContext, event: Omit<AuditEvent, 'at' | 'actor'> & { at: Date }, changes: Change[], result: string) {
  const at = event.at.toISOString();
  const key = ctx.idempotencyKey;
  const all: Change[] = key ? [...changes, { collection: 'keys', id: key, value: { id: key, at, result } }] : changes;
  return ctx.store.commit({ ...event, at, actor: ctx.person.id, detail: { ...event.detail, surface: ctx.surface, ...(ctx.operator ? { operator: ctx.operator } : {}) } }, all);
}

/** A delivery handled before (a Slack retry, a repeated invoke): answer nothing, change nothing. */
export function duplicateOf(ctx: CommandContext): CommandResult | undefined {
  const key = ctx.idempotencyKey;
  if (!key || !ctx.store.get('keys', key)) return undefined;
  return { ok: true, code: 'duplicate', effects: [], reply: { visibility: 'private', tone: 'info', blocks: [] } };
}
