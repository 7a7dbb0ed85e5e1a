import { handle, type InventorySyncDone } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { appMatcher, watchedApps, type InventoryReader, type InventorySnapshot } from '../core/inventory.ts';
import type { AppWarden } from '../app.ts';

export type InventorySyncOutcome = { ok: true; done: InventorySyncDone; text: string } | { ok: false; problem: string };

/**
 * Reads every configured MDM, then applies what they reported as one unit of work. A source that fails
 * fails the whole sync and nothing changes: the evidence already stored stays, and reports give its age.
 * Syncs never overlap in one process.
 */
export function createInventorySync(bot: AppWarden, readers: readonly InventoryReader[], log: (line: string) => void) {
  let running: Promise<InventorySyncOutcome> | undefined;
  const syncOnce = async (at: Date): Promise<InventorySyncOutcome> => {
    // The apps looked for are the file policy's: the directory adds people, not apps.
    const policy = bot.filePolicy;
    const match = appMatcher(policy);
    const watched = watchedApps(policy);
    const snapshots: InventorySnapshot[] = [];
    for (const reader of readers) {
      try {
        snapshots.push(await reader.read(match, watched));
      } catch (error) {
        const problem = `inventory sync: ${reader.source} could not be read, nothing was changed: ${(error as Error).message}`;
        log(problem);
        return { ok: false, problem };
      }
    }
    const result = await handle({ kind: 'inventory', snapshots, at }, bot.systemContext());
    bot.outbox.rescan();
    return { ok: true, done: result.data as InventorySyncDone, text: replyText(result.reply) };
  };
  return {
    readers,
    sync(at: Date): Promise<InventorySyncOutcome> {
      running ??= syncOnce(at).finally(() => {
        running = undefined;
      });
      return running;
    },
    idle: async () => {
      await running?.catch(() => undefined);
    },
  };
}
