import { webApi } from '@slack/bolt';
import type { Effect } from '../../commands/shared/context.ts';
import { postRef, rememberPost } from '../../commands/delivery/platform-records.ts';
import { wording } from '../../commands/wording/wording.ts';
import type { AppWarden, Deliverer } from '../../src/app.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { DeliveryError } from '../../src/runtime/outbox.ts';
import { classifySlackError, DELIVERY_CLIENT } from './delivery-errors.ts';
import { renderBlocks, type SlackBlock } from './render.ts';
import { createMembership, homeOf, type Membership } from './workspace.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** Every message AppWarden posts carries its outbox key, so a resend after a crash can be detected. */
const METADATA_TYPE = 'appwarden_outbox';

/** The Slack user id of a person: from the policy, or the id itself for someone not listed. */
export function slackUserOf(bot: AppWarden, person: string): string | undefined {
  const p = resolvePerson(bot.policy, person);
  return p.slack ?? (SLACK_USER.test(p.id) ? p.id : undefined);
}

/** How far before the recorded start of a delivery its message is looked for: Slack's clock and ours may differ. */
const CLOCK_SKEW_S = 600;
const HISTORY_PAGES = 25;
/** A rate limit this short is waited out in the call (Slack usually says 1–5 s); a longer one is retried by the outbox. */
const RATE_LIMIT_WAIT_MS = 8_000;
const RATE_LIMIT_RETRIES = 2;

/**
 * Delivers effects on Slack: posts (remembered so a decision can update them), updates, direct
 * messages. Its audience is the announcements channel's members who are the organisation's people.
 */
