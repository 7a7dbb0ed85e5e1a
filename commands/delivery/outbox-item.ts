import type { OutboxItem } from '../../src/core/records.ts';
import type { Effect } from '../shared/context.ts';

/**
 * An effect as the outbox stores it, and back. The core keeps effects opaque (it knows nothing of
 * replies or platforms), so this is the one place where the two types meet.
 */
export function outboxItem(id: string, effect: Effect, createdAt: string): OutboxItem {
  return withEffect({ id, status: 'due', createdAt, effect: {}, deliveredTo: [] }, effect);
}

export const withEffect = (item: OutboxItem, effect: Effect): OutboxItem => ({
  ...item,
  effect,
});

export const effectOf = (item: Pick<OutboxItem, 'effect'>): Effect => item.effect as Effect;

/** What an effect is, in a few words, for operators (`appwarden outbox`, the failure digest). */
export function describeEffect(e: Effect): string {
  return e.kind === 'notify'
    ? `message to ${e.person}`
    : e.kind === 'post'
      ? `post to ${e.channel}${e.subject ? ` about ${e.subject}` : ''}`
      : `update of the message about ${e.subject}`;
}
