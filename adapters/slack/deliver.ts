import type { webApi } from '@slack/bolt';
import type { Effect } from '../../commands/context.ts';
import type { AppWarden } from '../../src/app.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { renderBlocks } from './render.ts';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

/** The Slack user id of a person: from the policy, or the id itself for someone not listed. */
export function slackUserOf(bot: AppWarden, person: string): string | undefined {
  const p = resolvePerson(bot.policy, person);
  return p.slack ?? (SLACK_USER.test(p.id) ? p.id : undefined);
}

const messageKey = (subject: string) => `slack:${subject}`;

/**
 * Carry out a command's effects on Slack. Posts are remembered (channel + ts, committed) so a later
 * decision can update the same message; a message never posted here is posted fresh instead.
 */
export async function deliverEffects(effects: Effect[], bot: AppWarden, client: webApi.WebClient, log: (line: string) => void): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === 'notify') {
      const user = slackUserOf(bot, effect.person);
      if (!user) {
        log(`slack: no Slack user for ${effect.person}; message not sent`);
        continue;
      }
      await client.chat.postMessage({ channel: user, ...renderBlocks(effect.message) });
      continue;
    }
    const known = effect.kind === 'update' ? bot.store.get('messages', messageKey(effect.subject)) : undefined;
    if (known) {
      await client.chat.update({ channel: known.ref.channel!, ts: known.ref.ts!, ...renderBlocks(effect.message) });
      continue;
    }
    const channelName = effect.kind === 'post' ? effect.channel : 'approvals';
    const channel = bot.policy.channels[channelName]?.slack;
    if (!channel) {
      log(`slack: no ${channelName} channel configured for Slack; message not posted`);
      continue;
    }
    const posted = await client.chat.postMessage({ channel, ...renderBlocks(effect.message) });
    if (effect.subject && posted.ts) {
      const id = messageKey(effect.subject);
      await bot.store.commit(
        { at: bot.now().toISOString(), actor: 'system', action: 'message.posted', subject: effect.subject, detail: { platform: 'slack', channel } },
        [{ collection: 'messages', id, value: { id, platform: 'slack', subject: effect.subject, ref: { channel: posted.channel ?? channel, ts: posted.ts } } }],
      );
    }
  }
}
