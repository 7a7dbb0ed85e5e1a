import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TurnContext,
  type Activity,
  type InvokeResponse,
} from 'botbuilder';
import type { AuthenticateRequestResult, ServiceClientCredentialsFactory } from 'botframework-connector';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { handle, type Result } from '../../commands/entry/handle.ts';
import type { AppWarden } from '../../src/app.ts';
import { wording } from '../../commands/wording/wording.ts';
import type { Surface } from '../../src/http-app.ts';
import { REFRESH_VERB, viewerCard } from './approval-card.ts';
import { censusCard } from './census-card.ts';
import { renderCard, type AdaptiveCard } from './card.ts';
import { channelOf, forgetConversation, knownConversation, rememberConversation, tenantOf, type Trust } from './conversations.ts';
import { REQUEST_FORM_VERB, requestFormCard } from './form-card.ts';
import { CONNECTOR_CLIENT_OPTIONS, classifyConnectorError, connectorAudience, teamsDeliverer, withoutConnectorRetries } from './deliver.ts';
import { teamsUserIds, type UserIdOptions } from './member-ids.ts';
import { personalChat, type TeamsLink } from './personal-chat.ts';
import type { Reply } from '../../commands/shared/reply.ts';

/** The Bot Framework settings, by their standard names; none set is local emulator mode. */
export type TeamsAuthSettings = Record<string, string | undefined>;

export interface TeamsOptions {
  auth: TeamsAuthSettings;
  /** Tenants whose users are served (MicrosoftAppTenantId, TEAMS_TENANTS); required with MicrosoftAppId. */
  tenants?: readonly string[];
  /** Outbound credentials; by default from MicrosoftAppId / MicrosoftAppPassword (tests pass their own). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** A line, and the error it is about: the log says the error's stack only where it helps. */
  log: (line: string, error?: unknown) => void;
  /** How long looking approvers' Teams user ids up in the roster may take (defaults: 5 s a lookup, 10 s a card, 3 s an invoke). */
  rosterLookups?: UserIdOptions;
}

type InvokeBody = { statusCode: number; type: string; value: unknown };

