import type { CommandContext, Address } from '../../commands/shared/context.ts';
import type { Reply } from '../../commands/shared/reply.ts';
import { requestCardView } from '../../commands/requests/request-view.ts';
import type { AppWarden } from '../../src/app.ts';
import { messages } from '../../src/core/i18n/index.ts';
import { renderCard, type AdaptiveCard } from './card.ts';

export const REFRESH_VERB = 'request.refresh';

/**
 * The approvals card for a request, as the command layer shows it to `viewer` (Approve / Deny for
 * whoever may still decide, Deny asking for a reason; read-only for everyone else), refreshed on open
 * for the Teams users among its deciders. Undefined when there is no such request.
 */
export function approvalCard(bot: AppWarden, requestId: string, viewer: CommandContext): AdaptiveCard | undefined {
  const view = requestCardView(bot, requestId, viewer);
  if (!view) return undefined;
  return renderCard(view.reply, {
    denyReasonLabel: messages(bot.policy.organization.locale).form.denyReason,
    ...refreshFor(requestId, view.deciders),
  });
}

/**
 * A message about `subject` for the shared conversation. With deciders it is a request's card: shown
 * read-only to everyone, and refreshed on open for the Teams users among them, who then get the
 * command layer's live card. Without (other posts, items queued before deciders were recorded) it is
 * the message as it is.
 */
export function sharedCard(subject: string | undefined, message: Reply, deciders: Address[] | undefined): AdaptiveCard {
  if (!subject || !deciders) return renderCard(message);
  return renderCard({ ...message, blocks: message.blocks.filter((b) => b.type !== 'actions') }, refreshFor(subject, deciders));
}

/** Universal Actions refresh for the Teams users among `deciders`; nothing when there are none (a decided request). */
function refreshFor(id: string, deciders: Address[]) {
  const userIds = deciders.flatMap((d) => (d.teams ? [d.teams] : []));
  return userIds.length ? { refresh: { verb: REFRESH_VERB, data: { value: id }, userIds } } : {};
}

/** A card for a request id nobody knows: just the id, as an error. */
export const unknownRequestCard = (requestId: string): AdaptiveCard =>
  renderCard({ visibility: 'public', tone: 'error', blocks: [{ type: 'text', text: requestId }] });
