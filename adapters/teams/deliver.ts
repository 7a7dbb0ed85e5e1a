import {
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { Effect } from '../../commands/shared/context.ts';
import { postRef, rememberPost } from '../../commands/delivery/platform-records.ts';
import type { AppWarden, Deliverer } from '../../src/app.ts';
import { DeliveryError } from '../../src/runtime/outbox.ts';
import { wording } from '../../commands/wording/wording.ts';
import { sharedCard } from './approval-card.ts';
import { MAX_REFRESH_USERS, renderCard } from './card.ts';
import { conversationById } from './conversations.ts';
import { teamsUserIds, type UserIdsOf } from './member-ids.ts';
import { personalChat, type TeamsLink } from './personal-chat.ts';

/**
 * Delivers effects on Teams, proactively: approvals posts (remembered for updates), card updates,
 * direct messages. Teams offers a bot no way to look back at what it sent, so an item interrupted by a
 * crash is sent again here (the Slack side can check).
 */
export function teamsDeliverer(
  bot: AppWarden,
  link: TeamsLink,
  log: (line: string) => void,
  userIdsOf: UserIdsOf = teamsUserIds(bot, link.trust, log),
): Deliverer {
  return { platform: 'teams', deliver: (effect) => deliverEffect(effect, bot, link, log, userIdsOf) };
}

async function deliverEffect(
  effect: Effect,
  bot: AppWarden,
  link: TeamsLink,
  log: (line: string) => void,
  userIdsOf: UserIdsOf,
): Promise<void> {
  const send = (reference: ConversationReference, logic: (context: TurnContext) => Promise<void>) => sendClassified(link, reference, logic);
  if (effect.kind === 'notify') {
    // Addressed by person id: the chat the bot has with them, even if the policy no longer lists them;
    // else one opened now, finding them in a team's roster by their Entra object id (not for an approver's
    // copy, a convenience: the shared card, its refresh and its Review already reach them).
    const reference = await personalChat(bot, link, effect.person, effect.subject ? undefined : effect.address?.teams).catch(
      (e: unknown) => {
        throw classifyConnectorError(e, `opening a personal chat with ${effect.person}`);
      },
    );
    if (!reference) {
      // Someone with no Teams identity who never wrote to the bot is not on Teams: nothing to do here.
      if (!effect.address?.teams) return;
      // An approver's copy is a convenience: the shared card (its refresh, its Review) still reaches them.
      if (effect.subject) {
        log(
          `teams: no personal chat with ${effect.person} yet, so their copy of ${effect.subject.split(':')[0]} goes only to the approvals card`,
        );
        return;
      }
      throw new DeliveryError(
        'permanent',
        `no personal chat with ${effect.person} yet: they have not installed AppWarden or written to it in Teams, and no team AppWarden posts to has them in its roster`,
      );
    }
    let copyId: string | undefined;
    await send(reference, async (ctx) => {
      copyId = (await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(effect.message))] }))?.id;
    });
    // An approver's own copy of a request: remembered, so the decision updates it too.
    if (effect.subject && copyId && reference.conversation?.id)
      await rememberPost(bot, 'teams', effect.subject, { conversation: reference.conversation.id, activity: copyId });
    return;
  }
  // Rendered from the effect alone (never from the store): a request's card, read-only, refreshed for its
  // deciders' Teams users (found in the conversation it goes to), with Review for anyone else.
  const cardIn = async (context: TurnContext) => {
    const deciders = effect.subject ? effect.deciders : undefined;
    // Deciders with no Teams identity are not on Teams: the card is not theirs to refresh.
    const onTeams = new Set(deciders?.flatMap((d) => (d.teams ? [d.teams] : [])));
    const userIds = onTeams.size ? await userIdsOf(context, deciders!, 'delivery') : [];
    const refreshed = Math.min(userIds.length, MAX_REFRESH_USERS);
    if (onTeams.size > refreshed)
      log(
        `teams: the card about ${effect.subject} refreshes automatically for ${refreshed} of its ${onTeams.size} deciders on Teams; ` +
          `${onTeams.size - refreshed} left out use its Review action` +
          (userIds.length > MAX_REFRESH_USERS ? ` (Teams refreshes a card for at most ${MAX_REFRESH_USERS} users)` : ''),
      );
    const targets = deciders && { userIds, deciders: onTeams.size };
    // The first post @-mentions who may decide, so Teams notifies them; an update does not notify again.
    const mention = effect.kind === 'post' ? (deciders ?? []) : [];
    return CardFactory.adaptiveCard(sharedCard(effect.subject, effect.message, targets, wording(bot.policy.organization.locale), mention));
  };
  const known = effect.kind === 'update' ? await postRef(bot, 'teams', effect.subject) : undefined;
  if (known) {
    const reference = await conversationById(bot, known.conversation!, link.trust);
    if (!reference)
      throw new DeliveryError('permanent', `cannot reach ${known.conversation} to update the message about ${effect.subject}`);
    await send(reference, async (ctx) => {
      await ctx.updateActivity({ type: 'message', id: known.activity!, attachments: [await cardIn(ctx)] });
    });
    return;
  }
  if (effect.kind === 'update' && effect.onlyWhereSent) return; // a copy never sent on Teams
  const channelName = effect.kind === 'post' ? effect.channel : 'approvals';
  const conversation = bot.policy.channels[channelName]?.teams;
  const reference = conversation ? await conversationById(bot, conversation, link.trust) : undefined;
  if (!conversation) return; // a channel left out for Teams posts nothing there
  if (!reference)
    throw new DeliveryError('permanent', `cannot reach ${conversation}: add AppWarden to the team that holds the ${channelName} channel`);
  let activityId: string | undefined;
  await send(reference, async (ctx) => {
    activityId = (await ctx.sendActivity({ attachments: [await cardIn(ctx)] }))?.id;
  });
  if (effect.subject && activityId) await rememberPost(bot, 'teams', effect.subject, { conversation, activity: activityId });
}

