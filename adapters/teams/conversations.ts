import { TurnContext, type ConversationReference } from 'botbuilder';
import type { AppWarden } from '../../src/app.ts';

const forConversation = (id: string) => `teams:conversation:${id}`;
const forPerson = (person: string) => `teams:user:${person}`;

/**
 * Remember how to reach this conversation (and, for a personal chat, this person) later. Written only
 * when something changed, so a busy channel does not fill the audit log.
 */
export async function rememberConversation(bot: AppWarden, context: TurnContext, person: string | undefined): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown> & ConversationReference;
  delete reference.activityId;
  const personal = context.activity.conversation?.conversationType === 'personal';
  const ids = [forConversation(reference.conversation.id), ...(personal && person ? [forPerson(person)] : [])];
  const at = bot.now().toISOString();
  const changes = ids
    .filter((id) => JSON.stringify(bot.store.get('conversations', id)?.reference) !== JSON.stringify(reference))
    .map((id) => ({ collection: 'conversations' as const, id, value: { id, platform: 'teams', ...(person && id.startsWith('teams:user:') ? { person } : {}), reference, at } }));
  if (changes.length) await bot.store.commit({ at, actor: person ?? 'system', action: 'conversation.remembered', subject: reference.conversation.id, detail: { platform: 'teams' } }, changes);
}

export function personalConversation(bot: AppWarden, person: string): ConversationReference | undefined {
  return bot.store.get('conversations', forPerson(person))?.reference as ConversationReference | undefined;
}

/**
 * A conversation by id: remembered, or built from any known service URL (a channel the bot was added
 * to can be posted to before anyone spoke there).
 */
export function conversationById(bot: AppWarden, id: string): ConversationReference | undefined {
  const known = bot.store.get('conversations', forConversation(id))?.reference as ConversationReference | undefined;
  if (known) return known;
  const any = bot.store.list('conversations').at(-1)?.reference as ConversationReference | undefined;
  if (!any?.serviceUrl) return undefined;
  return { channelId: 'msteams', serviceUrl: any.serviceUrl, bot: any.bot, conversation: { id, isGroup: true, conversationType: 'channel', name: '' } };
}
