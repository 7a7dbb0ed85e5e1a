import { CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type ConversationReference } from 'botbuilder';
import type { Effect } from '../../commands/context.ts';
import type { AppWarden, Deliverer } from '../../src/app.ts';
import { approvalCard } from './approval-card.ts';
import { renderCard } from './card.ts';
import { conversationById } from './conversations.ts';
import { personalChat, type TeamsLink } from './personal-chat.ts';

const messageKey = (subject: string) => `teams:${subject}`;

/**
 * Delivers effects on Teams, proactively: approvals posts (remembered for updates), card updates,
 * direct messages. Teams offers a bot no way to look back at what it sent, so an item interrupted by a
 * crash is sent again here (the Slack side can check).
 */
export function teamsDeliverer(bot: AppWarden, link: TeamsLink, log: (line: string) => void): Deliverer {
  return { platform: 'teams', deliver: (effect) => deliverEffect(effect, bot, link, log) };
}

async function deliverEffect(effect: Effect, bot: AppWarden, link: TeamsLink, log: (line: string) => void): Promise<void> {
  const send = (reference: ConversationReference, logic: Parameters<CloudAdapter['continueConversationAsync']>[2]) => link.adapter.continueConversationAsync(link.appId, reference, logic);
  if (effect.kind === 'notify') {
    // Addressed by person id: whoever the policy now says they are, the chat the bot has with them.
    const reference = await personalChat(bot, link, effect.person);
    if (!reference) {
      log(`teams: no way to reach ${effect.person} in Teams yet (they have not messaged the bot, in a chat or a channel); message not sent`);
      return;
    }
    await send(reference, (ctx) => ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(effect.message))] }).then(() => undefined));
    return;
  }
  // A request's card is rebuilt from the store so approvers get the live, refreshable version.
  const card = effect.subject && bot.store.get('requests', effect.subject) ? approvalCard(bot, effect.subject) : renderCard(effect.message);
  const known = effect.kind === 'update' ? bot.store.get('messages', messageKey(effect.subject)) : undefined;
  if (known) {
    const reference = conversationById(bot, known.ref.conversation!, link.trust);
    if (reference) await send(reference, (ctx) => ctx.updateActivity({ type: 'message', id: known.ref.activity!, attachments: [CardFactory.adaptiveCard(card)] }).then(() => undefined));
    return;
  }
  const channelName = effect.kind === 'post' ? effect.channel : 'approvals';
  const conversation = bot.policy.channels[channelName]?.teams;
  const reference = conversation ? conversationById(bot, conversation, link.trust) : undefined;
  if (!conversation || !reference) {
    if (conversation) log(`teams: cannot reach ${conversation} yet (the bot has not been added to that team); message not posted`);
    return;
  }
  let activityId: string | undefined;
  await send(reference, async (ctx) => {
    activityId = (await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] }))?.id;
  });
  const subject = effect.subject;
  if (subject && activityId) {
    const id = messageKey(subject);
    await bot.store.commit(
      { at: bot.now().toISOString(), actor: 'system', action: 'message.posted', subject, detail: { platform: 'teams', conversation } },
      [{ collection: 'messages', id, value: { id, platform: 'teams', subject, ref: { conversation, activity: activityId } } }],
    );
  }
}

/** The token audience of the Bot Connector: the override's, else Bot Framework's public cloud. */
export const connectorAudience = (auth: Record<string, string | undefined>) => auth.ToChannelFromBotOAuthScope ?? 'https://api.botframework.com';

/** A Teams deliverer for a process with no HTTP endpoint (`appwarden remind`): proactive messages only. */
export function createTeamsDeliverer(bot: AppWarden, auth: Record<string, string | undefined>, log: (line: string) => void): Deliverer {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: auth.MicrosoftAppId, MicrosoftAppPassword: auth.MicrosoftAppPassword, MicrosoftAppType: auth.MicrosoftAppType, MicrosoftAppTenantId: auth.MicrosoftAppTenantId,
  });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth, credentials));
  return teamsDeliverer(bot, { adapter, appId: auth.MicrosoftAppId ?? '', trust: 'bot-framework', audience: connectorAudience(auth) }, log);
}
