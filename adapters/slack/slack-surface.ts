import { randomUUID } from 'node:crypto';
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import type { CommandContext, CommandResult } from '../../commands/context.ts';
import { attestFromReminder } from '../../commands/attest.ts';
import { censusForm, submitCensusAnswer } from '../../commands/census.ts';
import { applyTransition } from '../../commands/decide-request.ts';
import { runCommand } from '../../commands/index.ts';
import { fileRequest, requestForm } from '../../commands/request.ts';
import { denyForm } from '../../commands/request-view.ts';
import type { AppWarden } from '../../src/app.ts';
import { DEVICE_CLASSES, type DeviceClass } from '../../src/core/policy.ts';
import type { Surface } from '../../src/http-app.ts';
import { bareRequestApp } from './bare-request.ts';
import { CENSUS_VIEW, censusModal, submittedCensus } from './census-modal.ts';
import { deliveryClient, slackDeliverer } from './deliver.ts';
import { DENY_VIEW, denyModal, REQUEST_VIEW, requestModal, submitted, submittedPurpose } from './modals.ts';
import { renderBlocks } from './render.ts';
import { createMembership, homeOf } from './workspace.ts';
import { guardWorkspace, type Refusal } from './workspace-guard.ts';

export interface SlackOptions {
  token: string;
  signingSecret: string;
  /** Web API base URL, e.g. a proxy or a test's fake (`http://127.0.0.1:4000/api/`). */
  apiUrl?: string;
  /** Overrides for the Web API client's retries (tests shorten the back-off). */
  retryConfig?: webApi.RetryOptions;
  log: (line: string) => void;
  /** How long a delivery's Web API call may take before it counts as possibly landed (default 10 s). */
  deliveryTimeoutMs?: number;
  /** How long a slash command may work before its ack goes empty and the answer follows via response_url (default 2 s of Slack's 3). */
  ackBudgetMs?: number;
}

