import { policyWords } from '../wording/policy-words.ts';
import { appById } from '../../src/core/catalog.ts';
import { mayDecide } from '../../src/core/exceptions.ts';
import { effectiveStatus } from '../../src/core/request-status.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import type { Command } from '../shared/command.ts';
import type { CommandContext } from '../shared/context.ts';
import { refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { displayName } from './request-card.ts';

/** A request waiting for a decision, in words: who asks for what, for how long and why. */
export function pendingLine(r: ExceptionRequest, ctx: CommandContext): string {
  return ctx.m.t('pending.line', {
    id: r.id,
    requester: displayName(ctx.policy, r.person),
    app: appById(ctx.policy, r.app)?.name ?? r.app,
    purpose: policyWords(ctx.policy, ctx.m).purpose(r.purpose),
    days: r.days,
    reason: r.reason,
  });
}

export const pending: Command = {
  name: 'pending',
  flags: {},
  approversOnly: true,
  run({ words }, ctx) {
    const m = ctx.m;
    if (words.length) return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'pending', text: words.join(' ') }));
    const now = ctx.now();
    const waiting = ctx.store
      .where('requests', 'status', 'requested')
      .filter((r) => effectiveStatus(r, now) === 'requested' && mayDecide(ctx.policy, ctx.person, r));
    const items = waiting.map((r) => pendingLine(r, ctx));
    const blocks = [
      { type: 'heading' as const, text: m.t('pending.title') },
      items.length ? { type: 'list' as const, items } : { type: 'text' as const, text: m.t('pending.none') },
    ];
    return { ok: true, reply: reply('info', blocks), effects: [], data: waiting };
  },
};
