import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AppWarden } from '../../src/app.ts';
import { memberOf, personalConversation, rememberPersonalConversation, type Trust } from './conversations.ts';

/** What opening a personal chat needs besides the person: the bot, and the token audience of its channel. */
export interface TeamsLink {
  adapter: CloudAdapter;
  appId: string;
  trust: Trust;
  /** The OAuth scope of tokens to the Bot Connector (`https://api.botframework.com` unless overridden). */
  audience: string;
}

/**
 * The person's personal chat with the bot: the one remembered, or one opened now for someone the bot
 * met in a channel (Bot Framework lets a bot start a 1:1 chat with members of a team it is installed
 * in, given the tenant). Undefined when the bot has never met them on Teams.
 */
export async function personalChat(bot: AppWarden, link: TeamsLink, person: string): Promise<ConversationReference | undefined> {
  const known = await personalConversation(bot, person, link.trust);
  if (known) return known;
  const member = await memberOf(bot, person, link.trust);
  if (!member) return undefined;
  let reference: ConversationReference | undefined;
  const parameters = {
    isGroup: false,
    bot: member.bot ?? { id: link.appId },
    members: [member.user],
    tenantId: member.tenantId,
    channelData: { tenant: { id: member.tenantId } },
  };
  await link.adapter.createConversationAsync(
    link.appId,
    'msteams',
    member.serviceUrl,
    link.audience,
    parameters as never,
    async (context) => {
      reference = TurnContext.getConversationReference(context.activity) as ConversationReference;
    },
  );
  if (reference) await rememberPersonalConversation(bot, person, reference, link.trust);
  return reference;
}
