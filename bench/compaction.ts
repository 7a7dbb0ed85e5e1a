/**
 * How long a compaction (the snapshot LowdbStore writes every 5,000 entries) blocks the event loop,
 * by way of writing it: lowdb's JSONFile as the store first did (JSON.stringify of everything, then
 * write), a worker_thread (the records cloned to it by postMessage, then stringified there), and the
 * store's writeSnapshot now (serialised and written a slice at a time). While the event loop is
 * blocked the server acknowledges nobody, so the longest block lands straight on the ack p99.
 *
 *   npx tsx bench/compaction.ts [--max 1000000]
 */
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { put } from '../src/core/records.ts';
import { RecordIndex } from '../storage/record-index.ts';
import { deepFreeze } from '../storage/canonical-json.ts';
import { readSnapshot, writeSnapshot, type Snapshot } from '../storage/lowdb/snapshot.ts';
import { benchAttestation, benchRequest } from './lib/preload.ts';
import { printTable, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({ options: { max: { type: 'string', default: '100000' } } });
const SIZES = [10_000, 100_000, 1_000_000].filter((size) => size <= Number(flags.max));

/** The records as the store holds them: deep-frozen, in a RecordIndex. */
function indexOf(records: number): RecordIndex {
  const index = new RecordIndex();
  const changes = Array.from({ length: records }, (_, n) =>
    n % 2 === 0 ? put('requests', deepFreeze(benchRequest(n))) : put('attestations', deepFreeze(benchAttestation(n))),
  );
  index.apply(changes);
  return index;
}

const snapshotOf = (index: RecordIndex): Snapshot => ({
  format: 1,
  seq: 1,
  offset: 1,
  hash: 'a'.repeat(64),
  collections: index.toArrays(),
});

async function lowdbWrite(path: string, snapshot: Snapshot): Promise<void> {
  await new Low<Snapshot>(new JSONFile<Snapshot>(path), snapshot).write();
  const handle = await open(path, 'r');
  await handle.sync();
  await handle.close();
}

// The worker stringifies and writes; only the clone (postMessage) happens on the main thread.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { writeFileSync, openSync, fsyncSync, closeSync } = require('node:fs');
parentPort.on('message', ({ temp, snapshot }) => {
  writeFileSync(temp, JSON.stringify(snapshot, null, 2));
  const fd = openSync(temp, 'r'); fsyncSync(fd); closeSync(fd);
  parentPort.postMessage('done');
});`;

async function workerWrite(worker: Worker, path: string, snapshot: Snapshot): Promise<void> {
  const done = new Promise((resolve) => worker.once('message', resolve));
  worker.postMessage({ temp: `${path}.tmp`, snapshot });
  await done;
  await rename(`${path}.tmp`, path);
}

/**
 * Watches the event loop: a chain of setImmediate callbacks, each noting the time since the one
 * before. A gap is how long one turn of the loop took, i.e. how long anything else had to wait.
 */
function watchEventLoop() {
  const gaps: number[] = [];
  let last = performance.now();
  let on = true;
  const turn = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return () => {
    on = false;
    return gaps.sort((a, b) => a - b);
  };
}

/** Runs one compaction — capture (toArrays) and write — and the longest the event loop was held meanwhile. */
async function measure(index: RecordIndex, path: string, write: (path: string, snapshot: Snapshot) => Promise<void>) {
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the previous run's I/O settle
  const stop = watchEventLoop();
  await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  await write(path, snapshotOf(index));
  const wallMs = performance.now() - started;
  await new Promise((resolve) => setImmediate(resolve));
  const gaps = stop();
  return { wallMs, longestBlockMs: gaps.at(-1) ?? 0, turns: gaps.length };
}

const dir = await mkdtemp(join(tmpdir(), 'appwarden-compaction-'));
const worker = new Worker(WORKER, { eval: true });
const STRATEGIES: Record<string, (path: string, snapshot: Snapshot) => Promise<void>> = {
  'lowdb JSONFile (before)': lowdbWrite,
  'worker_thread (postMessage)': (path, snapshot) => workerWrite(worker, path, snapshot),
  'sliced writeSnapshot (now)': (path, snapshot) => writeSnapshot(path, snapshot),
};
const rows: { records: number; strategy: string; wallMs: number; longestBlockMs: number; turns: number }[] = [];
try {
  for (const records of SIZES) {
    const index = indexOf(records);
    for (const [strategy, write] of Object.entries(STRATEGIES)) {
      const path = join(dir, 'state.json');
      const results = [];
      await measure(index, path, write); // warm-up: the first run also compiles the code it runs
      for (let run = 0; run < 3; run++) results.push(await measure(index, path, write));
      const worst = results.reduce((a, b) => (b.longestBlockMs > a.longestBlockMs ? b : a));
      rows.push({ records, strategy, ...worst });
      const read = await readSnapshot(path); // each strategy must leave a snapshot the store can open
      if (!('snapshot' in read) || read.snapshot.collections.requests.length !== Math.ceil(records / 2))
        throw new Error(`${strategy}: bad snapshot`);
      await rm(path);
    }
  }
} finally {
  await worker.terminate();
  await rm(dir, { recursive: true, force: true });
}

console.log('compaction: one snapshot written while the event loop is watched (worst of 3 runs after a warm-up)\n');
printTable(
  ['records', 'strategy', 'wall ms', 'longest block ms', 'loop turns'],
  rows.map((r) => [r.records, r.strategy, r.wallMs, r.longestBlockMs, r.turns]),
);
await writeResult('compaction', { rows });
