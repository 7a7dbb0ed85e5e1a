import { handle, type DirectorySyncDone, type SourceSnapshot } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import type { DirectorySource } from '../core/directory.ts';
import type { AppWarden } from '../app.ts';

/** One identity source: reads everyone (no cursor) or what changed since `cursor`. */
export interface DirectoryReader {
  source: DirectorySource;
  read(cursor: string | undefined): Promise<SourceSnapshot>;
}

export type SyncOutcome = { ok: true; done: DirectorySyncDone; text: string } | { ok: false; problem: string };

/**
 * Reads every configured source, then applies what they said as one unit of work. A source that fails
 * fails the whole sync and nothing changes: a half-read directory would make everyone it missed a
 * leaver. Syncs never overlap in one process; on several replicas each is one unit of work, so two at
 * once apply the same snapshots twice, and the second changes nothing but the cursors.
 */
export function createDirectorySync(bot: AppWarden, readers: readonly DirectoryReader[], log: (line: string) => void) {
  let running: Promise<SyncOutcome> | undefined;
  const syncOnce = async (at: Date): Promise<SyncOutcome> => {
    const snapshots: SourceSnapshot[] = [];
    for (const reader of readers) {
      const cursor = bot.store.get('directory_sources', reader.source)?.cursor;
      try {
        snapshots.push(await reader.read(cursor));
      } catch (error) {
        const problem = `directory sync: ${reader.source} could not be read, nothing was changed: ${(error as Error).message}`;
        log(problem);
        return { ok: false, problem };
      }
    }
    const result = await handle({ kind: 'directory', snapshots, at }, bot.systemContext());
    bot.outbox.rescan();
    return { ok: true, done: result.data as DirectorySyncDone, text: replyText(result.reply) };
  };
  return {
    readers,
    sync(at: Date): Promise<SyncOutcome> {
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
