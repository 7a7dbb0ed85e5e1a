import type { OutboxItem } from '../src/core/records.ts';
import type { Effect } from './context.ts';

/**
 * An effect as the outbox stores it, and back. The core keeps effects opaque (it knows nothing of
 * replies or platforms), so this is the one place where the two types meet.
 */
export function outboxItem(id: string, effect: Effect, createdAt: string): OutboxItem {
  return withEffect({ id, status: 'due', createdAt, effect: {}, deliveredTo: [] }, effect);
}

export const withEffect = (item: OutboxItem, effect: Effect): OutboxItem => ({ ...item, effect: effect as unknown as OutboxItem['effect'] });

export const effectOf = (item: Pick<OutboxItem, 'effect'>): Effect => item.effect as unknown as Effect;
