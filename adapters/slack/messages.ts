import { randomUUID } from 'node:crypto';
import type { App, webApi } from '@slack/bolt';
import { handle, type Form, type Result } from '../../commands/entry/handle.ts';
import type { CommandContext } from '../../commands/shared/context.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import type { AppWarden } from '../../src/app.ts';
import { BoundedCache } from './bounded-cache.ts';
import { faultText } from './delivery-errors.ts';
import { plain, REQUEST_APP_VIEW, requestAppModal, submitted } from './modals.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { renderBlocks } from './render.ts';
import type { Home, Membership } from './workspace.ts';
import { isFromHome, type Refusal } from './workspace-guard.ts';

/** The callback ids of the shortcuts manifest.json declares. */
export const REQUEST_SHORTCUT = 'request_exception';
export const CHECK_SHORTCUT = 'check_app';

/** As much text as a slash command carries: a message to the bot is read as one. */
export const COMMAND_TEXT_MAX = 4_000;
/** How much of a message "Check this app" looks at: an app's name, not an essay. */
export const CHECK_TEXT_MAX = 200;

/** A message to the bot: a direct message (`message.im`) or a mention in a channel (`app_mention`). */
export interface Said {
  kind: 'dm' | 'mention';
  user: string;
  /** The command, as the person meant it: mention stripped, Slack's markup undone. */
  text: string;
  channel: string;
  ts: string;
  /** The thread it was said in, if any. */
  thread?: string;
  /** The workspace of whoever said it (a Slack Connect member's is another). */
  userTeam?: string;
}

