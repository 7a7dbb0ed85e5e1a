import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AppWarden } from '../../src/app.ts';
import { DeliveryError } from '../../src/runtime/outbox.ts';
import {
  conversationById,
  memberOf,
  personalConversation,
  rememberMember,
  rememberPersonalConversation,
  tenantFor,
  type MemberReference,
  type Trust,
} from './conversations.ts';
import { lookUp } from './member-ids.ts';

/** What opening a personal chat needs besides the person: the bot, and the token audience of its channel. */
export interface TeamsLink {
  adapter: CloudAdapter;
  appId: string;
  trust: Trust;
  /** The OAuth scope of tokens to the Bot Connector (`https://api.botframework.com` unless overridden). */
  audience: string;
}

/** How long opening a chat (`POST /v3/conversations`) or one roster lookup may take. */
export const CREATE_TIMEOUT_MS = 10_000;
const ROSTER_TIMEOUT_MS = 5_000;

/**
 * The person's personal chat with the bot: the one remembered, or one opened now for someone the bot
 * met in a channel (Bot Framework lets a bot start a 1:1 chat with members of a team it is installed
 * in, given the tenant) — or, given their Entra object id (`aadObjectId`, from the policy or the
 * directory), for someone who never wrote to the bot but is in the roster of a team the bot posts to.
 * Undefined when the bot cannot find them on Teams. What it opens and finds is remembered.
 */
export async function personalChat(
  bot: AppWarden,
  link: TeamsLink,
  person: string,
  aadObjectId?: string,
): Promise<ConversationReference | undefined> {
  const known = await personalConversation(bot, person, link.trust);
  if (known) return known;
  const member =
    (await memberOf(bot, person, link.trust)) ?? (aadObjectId ? await rosterMember(bot, link, person, aadObjectId) : undefined);
  if (!member) return undefined;
  let reference: ConversationReference | undefined;
  const parameters = {
    isGroup: false,
    bot: member.bot ?? { id: link.appId },
    members: [member.user],
    tenantId: member.tenantId,
    channelData: { tenant: { id: member.tenantId } },
  };
  await withTimeout(
    link.adapter.createConversationAsync(link.appId, 'msteams', member.serviceUrl, link.audience, parameters as never, async (context) => {
      reference = TurnContext.getConversationReference(context.activity) as ConversationReference;
    }),
    CREATE_TIMEOUT_MS,
    `opening a personal chat with ${person}`,
  );
  if (reference) await rememberPersonalConversation(bot, person, reference, link.trust);
  return reference;
}

/**
 * Someone known only by their Entra object id, found in the roster of a channel the bot posts to
 * (the policy's Teams channels: a channel's roster is its team's): their Teams user id (MRI), with the
 * tenant and service URL to open a chat with them, remembered as a member. Undefined when no team the
 * bot knows holds them. A roster that does not answer is a transient failure: the outbox tries again.
 */
async function rosterMember(bot: AppWarden, link: TeamsLink, person: string, aadObjectId: string): Promise<MemberReference | undefined> {
  const channels = [...new Set(Object.values(bot.policy.channels).flatMap((c) => (c?.teams ? [c.teams] : [])))];
  let failure: DeliveryError | undefined;
  for (const channel of channels) {
    const reference = await conversationById(bot, channel, link.trust);
    if (!reference?.serviceUrl) continue;
    const tenantId = await tenantFor(bot, { conversation: reference.conversation as { tenantId?: string } }, link.trust);
    if (!tenantId) continue;
    let found: Awaited<ReturnType<typeof lookUp>> | undefined;
    await link.adapter.continueConversationAsync(link.appId, reference, async (context) => {
      found = await lookUp(context, aadObjectId, ROSTER_TIMEOUT_MS);
    });
    if (found && 'id' in found) {
      const member: MemberReference = { serviceUrl: reference.serviceUrl, bot: reference.bot, user: { id: found.id }, tenantId };
      await rememberMember(bot, person, member, link.trust);
      return member;
    }
    if (found && !found.notFound)
      failure = new DeliveryError('transient', `looking ${person} up in the roster of ${channel}: ${found.error}`);
  }
  if (failure) throw failure;
  return undefined;
}

/** `work` within `ms`, else a transient DeliveryError (the outbox tries again; Teams opens the same 1:1 chat twice as one). */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError('transient', `${what}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
