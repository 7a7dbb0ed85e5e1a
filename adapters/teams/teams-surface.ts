import { randomUUID } from 'node:crypto';
import {
  ActivityTypes, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory,
  TurnContext, type Activity, type InvokeResponse,
} from 'botbuilder';
import type { AuthenticateRequestResult, ServiceClientCredentialsFactory } from 'botframework-connector';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { attestFromReminder } from '../../commands/attest.ts';
import { censusForm, submitCensusAnswer } from '../../commands/census.ts';
import { applyTransition, refusalFor } from '../../commands/decide-request.ts';
import { runCommand } from '../../commands/index.ts';
import type { AppWarden } from '../../src/app.ts';
import type { Surface } from '../../src/http-app.ts';
import { approvalCard, REFRESH_VERB } from './approval-card.ts';
import { censusCard, submittedCensus } from './census-card.ts';
import { renderCard } from './card.ts';
import { rememberConversation } from './conversations.ts';
import { teamsDeliverer } from './deliver.ts';

/** The Bot Framework settings, by their standard names; none set is local emulator mode. */
export type TeamsAuthSettings = Record<string, string | undefined>;

export interface TeamsOptions {
  auth: TeamsAuthSettings;
  /** Outbound credentials; by default from MicrosoftAppId / MicrosoftAppPassword (tests pass their own). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  log: (line: string) => void;
}

type InvokeBody = { statusCode: number; type: string; value: unknown };

/** Messages to the bot and Universal Actions on its cards, through the same commands as every surface. */
export function createTeamsSurface(bot: AppWarden, options: TeamsOptions): Surface {
  const appId = options.auth.MicrosoftAppId ?? '';
  const credentials = options.credentialsFactory ?? new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: appId, MicrosoftAppPassword: options.auth.MicrosoftAppPassword, MicrosoftAppType: options.auth.MicrosoftAppType, MicrosoftAppTenantId: options.auth.MicrosoftAppTenantId,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(options.auth, credentials);
  const adapter = new AuthenticatedCloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    const ref = randomUUID().slice(0, 8);
    options.log(`teams: fault ${ref}: ${error.stack ?? error}`);
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity(bot.contextFor(personOf(context), 'teams').m.errors.fault(ref)).catch(() => undefined);
  };
  bot.addDeliverer(teamsDeliverer(bot, adapter, appId, options.log));

  const onTurn = async (context: TurnContext): Promise<InvokeBody | undefined> => {
    const person = personOf(context);
    await rememberConversation(bot, context, person);
    const a = context.activity;
    if (a.type === ActivityTypes.Message && typeof a.text === 'string') return void (await onMessage(context, person));
    if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') return onCardAction(context, person);
    return undefined;
  };

  const onMessage = async (context: TurnContext, person: string) => {
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const command = text.replace(/<at>[^<]*<\/at>/g, '').trim().replace(/^apps(\s+|$)/i, '');
    const result = await runCommand(command, { ...bot.contextFor(person, 'teams'), idempotencyKey: `teams:activity:${context.activity.id}` });
    if (result.code === 'duplicate') return;
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(result.reply))] });
    await bot.drain();
  };

  const onCardAction = async (context: TurnContext, person: string): Promise<InvokeBody> => {
    const action = (context.activity.value as { action?: { verb?: string; data?: { value?: string; reason?: string } } })?.action;
    const id = String(action?.data?.value ?? '');
    const ctx = { ...bot.contextFor(person, 'teams'), idempotencyKey: `teams:invoke:${context.activity.id}` };
    const cardFor = () => approvalCard(bot, id, { person, mayDecide: !refusalFor('approve', id, ctx) });
    if (action?.verb === 'request.approve' || action?.verb === 'request.deny') {
      const result = await applyTransition(action.verb === 'request.approve' ? 'approve' : 'deny', id, action.data?.reason, ctx);
      if (!result.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
      await bot.drain();
    } else if (action?.verb === 'census.open' || action?.verb === 'census.answer') {
      return onCensus(action.verb, action.data ?? {}, ctx);
    } else if (action?.verb === 'attest.removed' || action?.verb === 'attest.removed-work-apps') {
      const result = await attestFromReminder(id, action.verb === 'attest.removed' ? 'removed' : 'removed-work-apps', ctx);
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    } else if (action?.verb !== REFRESH_VERB) {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'unknown_verb', message: `unknown verb ${action?.verb}` } };
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: cardFor() };
  };

  /** The census form opens in place of the invitation and is answered there; problems come back on the form. */
  const onCensus = async (verb: string, data: Record<string, unknown>, ctx: ReturnType<typeof bot.contextFor>): Promise<InvokeBody> => {
    const { census: id, unit } = JSON.parse(String(data.value ?? '{}')) as { census?: string; unit?: string };
    const form = censusForm(id ?? '', unit, ctx);
    if (!form.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: form.text };
    const { census, app, intro, previous } = form;
    if (verb === 'census.open') return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: censusCard(census.id, form.unit, intro, app, ctx.m, previous) };
    const result = await submitCensusAnswer(census.id, form.unit, submittedCensus(data), ctx);
    if (!result.ok && result.fields) return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: censusCard(census.id, form.unit, intro, app, ctx.m, previous, result.fields) };
    if (!result.ok) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: renderCardText(result.reply) };
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: renderCard(result.reply) };
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
        res.status(err.status === 413 ? 413 : 400).type('text/plain').send(err.status === 413 ? 'too large' : 'not JSON');
      }) as ErrorRequestHandler);
    },
  };
}

/** CloudAdapter, entered after we authenticated the request ourselves (so a refusal is a plain 401, never a 500). */
class AuthenticatedCloudAdapter extends CloudAdapter {
  runAuthenticated(identity: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(identity, activity, logic);
  }
}

/** The person behind a Teams user: matched by AAD object id, else the channel account id. */
function personOf(context: TurnContext): string {
  return context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'unknown';
}

const renderCardText = (reply: Parameters<typeof renderCard>[0]) => String(renderCard(reply).fallbackText);
