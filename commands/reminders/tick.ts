import type { Reminder } from '../../src/core/reminders.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { reply } from '../shared/reply.ts';
import { queueAuditHead } from './audit-head.ts';
import { queueFailureDigest } from './outbox-digest.ts';
import { describeReminder, queueReminders } from './remind.ts';

/** The clock-driven work: reminders due by the policy, the daily digest of failed deliveries, the daily audit head. */
export type TickJob = 'reminders' | 'failure-digest' | 'audit-head';

/** What a tick did, as data: the outbox keys it queued, and for the reminders job each reminder. */
export interface TickDone {
  job: TickJob;
  at: string;
  queued: string[];
  reminders: Reminder[];
}

/**
 * One job of a scheduler tick at `at`: what is due is committed to the outbox (the effects in the
 * result), once — a rerun at the same or an earlier instant finds it recorded and queues nothing.
 * `audience`: who the platforms say must comply. The reply names what was queued, one line each.
 */
export async function runTick(
  job: TickJob,
  at: Date,
  audience: readonly string[],
  ctx: CommandContext,
): Promise<CommandResult & { tick: TickDone }> {
  if (job === 'failure-digest' || job === 'audit-head') {
    const digest = job === 'failure-digest' ? await queueFailureDigest(ctx, at) : await queueAuditHead(ctx, at);
    return {
      ok: true,
      reply: reply('info', []),
      effects: digest ? [digest.effect] : [],
      tick: { job, at: at.toISOString(), queued: digest ? [digest.key] : [], reminders: [] },
    };
  }
  const { reminders, effects } = await queueReminders(ctx, at, audience);
  return {
    ok: true,
    reply: reply(
      'info',
      reminders.map((r) => ({ type: 'text', text: describeReminder(r, ctx.policy) })),
    ),
    effects,
    tick: { job, at: at.toISOString(), queued: reminders.map((r) => r.key), reminders },
  };
}