type EventBody = {
  type?: string;
  event_id?: string;
  team_id?: string;
  enterprise_id?: string;
  event?: Record<string, unknown>;
};

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The message an Events API callback carries, when it is one the bot answers: a person's own new
 * message (no `bot_id`, no subtype such as `message_changed` or `bot_message`), in a DM with the bot
 * or mentioning it in a channel. Anything else (the bot's own posts, edits, joins) is not answered.
 */
export function saidTo(body: EventBody, botUser: string): Said | undefined {
  const e = body.type === 'event_callback' ? body.event : undefined;
  if (!e || e.bot_id || e.subtype || e.hidden) return undefined;
  const user = text(e.user);
  const channel = text(e.channel);
  const ts = text(e.ts);
  if (!user || !channel || !ts || user === botUser) return undefined;
  const kind =
    e.type === 'message' && e.channel_type === 'im' ? 'dm' : e.type === 'app_mention' && !channel.startsWith('D') ? 'mention' : undefined;
  if (!kind) return undefined;
  const userTeam = text(e.user_team) ?? text(e.team);
  const thread = text(e.thread_ts);
  return {
    kind,
    user,
    text: commandText(text(e.text) ?? '', botUser),
    channel,
    ts,
    ...(thread ? { thread } : {}),
    ...(userTeam ? { userTeam } : {}),
  };
}

/**
 * Message text as typed: the bot's mention taken out, links shown as their labels (`<https://x|x>` is
 * `x`), `&amp;` `&lt;` `&gt;` undone (Slack escapes them in events), trimmed and bounded. Other
 * people's mentions stay as Slack wrote them.
 */
export function commandText(raw: string, botUser?: string): string {
  let s = raw;
  if (botUser) s = s.replace(new RegExp(`<@${botUser}(\\|[^>]*)?>`, 'g'), ' ');
  s = s
    .replace(/<((?:https?|mailto):[^|>]*)\|([^>]*)>/g, '$2')
    .replace(/<((?:https?|mailto):[^>]*)>/g, '$1')
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
  return bounded(s, COMMAND_TEXT_MAX);
}

const bounded = (s: string, max: number) => Array.from(s).slice(0, max).join('').trim();

/**
 * `check` for the text of a message: on one line, bounded, and quoted whole so that nothing in it
 * reads as a flag (`--device`) or leaves a quote open; the quote is one the text does not contain.
 */
export function checkCommand(messageText: string): string {
  const words = bounded(commandText(messageText).replace(/\s+/g, ' '), CHECK_TEXT_MAX);
  if (!words) return 'check';
  const pair = [
    ['"', '"'],
    ["'", "'"],
    ['「', '」'],
    ['『', '』'],
  ].find(([, close]) => !words.includes(close!));
  return pair ? `check ${pair[0]}${words}${pair[1]}` : `check "${words.replace(/"/g, '')}"`;
}

export interface MessageDeps {
  bot: AppWarden;
  home: Home;
  membership: Membership;
  /** The bot's own user id (auth.test), whose mention is taken out and whose messages are not answered. */
  botUser: string;
  ctxFor: (user: string, key?: string) => CommandContext;
  /** Runs work for a person; a fault is logged with a reference and `tell` gives them the apology. */
  guarded: (user: string, work: () => Promise<void>, tell: (text: string) => Promise<unknown>) => Promise<void>;
  refusalWords: (refusal: Refusal, user: string) => { text: string; close: string };
  modalOf: (form: Form, m: Wording, channel: string) => ReturnType<typeof requestAppModal>;
  uploadPrivately: (client: webApi.WebClient, user: string, file: { name: string; content: string }) => Promise<void>;
  log: (line: string, error?: unknown) => void;
}

type Shortcut = {
  type: 'shortcut' | 'message_action';
  callback_id: string;
  trigger_id: string;
  user: { id: string; team_id?: string };
  team?: { id?: string; enterprise_id?: string } | null;
  enterprise?: { id?: string } | null;
  message?: { text?: string };
};

const isOurShortcut = (body: Record<string, unknown>): body is Shortcut & Record<string, unknown> =>
  (body.type === 'shortcut' && body.callback_id === REQUEST_SHORTCUT) ||
  (body.type === 'message_action' && body.callback_id === CHECK_SHORTCUT);

/** How long an event's id is remembered: Slack retries an event three times within about five minutes. */
const EVENT_TTL_MS = 15 * 60_000;
const EVENTS_REMEMBERED = 10_000;

/**
 * Messages to the bot, mentions of it, and its two shortcuts: the same commands as `/apps`, through
 * `handle`. Register before the workspace guard: its gate lets Events API callbacks through and only
 * acks a refused shortcut, so who may be served is checked here, where the refusal can be answered
 * (in the DM, privately in the channel, or in a form).
 */
export function registerMessagesAndShortcuts(app: App, deps: MessageDeps): void {
  const { bot, home, membership, botUser, ctxFor, guarded, log } = deps;
  /** Events already taken (by `event_id`): Slack retries one it thinks was lost (X-Slack-Retry-Num, `retry_attempt`). */
  const taken = new BoundedCache<string, true>(EVENTS_REMEMBERED, EVENT_TTL_MS);

  const refusalOf = async (who: {
    teams: string[];
    enterprise?: string;
    user: string;
    userTeam?: string;
  }): Promise<Refusal | undefined> => {
    if (!isFromHome({ kind: 'other', ...who }, home)) return 'other-workspace';
    const standing = await membership.standing(who.user);
    return standing === 'ours' ? undefined : standing === 'foreign' ? 'not-ours' : 'try-again';
  };
  const logRefusal = (what: string, user: string, refusal: Refusal) =>
    refusal !== 'try-again' && log(`slack: refused ${what} from ${user}: ${refusal}`);

  app.use(async (args) => {
    const body = args.body as Record<string, unknown>;
    const said = saidTo(body as EventBody, botUser);
    if (said) {
      const event = body as EventBody;
      const id = event.event_id ?? `${said.channel}:${said.ts}`;
      if (taken.get(id)) return; // a retry of an event already answered (Bolt acked both)
      taken.set(id, true);
      const refusal = await refusalOf({
        teams: event.team_id ? [event.team_id] : [],
        ...(event.enterprise_id ? { enterprise: event.enterprise_id } : {}),
        user: said.user,
        ...(said.userTeam ? { userTeam: said.userTeam } : {}),
      });
      if (!refusal) return args.next();
      logRefusal(said.kind === 'dm' ? 'direct message' : 'mention', said.user, refusal);
      const words = escapeMrkdwn(deps.refusalWords(refusal, said.user).text);
      await (said.kind === 'dm'
        ? args.client.chat.postMessage({ channel: said.channel, text: words, ...threadOf(said) })
        : args.client.chat.postEphemeral({ channel: said.channel, user: said.user, text: words, ...threadOf(said) })
      ).catch((e: Error) => log(`slack: could not answer ${said.user}'s ${said.kind}: ${e.message}`));
      return;
    }
    if (!isOurShortcut(body)) return args.next();
    const enterprise = body.enterprise?.id ?? body.team?.enterprise_id;
    const refusal = await refusalOf({
      teams: body.team?.id ? [body.team.id] : [],
      ...(enterprise ? { enterprise } : {}),
      user: body.user.id,
      ...(body.user.team_id ? { userTeam: body.user.team_id } : {}),
    });
    if (!refusal) return args.next();
    logRefusal('shortcut', body.user.id, refusal);
    const { text: words, close } = deps.refusalWords(refusal, body.user.id);
    const { ack, respond } = args as Partial<{
      ack: () => Promise<void>;
      respond: (m: Record<string, unknown>) => Promise<unknown>;
    }>;
    await ack?.();
    if (body.type === 'message_action')
      return void (await respond?.({ response_type: 'ephemeral', text: escapeMrkdwn(words) }).catch(() => undefined));
    await args.client.views
      .open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          title: plain('AppWarden', 24),
          close: plain(close, 24),
          blocks: [{ type: 'section', text: plain(words, 3000) }],
        },
      })
      .catch((e: Error) => log(`slack: could not answer ${body.user.id}'s shortcut: ${e.message}`));
  });

  /** A message's answer: in the DM for a DM (in its thread, if it was said in one); for a mention, privately when the reply is private, else in its thread. */
  const answer = async (client: webApi.WebClient, said: Said, key: string) => {
    const ctx = ctxFor(said.user, key);
    const result = await handle({ kind: 'text', text: said.text }, ctx);
    if (result.code === 'duplicate') return;
    const file = result.reply.blocks.find((b) => b.type === 'file');
    if (file) await deps.uploadPrivately(client, said.user, file);
    const reply = file
      ? { ...result.reply, blocks: [{ type: 'note' as const, text: ctx.m.t('report.sentAsFile', { name: file.name }) }] }
      : result.reply;
    await tell(client, said, reply.visibility === 'private' && said.kind === 'mention', renderBlocks(reply));
    await bot.drain();
  };
  const tell = (client: webApi.WebClient, said: Said, privately: boolean, message: { text: string; blocks?: unknown[] }) =>
    said.kind === 'dm'
      ? client.chat.postMessage({ channel: said.channel, ...message, ...threadOf(said) } as webApi.ChatPostMessageArguments)
      : privately
        ? client.chat.postEphemeral({
            channel: said.channel,
            user: said.user,
            ...message,
            ...threadOf(said),
          } as webApi.ChatPostEphemeralArguments)
        : client.chat.postMessage({
            channel: said.channel,
            thread_ts: said.thread ?? said.ts,
            ...message,
          } as webApi.ChatPostMessageArguments);

  const onMessage = async ({ body, client }: { body: unknown; client: webApi.WebClient }) => {
    const said = saidTo(body as EventBody, botUser);
    if (!said) return;
    const id = (body as EventBody).event_id ?? `${said.channel}:${said.ts}`;
    await guarded(
      said.user,
      () => answer(client, said, `slack:event:${id}`),
      (words) => tell(client, said, true, { text: escapeMrkdwn(words) }),
    );
  };
  app.event('message', onMessage);
  app.event('app_mention', onMessage);

  // "Request an exception", from anywhere: which app first, then the request form for it.
  app.shortcut(REQUEST_SHORTCUT, async ({ ack, body, client }) => {
    await ack();
    await guarded(
      body.user.id,
      async () => void (await client.views.open({ trigger_id: body.trigger_id, view: requestAppModal(ctxFor(body.user.id).m) })),
      async () => undefined,
    );
  });

  app.view(REQUEST_APP_VIEW, async ({ ack, body, view }) => {
    const user = body.user.id;
    const ctx = ctxFor(user);
    let result: Result;
    try {
      // What the request form opens with for an app, as the "Request an exception" button does.
      result = await handle(
        { kind: 'button', action: 'request.open', value: JSON.stringify({ app: submitted(view.state.values, 'app') ?? '' }) },
        ctx,
      );
    } catch (e) {
      const ref = randomUUID().slice(0, 8);
      log(`slack: fault ${ref} for ${user}: ${faultText(e)}`, e);
      return void (await ack({ response_action: 'errors', errors: { app: ctx.m.t('errors.fault', { ref }).slice(0, 150) } }));
    }
    if (result.form) return void (await ack({ response_action: 'update', view: deps.modalOf(result.form, ctx.m, '') }));
    await ack({ response_action: 'errors', errors: { app: renderBlocks(result.reply).text.slice(0, 150) } });
  });

  // "Check this app" on a message: `check` for what it says, answered to the asker alone.
  app.shortcut(CHECK_SHORTCUT, async ({ ack, body, respond }) => {
    await ack();
    if (body.type !== 'message_action') return;
    const say = (message: { text: string; blocks?: unknown[] }) =>
      respond({ response_type: 'ephemeral', replace_original: false, ...message } as Parameters<typeof respond>[0]);
    await guarded(
      body.user.id,
      async () => {
        const result = await handle({ kind: 'text', text: checkCommand(body.message.text ?? '') }, ctxFor(body.user.id));
        await say(renderBlocks(result.reply));
      },
      (words) => say({ text: escapeMrkdwn(words) }),
    );
  });
}

/** An answer to something said in a thread (of a DM, or of a channel for an ephemeral one) goes in that thread. */
const threadOf = (said: Said) => (said.thread ? { thread_ts: said.thread } : {});
