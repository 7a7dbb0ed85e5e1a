import { CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type ConversationReference } from 'botbuilder';
import type { Effect } from '../../commands/context.ts';
import type { AppWarden, Deliverer } from '../../src/app.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { approvalCard } from './approval-card.ts';
import { renderCard } from './card.ts';
import { conversationById, personalConversation } from './conversations.ts';

const messageKey = (subject: string) => `teams:${subject}`;

/**
 * Delivers effects on Teams, proactively: approvals posts (remembered for updates), card updates,
 * direct messages. Teams offers a bot no way to look back at what it sent, so an item interrupted by a
 * crash is sent again here (the Slack side can check).
 */
export function teamsDeliverer(bot: AppWarden, adapter: CloudAdapter, appId: string, log: (line: string) => void): Deliverer {
  return { platform: 'teams', deliver: (effect) => deliverEffect(effect, bot, adapter, appId, log) };
}

async function deliverEffect(effect: Effect, bot: AppWarden, adapter: CloudAdapter, appId: string, log: (line: string) => void): Promise<void> {
  const send = (reference: ConversationReference, logic: Parameters<CloudAdapter['continueConversationAsync']>[2]) => adapter.continueConversationAsync(appId, reference, logic);
  if (effect.kind === 'notify') {
    const person = resolvePerson(bot.policy, effect.person);
    const reference = personalConversation(bot, person.teams ?? person.id);
    if (!reference) {
      if (person.teams) log(`teams: no personal chat with ${effect.person} yet (they have not installed or messaged the bot); message not sent`);
      return;
    }
    await send(reference, (ctx) => ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(effect.message))] }).then(() => undefined));
    return;
  }
  // A request's card is rebuilt from the store so approvers get the live, refreshable version.
  const card = effect.subject && bot.store.get('requests', effect.subject) ? approvalCard(bot, effect.subject) : renderCard(effect.message);
  const known = effect.kind === 'update' ? bot.store.get('messages', messageKey(effect.subject)) : undefined;
  if (known) {
    const reference = conversationById(bot, known.ref.conversation!);
    if (reference) await send(reference, (ctx) => ctx.updateActivity({ type: 'message', id: known.ref.activity!, attachments: [CardFactory.adaptiveCard(card)] }).then(() => undefined));
    return;
  }
  const channelName = effect.kind === 'post' ? effect.channel : 'approvals';
  const conversation = bot.policy.channels[channelName]?.teams;
  const reference = conversation ? conversationById(bot, conversation) : undefined;
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

/** A Teams deliverer for a process with no HTTP endpoint (`appwarden remind`): proactive messages only. */
export function createTeamsDeliverer(bot: AppWarden, auth: Record<string, string | undefined>, log: (line: string) => void): Deliverer {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: auth.MicrosoftAppId, MicrosoftAppPassword: auth.MicrosoftAppPassword, MicrosoftAppType: auth.MicrosoftAppType, MicrosoftAppTenantId: auth.MicrosoftAppTenantId,
  });
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth, credentials));
  return teamsDeliverer(bot, adapter, auth.MicrosoftAppId ?? '', log);
}
