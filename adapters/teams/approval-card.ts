import type { Result } from '../../commands/entry/handle.ts';
import type { Address } from '../../commands/shared/context.ts';
import type { Reply } from '../../commands/shared/reply.ts';
import { renderCard, type AdaptiveCard } from './card.ts';

export const REFRESH_VERB = 'request.refresh';

/**
 * A request's approvals card as the command layer showed it to one viewer (Approve / Deny only for
 * whoever may still decide, Deny asking for a reason in `denyReasonLabel`), refreshed on open for the
 * Teams users among its deciders. A refusal (no such request) is just the id, as an error.
 */
export function viewerCard(id: string, result: Result, denyReasonLabel: string): AdaptiveCard {
  if (!result.ok || !result.view) return unknownRequestCard(id);
  return renderCard(result.reply, { denyReasonLabel, ...refreshFor(id, result.view.deciders) });
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
