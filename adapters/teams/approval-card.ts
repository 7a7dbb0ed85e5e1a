import { approversOf, requestCard } from '../../commands/request-card.ts';
import type { AppWarden } from '../../src/app.ts';
import { messages } from '../../src/core/i18n/index.ts';
import { renderCard, type AdaptiveCard } from './card.ts';

export const REFRESH_VERB = 'request.refresh';

/**
 * The approvals card for a request, as `viewer` should see it: approvers who may still decide get
 * Approve / Deny (Deny asks for a reason); everyone else a read-only card. Without a viewer it is the
 * shared card: read-only, with a refresh so approvers see the live one when they open it.
 */
export function approvalCard(bot: AppWarden, requestId: string, viewer?: { person: string; mayDecide: boolean }): AdaptiveCard {
  const request = bot.store.get('requests', requestId);
  if (!request) return renderCard({ visibility: 'public', tone: 'error', blocks: [{ type: 'text', text: requestId }] });
  const full = requestCard(request, bot.policy);
  const m = messages(bot.policy.organization.locale);
  const live = request.status === 'requested' && viewer?.mayDecide === true;
  const reply = live ? full : { ...full, blocks: full.blocks.filter((b) => b.type !== 'actions') };
  const approvers = request.status === 'requested' ? approversOf(bot.policy, request).flatMap((p) => (p.teams ? [p.teams] : [])) : [];
  return renderCard(reply, {
    denyReasonLabel: m.form.denyReason,
    ...(approvers.length ? { refresh: { verb: REFRESH_VERB, data: { value: request.id }, userIds: approvers } } : {}),
  });
}
