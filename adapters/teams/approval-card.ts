import type { Result } from '../../commands/entry/handle.ts';
import type { Address } from '../../commands/shared/context.ts';
import type { Reply } from '../../commands/shared/reply.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import { MAX_REFRESH_USERS, renderCard, type AdaptiveCard } from './card.ts';

export const REFRESH_VERB = 'request.refresh';

/**
 * Who a request's card is refreshed for: the Teams user ids (MRIs) found for its deciders, and how many
 * deciders there are (some may have no MRI the bot could find). No deciders: the request is decided.
 */
export interface RefreshTargets {
  userIds: readonly string[];
  deciders: number;
}

/**
 * A request's approvals card as the command layer showed it to one viewer (Approve / Deny only for
 * whoever may still decide, Deny asking for a reason in `denyReasonLabel`), still refreshed on open for
 * the deciders' Teams users. A refusal (no such request) is just the id, as an error.
 */
export function viewerCard(id: string, result: Result, denyReasonLabel: string, userIds: readonly string[]): AdaptiveCard {
  if (!result.ok || !result.view) return unknownRequestCard(id);
  const refresh = result.view.deciders.length ? refreshFor(id, userIds) : {};
  return renderCard(result.reply, { denyReasonLabel, ...refresh });
}

/**
 * A message about `subject` for the shared conversation. With deciders it is a request's card, shown
 * read-only to everyone: refreshed on open for up to 60 of its deciders' Teams users (Teams' limit),
 * who then get the command layer's live card, and with a Review action that gets anyone their own view
 * of it (the buttons, for whoever may decide); the card says how many deciders are not refreshed for.
 * A decided request's card has neither. Without deciders (other posts, items queued before deciders
 * were recorded) it is the message as it is.
 */
export function sharedCard(
  subject: string | undefined,
  message: Reply,
  targets: RefreshTargets | undefined,
  m: Wording,
  mention: readonly Address[] = [],
): AdaptiveCard {
  if (!subject || !targets) return renderCard(message);
  const blocks = message.blocks.filter((b) => b.type !== 'actions');
  if (!targets.deciders) return renderCard({ ...message, blocks });
  const refreshed = Math.min(targets.userIds.length, MAX_REFRESH_USERS);
  const notRefreshed = targets.deciders - refreshed;
  return renderCard(
    {
      ...message,
      blocks: [
        ...blocks,
        ...(notRefreshed > 0 ? [{ type: 'note' as const, text: m.t('teams.reviewForButtons', { n: notRefreshed }) }] : []),
        { type: 'actions', buttons: [{ actionId: REFRESH_VERB, label: m.t('teams.review'), value: subject }] },
      ],
    },
    { ...refreshFor(subject, targets.userIds), ...mentionsFor(mention, m) },
  );
}

/** Teams users to @-mention: at most MAX_MENTIONS, named as the policy names them. */
const MAX_MENTIONS = 20;
function mentionsFor(deciders: readonly Address[], m: Wording) {
  const people = deciders.flatMap((d) => (d.teams && d.name ? [{ id: d.teams, name: d.name }] : [])).slice(0, MAX_MENTIONS);
  return people.length ? { mentions: { label: m.t('teams.forApprovers'), people } } : {};
}

/** Universal Actions refresh for the first 60 of `userIds` (Teams' limit); nothing when there are none. */
function refreshFor(id: string, userIds: readonly string[]) {
  return userIds.length ? { refresh: { verb: REFRESH_VERB, data: { value: id }, userIds: userIds.slice(0, MAX_REFRESH_USERS) } } : {};
}

/** A card for a request id nobody knows: just the id, as an error. */
export const unknownRequestCard = (requestId: string): AdaptiveCard =>
  renderCard({ visibility: 'public', tone: 'error', blocks: [{ type: 'text', text: requestId }] });
