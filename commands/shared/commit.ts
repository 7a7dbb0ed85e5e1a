import type { Change } from '../../src/core/records.ts';
import type { AuditEvent } from '../../src/core/store.ts';
import type { CommandContext, CommandResult, Effect } from './context.ts';
import { outboxItem } from '../delivery/outbox-item.ts';

/**
 * Commit a command's changes with its audit event. The delivery's idempotency key and the effects to
 * deliver (as outbox items) go into the same commit: a retry can never find the change without the
 * key, and a crash can never lose the message that tells the requester.
 */
export function commitChanges(
  ctx: CommandContext,
  event: Omit<AuditEvent, 'at' | 'actor'> & { at: Date },
  changes: Change[],
  result: string,
  effects: Effect[] = [],
) {
  const at = event.at.toISOString();
  const key = ctx.idempotencyKey;
  const outbox: Change[] = effects.map((effect, n) => {
    const id = `${event.action}:${event.subject ?? result}:${n}`;
    return { collection: 'outbox', id, value: outboxItem(id, effect, at) };
  });
  const all: Change[] = [...changes, ...outbox, ...(key ? [{ collection: 'keys' as const, id: key, value: { id: key, at, result } }] : [])];
  return ctx.store.commit(
    {
      ...event,
      at,
      actor: ctx.person.id,
      detail: { ...event.detail, surface: ctx.surface, ...(ctx.operator ? { operator: ctx.operator } : {}) },
    },
    all,
  );
}

/** A delivery handled before (a Slack retry, a repeated invoke): answer nothing, change nothing. */
export function duplicateOf(ctx: CommandContext): CommandResult | undefined {
  const key = ctx.idempotencyKey;
  if (!key || !ctx.store.get('keys', key)) return undefined;
  return { ok: true, code: 'duplicate', effects: [], reply: { visibility: 'private', tone: 'info', blocks: [] } };
}
