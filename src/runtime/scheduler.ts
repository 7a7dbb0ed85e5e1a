import { handle, type TickJob } from '../../commands/entry/handle.ts';
import { reply, type Reply } from '../../commands/shared/reply.ts';
import type { Reminder } from '../core/reminders.ts';
import type { AppWarden } from '../app.ts';

/** A tick's jobs, in the order they run. */
const JOBS: readonly TickJob[] = ['reminders', 'failure-digest', 'audit-head'];

export interface TickResult {
  queued: Reminder[];
  /** What the jobs queued, one line each, for operators. */
  reply: Reply;
  delivered: string[];
  /** Still waiting (a platform refused; tried again next tick). */
  pending: number;
}

/**
 * The clock-driven half of AppWarden: each tick enters the command layer as the system, one job at a
 * time, to queue what is due, then drains the outbox. Ticks never overlap; one asked for while another
 * runs waits for it and then runs.
 */
export function createScheduler(bot: AppWarden, log: (line: string) => void) {
  let running: Promise<TickResult> = Promise.resolve({ queued: [], reply: reply('info', []), delivered: [], pending: 0 });
  const tickOnce = async (at: Date): Promise<TickResult> => {
    const audiences = await Promise.all(
      bot.deliverers.map(
        (d) => d.audience?.().catch((e: Error) => (log(`${d.platform}: could not list the announcements channel: ${e.message}`), [])) ?? [],
      ),
    );
    const audience = audiences.flat();
    const queued: Reminder[] = [];
    const lines: Reply['blocks'] = [];
    for (const job of JOBS) {
      const done = await handle({ kind: 'tick', job, at, audience }, bot.systemContext());
      queued.push(...(done.tick?.reminders ?? []));
      lines.push(...done.reply.blocks);
    }
    bot.outbox.rescan();
    const delivered = await bot.drain();
    return { queued, reply: reply('info', lines), delivered, pending: bot.outbox.pendingCount };
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