/** Messages to the bot and Universal Actions on its cards, through the same commands as every surface. */
export function createTeamsSurface(bot: AppWarden, options: TeamsOptions): Surface {
  const appId = options.auth.MicrosoftAppId ?? '';
  const credentials =
    options.credentialsFactory ??
    new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: appId,
      MicrosoftAppPassword: options.auth.MicrosoftAppPassword,
      MicrosoftAppType: options.auth.MicrosoftAppType,
      MicrosoftAppTenantId: options.auth.MicrosoftAppTenantId,
    });
  const auth = withoutConnectorRetries(
    new ConfigurationBotFrameworkAuthentication(options.auth, credentials, undefined, undefined, CONNECTOR_CLIENT_OPTIONS),
  );
  const adapter = new AuthenticatedCloudAdapter(auth);
  // With an app id every request's token is checked; without one this is the local emulator endpoint.
  const trust: Trust = appId ? 'bot-framework' : 'emulator';
  const tenants = new Set(options.tenants ?? []);
  if (trust === 'bot-framework' && !tenants.size) throw new Error('teams: a MicrosoftAppId needs at least one allowed tenant');
  const link: TeamsLink = { adapter, appId, trust, audience: connectorAudience(options.auth) };
  adapter.onTurnError = async (context, error) => {
    const ref = randomUUID().slice(0, 8);
    options.log(`teams: fault ${ref}: ${error instanceof Error ? error.message : String(error)}`, error);
    if (context.activity.type === ActivityTypes.Message)
      await context.sendActivity(contextOf(context, personOf(context)).m.t('errors.fault', { ref })).catch(() => undefined);
  };
  // One memory of who could not be found, for the posts and the refreshes alike (each logged once).
  const userIdsOf = teamsUserIds(bot, trust, options.log, options.rosterLookups);
  bot.addDeliverer(teamsDeliverer(bot, link, options.log, userIdsOf));
  const personOf = (context: TurnContext) => teamsIdentity(context, trust);
  /** The command context of who sent this activity, in the language Teams says they use when the policy names none. */
  const contextOf = (context: TurnContext, person: string) => bot.contextFor(person, 'teams', localeOf(context.activity));
  /** Conversations being welcomed now: Teams sends an install as two activities (installationUpdate, conversationUpdate). */
  const welcoming = new Set<string>();

  const onTurn = async (context: TurnContext): Promise<InvokeBody | undefined> => {
    const person = personOf(context);
    const personId = person && bot.contextFor(person, 'teams').person.id;
    const change = lifecycleOf(context.activity);
    if (change?.event === 'removed') return void (await forgetConversation(bot, context, personId));
    const conversation = channelOf(context.activity.conversation?.id ?? '');
    const fresh =
      change?.event === 'added' && !welcoming.has(conversation) && !(await knownConversation(bot, conversation, trust).catch(() => true));
    if (fresh) welcoming.add(conversation);
    try {
      await rememberConversation(bot, context, personId, trust);
      // A welcome that does not go out is logged, not retried: the conversation is known now, and the bot works without it.
      if (fresh)
        await welcome(context, change.scope, person).catch((e: unknown) =>
          options.log(`teams: could not welcome ${conversation}: ${classifyConnectorError(e, 'the welcome').reason}`),
        );
    } finally {
      if (fresh) welcoming.delete(conversation);
    }
    const a = context.activity;
    if (a.type === ActivityTypes.Message && typeof a.text === 'string') return void (await onMessage(context, person));
    if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') return onCardAction(context, person);
    return undefined;
  };

  /**
   * The first message after an install: what the bot does and how to start. In a personal chat in the
   * installer's language; in a team's channel (or a group chat), once, in the organisation's.
   */
  const welcome = async (context: TurnContext, scope: Scope, person: string) => {
    const m = scope === 'personal' ? contextOf(context, person).m : wording(bot.policy.organization.locale);
    const reply = {
      visibility: 'public',
      tone: 'info',
      blocks: [
        { type: 'heading', text: m.t('teams.welcomeTitle') },
        { type: 'text', text: m.t('teams.welcomeWhat', { org: bot.policy.organization.name }) },
        { type: 'text', text: m.t('teams.welcomeStart') },
        { type: 'list', items: [m.t('teams.welcomeCheck'), m.t('teams.welcomeRequest'), m.t('teams.welcomeHelp')] },
        ...(scope === 'personal' ? [] : [{ type: 'note' as const, text: m.t('teams.welcomeShared') }]),
      ],
    } satisfies Reply;
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(reply))] });
  };

  const onMessage = async (context: TurnContext, person: string) => {
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const command = text
      .replace(/<at>[^<]*<\/at>/g, '')
      .trim()
      .replace(/^apps(\s+|$)/i, '');
    const ctx = { ...contextOf(context, person), idempotencyKey: `teams:activity:${context.activity.id}` };
    // `request <app>` alone opens the request form, as a card to fill in where the answer goes.
    const result = await handle({ kind: 'text', text: command, forms: true }, ctx);
    if (result.code === 'duplicate') return;
    const form =
      result.form?.form === 'request'
        ? requestFormCard(result.form.request, result.form.view, ctx.m)
        : isPending(command, result)
          ? await pendingCard(result, ctx)
          : undefined;
    await answer(context, ctx.person.id, result.reply, ctx.m, form);
    // Deliveries follow the answer; a slow connector must not hold the turn's HTTP response.
    void bot.drain();
  };

  /**
   * In a personal chat the answer goes back where it was asked. In a channel or group chat a private
   * answer (the person's own requests, a report naming people) goes to their personal chat instead,
   * and the channel only hears where it went.
   */
  const answer = async (
    context: TurnContext,
    person: string,
    reply: Reply,
    m: ReturnType<typeof bot.contextFor>['m'],
    shown: AdaptiveCard = renderCard(reply),
  ) => {
    const card = { attachments: [CardFactory.adaptiveCard(shown)] };
    if (context.activity.conversation?.conversationType === 'personal' || reply.visibility === 'public')
      return void (await context.sendActivity(card));
    const chat = await personalChat(bot, link, person).catch(
      (e: Error) => void options.log(`teams: could not open a personal chat with ${person}: ${e.message}`),
    );
    if (chat) await adapter.continueConversationAsync(appId, chat, async (personal) => void (await personal.sendActivity(card)));
    const pointer = {
      visibility: 'public',
      tone: 'info',
      blocks: [{ type: 'text', text: chat ? m.t('teams.answeredPrivately') : m.t('teams.cannotAnswerPrivately') }],
    } satisfies Reply;
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(pointer))] });
  };

  /**
   * `pending` as a card to act on: each waiting request's line with the buttons the command layer's own
   * card of it gives this viewer (Approve; Deny asking for the reason), as Action.Execute. A click
   * answers with the list again, the decision's outcome on top. The first PENDING_BUTTONS get buttons;
   * the rest are listed, as `pending` lists them.
   */
  const pendingCard = async (result: Result, ctx: ReturnType<typeof bot.contextFor>, outcome?: Reply): Promise<AdaptiveCard> => {
    const { idempotencyKey: _, ...view } = ctx;
    const waiting = (result.data as { id: string }[]).slice(0, PENDING_BUTTONS);
    const list = result.reply.blocks.find((b) => b.type === 'list');
    const items = list?.type === 'list' ? list.items : [];
    const blocks: Reply['blocks'] = [...(outcome?.blocks.filter((b) => b.type !== 'actions') ?? [])];
    for (const b of result.reply.blocks) if (b.type !== 'list') blocks.push(b);
    for (const [i, request] of waiting.entries()) {
      const card = await handle({ kind: 'view', view: 'request-card', id: request.id }, view);
      const buttons = card.ok ? card.reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])) : [];
      blocks.push(
        { type: 'text', text: `• ${items[i] ?? request.id}` },
        ...(buttons.length ? [{ type: 'actions' as const, buttons }] : []),
      );
    }
    const more = list?.type === 'list' ? list.more : undefined;
    // The rest as `pending` lists them (the renderer cuts it to fit, in whole items, counting the rest).
    if (items.length > waiting.length || more) blocks.push({ type: 'list', items: items.slice(waiting.length), ...(more ? { more } : {}) });
    return renderCard(
      { ...result.reply, tone: outcome?.tone ?? result.reply.tone, blocks },
      { denyReasonLabel: ctx.m.t('form.denyReason'), actionData: { list: 'pending' }, inlineActions: true },
    );
  };

  const onCardAction = async (context: TurnContext, person: string): Promise<InvokeBody> => {
    const action = (context.activity.value as { action?: { verb?: string; data?: { value?: string; reason?: unknown; list?: unknown } } })
      ?.action;
    const id = String(action?.data?.value ?? '');
    const ctx = { ...contextOf(context, person), idempotencyKey: `teams:invoke:${context.activity.id}` };
    // The card as this viewer should see it now (after their decision, if they made one): the command layer's to say.
    const cardFor = async () => {
      const result = await handle({ kind: 'view', view: 'request-card', id }, ctx);
      const deciders = result.ok ? (result.view?.deciders ?? []) : [];
      const userIds = deciders.length ? await userIdsOf(context, deciders, 'invoke') : [];
      return viewerCard(id, result, wording(bot.policy.organization.locale).t('form.denyReason'), userIds);
    };
    if (action?.verb === 'request.approve' || action?.verb === 'request.deny') {
      // Our card's Input.Text always sends text; anything else is a crafted invoke, refused plainly and changing nothing.
      const reason = action.data?.reason;
      if (reason !== undefined && reason !== null && typeof reason !== 'string')
        return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: ctx.m.t('teams.reasonNotText') };
      // The card asks for a reason beside its buttons: Deny sends it as the deny form, Approve along with the click.
      const values = { reason: reason ?? undefined };
      const result = await handle(
        action.verb === 'request.approve'
          ? { kind: 'button', action: 'request.approve', value: id, values }
          : { kind: 'form', form: 'deny', meta: { id }, values },
        ctx,
      );
      if (!result.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
      void bot.drain();
      // Clicked on the `pending` card: the list again, without what was just decided.
      if (action.data?.list === 'pending') {
        const { idempotencyKey: _, ...view } = ctx;
        const list = await handle({ kind: 'text', text: 'pending' }, view);
        if (isPending('pending', list))
          return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: await pendingCard(list, view, result.reply) };
      }
    } else if (action?.verb === 'request.open') {
      // "Request an exception" on a check's answer: the request form, in place.
      const result = await handle({ kind: 'button', action: 'request.open', value: id }, ctx);
      if (result.form?.form === 'request')
        return {
          statusCode: 200,
          type: 'application/vnd.microsoft.card.adaptive',
          value: requestFormCard(result.form.request, result.form.view, ctx.m),
        };
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    } else if (action?.verb === REQUEST_FORM_VERB) {
      return onRequestForm(action.data ?? {}, ctx);
    } else if (action?.verb === 'census.open' || action?.verb === 'census.answer') {
      return onCensus(action.verb, action.data ?? {}, ctx);
    } else if (action?.verb === 'attest.removed' || action?.verb === 'attest.removed-work-apps') {
      const result = await handle({ kind: 'button', action: action.verb, value: id }, ctx);
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    } else if (action?.verb !== REFRESH_VERB) {
      return {
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'unknown_verb', message: `unknown verb ${action?.verb}` },
      };
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: await cardFor() };
  };

  /** The census form opens in place of the invitation and is answered there; problems come back on the form. */
  const onCensus = async (verb: string, data: Record<string, unknown>, ctx: ReturnType<typeof bot.contextFor>): Promise<InvokeBody> => {
    const value = String(data.value ?? '{}');
    const result: Result =
      verb === 'census.open'
        ? await handle({ kind: 'button', action: 'census.open', value }, ctx)
        : await handle({ kind: 'form', form: 'census', meta: censusMeta(value), values: inputsOf(data) }, ctx);
    if (result.form?.form === 'census') {
      const { census, unit, view } = result.form;
      return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: censusCard(census, unit, view) };
    }
    if (!result.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: renderCard(result.reply) };
  };

  /**
   * The request form sent: filed, and answered in place with the confirmation (the approvals post goes
   * out through the outbox); refused on a field, answered with the form again, each problem on its field.
   */
  const onRequestForm = async (data: Record<string, unknown>, ctx: ReturnType<typeof bot.contextFor>): Promise<InvokeBody> => {
    const { app, ...inputs } = data;
    // Our card sends text (numbers as numbers, perhaps): anything else is a crafted invoke, refused plainly.
    if (typeof app !== 'string' || Object.values(inputs).some((v) => v != null && typeof v !== 'string' && typeof v !== 'number'))
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: ctx.m.t('teams.formNotText') };
    const result = await handle({ kind: 'form', form: 'request', meta: { app }, values: inputsOf(inputs) }, ctx);
    if (result.form?.form === 'request')
      return {
        statusCode: 200,
        type: 'application/vnd.microsoft.card.adaptive',
        value: requestFormCard(result.form.request, result.form.view, ctx.m),
      };
    if (!result.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    if (result.code === 'duplicate')
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: ctx.m.t('teams.formAlreadySent') };
    void bot.drain();
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: renderCard(result.reply) };
  };

  /** Why an authenticated activity is still not served; undefined when it is. */
  const refusal = (activity: Partial<Activity>, remoteAddress: string | undefined): string | undefined => {
    if (trust === 'bot-framework') {
      // A person is known by the Entra object id Teams signs into their activities; without it, nobody.
      if ((activity.type === ActivityTypes.Message || activity.type === ActivityTypes.Invoke) && !activity.from?.aadObjectId)
        return 'an activity with no Entra object id (from.aadObjectId)';
      const tenant = tenantOf(activity);
      return tenant && tenants.has(tenant) ? undefined : `an activity from tenant ${tenant ?? '(none)'}, which this bot does not serve`;
    }
    // Unauthenticated: only a Bot Framework Emulator on this machine, talking to a service URL on this machine.
    if (!isLoopback(remoteAddress)) return `an emulator-mode request from ${remoteAddress}, not from this machine`;
    if (!isLoopbackUrl(activity.serviceUrl))
      return `an emulator-mode activity whose serviceUrl ${String(activity.serviceUrl).slice(0, 100)} is not on this machine`;
    return undefined;
  };

  return {
    name: 'teams',
    ...(appId ? {} : { mode: 'local emulator mode: no MicrosoftAppId, requests are not authenticated' }),
    mount(app: Express) {
      app.post('/api/messages', express.json({ limit: '1mb' }), async (req, res) => {
        const activity = req.body as Partial<Activity> | undefined;
        if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string' || !activity.type) {
          return void res.status(400).type('text/plain').send('not a Bot Framework activity: a JSON object with a "type" is expected');
        }
        let identity;
        try {
          identity = await auth.authenticateRequest(activity as Activity, req.headers.authorization ?? '');
        } catch (e) {
          options.log(`teams: refused a request: ${(e as Error).message.split('\n')[0]}`);
          return void res.status(401).type('text/plain').send('unauthorized');
        }
        const refused = refusal(activity, req.socket.remoteAddress);
        if (refused) {
          options.log(`teams: refused ${refused}`);
          return void res.status(403).type('text/plain').send('forbidden: this bot serves only its own organisation');
        }
        let invoke: InvokeBody | undefined;
        const response = await adapter.runAuthenticated(identity, activity as Activity, async (context) => {
          invoke = await onTurn(context);
          if (invoke) await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: invoke } });
        });
        res.status(response?.status ?? 200);
        if (response?.body) res.json(response.body);
        else res.end();
      });
      app.use('/api/messages', ((err, _req, res, _next) => {
        res
          .status(err.status === 413 ? 413 : 400)
          .type('text/plain')
          .send(err.status === 413 ? 'too large' : 'not JSON');
      }) as ErrorRequestHandler);
    },
  };
}