export function slackDeliverer(
  bot: AppWarden,
  client: webApi.WebClient,
  log: (line: string) => void,
  membership: Membership,
  botUserId?: string,
  /** Something of this Slack user's changed (a direct message, their copy of a request): so may their Home tab. */
  notified: (user: string) => void = () => {},
): Deliverer {
  /** Where an effect goes: a channel, a person's DM, or an existing message; undefined when Slack has no part in it. */
  const target = async (effect: Effect): Promise<{ channel: string; ts?: string } | undefined> => {
    if (effect.kind === 'notify') {
      // The address known when it was queued first: someone who left the policy still hears about their request.
      const user = effect.address?.slack ?? slackUserOf(bot, effect.person);
      return user ? { channel: user } : undefined; // not a Slack person: Slack has nothing to deliver
    }
    const known = effect.kind === 'update' ? await postRef(bot, 'slack', effect.subject) : undefined;
    if (known) return { channel: known.channel!, ts: known.ts! };
    if (effect.kind === 'update' && effect.onlyWhereSent) return undefined; // a copy never sent on Slack
    const name = effect.kind === 'post' ? effect.channel : 'approvals';
    const channel = bot.policy.channels[name]?.slack;
    return channel ? { channel } : undefined; // a channel left out for Slack posts nothing there
  };
  /**
   * One Web API call, its failure classed. A 429 means Slack did not take the call, so a short
   * Retry-After is waited out here and the call made again (a long one goes back to the outbox).
   */
  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    for (let waited = 0; ; waited++) {
      try {
        return await work();
      } catch (e) {
        const failure = classifySlackError(e, what);
        const wait = failure.outcome === 'transient' ? failure.retryAfterMs : undefined;
        if (wait === undefined || wait > RATE_LIMIT_WAIT_MS || waited >= RATE_LIMIT_RETRIES) throw failure;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };

  return {
    platform: 'slack',
    async deliver(effect, key) {
      const to = await target(effect);
      if (!to) return;
      const content = withMentions(renderBlocks(effect.message), effect, bot);
      if (to.ts) {
        await call(`updating the message in ${to.channel}`, () => client.chat.update({ channel: to.channel, ts: to.ts!, ...content }));
        // Their copy of a request changed (decided, by them or another): so does their page.
        const owner = effect.kind === 'update' && effect.for ? slackUserOf(bot, effect.for) : undefined;
        if (owner) notified(owner);
        return;
      }
      const posted = await call(`posting to ${to.channel}`, () =>
        client.chat.postMessage({ channel: to.channel, ...content, metadata: { event_type: METADATA_TYPE, event_payload: { key } } }),
      );
      const subject = effect.subject;
      if (subject && posted.ts) await rememberPost(bot, 'slack', subject, { channel: posted.channel ?? to.channel, ts: posted.ts });
      if (effect.kind === 'notify') notified(to.channel);
    },
    /** Looks for the message by its outbox key in the channel's history since the delivery began (a little before, for clock skew). */
    async wasDelivered(effect, key, since) {
      const to = await target(effect);
      if (!to || to.ts) return false; // an update is safe to repeat
      const channel =
        effect.kind === 'notify'
          ? (await call(`opening the DM with ${to.channel}`, () => client.conversations.open({ users: to.channel }))).channel?.id
          : to.channel;
      if (!channel) return false;
      const oldest = String(Math.floor(since.getTime() / 1000) - CLOCK_SKEW_S);
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const history = await call(`reading ${channel}`, () =>
          client.conversations.history({ channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
        );
        if (
          (history.messages ?? []).some(
            (m) => m.metadata?.event_type === METADATA_TYPE && (m.metadata.event_payload as { key?: string } | undefined)?.key === key,
          )
        )
          return true;
        cursor = history.response_metadata?.next_cursor;
        if (!history.has_more || !cursor) return false;
      }
      // Too busy a channel to be sure: say so rather than risk a second post.
      throw new DeliveryError(
        'permanent',
        `${channel} has more than ${HISTORY_PAGES * 200} messages since ${since.toISOString()}; cannot tell whether ${key} arrived, so it is not sent again`,
      );
    },
    async audience() {
      const channel = bot.policy.channels.announcements?.slack;
      if (!channel) return [];
      const members: string[] = [];
      for await (const page of client.paginate('conversations.members', { channel, limit: 1000 }) as AsyncIterable<{ members?: string[] }>)
        members.push(...(page.members ?? []));
      // Bots, deactivated accounts and Slack Connect members of other organisations are in the
      // channel but need not comply: never counted, never sent a reminder.
      return membership.ours(members.filter((m) => m !== botUserId));
    },
  };
}

/** Slack member ids, and only them, become mentions: an id from a policy or an export is never markup. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
/** Mentions in one post: well inside a section's 3,000 characters. */
const MAX_MENTIONS = 100;

/**
 * The approvals post @-mentions the people who may decide it, so Slack notifies them (a line at its
 * foot, and in the notification text); a post with more than MAX_MENTIONS deciders names the first
 * ones and says how many more.
 */
export function withMentions(content: { blocks: SlackBlock[]; text: string }, effect: Effect, bot: AppWarden) {
  if (effect.kind !== 'post' || !effect.deciders?.length) return content;
  const ids = [...new Set(effect.deciders.flatMap((d) => (d.slack && SLACK_USER_ID.test(d.slack) ? [d.slack] : [])))];
  if (!ids.length) return content;
  const m = wording(bot.policy.organization.locale);
  const mentions = ids
    .slice(0, MAX_MENTIONS)
    .map((id) => `<@${id}>`)
    .join(' ');
  const line = m.t('slack.approversMentioned', { mentions, more: Math.max(0, ids.length - MAX_MENTIONS) });
  return {
    blocks: [...content.blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: line }] }],
    text: `${content.text} ${line}`,
  };
}

/** A Slack deliverer with its own Web API client, for a process with no HTTP receiver (`appwarden remind`). */
export async function createSlackDeliverer(
  bot: AppWarden,
  options: { token: string; apiUrl?: string; retryConfig?: webApi.RetryOptions; fetch?: webApi.FetchFunction },
  log: (line: string) => void,
): Promise<Deliverer> {
  const client = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    timeout: 10_000,
    logLevel: webApi.LogLevel.ERROR,
  });
  const auth = await client.auth.test();
  return slackDeliverer(
    bot,
    deliveryClient(options),
    log,
    createMembership(homeOf(auth), { lookup: client, background: client }, log, () => bot.now().getTime()),
    auth.user_id,
  );
}

/** The Web API client deliveries use: no blind retries, a timeout on every call. */
export function deliveryClient(options: {
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
  fetch?: webApi.FetchFunction;
}): webApi.WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...DELIVERY_CLIENT,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    logLevel: webApi.LogLevel.ERROR,
  });
}
