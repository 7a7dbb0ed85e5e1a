import type { CommandContext } from '../../commands/shared/context.ts';
import { requestCardView } from '../../commands/requests/request-view.ts';
import type { AppWarden } from '../../src/app.ts';
import { wording } from '../../commands/wording/wording.ts';
import { renderCard, type AdaptiveCard } from './card.ts';

export const REFRESH_VERB = 'request.refresh';

/**
 * The approvals card for a request, as the command layer shows it to `viewer` (Approve / Deny for
 * whoever may still decide, Deny asking for a reason; read-only for everyone else). Without a viewer
 * it is the shared card: read-only, with a refresh so approvers see the live one when they open it.
 * Undefined when there is no such request.
 */
export function approvalCard(bot: AppWarden, requestId: string, viewer?: CommandContext): AdaptiveCard | undefined {
  const view = requestCardView(bot, requestId, viewer);
  if (!view) return undefined;
  const approvers = view.deciders.flatMap((p) => (p.teams ? [p.teams] : []));
  return renderCard(view.reply, {
    denyReasonLabel: wording(bot.policy.organization.locale).t('form.denyReason'),
    ...(approvers.length ? { refresh: { verb: REFRESH_VERB, data: { value: requestId }, userIds: approvers } } : {}),
  });
}

/** A card for a request id nobody knows: just the id, as an error. */
export const unknownRequestCard = (requestId: string): AdaptiveCard =>
  renderCard({ visibility: 'public', tone: 'error', blocks: [{ type: 'text', text: requestId }] });
