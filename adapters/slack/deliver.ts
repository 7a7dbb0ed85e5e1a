import { webApi } from '@slack/bolt';
import type { Effect } from '../../commands/context.ts';
import type { AppWarden, Deliverer } from '../../src/app.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { renderBlocks } from './render.ts';
import { createMembership, homeOf, type Membership } from './workspace.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
/** Every message AppWarden posts carries its outbox key, so a resend after a crash can be detected. */
const METADATA_TYPE = 'appwarden_outbox';

/** The Slack user id of a person: from the policy, or the id itself for someone not listed. */
export function slackUserOf(bot: AppWarden, person: string): string | undefined {
  const p = resolvePerson(bot.policy, person);
  return p.slack ?? (SLACK_USER.test(p.id) ? p.id : undefined);
}

const messageKey = (subject: string) => `slack:${subject}`;

/**
 * Delivers effects on Slack: posts (remembered so a decision can update them), updates, direct
 * messages. Its audience is the announcements channel's members who are the organisation's people.
 */
export function slackDeliverer(bot: AppWarden, client: webApi.WebClient, log: (line: string) => void, membership: Membership, botUserId?: string): Deliverer {
  /** Where an effect goes: a channel, a person's DM, or an existing message; undefined when Slack has no place for it. */
  const target = (effect: Effect): { channel: string; ts?: string } | undefined => {
    if (effect.kind === 'notify') {
      const user = slackUserOf(bot, effect.person);
      if (!user) log(`slack: no Slack user for ${effect.person}; message not sent`);
      return user ? { channel: user } : undefined;
    }
    const known = effect.kind === 'update' ? bot.store.get('messages', messageKey(effect.subject)) : undefined;
    if (known) return { channel: known.ref.channel!, ts: known.ref.ts! };
    const name = effect.kind === 'post' ? effect.channel : 'approvals';
    const channel = bot.policy.channels[name]?.slack;
    if (!channel) log(`slack: no ${name} channel configured for Slack; message not posted`);
    return channel ? { channel } : undefined;
  };

  return {
    platform: 'slack',
    async deliver(effect, key) {
      const to = target(effect);
      if (!to) return;
      const content = renderBlocks(effect.message);
      if (to.ts) return void (await client.chat.update({ channel: to.channel, ts: to.ts, ...content }));
      const posted = await client.chat.postMessage({ channel: to.channel, ...content, metadata: { event_type: METADATA_TYPE, event_payload: { key } } });
      const subject = effect.kind === 'notify' ? undefined : effect.subject;
      if (subject && posted.ts) {
        const id = messageKey(subject);
        await bot.store.commit(
          { at: bot.now().toISOString(), actor: 'system', action: 'message.posted', subject, detail: { platform: 'slack', channel: to.channel } },
          [{ collection: 'messages', id, value: { id, platform: 'slack', subject, ref: { channel: posted.channel ?? to.channel, ts: posted.ts } } }],
        );
      }
    },
    async wasDelivered(effect, key) {
      const to = target(effect);
      if (!to || to.ts) return false; // an update is safe to repeat
      const channel = effect.kind === 'notify' ? (await client.conversations.open({ users: to.channel })).channel?.id : to.channel;
      if (!channel) return false;
      const history = await client.conversations.history({ channel, limit: 100, include_all_metadata: true });
      return (history.messages ?? []).some((m) => m.metadata?.event_type === METADATA_TYPE && (m.metadata.event_payload as { key?: string } | undefined)?.key === key);
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

/** A Slack deliverer with its own Web API client, for a process with no HTTP receiver (`appwarden remind`). */
export async function createSlackDeliverer(bot: AppWarden, options: { token: string; apiUrl?: string; retryConfig?: webApi.RetryOptions }, log: (line: string) => void): Promise<Deliverer> {
  const client = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    logLevel: webApi.LogLevel.ERROR,
  });
  const auth = await client.auth.test();
  return slackDeliverer(bot, client, log, createMembership(homeOf(auth), { lookup: client, sweep: client }, log), auth.user_id);
}
