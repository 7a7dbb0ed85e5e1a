import type { Effect } from '../commands/context.ts';
import type { OutboxItem } from './core/records.ts';
import type { Store } from './core/store.ts';

/** A chat platform's side of delivery. */
export interface Deliverer {
  platform: string;
  /** Deliver one effect, marked with `key`; throw if the platform refused, and it is tried again later. */
  deliver(effect: Effect, key: string): Promise<void>;
  /** After a crash between delivering and recording it: did the effect marked `key` arrive? */
  wasDelivered?(effect: Effect, key: string): Promise<boolean>;
  /** People the platform says must comply (e.g. the Slack announcements channel's members), as platform ids. */
  audience?(): Promise<string[]>;
}

const CONCURRENCY = 16;

/** What an effect is about: items about the same thing are delivered in order (a post before its update). */
const topicOf = (effect: Effect) =>
  effect.kind === 'notify' ? `person:${effect.person}` : effect.subject ? `subject:${effect.subject}` : `channel:${effect.kind === 'post' ? effect.channel : ''}`;

/**
 * Delivers outbox items on every platform, each exactly once: `sending` is recorded before a platform
 * is called, so an item found `sending` after a crash is checked with the platform, not resent.
 */
export function createOutbox(store: Store, deliverers: () => readonly Deliverer[], now: () => Date, log: (line: string) => void) {
  const pending = new Set(store.list('outbox').filter((i) => i.status !== 'sent').map((i) => i.id));
  const inFlight = new Set<string>();

  async function deliverItem(id: string): Promise<boolean> {
    const item = store.get('outbox', id);
    if (!item || item.status === 'sent') return true;
    const effect = item.effect as unknown as Effect;
    const resumed = item.status === 'sending';
    if (!resumed) await store.commit({ at: now().toISOString(), actor: 'system', action: 'outbox.sending', subject: id }, [{ collection: 'outbox', id, value: { ...item, status: 'sending' } }]);
    const done = new Set(item.deliveredTo);
    for (const d of deliverers()) {
      if (done.has(d.platform)) continue;
      try {
        if (!(resumed && (await d.wasDelivered?.(effect, id)))) await d.deliver(effect, id);
        done.add(d.platform);
      } catch (e) {
        log(`${d.platform}: could not deliver ${id} (will try again): ${(e as Error).message}`);
      }
    }
    const all = deliverers().every((d) => done.has(d.platform));
    const next: OutboxItem = { ...item, status: all ? 'sent' : 'due', deliveredTo: [...done], ...(all ? { sentAt: now().toISOString() } : {}) };
    await store.commit({ at: now().toISOString(), actor: 'system', action: all ? 'outbox.sent' : 'outbox.retry', subject: id, detail: { to: [...done] } }, [{ collection: 'outbox', id, value: next }]);
    return all;
  }

  return {
    /** Note items committed elsewhere (another process, a scan). */
    notice(ids: Iterable<string>) {
      for (const id of ids) if (store.get('outbox', id)?.status !== 'sent') pending.add(id);
    },
    /** Pick up items another process (the CLI) committed: a scan, cheap once a minute. */
    rescan() {
      for (const i of store.list('outbox')) if (i.status !== 'sent') pending.add(i.id);
    },
    get pendingCount() {
      return pending.size;
    },
    /** Deliver everything pending; resolves with the ids delivered everywhere. Items in flight are left to their drain. */
    async drain(): Promise<string[]> {
      if (!deliverers().length || !pending.size) return [];
      const topics = new Map<string, string[]>();
      for (const id of pending) {
        if (inFlight.has(id)) continue;
        const item = store.get('outbox', id);
        if (!item) continue;
        inFlight.add(id);
        const topic = topicOf(item.effect as unknown as Effect);
        topics.set(topic, [...(topics.get(topic) ?? []), id]);
      }
      const delivered: string[] = [];
      const queue = [...topics.values()];
      const worker = async () => {
        for (let ids = queue.shift(); ids; ids = queue.shift())
          for (const id of ids) {
            try {
              if (await deliverItem(id)) {
                pending.delete(id);
                delivered.push(id);
              }
            } finally {
              inFlight.delete(id);
            }
          }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return delivered;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
