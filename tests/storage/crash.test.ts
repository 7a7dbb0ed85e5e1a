import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnFixture, tempDirs } from './helpers.ts';
import { openWithLog } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ACKS_BEFORE_KILL = 300;

/**
 * Runs commit-burst.ts on the directory and SIGKILLs it once it has acknowledged ACKS_BEFORE_KILL
 * commits, mid-burst. Resolves with every id it acknowledged, including any read after the kill.
 */
async function commitUntilKilled(dir: string, prefix: string): Promise<string[]> {
  const child = spawnFixture('commit-burst.ts', [dir, prefix]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const acknowledged: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
  try {
    for await (const line of createInterface({ input: child.stdout! })) {
      const id = /^ok (.+)$/.exec(line)?.[1];
      if (id === undefined) throw new Error(`commit-burst printed: ${line}`);
      acknowledged.push(id);
      if (acknowledged.length === ACKS_BEFORE_KILL) child.kill('SIGKILL');
    }
  } finally {
    child.kill('SIGKILL');
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`commit-burst ended by itself (${signal}): ${stderr}`);
  return acknowledged;
}

describe('LowdbStore: SIGKILL in the middle of a burst of commits', () => {
  it('keeps every acknowledged commit and a sound audit log, three crashes running', { timeout: 30_000 }, async () => {
    const dir = await dirs.make();
    const acknowledged: string[] = [];
    for (const round of ['r0', 'r1', 'r2']) {
      acknowledged.push(...(await commitUntilKilled(dir, round)));

      const { store, logged } = await openWithLog(dir, { checkChain: true });
      const missing = acknowledged.filter((id) => store.get('keys', id) === undefined);
      expect(missing, `acknowledged but lost after the crash of ${round}`).toEqual([]);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: expect.any(Number) });
      expect(await store.chainChecked()).toEqual({ state: 'ok', entries: expect.any(Number) });
      // The dead writer's lock is taken over; a torn tail, if the kill landed mid-write, is moved aside.
      const recoveries =
        /took over the lock|moved a torn last line|was whole but had no newline|chain checked in the background: \d+ entries, intact/;
      expect(logged.filter((line) => !recoveries.test(line))).toEqual([]);
      await store.close();
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(3 * ACKS_BEFORE_KILL);
  });
});
