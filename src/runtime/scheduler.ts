import { queueFailureDigest } from '../../commands/reminders/outbox-digest.ts';
import { queueReminders } from '../../commands/reminders/remind.ts';
import type { Reminder } from '../core/reminders.ts';
import type { AppWarden } from '../app.ts';

export interface TickResult {
  queued: Reminder[];
  delivered: string[];
  /** Still waiting (a platform refused; tried again next tick). */
  pending: number;
}

/**
 * The clock-driven half of AppWarden: each tick queues what is due and drains the outbox. Ticks never
 * overlap; one asked for while another runs waits for it and then runs.
 */
export function createScheduler(bot: AppWarden, log: (line: string) => void) {
  let running: Promise<TickResult> = Promise.resolve({ queued: [], delivered: [], pending: 0 });
  const tickOnce = async (at: Date): Promise<TickResult> => {
    const audiences = await Promise.all(
      bot.deliverers.map(
        (d) => d.audience?.().catch((e: Error) => (log(`${d.platform}: could not list the announcements channel: ${e.message}`), [])) ?? [],
      ),
    );
    const queued = await queueReminders({ policy: bot.policy, store: bot.store }, at, audiences.flat());
    await queueFailureDigest({ policy: bot.policy, store: bot.store }, at);
    bot.outbox.rescan();
    const delivered = await bot.drain();
    return { queued, delivered, pending: bot.outbox.pendingCount };
  };
  return {
    tick(at: Date): Promise<TickResult> {
      running = running.catch(() => undefined).then(() => tickOnce(at));
      return running;
    },
    /** Resolves when the tick in progress (if any) is done: for a clean stop. */
    idle: () =>
      running.then(
        () => undefined,
        () => undefined,
      ),
  };
}
