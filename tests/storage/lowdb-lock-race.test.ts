import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { verifyAuditFile } from '../../storage/lowdb/index.ts';
import { bundleFixture, deadPid, event, idempotencyKey, tempDirs } from './helpers.ts';
import { lockPath, openWithLog } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const TRIALS = 20;
const ENTRIES = 3;
let racer: string;
let dead: number;

beforeAll(async () => {
  // Plain node on a bundle starts in ~0.1 s, against ~0.5 s with tsx: 40 processes stay cheap.
  racer = await bundleFixture('race-open.ts', await dirs.make());
  dead = await deadPid();
});

interface Racer {
  child: ChildProcess;
  /** Resolves with each line it prints, in turn. */
  next(): Promise<string>;
  exited: Promise<number | null>;
}

function startRacer(dir: string): Racer {
  const child = spawn(process.execPath, [racer, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((done) => child.on('close', done));
  return { child, next: async () => String((await lines.next()).value ?? 'exited'), exited };
}

/** A closed store of ENTRIES entries whose lock was left by a process that died (on this host). */
async function crashedOwnersDir(): Promise<string> {
  const dir = await dirs.make();
  const { store } = await openWithLog(dir);
  for (let i = 1; i <= ENTRIES; i++) await store.commit(event(), [put('keys', idempotencyKey(`K-${i}`))]);
  await store.close();
  await writeFile(lockPath(dir), JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
  return dir;
}

describe("LowdbStore: two processes started at once on a dead owner's lock", () => {
  it(`let exactly one through, ${TRIALS} times out of ${TRIALS}, and the chain stays intact`, { timeout: 60_000 }, async () => {
    const unsound: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = await crashedOwnersDir();
      const racers = [startRacer(dir), startRacer(dir)];
      let said: string[];
      try {
        // Both loaded and waiting, then released in the same tick: as close to the same instant as it gets.
        expect(await Promise.all(racers.map((r) => r.next()))).toEqual(['ready', 'ready']);
        for (const r of racers) r.child.stdin!.write('go\n');
        said = await Promise.all(racers.map((r) => r.next()));
      } finally {
        for (const r of racers) r.child.stdin!.end();
        await Promise.all(racers.map((r) => r.exited));
      }
      const chain = await verifyAuditFile(dir);
      const oneWon = said.filter((line) => line === `opened ${ENTRIES + 1}`).length === 1;
      const oneRefused = said.filter((line) => /^storage\.locked DATA_DIR .* (is in use by|is being)/.test(line)).length === 1;
      const sound = oneWon && oneRefused && chain.ok && chain.entries === ENTRIES + 1 && !existsSync(lockPath(dir));
      if (!sound) unsound.push(`trial ${trial}: ${said.join(' | ')}; chain ${JSON.stringify(chain)}`);
    }
    expect(unsound).toEqual([]);
  });
});
