import * as z from 'zod/mini';
import { appById } from '../../src/core/catalog.ts';
import { principalsFor } from '../../src/core/delegation.ts';
import { decideException, isDenyReasonRequired, mayDecide, revokeException, withdrawException } from '../../src/core/exceptions.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import { wording } from '../wording/wording.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { put, type ExceptionRequest } from '../../src/core/records.ts';
import type { Outcome } from '../../src/core/result.ts';
import { requestId, type Command } from '../shared/command.ts';
import { asUnitOfWork, commitChanges, duplicateOf, inUnit } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { inputFields, optional, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';
import { approverCopies, cardUpdates, deciderName, displayName, localTime, stageWhere } from './request-card.ts';

type Transition = 'approve' | 'deny' | 'withdraw' | 'revoke';

/** approve / deny / withdraw / revoke share one shape: find the request, ask the core, commit, tell everyone. */
function transitionCommand(name: Transition, takesReason: boolean): Command {
  return {
    name,
    // Approving, an approver may grant fewer days than asked and add a condition of their own.
    flags: takesReason ? { reason: 'string' } : name === 'approve' ? { days: 'string', condition: 'string' } : {},
    run: ({ words, flags }, ctx) => {
      const m = ctx.m;
      if (words.length !== 1)
        return words.length
          ? refused('unexpected_text', m.t('errors.unexpectedText', { command: name, text: words.slice(1).join(' ') }))
          : refused('missing_id', m.t('errors.missingId', { command: name }));
      const id = requestId(words[0]!);
      const fields = inputFields(ctx.policy, m);
      const reasonInput = validate(
        z.object({ reason: optional(fields.reason), days: optional(fields.days), condition: optional(fields.reason) }),
        flags,
        m,
      );
      if (!reasonInput.ok) return refusal(reasonInput, m, { command: name, id });
      const { reason, days, condition } = reasonInput.value;
      // Whether a denial needs a reason is the rule's to say, and the core's to check: on every path.
      return applyTransition(name, id, reason, ctx, { ...(days ? { days } : {}), ...(condition ? { condition } : {}) });
    },
  };
}

/** Also what the Approve / Deny buttons call. One unit of work: of a double click (or two approvers at once), one wins and the other is told. */
export async function applyTransition(
  name: Transition,
  id: string,
  reason: string | undefined,
  ctx: CommandContext,
  grant: ApprovalTerms = {},
): Promise<CommandResult> {
  if (!inUnit(ctx)) return asUnitOfWork(ctx, (inside) => applyTransition(name, id, reason, inside, grant));
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const prepared = prepareTransition(name, id, reason, ctx, grant);
  if (!prepared.ok) return prepared.result;
  if (prepared.next.status === 'requested') return stageApproved(prepared.next, ctx);
  const next = prepared.next;
  const effects = effectsOf(next, ctx);
  await commitChanges(
    ctx,
    {
      at: ctx.now(),
      action: `request.${next.status}`,
      subject: id,
      detail: { ...(next.decisionReason ? { reason: next.decisionReason } : {}), ...(next.decidedFor ? { for: next.decidedFor } : {}) },
    },
    [put('requests', next)],
    id,
    effects,
  );
  return { ok: true, data: next, reply: reply('ok', [{ type: 'heading', text: confirmation(name, next, ctx) }]), effects };
}

/**
 * An approval that is not the last the request needs (stages, quorum): recorded; when it completes a
 * stage, the next stage's approvers are sent their own copies; every card shows where it stands, and
 * the requester hears which stage it is at.
 */
async function stageApproved(partial: ExceptionRequest, ctx: CommandContext): Promise<CommandResult> {
  const before = ctx.store.get('requests', partial.id)!;
  const advanced = (partial.stage ?? 0) !== (before.stage ?? 0);
  const copies = advanced ? approverCopies(partial, ctx.policy) : { effects: [], notified: [] };
  const fresh = copies.effects.filter((e) => e.kind === 'notify' && !(partial.notified ?? []).includes(e.person));
  const next = fresh.length ? { ...partial, notified: [...new Set([...(partial.notified ?? []), ...copies.notified])] } : partial;
  const where = stageWhere(next, ctx.policy, ctx.m);
  const requester = resolvePerson(ctx.policy, next.person);
  const told: Effect = {
    kind: 'notify',
    person: next.person,
    ...(next.contact ? { address: next.contact } : {}),
    message: reply('info', [{ type: 'heading', text: stageWhere(next, ctx.policy, wording(requester.locale)) }]),
  };
  const effects: Effect[] = [...cardUpdates(next, ctx.policy), ...fresh, ...(advanced ? [told] : [])];
  const last = next.approvals!.at(-1)!;
  await commitChanges(
    ctx,
    {
      at: ctx.now(),
      action: 'request.stage_approved',
      subject: next.id,
      detail: { stage: last.stage + 1, ...(last.for ? { for: last.for } : {}) },
    },
    [put('requests', next)],
    next.id,
    effects,
  );
  return {
    ok: true,
    data: next,
    reply: reply('ok', [
      { type: 'heading', text: ctx.m.t('request.stageRecorded', { id: next.id }) },
      { type: 'text', text: where },
    ]),
    effects,
  };
}

/** Whether denying this request must give a reason (the rule's `deny_reason`): the Deny form asks for one then. */
export function denyNeedsReason(id: string, ctx: CommandContext): boolean {
  const request = ctx.store.get('requests', id);
  return !request || isDenyReasonRequired(ctx.policy, request);
}

/**
 * Whether this person may make this transition now, without making it: a Deny button asks before
 * opening its form. The reason that form asks for is not yet given, so its absence is no refusal here.
 */
export function refusalFor(name: Transition, id: string, ctx: CommandContext): CommandResult | undefined {
  const prepared = prepareTransition(name, id, undefined, ctx);
  return prepared.ok || prepared.result.code === 'reason_missing' ? undefined : prepared.result;
}

/** What an approver may change of what was asked when approving: fewer days, a condition of their own. */
export interface ApprovalTerms {
  days?: number;
  condition?: string;
}

function prepareTransition(
  name: Transition,
  id: string,
  reason: string | undefined,
  ctx: CommandContext,
  grant: ApprovalTerms = {},
): { ok: true; next: ExceptionRequest } | { ok: false; result: CommandResult } {
  const current = ctx.store.get('requests', id);
  if (!current) return { ok: false, result: refusal({ code: 'unknown_request' }, ctx.m, { command: name, id }) };
  const now = ctx.now();
  // A deputy decides for an approver away, as `delegate` set it: the approver's right, their own name.
  const principal =
    (name === 'approve' || name === 'deny') && !mayDecide(ctx.policy, ctx.person, current)
      ? principalsFor(ctx.policy, ctx.store.where('delegations', 'to', ctx.person.id), ctx.person, current, now)[0]
      : undefined;
  const outcome: Outcome<ExceptionRequest> =
    name === 'approve'
      ? decideException(current, ctx.person, { approve: true, ...grant }, ctx.policy, now, principal)
      : name === 'deny'
        ? decideException(current, ctx.person, { approve: false, ...(reason ? { reason } : {}) }, ctx.policy, now, principal)
        : name === 'withdraw'
          ? withdrawException(current, ctx.person, ctx.policy, now)
          : revokeException(current, ctx.person, reason, ctx.policy, now);
  if (outcome.ok) return { ok: true, next: outcome.value };
  const d = outcome.data ?? {};
  const by = typeof d.by === 'string' && d.by && d.by !== 'system' ? displayName(ctx.policy, d.by) : '';
  const at = typeof d.at === 'string' && d.at ? localTime(d.at, ctx.policy.organization.timezone, ctx.m) : '';
  return { ok: false, result: refusal({ ...outcome, data: { ...d, by, at } }, ctx.m, { command: name, id }) };
}

function confirmation(name: Transition, r: ExceptionRequest, ctx: CommandContext): string {
  const m = ctx.m;
  const app = appById(ctx.policy, r.app)?.name ?? r.app;
  const requester = displayName(ctx.policy, r.person);
  if (name === 'approve')
    return m.t('request.approved', { id: r.id, requester, app, until: lastValidDate(r.expiresAt!, ctx.policy.organization.timezone) });
  if (name === 'deny') return m.t('request.denied', { id: r.id, requester, app });
  if (name === 'withdraw') return m.t('request.withdrawn', { id: r.id });
  return m.t('request.revoked', { id: r.id, requester });
}

/** The approvals message loses its buttons; the requester hears of any decision but their own withdrawal. */
function effectsOf(r: ExceptionRequest, ctx: CommandContext): Effect[] {
  const effects: Effect[] = cardUpdates(r, ctx.policy);
  if (r.status === 'withdrawn') return effects;
  const requester = resolvePerson(ctx.policy, r.person);
  const m = wording(requester.locale);
  const app = appById(ctx.policy, r.app)?.name ?? r.app;
  const by = deciderName(ctx.policy, r, m) ?? displayName(ctx.policy, ctx.person.id);
  const headline =
    r.status === 'approved'
      ? m.t('request.youWereApproved', { id: r.id, app, by, until: lastValidDate(r.expiresAt!, ctx.policy.organization.timezone) })
      : r.status === 'denied'
        ? m.t('request.youWereDenied', { id: r.id, app, by })
        : m.t('request.youWereRevoked', { id: r.id, app, by });
  const blocks = [{ type: 'heading' as const, text: headline }];
  if (r.status !== 'approved')
    blocks.push({
      type: 'heading',
      text: r.decisionReason ? m.t('request.reasonGiven', { reason: r.decisionReason }) : m.t('request.noReasonGiven'),
    });
  else {
    if (r.askedDays) blocks.push({ type: 'heading', text: m.t('request.shortened', { days: r.days, asked: r.askedDays }) });
    if (r.conditions) blocks.push({ type: 'heading', text: m.t('explain.conditions', { text: r.conditions }) });
  }
  return [
    ...effects,
    {
      kind: 'notify',
      person: r.person,
      ...(r.contact ? { address: r.contact } : {}),
      message: reply(r.status === 'approved' ? 'ok' : 'stop', blocks),
    },
  ];
}

export const approve = transitionCommand('approve', false);
export const deny = transitionCommand('deny', true);
export const withdraw = transitionCommand('withdraw', false);
export const revoke = transitionCommand('revoke', true);
