import { TurnContext, type ConversationReference } from 'botbuilder';
import {
  conversationRecord,
  forgetConversations,
  latestTenantRecord,
  rememberConversations,
  type LearntConversation,
  type Trust,
} from '../../commands/delivery/platform-records.ts';
import type { AppWarden } from '../../src/app.ts';

export type { Trust } from '../../commands/delivery/platform-records.ts';

/**
 * Remember how to reach this conversation later — and, for a personal chat, this person; for a channel,
 * how to open a personal chat with them; and the tenant's service URL. Called only for activities that
 * were authenticated (or came from the loopback emulator) and from an allowed tenant. The command
 * layer writes only what changed, so a busy channel does not fill the audit log.
 */
export async function rememberConversation(bot: AppWarden, context: TurnContext, person: string | undefined, trust: Trust): Promise<void> {
  const a = context.activity;
  const reference = TurnContext.getConversationReference(a) as Record<string, unknown> & ConversationReference;
  delete reference.activityId;
  const tenantId = tenantOf(a);
  const learnt: LearntConversation[] = [{ kind: 'conversation', key: reference.conversation.id, reference }];
  if (person && a.conversation?.conversationType === 'personal') learnt.push({ kind: 'personal', key: person, person, reference });
  else if (person && a.from?.id && tenantId)
    learnt.push({
      kind: 'member',
      key: person,
      person,
      reference: { serviceUrl: a.serviceUrl, bot: a.recipient, user: { id: a.from.id }, tenantId },
    });
  if (tenantId) learnt.push({ kind: 'tenant', key: tenantId, reference: { serviceUrl: a.serviceUrl, bot: a.recipient, tenantId } });
  await rememberConversations(bot, learnt, trust);
}

/** Whether the bot already knows this conversation (it was added before, or someone wrote in it). */
export async function knownConversation(bot: AppWarden, id: string, trust: Trust): Promise<boolean> {
  return !!(await conversationRecord(bot, 'conversation', channelOf(id), trust));
}

/** A channel thread's id names the channel plus a message (`;messageid=`): the conversation is the channel. */
export const channelOf = (id: string) => id.split(';messageid=')[0]!;

/**
 * The app was removed from this conversation: forget how to reach it — a personal chat and the
 * person it reached, or a team's channel (and the team, by its id) — so nothing is sent there again.
 */
export async function forgetConversation(bot: AppWarden, context: TurnContext, person: string | undefined): Promise<void> {
  const a = context.activity;
  const id = a.conversation?.id ? channelOf(a.conversation.id) : undefined;
  const team = (a.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  await forgetConversations(bot, [
    ...(id ? [{ kind: 'conversation' as const, key: id }] : []),
    ...(typeof team === 'string' && team && team !== id ? [{ kind: 'conversation' as const, key: team }] : []),
    ...(person && a.conversation?.conversationType === 'personal' ? [{ kind: 'personal' as const, key: person }] : []),
  ]);
}

/** A personal chat opened by the bot (to answer privately, or to tell a requester met only in a channel). */
export async function rememberPersonalConversation(
  bot: AppWarden,
  person: string,
  reference: ConversationReference,
  trust: Trust,
): Promise<void> {
  const clean = { ...reference } as Record<string, unknown>;
  delete clean.activityId;
  await rememberConversations(bot, [{ kind: 'personal', key: person, person, reference: clean }], trust);
}

export async function personalConversation(bot: AppWarden, person: string, trust: Trust): Promise<ConversationReference | undefined> {
  return (await conversationRecord(bot, 'personal', person, trust))?.reference as ConversationReference | undefined;
}

/** Enough to open a personal chat with someone the bot met in a channel: their Teams user id, tenant and service URL. */
export interface MemberReference {
  serviceUrl: string;
  bot?: { id: string; name?: string };
  user: { id: string };
  tenantId: string;
}

export async function memberOf(bot: AppWarden, person: string, trust: Trust): Promise<MemberReference | undefined> {
  return (await conversationRecord(bot, 'member', person, trust))?.reference as MemberReference | undefined;
}

/** A member of a team met through the roster (not through their own activity): how to reach them later. */
export async function rememberMember(bot: AppWarden, person: string, member: MemberReference, trust: Trust): Promise<void> {
  await rememberConversations(bot, [{ kind: 'member', key: person, person, reference: { ...member } }], trust);
}

/**
 * The Teams user id (MRI, `29:…`) the bot already knows for a person: from their personal chat (the
 * user of its reference, when it is them) or from where it met them in a channel or the roster.
 */
export async function knownUserId(bot: AppWarden, person: string, aadObjectId: string, trust: Trust): Promise<string | undefined> {
  const user = (await personalConversation(bot, person, trust))?.user as { id?: unknown; aadObjectId?: unknown } | undefined;
  const sameUser = !user?.aadObjectId || String(user.aadObjectId).toLowerCase() === aadObjectId.toLowerCase();
  if (typeof user?.id === 'string' && user.id && sameUser) return user.id;
  const member = (await memberOf(bot, person, trust))?.user.id;
  return typeof member === 'string' && member ? member : undefined;
}

/** The tenant to record with someone met through the roster: the conversation's, else the one learnt last. */
export async function tenantFor(bot: AppWarden, activity: Parameters<typeof tenantOf>[0], trust: Trust): Promise<string | undefined> {
  return tenantOf(activity) ?? ((await latestTenantRecord(bot, trust))?.reference as { tenantId?: string } | undefined)?.tenantId;
}

/**
 * A conversation by id: its own remembered reference, or — for a channel the bot was added to but where
 * nobody has spoken yet — the service URL of the organisation's tenant, learnt from an authenticated
 * activity. Never a service URL that came with an unchecked request.
 */
export async function conversationById(bot: AppWarden, id: string, trust: Trust): Promise<ConversationReference | undefined> {
  const known = (await conversationRecord(bot, 'conversation', id, trust))?.reference as ConversationReference | undefined;
  if (known) return known;
  const tenant = (await latestTenantRecord(bot, trust))?.reference as
    | { serviceUrl?: string; bot?: ConversationReference['bot']; tenantId?: string }
    | undefined;
  if (!tenant?.serviceUrl) return undefined;
  return {
    channelId: 'msteams',
    serviceUrl: tenant.serviceUrl,
    bot: tenant.bot!,
    conversation: { id, isGroup: true, conversationType: 'channel', name: '', ...(tenant.tenantId ? { tenantId: tenant.tenantId } : {}) },
  } as ConversationReference;
}

/** The tenant an activity comes from: Teams puts it in channelData, Bot Framework also on the conversation. */
export function tenantOf(activity: { channelData?: unknown; conversation?: { tenantId?: string } }): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return typeof fromChannelData === 'string' && fromChannelData ? fromChannelData : activity.conversation?.tenantId || undefined;
}
