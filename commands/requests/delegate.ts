import { isInForceAt, type Delegation } from '../../src/core/delegation.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { put, type Change } from '../../src/core/records.ts';
import { addLocalDays, isRealDate, localDate } from '../../src/core/time.ts';
import { wording } from '../wording/wording.ts';
import type { Command } from '../shared/command.ts';
import { commitChanges } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { displayName } from './request-card.ts';

/** A delegation is for an absence, not for good: a year at most. */
const MAX_DAYS = 366;

/**
 * `delegate --to PERSON --until YYYY-MM-DD`: while an approver is away, a deputy decides what they
 * could decide (audited and shown as "deputy for approver"), never on the deputy's own request.
 * `delegate --off` ends it early; `delegate` alone says where it stands.
 */
export const delegate: Command = {
  name: 'delegate',
  flags: { to: 'string', until: 'string', off: 'boolean' },
  approversOnly: true,
  async run({ words, flags }, ctx) {
    const m = ctx.m;
    if (words.length) return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'delegate', text: words.join(' ') }));
    const tz = ctx.policy.organization.timezone;
    const now = ctx.now();
    const current = ctx.store.get('delegations', ctx.person.id);
    const holding = current && isInForceAt(current, now, tz) ? current : undefined;
    if (flags.off) {
      if (flags.to || flags.until) return refused('invalid_input', m.t('delegate.offAlone'));
      if (!holding) return { ok: true, reply: reply('info', [{ type: 'text', text: m.t('delegate.none') }]), effects: [] };
      return end(holding, ctx);
    }
    if (!flags.to && !flags.until)
      return {
        ok: true,
        reply: reply('info', [
          {
            type: 'text',
            text: holding
              ? m.t('delegate.holding', { to: displayName(ctx.policy, holding.to), until: holding.until })
              : m.t('delegate.none'),
          },
        ]),
        effects: [],
        data: holding ?? null,
      };
    const to = typeof flags.to === 'string' ? flags.to.trim() : '';
    const until = typeof flags.until === 'string' ? flags.until.trim() : '';
    if (!to || !until) return refused('missing_value', m.t('delegate.usage'));
    const deputy = resolvePerson(ctx.policy, to);
    if (!deputy.listed) return { ...refused('invalid_input', m.t('delegate.unknownPerson', { who: to })), field: 'to' };
    if (deputy.id === ctx.person.id) return { ...refused('invalid_input', m.t('delegate.notYourself')), field: 'to' };
    if (!isRealDate(until)) return { ...refused('bad_date', m.t('errors.badDate', { value: until })), field: 'until' };
    const today = localDate(now, tz);
    if (until < today) return { ...refused('due_in_past', m.t('errors.dueInPast', { due: until })), field: 'until' };
    if (until > addLocalDays(today, MAX_DAYS))
      return { ...refused('invalid_input', m.t('delegate.tooLong', { max: MAX_DAYS })), field: 'until' };
    const delegation: Delegation = { id: ctx.person.id, to: deputy.id, until, at: now.toISOString() };
    const told: Effect = {
      kind: 'notify',
      person: deputy.id,
      message: reply('info', [
        { type: 'heading', text: wording(deputy.locale).t('delegate.toldDeputy', { approver: ctx.person.name, until }) },
      ]),
    };
    await commitChanges(
      ctx,
      { at: now, action: 'delegation.set', subject: ctx.person.id, detail: { to: deputy.id, until } },
      [put('delegations', delegation)],
      `delegation:${ctx.person.id}`,
      [told],
    );
    return {
      ok: true,
      reply: reply('ok', [{ type: 'heading', text: m.t('delegate.set', { to: deputy.name, until }) }]),
      effects: [told],
      data: delegation,
    };
  },
};

async function end(holding: Delegation, ctx: CommandContext): Promise<CommandResult> {
  const changes: Change[] = [{ collection: 'delegations', id: holding.id, value: null }];
  await commitChanges(
    ctx,
    { at: ctx.now(), action: 'delegation.ended', subject: holding.id, detail: { to: holding.to } },
    changes,
    `delegation:${holding.id}`,
  );
  return {
    ok: true,
    reply: reply('ok', [{ type: 'heading', text: ctx.m.t('delegate.ended', { to: displayName(ctx.policy, holding.to) }) }]),
    effects: [],
  };
}