/**
 * Runs `logic` in a proactive turn and throws what went wrong as a classified DeliveryError. Errors
 * inside the turn would otherwise go to the adapter's onTurnError and be swallowed.
 */
async function sendClassified(
  link: TeamsLink,
  reference: ConversationReference,
  logic: (context: TurnContext) => Promise<void>,
): Promise<void> {
  let failure: unknown;
  try {
    await link.adapter.continueConversationAsync(link.appId, reference, async (context) => {
      try {
        await logic(context);
      } catch (e) {
        failure = e;
      }
    });
  } catch (e) {
    failure ??= e;
  }
  if (failure !== undefined) throw classifyConnectorError(failure, `conversation ${reference.conversation?.id}`);
}

/**
 * A Bot Connector error as a delivery outcome. Teams gives a bot no way to read back what it posted,
 * so a post that may have landed (a 5xx other than 503, a reset) is sent again.
 */
export function classifyConnectorError(e: unknown, what: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const err = e as {
    statusCode?: number;
    code?: string;
    message?: string;
    response?: { headers?: { get?(name: string): string | undefined } };
  };
  const status = err.statusCode;
  const reason = `${what}: ${status ? `HTTP ${status} ` : ''}${err.code && !status ? `${err.code} ` : ''}${err.message ?? String(e)}`.slice(
    0,
    500,
  );
  const retryAfter = Number(err.response?.headers?.get?.('retry-after'));
  if (status === 429 || status === 412 || status === 503)
    return new DeliveryError('transient', reason, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined, e);
  if (status && status >= 500) return new DeliveryError('unknown', reason, undefined, e);
  // 403 not in the conversation, 404 gone, 400/413 refused
  if (status && status >= 400) return new DeliveryError('permanent', reason, undefined, e);
  if (err.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(err.message ?? ''))
    return new DeliveryError('transient', reason, undefined, e);
  return new DeliveryError('unknown', reason, undefined, e);
}

/** The connector client's own retries are off: a post whose answer was lost must not be sent blindly again; the outbox retries. */
export const CONNECTOR_CLIENT_OPTIONS = { retryOptions: { maxRetries: 0 } } as never;

/**
 * Bot Framework authentication whose connector clients do not retry on their own. botbuilder builds
 * each client's Azure pipeline with a default retry policy (5xx, 408, 429 and network errors, three
 * times) and passes no retry options through, so the policy is taken out of each client it creates:
 * only the outbox retries, knowing what may have landed.
 */
export function withoutConnectorRetries(auth: BotFrameworkAuthentication): BotFrameworkAuthentication {
  const createConnectorFactory = auth.createConnectorFactory.bind(auth);
  auth.createConnectorFactory = (claims) => {
    const factory = createConnectorFactory(claims);
    const create = factory.create.bind(factory);
    factory.create = async (serviceUrl, audience) => {
      const client = await create(serviceUrl, audience);
      pipelineOf(client)?.removePolicy({ phase: 'Retry' });
      return client;
    };
    return factory;
  };
  return auth;
}

type Pipeline = { removePolicy(options: { phase: string }): unknown };

/** The Azure HTTP pipeline inside a connector client, which botbuilder does not type: checked, not cast. */
function pipelineOf(client: object): Pipeline | undefined {
  const pipeline: unknown = (Reflect.get(client, 'client') as { pipeline?: unknown } | undefined)?.pipeline;
  return typeof pipeline === 'object' && pipeline !== null && typeof (pipeline as Partial<Pipeline>).removePolicy === 'function'
    ? (pipeline as Pipeline)
    : undefined;
}

/** The token audience of the Bot Connector: the override's, else Bot Framework's public cloud. */
export const connectorAudience = (auth: Record<string, string | undefined>) =>
  auth.ToChannelFromBotOAuthScope ?? 'https://api.botframework.com';

/** A Teams deliverer for a process with no HTTP endpoint (`appwarden remind`): proactive messages only. */
export function createTeamsDeliverer(bot: AppWarden, auth: Record<string, string | undefined>, log: (line: string) => void): Deliverer {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: auth.MicrosoftAppId,
    MicrosoftAppPassword: auth.MicrosoftAppPassword,
    MicrosoftAppType: auth.MicrosoftAppType,
    MicrosoftAppTenantId: auth.MicrosoftAppTenantId,
  });
  const adapter = new CloudAdapter(
    withoutConnectorRetries(new ConfigurationBotFrameworkAuthentication(auth, credentials, undefined, undefined, CONNECTOR_CLIENT_OPTIONS)),
  );
  return teamsDeliverer(bot, { adapter, appId: auth.MicrosoftAppId ?? '', trust: 'bot-framework', audience: connectorAudience(auth) }, log);
}