/** CloudAdapter, entered after we authenticated the request ourselves (so a refusal is a plain 401, never a 500). */
class AuthenticatedCloudAdapter extends CloudAdapter {
  runAuthenticated(
    identity: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(identity, activity, logic);
  }
}

type Scope = 'personal' | 'shared';

/** How many of the `pending` card's requests carry their buttons (each row's actions cost size). */
const PENDING_BUTTONS = 10;

/** The answer to `pending`: the requests waiting for the asker, as data. */
const isPending = (command: string, result: Result): boolean =>
  result.ok && /^pending\s*$/i.test(command) && Array.isArray(result.data) && result.data.every((r) => typeof r?.id === 'string');

/**
 * The app added to or removed from a conversation: `installationUpdate` (`add`, `remove`; an upgrade is
 * neither) or a `conversationUpdate` naming the bot among the members added or removed.
 */
function lifecycleOf(a: Activity): { event: 'added' | 'removed'; scope: Scope } | undefined {
  const scope: Scope = a.conversation?.conversationType === 'personal' ? 'personal' : 'shared';
  const isBot = (members: { id?: string }[] | undefined) => !!a.recipient?.id && !!members?.some((m) => m.id === a.recipient.id);
  if (a.type === ActivityTypes.InstallationUpdate) {
    if (a.action === 'add') return { event: 'added', scope };
    if (a.action === 'remove') return { event: 'removed', scope };
    return undefined;
  }
  if (a.type === ActivityTypes.ConversationUpdate) {
    if (isBot(a.membersRemoved)) return { event: 'removed', scope };
    if (isBot(a.membersAdded)) return { event: 'added', scope };
  }
  return undefined;
}

