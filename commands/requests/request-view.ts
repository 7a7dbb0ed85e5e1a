import { appById } from '../../src/core/catalog.ts';
import type { Address, CommandContext, CommandResult } from '../shared/context.ts';
import { denyNeedsReason, refusalFor } from './decide-request.ts';
import type { Reply } from '../shared/reply.ts';
import { decidersOf, displayName, requestCard } from './request-card.ts';

/** How a request is shown on a surface: its approvals card as a given viewer sees it, and its Deny form. */

export interface RequestCardView {
  /** The card: with Approve / Deny only for a viewer who may still decide, read-only otherwise. */
  reply: Reply;
  /** While it waits, where to reach the people who may decide it (a surface can refresh the card for them); none once decided. */
  deciders: Address[];
}

/** The approvals card for a request as the viewer (`ctx.person`) should see it. Undefined when there is no such request. */
export function requestCardView(requestId: string, ctx: CommandContext): RequestCardView | undefined {
  const request = ctx.store.get('requests', requestId);
  if (!request) return undefined;
  const full = requestCard(request, ctx.policy);
  const live = request.status === 'requested' && !refusalFor('approve', requestId, ctx);
  return {
    reply: live ? full : { ...full, blocks: full.blocks.filter((b) => b.type !== 'actions') },
    deciders: decidersOf(ctx.policy, request),
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