/** `/apps` on Slack: slash command, buttons and forms, all through the command layer. */
export async function createSlackSurface(bot: AppWarden, options: SlackOptions): Promise<Surface> {
  const receiver = new ExpressReceiver({ signingSecret: options.signingSecret, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new App({
    token: options.token,
    receiver,
    deferInitialization: true,
    // No conversation state is kept: Bolt's default in-memory store would look up (and fail to find,
    // building an Error with a stack trace) a conversation on every request.
    convoStore: false,
    logLevel: LogLevel.ERROR,
    // Answers and forms: retried by the client (they are not posts that could land twice), never waited on forever.
    clientOptions: { timeout: 10_000, ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}), ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}) },
  });
  await app.init();
  const auth = await app.client.auth.test();
  // One workspace is served: the token's. Who is in it is Slack's user record, looked up quickly for a
  // clicker (their ack waits) and patiently for the announcements channel.
  const home = homeOf(auth);
  const lookup = new webApi.WebClient(options.token, { ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}), ...LOOKUP_CLIENT, logLevel: webApi.LogLevel.ERROR });
  const membership = createMembership(home, { lookup, sweep: app.client }, options.log);
  bot.addDeliverer(slackDeliverer(bot, deliveryClient({ token: options.token, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}), ...(options.deliveryTimeoutMs ? { timeoutMs: options.deliveryTimeoutMs } : {}) }), options.log, membership, auth.user_id));
  guardWorkspace(app, home, membership, (refusal, user) => refusalWords(bot, refusal, user), options.log);
  const ctxFor = (user: string, key?: string): CommandContext => ({ ...bot.contextFor(user, 'slack'), ...(key ? { idempotencyKey: key } : {}) });
  /** Faults are caught here, once: logged with a reference, answered with a short apology. */
  const guarded = async (user: string, work: () => Promise<void>, tell: (text: string) => Promise<unknown>) => {
    try {
      await work();
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      options.log(`slack: fault ${ref} for ${user}: ${(e as Error).stack ?? e}`);
      await tell(bot.contextFor(user, 'slack').m.errors.fault(ref)).catch(() => undefined);
    }
  };

  app.command('/apps', async ({ command, ack, respond, client, context }) => {
    const bare = bareRequestApp(command.text);
    if (bare !== undefined) {
      await ack(); // the form opens with the trigger, which Slack expires 3 s after the command
      const ctx = ctxFor(command.user_id);
      return guarded(command.user_id, () => openRequestForm(client, command.trigger_id, bare, 'corporate', ctx, (r) => respond({ response_type: 'ephemeral', ...renderBlocks(r.reply) })), (text) => respond({ response_type: 'ephemeral', text }));
    }
    const waited = typeof context.arrivedAt === 'number' ? performance.now() - context.arrivedAt : 0;
    const answer = answerThroughAck(ack, respond, (options.ackBudgetMs ?? ACK_BUDGET_MS) - waited);
    await guarded(command.user_id, async () => {
      const ctx = ctxFor(command.user_id, `slack:command:${command.trigger_id}`);
      const result = await runCommand(command.text, ctx);
      if (result.code === 'duplicate') return;
      const file = result.reply.blocks.find((b) => b.type === 'file');
      if (file) {
        await answer.nothingYet(); // an upload can outlast Slack's wait for the ack
        await uploadPrivately(client, command.user_id, file);
      }
      await answer.with({ response_type: 'ephemeral', ...renderBlocks(file ? { ...result.reply, blocks: [{ type: 'note', text: ctx.m.report.sentAsFile(file.name) }] } : result.reply) });
      await bot.drain();
    }, (text) => answer.with({ response_type: 'ephemeral', text }));
    await answer.nothingYet();
  });

  app.action('request.open', async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const { app: appId, device } = JSON.parse(action.value ?? '{}') as { app?: string; device?: DeviceClass };
    const ctx = ctxFor(body.user.id);
    await guarded(body.user.id, () => openRequestForm(client, body.trigger_id, appId ?? '', DEVICE_CLASSES.includes(device!) ? device! : 'corporate', ctx, (r) => tellPrivately(respond, r)), (text) => tellPrivately(respond, text));
  });

  app.action('request.approve', async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    await guarded(body.user.id, async () => {
      const result = await applyTransition('approve', action.value ?? '', undefined, ctxFor(body.user.id, 'action_ts' in action ? `slack:action:${action.action_ts}` : undefined));
      if (result.code === 'duplicate') return;
      if (!result.ok) return void (await tellPrivately(respond, result));
      await bot.drain();
    }, (text) => tellPrivately(respond, text));
  });

  app.action(/^attest\.(removed|removed-work-apps)$/, async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const statement = action.action_id === 'attest.removed' ? 'removed' : 'removed-work-apps';
    await guarded(body.user.id, async () => {
      const result = await attestFromReminder(action.value ?? '', statement, ctxFor(body.user.id, `slack:action:${action.action_ts}`));
      if (result.code !== 'duplicate') await tellPrivately(respond, result);
    }, (text) => tellPrivately(respond, text));
  });

  app.action('census.open', async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    await guarded(body.user.id, async () => {
      const { census: id, unit } = JSON.parse(action.value ?? '{}') as { census?: string; unit?: string };
      const ctx = ctxFor(body.user.id);
      const form = censusForm(id ?? '', unit, ctx);
      if (!form.ok) return void (await tellPrivately(respond, form.text));
      await client.views.open({ trigger_id: body.trigger_id, view: censusModal(form.census.id, form.unit, form.intro, form.app, ctx.m, form.previous) });
    }, (text) => tellPrivately(respond, text));
  });

  app.action('request.deny', async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    await guarded(body.user.id, async () => {
      const id = action.value ?? '';
      const ctx = ctxFor(body.user.id);
      const form = denyForm(id, ctx);
      if (!form.ok) return void (await tellPrivately(respond, form.refusal));
      await client.views.open({ trigger_id: body.trigger_id, view: denyModal(id, form.intro, body.channel?.id ?? '', ctx.m, form.reasonRequired) });
    }, (text) => tellPrivately(respond, text));
  });

  /**
   * A form's work happens before its ack (errors go back in the ack), so a fault is answered in the form
   * itself, on `field`: a block the form has (Slack shows only a generic error, and loses the reference, for any other).
   */
  const submitGuarded = async (user: string, ack: (r: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>, work: () => Promise<CommandResult>, field = 'reason') => {
    try {
      return await work();
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      options.log(`slack: fault ${ref} for ${user}: ${(e as Error).stack ?? e}`);
      await ack({ response_action: 'errors', errors: { [field]: bot.contextFor(user, 'slack').m.errors.fault(ref).slice(0, 150) } });
      return undefined;
    }
  };

  app.view(REQUEST_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { app: appId } = JSON.parse(view.private_metadata || '{}') as { app?: string };
    const values = view.state.values;
    const ctx = ctxFor(user, `slack:view:${view.id}:${view.hash}`);
    const result = await submitGuarded(user, (r) => ack(r), () => fileRequest({ app: appId ?? '', purpose: submittedPurpose(values, bot.policy), device: submitted(values, 'device'), days: submitted(values, 'days'), reason: submitted(values, 'reason') }, ctx));
    if (!result) return;
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { [fieldBlock(result.field)]: errorText(result) } }));
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(user, async () => {
      await client.chat.postMessage({ channel: user, ...renderBlocks(result.reply) });
      await bot.drain();
    }, (text) => client.chat.postMessage({ channel: user, text }));
  });

  app.view(CENSUS_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { census: id, unit } = JSON.parse(view.private_metadata || '{}') as { census?: string; unit?: string };
    const ctx = ctxFor(user, `slack:view:${view.id}:${view.hash}`);
    const result = await submitGuarded(user, (r) => ack(r), () => submitCensusAnswer(id ?? '', unit, submittedCensus(view.state.values), ctx), CENSUS_FAULT_BLOCK);
    if (!result) return;
    if (!result.ok) {
      const errors = result.fields ?? { [result.field && result.field !== 'unit' ? result.field : 'uses_app']: errorText(result) };
      return void (await ack({ response_action: 'errors', errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.slice(0, 150)])) }));
    }
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(user, async () => void (await client.chat.postMessage({ channel: user, ...renderBlocks(result.reply) })), (text) => client.chat.postMessage({ channel: user, text }));
  });

  app.view(DENY_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { id } = JSON.parse(view.private_metadata || '{}') as { id?: string };
    const reason = submitted(view.state.values, 'reason');
    const result = await submitGuarded(user, (r) => ack(r), () => applyTransition('deny', id ?? '', reason, ctxFor(user, `slack:view:${view.id}:${view.hash}`)));
    if (!result) return;
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { reason: errorText(result) } }));
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(user, async () => void (await bot.drain()), (text) => client.chat.postMessage({ channel: user, text }));
  });

  app.error(async (error) => options.log(`slack: ${error.code ?? 'error'}: ${error.message}`));

  return {
    name: 'slack',
    mount(express) {
      express.use(receiver.router);
    },
  };
}

