import { randomUUID } from 'node:crypto';
import { App, ExpressReceiver, LogLevel, SocketModeReceiver, webApi, type Logger } from '@slack/bolt';
import type { Dispatcher } from 'undici';
import type { CommandContext } from '../../commands/shared/context.ts';
import {
  BUTTON_ACTIONS,
  bareRequestApp,
  handle,
  isButtonAction,
  type ButtonAction,
  type Form,
  type Result,
} from '../../commands/entry/handle.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import type { AppWarden } from '../../src/app.ts';
import type { Surface } from '../../src/http-app.ts';
import { CENSUS_VIEW, censusModal } from './census-modal.ts';
import { createHome } from './home.ts';
import { deliveryClient, slackDeliverer } from './deliver.ts';
import { faultText } from './delivery-errors.ts';
import { DENY_VIEW, denyModal, REQUEST_VIEW, requestModal, submitted, submittedPurpose, submittedValues } from './modals.ts';
import { registerMessagesAndShortcuts } from './messages.ts';
import { renderBlocks } from './render.ts';
import { createMembership, homeOf, RELIST_EVERY_MS } from './workspace.ts';
import { guardWorkspace, type Refusal } from './workspace-guard.ts';

/** How the Web API clients send a request: e.g. through the outbound proxy (src/surfaces.ts). */
export type SlackFetch = webApi.FetchFunction;

export interface SlackOptions {
  token: string;
  /** Events over HTTP (`/slack/events`): every request is signed with it. */
  signingSecret?: string;
  /**
   * Socket Mode: an app-level token (`xapp-…`, scope connections:write). The bot connects out to the
   * URL `apps.connections.open` gives and Slack's events come over that socket: nothing is served on
   * `/slack/events` and no signing secret is needed.
   */
  appToken?: string;
  /** Socket Mode: how the socket goes out (the outbound proxy, when there is one). */
  socketDispatcher?: Dispatcher;
  /**
   * Socket Mode: how long a ping may wait for its pong (default 5 s); the first reconnection after a
   * dropped socket waits as long, each further one longer. Tests shorten it.
   */
  socketPingTimeoutMs?: number;
  /** Socket Mode: how long the first connection may take before the start is given up (default 30 s). */
  socketStartTimeoutMs?: number;
  /** Web API base URL, e.g. a proxy or a test's fake (`http://127.0.0.1:4000/api/`). */
  apiUrl?: string;
  /** Overrides for the Web API client's retries (tests shorten the back-off). */
  retryConfig?: webApi.RetryOptions;
  /** A line, and the error it is about: the log says the error's stack only where it helps (see src/observability/log.ts). */
  log: (line: string, error?: unknown) => void;
  /** How long a delivery's Web API call may take before it counts as possibly landed (default 10 s). */
  deliveryTimeoutMs?: number;
  /** How long a slash command may work before its ack goes empty and the answer follows via response_url (default 2 s of Slack's 3). */
  ackBudgetMs?: number;
  /** How Web API calls go out: through the outbound proxy (HTTPS_PROXY) when there is one. */
  fetch?: webApi.FetchFunction;
}

/** Retries of an answer or a form: two more tries, within about three seconds. */
const ANSWER_RETRIES: webApi.RetryOptions = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 };

