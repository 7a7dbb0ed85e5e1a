import type { webApi } from '@slack/bolt';
import { handle } from '../../commands/entry/handle.ts';
import type { AppWarden } from '../../src/app.ts';
import { BoundedCache } from './bounded-cache.ts';
import { renderBlocks } from './render.ts';
import type { Membership } from './workspace.ts';

/** Whose Home tab to refresh when something in it changes: those who opened it lately (bounded). */
const REMEMBERED = 5_000;
const REMEMBERED_MS = 7 * 86_400_000;
/** Slack's limit for a Home tab; our replies stay well inside it (renderBlocks keeps to 50). */
export const HOME_BLOCKS = 100;

/**
 * The Home tab: each of the organisation's people sees their own page (handle's `home` view), published
 * when they open the tab and again after something in it changes (a click of theirs, a message to
 * them). A refresh is best effort: the next opening publishes it anew anyway.
 */
export function createHome(client: webApi.WebClient, bot: AppWarden, membership: Membership, log: (line: string) => void) {
  const opened = new BoundedCache<string, true>(REMEMBERED, REMEMBERED_MS);
  const publish = async (user: string) => {
    if ((await membership.standing(user)) !== 'ours') return; // nobody else's page is built
    const result = await handle({ kind: 'view', view: 'home' }, bot.contextFor(user, 'slack', membership.locale(user)));
    // Through apiCall: renderBlocks gives Block Kit within Slack's limits, loosely typed as it is for messages.
    const blocks = renderBlocks(result.reply).blocks.slice(0, HOME_BLOCKS);
    await client.apiCall('views.publish', { user_id: user, view: { type: 'home', blocks } });
  };
  const quietly = (user: string) =>
    publish(user).catch((e: Error) =>
      log(`slack: could not publish the Home tab of ${user}: ${(e as { data?: { error?: string } }).data?.error ?? e.message}`),
    );
  return {
    async opened(user: string) {
      opened.set(user, true);
      await quietly(user);
    },
    /** After a change that may show on their page: republished if they have opened it lately. */
    async changed(user: string | undefined) {
      if (user && opened.get(user)) await quietly(user);
    },
  };
}
export type Home = ReturnType<typeof createHome>;