/** Open the request form for an app, or say privately why there can be none. */
async function openRequestForm(client: webApi.WebClient, triggerId: string, appText: string, device: DeviceClass, ctx: CommandContext, refuse: (r: CommandResult) => Promise<unknown>) {
  const form = requestForm(appText, device, ctx);
  if (!form.ok) return void (await refuse(form.result));
  await client.views.open({ trigger_id: triggerId, view: requestModal(form.form, ctx.m) });
}

/** A report file, uploaded to the person's direct messages with the bot: reports carry names, so never to a channel. */
async function uploadPrivately(client: webApi.WebClient, user: string, file: { name: string; content: string }) {
  const dm = await client.conversations.open({ users: user });
  await client.filesUploadV2({ channel_id: dm.channel!.id!, file: Buffer.from(file.content, 'utf8'), filename: file.name, title: file.name });
}

/** Slack waits 3 s for an ack; an answer not ready by this goes through response_url instead. */
const ACK_BUDGET_MS = 2_000;

/**
 * The clicker's lookup happens before the ack, so it is short: one retry, a 1 s timeout, and a 429 is
 * not waited out. A lookup that fails is answered "try again", never taken as a yes.
 */
const LOOKUP_CLIENT: webApi.WebClientOptions = { retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 100 }, timeout: 1_000, rejectRateLimitedCalls: true };

/** What someone the bot does not serve is told, in the organisation's words. */
function refusalWords(bot: AppWarden, refusal: Refusal, user: string): { text: string; close: string } {
  const { m } = bot.contextFor(user, 'slack');
  const org = bot.policy.organization.name;
  const text = refusal === 'other-workspace' ? m.slack.otherWorkspace(org) : refusal === 'not-ours' ? m.slack.notOurs(org) : m.slack.tryAgain;
  return { text, close: m.form.cancel };
}

/**
 * A slash command's answer goes in the ack itself when it is ready in time: "Recorded" then arrives
 * with the ack, after the commit, so a crash can never leave a command accepted but unanswered. Work
 * that takes longer is acked empty at the budget and answered through response_url.
 */
function answerThroughAck(ack: (message?: RespondArguments) => Promise<void>, respond: (message: RespondArguments) => Promise<unknown>, budgetMs: number) {
  let acked: Promise<void> | undefined;
  const timer = setTimeout(() => void (acked ??= ack()), budgetMs).unref();
  return {
    nothingYet(): Promise<void> {
      clearTimeout(timer);
      return (acked ??= ack());
    },
    async with(message: RespondArguments): Promise<unknown> {
      clearTimeout(timer);
      if (!acked) return (acked = ack(message));
      await acked;
      return respond(message);
    },
  };
}

type RespondArguments = { response_type: 'ephemeral'; text: string; blocks?: Record<string, unknown>[] };

type Respond = (message: { response_type: 'ephemeral'; replace_original: false; text: string; blocks?: Record<string, unknown>[] }) => Promise<unknown>;

/**
 * A private answer to whoever clicked, through the click's response_url: it works in channels the bot
 * is not in and on buttons inside ephemeral messages, where chat.postEphemeral would fail.
 */
function tellPrivately(respond: Respond, what: CommandResult | string) {
  const message = typeof what === 'string' ? { text: what } : renderBlocks(what.reply);
  return respond({ response_type: 'ephemeral', replace_original: false, ...message });
}

const FORM_BLOCKS = new Set(['purpose', 'device', 'days', 'reason']);
const fieldBlock = (field: string | undefined) => (field && FORM_BLOCKS.has(field) ? field : 'reason');
/** The census form's first question: always there, so a fault reported on it is shown with its reference. */
const CENSUS_FAULT_BLOCK = 'uses_app';
const errorText = (r: CommandResult) => renderBlocks(r.reply).text.slice(0, 150);