/** The language Teams says the sender uses (`ja-JP`): a hint for whoever the policy names no locale for. */
const localeOf = (a: Partial<Activity>) => (typeof a.locale === 'string' && a.locale ? a.locale : undefined);

/**
 * The Teams identity of the sender: their Entra object id, which Teams puts in every activity it
 * signs. The local emulator has none, so there the channel account id stands in (loopback only).
 */
function teamsIdentity(context: TurnContext, trust: Trust): string {
  const from = context.activity.from;
  return from?.aadObjectId ?? (trust === 'emulator' ? from?.id : undefined) ?? 'unknown';
}

const isLoopback = (address: string | undefined) =>
  !!address && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));
function isLoopbackUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !URL.canParse(url)) return false;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || isLoopback(host);
}

const renderCardText = (reply: Parameters<typeof renderCard>[0]) => String(renderCard(reply).fallbackText);

/** What a census card's answer is about, from the value its Send action carries. */
function censusMeta(value: string): { census?: string; unit?: string } {
  const { census, unit } = JSON.parse(value) as { census?: unknown; unit?: unknown };
  return { ...(typeof census === 'string' ? { census } : {}), ...(typeof unit === 'string' ? { unit } : {}) };
}

/** The inputs a card sends back, as text; an empty input is no answer. */
function inputsOf(data: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v === undefined || v === null || v === '' ? undefined : String(v)]));
}