/** `/apps` on Slack: slash command, buttons and forms, all through the command layer. */
export async function createSlackSurface(bot: AppWarden, options: SlackOptions): Promise<SlackSurface> {
  const socket = options.appToken
    ? new SocketModeReceiver({
        appToken: options.appToken,
        logger: socketLogger(options.log),
        ...(options.socketDispatcher ? { dispatcher: options.socketDispatcher } : {}),
        ...(options.socketPingTimeoutMs ? { clientPingTimeout: options.socketPingTimeoutMs } : {}),
        // apps.connections.open: at the same Web API as every other call (a proxy, a test's fake).
        installerOptions: {
          clientOptions: {
            ...(options.fetch ? { fetch: options.fetch } : {}),
            ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
            ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
          },
        },
      })
    : undefined;
  if (!socket && !options.signingSecret)
    throw new Error('Slack over HTTP needs the signing secret (or an app-level token for Socket Mode)');
  const http = socket
    ? undefined
    : new ExpressReceiver({ signingSecret: options.signingSecret!, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const receiver = socket ?? http!;
  const app = new App({
    token: options.token,
    receiver,
    deferInitialization: true,
    // No conversation state is kept: Bolt's default in-memory store would look up (and fail to find,
    // building an Error with a stack trace) a conversation on every request.
    convoStore: false,
    logLevel: LogLevel.ERROR,
    // Answers and forms: retried by the client (they are not posts that could land twice), never waited on
    // forever. Within seconds, not the client's default of ten tries over half an hour: a form's trigger
    // expires in 3 s, and someone waiting for an answer is told it failed rather than left waiting.
    clientOptions: {
      timeout: 10_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: options.retryConfig ?? ANSWER_RETRIES,
    },
  });
  await app.init();
  const auth = await app.client.auth.test();
  // One workspace is served: the token's. Who is in it is Slack's user record, looked up quickly for a
  // clicker (their ack waits) and patiently for the announcements channel.
  const home = homeOf(auth);
  const lookup = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...LOOKUP_CLIENT,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    logLevel: webApi.LogLevel.ERROR,
  });
  const membership = createMembership(home, { lookup, background: app.client }, options.log, () => bot.now().getTime());
  // The roster answers clickers without a users.info each (Tier 4, ~100 a minute: a busy morning would
  // outrun it). Listed in the background, so start does not wait on a large workspace, and again every
  // ten minutes; user_change and team_join keep it current between listings.
  const listed = membership.listWorkspace();
  const relist = setInterval(() => void membership.listWorkspace(), RELIST_EVERY_MS);
  relist.unref();
  app.event('user_change', async ({ event }) => membership.heard(event.user));
  app.event('team_join', async ({ event }) => membership.heard(event.user));
  const homeTab = createHome(app.client, bot, membership, options.log);
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await homeTab.opened(event.user);
  });
  bot.addDeliverer(
    slackDeliverer(
      bot,
      deliveryClient({
        token: options.token,
        ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
        ...(options.deliveryTimeoutMs ? { timeoutMs: options.deliveryTimeoutMs } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      options.log,
      membership,
      auth.user_id,
      (user) => void homeTab.changed(user),
    ),
  );
  const ctxFor = (user: string, key?: string): CommandContext => ({
    ...bot.contextFor(user, 'slack', membership.locale(user)),
    ...(key ? { idempotencyKey: key } : {}),
  });
  /** Faults are caught here, once: logged with a reference, answered with a short apology. */
  const guarded = async (user: string, work: () => Promise<void>, tell: (text: string) => Promise<unknown>) => {
    try {
      await work();
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      options.log(`slack: fault ${ref} for ${user}: ${faultText(e)}`, e);
      await tell(bot.contextFor(user, 'slack').m.t('errors.fault', { ref })).catch(() => undefined);
    }
  };

  // Messages to the bot, mentions and shortcuts check who is asking themselves (to answer a refusal where
  // it was asked), so they come before the workspace guard; everything else passes its gate.
  registerMessagesAndShortcuts(app, {
    bot,
    home,
    membership,
    botUser: auth.user_id ?? '',
    ctxFor,
    guarded,
    refusalWords: (refusal, user) => refusalWords(bot, refusal, user),
    modalOf,
    uploadPrivately,
    log: options.log,
  });
  guardWorkspace(app, home, membership, (refusal, user) => refusalWords(bot, refusal, user), options.log);

  app.command('/apps', async ({ command, ack, respond, client, context }) => {
    const bare = bareRequestApp(command.text);
    if (bare !== undefined) {
      await ack(); // the form opens with the trigger, which Slack expires 3 s after the command
      const ctx = ctxFor(command.user_id);
      return guarded(
        command.user_id,
        async () => {
          const result = await handle({ kind: 'text', text: command.text, forms: true }, ctx);
          if (result.form) return void (await client.views.open({ trigger_id: command.trigger_id, view: modalOf(result.form, ctx.m, '') }));
          await respond({ response_type: 'ephemeral', ...renderBlocks(result.reply) });
        },
        (text) => respond({ response_type: 'ephemeral', text }),
      );
    }
    const waited = typeof context.arrivedAt === 'number' ? performance.now() - context.arrivedAt : 0;
    const answer = answerThroughAck(ack, respond, (options.ackBudgetMs ?? ACK_BUDGET_MS) - waited);
    await guarded(
      command.user_id,
      async () => {
        const ctx = ctxFor(command.user_id, `slack:command:${command.trigger_id}`);
        const result = await handle({ kind: 'text', text: command.text }, ctx);
        if (result.code === 'duplicate') return;
        const file = result.reply.blocks.find((b) => b.type === 'file');
        if (file) {
          await answer.nothingYet(); // an upload can outlast Slack's wait for the ack
          await uploadPrivately(client, command.user_id, file);
        }
        await answer.with({
          response_type: 'ephemeral',
          ...renderBlocks(
            file ? { ...result.reply, blocks: [{ type: 'note', text: ctx.m.t('report.sentAsFile', { name: file.name }) }] } : result.reply,
          ),
        });
        await bot.drain();
      },
      (text) => answer.with({ response_type: 'ephemeral', text }),
    );
    await answer.nothingYet();
  });

  /**
   * Every button of ours, in one listener (Bolt runs every listener's matchers on every request, a
   * command's too): a click answered privately when refused, a form opened when it opens one,
   * deliveries drained when it changed something.
   */
  app.action({ type: 'block_actions', action_id: BUTTON_IDS }, async ({ ack, body, action: clicked, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || clicked.type !== 'button' || !isButtonAction(clicked.action_id)) return;
    const action = clicked.action_id;
    await guarded(
      body.user.id,
      async () => {
        const keyed = KEYED_BUTTONS.has(action) && 'action_ts' in clicked;
        const ctx = ctxFor(body.user.id, keyed ? `slack:action:${clicked.action_ts}` : undefined);
        const result = await handle({ kind: 'button', action, value: clicked.value ?? DEFAULT_VALUE[action] }, ctx);
        if (result.code === 'duplicate') return;
        if (result.form)
          return void (await client.views.open({
            trigger_id: body.trigger_id,
            view: modalOf(result.form, ctx.m, body.channel?.id ?? ''),
          }));
        if (result.ok && action === 'request.approve') {
          await bot.drain();
          return void (await homeTab.changed(body.user.id));
        }
        await tellPrivately(respond, result);
        if (result.ok) await homeTab.changed(body.user.id);
      },
      (text) => tellPrivately(respond, text),
    );
  });

  /**
   * A form's work happens before its ack (errors go back in the ack), so a fault is answered in the form
   * itself, on `field`: a block the form has (Slack shows only a generic error, and loses the reference, for any other).
   */
  const submitGuarded = async (
    user: string,
    ack: (r: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>,
    work: () => Promise<Result>,
    field = 'reason',
  ) => {
    try {
      return await work();
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      options.log(`slack: fault ${ref} for ${user}: ${faultText(e)}`, e);
      await ack({
        response_action: 'errors',
        errors: { [field]: bot.contextFor(user, 'slack').m.t('errors.fault', { ref }).slice(0, 150) },
      });
      return undefined;
    }
  };

  app.view(REQUEST_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { app: appId } = JSON.parse(view.private_metadata || '{}') as { app?: string };
    const values = view.state.values;
    const ctx = ctxFor(user, `slack:view:${view.id}:${view.hash}`);
    const result = await submitGuarded(
      user,
      (r) => ack(r),
      () =>
        handle(
          {
            kind: 'form',
            form: 'request',
            meta: { app: appId ?? '' },
            values: {
              purpose: submittedPurpose(values, bot.policy),
              device: submitted(values, 'device'),
              days: submitted(values, 'days'),
              reason: submitted(values, 'reason'),
            },
          },
          ctx,
        ),
    );
    if (!result) return;
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { [fieldBlock(result.field)]: errorText(result) } }));
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(
      user,
      async () => {
        await client.chat.postMessage({ channel: user, ...renderBlocks(result.reply) });
        await bot.drain();
      },
      (text) => client.chat.postMessage({ channel: user, text }),
    );
  });

  app.view(CENSUS_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { census: id, unit } = JSON.parse(view.private_metadata || '{}') as { census?: string; unit?: string };
    const ctx = ctxFor(user, `slack:view:${view.id}:${view.hash}`);
    const result = await submitGuarded(
      user,
      (r) => ack(r),
      () => handle({ kind: 'form', form: 'census', meta: { census: id ?? '', unit }, values: submittedValues(view.state.values) }, ctx),
      CENSUS_FAULT_BLOCK,
    );
    if (!result) return;
    if (!result.ok) {
      const errors = result.fields ?? { [result.field && result.field !== 'unit' ? result.field : 'uses_app']: errorText(result) };
      return void (await ack({
        response_action: 'errors',
        errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.slice(0, 150)])),
      }));
    }
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(
      user,
      async () => void (await client.chat.postMessage({ channel: user, ...renderBlocks(result.reply) })),
      (text) => client.chat.postMessage({ channel: user, text }),
    );
  });

  app.view(DENY_VIEW, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const { id } = JSON.parse(view.private_metadata || '{}') as { id?: string };
    const reason = submitted(view.state.values, 'reason');
    const result = await submitGuarded(
      user,
      (r) => ack(r),
      () =>
        handle(
          { kind: 'form', form: 'deny', meta: { id: id ?? '' }, values: { reason } },
          ctxFor(user, `slack:view:${view.id}:${view.hash}`),
        ),
    );
    if (!result) return;
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { reason: errorText(result) } }));
    await ack();
    if (result.code === 'duplicate') return;
    await guarded(
      user,
      async () => void (await bot.drain()),
      (text) => client.chat.postMessage({ channel: user, text }),
    );
  });

  const health = () => ({ roster: membership.roster() });

  app.error(async (error) => options.log(`slack: ${error.code ?? 'error'}: ${error.message}`));

  if (socket) {
    // The client retries a Slack it cannot reach for as long as it takes; at start that would be a
    // silent wait, so a connection that has not come up in time is a start-up problem, said once.
    const waitMs = options.socketStartTimeoutMs ?? SOCKET_START_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        app.start(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection within ${Math.round(waitMs / 1000)} s`)), waitMs);
        }),
      ]);
    } catch (e) {
      await app.stop().catch(() => undefined);
      throw new SocketModeStartError((e as { data?: { error?: string } }).data?.error ?? (e as Error).message);
    } finally {
      clearTimeout(timer);
    }
    return {
      name: 'slack',
      mode: 'Socket Mode',
      mount() {},
      health,
      listed,
      close: async () => {
        clearInterval(relist);
        await app.stop();
      },
    };
  }
  return {
    name: 'slack',
    mount(express) {
      express.use(http!.router);
    },
    health,
    listed,
    close: async () => clearInterval(relist),
  };
}

export interface SlackSurface extends Surface {
  /** Settles when the first listing of the workspace has ended, listed or failed (tests and the bench wait on it). */
  listed: Promise<void>;
  close(): Promise<void>;
}

const SOCKET_START_MS = 30_000;

/** The action ids of our buttons, as one pattern for one listener. */
const BUTTON_IDS = new RegExp(`^(${BUTTON_ACTIONS.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
/** Buttons whose click changes something: a second delivery of the same click (its action_ts) changes nothing. */
const KEYED_BUTTONS = new Set<ButtonAction>(['request.approve', 'attest.removed', 'attest.removed-work-apps']);

/** Socket Mode could not connect at start: `apps.connections.open` refused the app-level token, or Slack could not be reached. */
export class SocketModeStartError extends Error {}

/** The Socket Mode client's own lines (a dropped socket, a reconnection that failed) in the server's log; its chatter left out. */
function socketLogger(log: (line: string) => void): Logger {
  let level = LogLevel.WARN;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => log(`slack: socket mode: ${msg.join(' ')}`),
    error: (...msg: unknown[]) => log(`slack: socket mode: ${msg.join(' ')}`),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** A form of the command layer as a Slack modal; `channel`: where the click came from (the deny form's message). */
function modalOf(form: Form, m: Wording, channel: string) {
  switch (form.form) {
    case 'request':
      return requestModal(form.request, form.view, m);
    case 'deny':
      return denyModal(form.id, form.view, channel, m);
    case 'census':
      return censusModal(form.census, form.unit, form.view, m);
  }
}

/** What a button without a value stands for, as before the one way in (a request id, or JSON of the form to open). */
const DEFAULT_VALUE: Record<ButtonAction, string> = {
  'request.open': '{}',
  'request.approve': '',
  'request.deny': '',
  'attest.removed': '',
  'attest.removed-work-apps': '',
  'census.open': '{}',
};

/** A report file, uploaded to the person's direct messages with the bot: reports carry names, so never to a channel. */
async function uploadPrivately(client: webApi.WebClient, user: string, file: { name: string; content: string }) {
  const dm = await client.conversations.open({ users: user });
  await client.filesUploadV2({
    channel_id: dm.channel!.id!,
    file: Buffer.from(file.content, 'utf8'),
    filename: file.name,
    title: file.name,
  });
}

/** Slack waits 3 s for an ack; an answer not ready by this goes through response_url instead. */
const ACK_BUDGET_MS = 2_000;

/**
 * The clicker's lookup happens before the ack, so it is short: one retry, a 1 s timeout, and a 429 is
 * not waited out. A lookup that fails is answered "try again", never taken as a yes.
 */
const LOOKUP_CLIENT: webApi.WebClientOptions = {
  retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 100 },
  timeout: 1_000,
  rejectRateLimitedCalls: true,
};

/** What someone the bot does not serve is told, in the organisation's words. */
function refusalWords(bot: AppWarden, refusal: Refusal, user: string): { text: string; close: string } {
  const { m } = bot.contextFor(user, 'slack');
  const org = bot.policy.organization.name;
  const text =
    refusal === 'other-workspace'
      ? m.t('slack.otherWorkspace', { org })
      : refusal === 'not-ours'
        ? m.t('slack.notOurs', { org })
        : m.t('slack.tryAgain');
  return { text, close: m.t('form.cancel') };
}

/**
 * A slash command's answer goes in the ack itself when it is ready in time: "Recorded" then arrives
 * with the ack, after the commit, so a crash can never leave a command accepted but unanswered. Work
 * that takes longer is acked empty at the budget and answered through response_url.
 */
function answerThroughAck(
  ack: (message?: RespondArguments) => Promise<void>,
  respond: (message: RespondArguments) => Promise<unknown>,
  budgetMs: number,
) {
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

type Respond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: Record<string, unknown>[];
}) => Promise<unknown>;

/**
 * A private answer to whoever clicked, through the click's response_url: it works in channels the bot
 * is not in and on buttons inside ephemeral messages, where chat.postEphemeral would fail.
 */
function tellPrivately(respond: Respond, what: Result | string) {
  const message = typeof what === 'string' ? { text: what } : renderBlocks(what.reply);
  return respond({ response_type: 'ephemeral', replace_original: false, ...message });
}

const FORM_BLOCKS = new Set(['purpose', 'device', 'days', 'reason']);
const fieldBlock = (field: string | undefined) => (field && FORM_BLOCKS.has(field) ? field : 'reason');
/** The census form's first question: always there, so a fault reported on it is shown with its reference. */
const CENSUS_FAULT_BLOCK = 'uses_app';
const errorText = (r: Result) => renderBlocks(r.reply).text.slice(0, 150);
