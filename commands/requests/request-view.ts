import { appById } from '../../src/core/catalog.ts';
import type { Person } from '../../src/core/org.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { denyNeedsReason, refusalFor } from './decide-request.ts';
import type { Reply } from '../shared/reply.ts';
import { approversOf, displayName, requestCard } from './request-card.ts';

/** How a request is shown on a surface: its approvals card as a given viewer sees it, and its Deny form. */

export interface RequestCardView {
  /** The card: with Approve / Deny only for a viewer who may still decide, read-only otherwise. */
  reply: Reply;
  /** While it waits, the listed people who may decide it (a surface can refresh the card for them); none once decided. */
  deciders: Person[];
}

/**
 * The approvals card for a request as `viewer` should see it; without a viewer, the shared card (read-only).
 * Undefined when there is no such request.
 */
export function requestCardView(
  bot: Pick<CommandContext, 'store' | 'policy'>,
  requestId: string,
  viewer?: CommandContext,
): RequestCardView | undefined {
  const request = bot.store.get('requests', requestId);
  if (!request) return undefined;
  const full = requestCard(request, bot.policy);
  const waiting = request.status === 'requested';
  const live = waiting && viewer !== undefined && !refusalFor('approve', requestId, viewer);
  return {
    reply: live ? full : { ...full, blocks: full.blocks.filter((b) => b.type !== 'actions') },
    deciders: waiting ? approversOf(bot.policy, request) : [],
  };
}

/** What the Deny button opens: a refusal for someone who may not deny it, else the form's intro and whether a reason is required. */
export type DenyForm = { ok: false; refusal: CommandResult } | { ok: true; intro: string; reasonRequired: boolean };

export function denyForm(requestId: string, ctx: CommandContext): DenyForm {
  const refusal = refusalFor('deny', requestId, ctx);
  if (refusal) return { ok: false, refusal };
  const request = ctx.store.get('requests', requestId)!; // no refusal: it exists
  const intro = ctx.m.t('form.denyIntro', {
    id: requestId,
    requester: displayName(ctx.policy, request.person),
    app: appById(ctx.policy, request.app)?.name ?? request.app,
  });
  return { ok: true, intro, reasonRequired: denyNeedsReason(requestId, ctx) };
}
