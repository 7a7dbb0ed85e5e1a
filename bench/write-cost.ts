/**
 * What an attestation costs as the data grows: `attest tiktok` through the command layer (as a Slack
 * slash command runs it: two attestations and the delivery's idempotency key in one commit) on
 * LowdbStore — one appended line and a share of one fdatasync — beside the naive use of lowdb, which
 * rewrites the whole JSON file on every write, measured in the same run on the same disk.
 * Target: LowdbStore's p99 at 1M records within 2× of its p99 at 1k.
 *
 *   npx tsx bench/write-cost.ts [--max 1000000] [--cell-seconds 4] [--dir /path/on/the/disk/to/test]
 *
 * "one at a time" awaits each attest before the next: the latency a lone user sees. "64 in flight"
 * keeps 64 pending: throughput under load, where group commit shares fdatasyncs and lowdb coalesces
 * rewrites. Compactions (a snapshot of every record, each 5,000 entries) happen during the cells, as
 * they would in use; the "snapshot" column says whether one was written, or being written, during the cell.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Store } from '../src/core/store.ts';
import { GENESIS } from '../storage/audit-chain.ts';
import { openLowdbStore } from '../storage/lowdb/index.ts';
import { emptySnapshot, writeSnapshot } from '../storage/lowdb/snapshot.ts';
import type { CollectionArrays } from '../storage/record-index.ts';
import { measureAttests } from './lib/attest-cells.ts';
import { NaiveLowdbStore } from './lib/naive-store.ts';
import { benchAttestation, benchRequest } from './lib/preload.ts';
import { cpuDuring } from './lib/processes.ts';
import { printTable, summarize, verdict, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({
  // 4 s: ~5,000 attests one at a time and ~10,000 with 64 in flight, so each size's cells include a
  // compaction (a snapshot every 5,000 entries).
  options: { max: { type: 'string', default: '100000' }, dir: { type: 'string' }, 'cell-seconds': { type: 'string', default: '4' } },
});
const SIZES = [1_000, 10_000, 100_000, 1_000_000].filter((size) => size <= Number(flags.max));
let CELL_MS = Number(flags['cell-seconds']) * 1000;
const MIN_OPS = 5;
const MAX_OPS = 20_000;
const IN_FLIGHT = 64;
const TARGET_RATIO = 2;
/** `size` records, half requests and half attestations, numbered as the commands number them. */
function collectionsOf(size: number): CollectionArrays {
  const half = Math.ceil(size / 2);
  return {
    ...emptySnapshot().collections,
    requests: Array.from({ length: half }, (_, n) => benchRequest(n + 1)),
    attestations: Array.from({ length: size - half }, (_, n) => benchAttestation(n + 1)),
  };
}

interface Row {
  store: string;
  records: number;
  mode: string;
  /** Whether a snapshot (state.json) was written during the cell, or being written (a large one takes longer than a cell). */
  snapshot: string;
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

const measure = (store: Store, tag: string, inFlight: number) =>
  measureAttests(store, tag, inFlight, { ms: CELL_MS, minOps: MIN_OPS, maxOps: MAX_OPS });

function row(store: string, records: number, mode: string, result: { latencies: number[]; seconds: number; snapshot?: string }): Row {
  const { count, p50, p99, max } = summarize(result.latencies);
  return { store, records, mode, snapshot: result.snapshot ?? 'n/a', ops: count, opsPerSecond: count / result.seconds, p50, p99, max };
}

/** A cell on LowdbStore, noting whether a snapshot was being written (its temp file there) or renamed into place. */
async function measureNoting(store: Store, dir: string, tag: string, inFlight: number) {
  const inode = async () => (await stat(join(dir, 'state.json')).catch(() => undefined))?.ino;
  const before = await inode();
  let writing = false;
  const watch = setInterval(() => (writing ||= existsSync(join(dir, '.state.json.tmp'))), 20);
  const result = await measure(store, tag, inFlight);
  clearInterval(watch);
  return { ...result, snapshot: (await inode()) !== before ? 'written' : writing ? 'being written' : '-' };
}

async function benchLowdbStore(dir: string, size: number): Promise<Row[]> {
  // Prefilled by writing the snapshot directly: the records `size` commits would leave, far faster.
  await writeSnapshot(join(dir, 'state.json'), { format: 1, seq: 0, offset: 0, hash: GENESIS, collections: collectionsOf(size) });
  const store = await openLowdbStore({ dir }); // logs to stderr, e.g. a snapshot that failed
  const rows = [
    row('LowdbStore', size, 'one at a time', await measureNoting(store, dir, 'a', 1)),
    row('LowdbStore', size, `${IN_FLIGHT} in flight`, await measureNoting(store, dir, 'b', IN_FLIGHT)),
  ];
  await store.close();
  return rows;
}

async function benchNaiveLowdb(dir: string, size: number): Promise<Row[]> {
  const store = await NaiveLowdbStore.create(join(dir, 'db.json'), collectionsOf(size));
  return [
    row('lowdb rewrite', size, 'one at a time', await measure(store, 'a', 1)),
    row('lowdb rewrite', size, `${IN_FLIGHT} in flight`, await measure(store, 'b', IN_FLIGHT)),
  ];
}

const base = await mkdtemp(join(flags.dir ?? tmpdir(), 'appwarden-write-cost-'));
console.log(`write cost of \`attest tiktok\` in ${base} (LowdbStore fdatasyncs each group; lowdb rewrite does not fsync at all)\n`);
const rows: Row[] = [];
const cpu = await cpuDuring();
try {
  // A throwaway round first: the first cell would otherwise also pay for compiling the code it runs.
  const warmCell = CELL_MS;
  CELL_MS = 500;
  for (const bench of [benchLowdbStore, benchNaiveLowdb]) await bench(await mkdtemp(join(base, 'warm-up-')), 1_000);
  CELL_MS = warmCell;
  for (const size of SIZES) {
    for (const [name, bench] of [
      ['lowdb-store', benchLowdbStore],
      ['naive', benchNaiveLowdb],
    ] as const) {
      const dir = await mkdtemp(join(base, `${name}-${size}-`));
      rows.push(...(await bench(dir, size)));
      await rm(dir, { recursive: true, force: true });
    }
  }
} finally {
  await rm(base, { recursive: true, force: true });
}
const { otherCores } = await cpu();
printTable(
  ['store', 'records', 'mode', 'snapshot', 'attests', 'attests/s', 'p50 ms', 'p99 ms', 'max ms'],
  rows.map((r) => [r.store, r.records, r.mode, r.snapshot, r.ops, Math.round(r.opsPerSecond), r.p50, r.p99, r.max]),
);

// The target: how p99 grows from the smallest size to the largest, for each store and mode.
const [smallest, largest] = [SIZES[0]!, SIZES.at(-1)!];
const ratios = [...new Set(rows.map((r) => `${r.store}|${r.mode}`))].map((key) => {
  const [store, mode] = key.split('|') as [string, string];
  const at = (records: number) => rows.find((r) => r.store === store && r.mode === mode && r.records === records)!;
  return { store, mode, ratio: at(largest).p99 / at(smallest).p99 };
});
console.log(
  `\np99 at ${largest.toLocaleString('en')} records ÷ p99 at ${smallest.toLocaleString('en')} (target for LowdbStore: ≤ ${TARGET_RATIO}×)\n`,
);
printTable(
  ['store', 'mode', 'ratio', ''],
  ratios.map((r) => [r.store, r.mode, `${r.ratio.toFixed(2)}×`, r.store === 'LowdbStore' ? verdict(r.ratio <= TARGET_RATIO) : '']),
);
console.log(`\nother processes on the machine used ${otherCores.toFixed(2)} of its ${cpus().length} cores meanwhile`);
await writeResult('write-cost', {
  sizes: SIZES,
  cellSeconds: CELL_MS / 1000,
  inFlight: IN_FLIGHT,
  targetRatio: TARGET_RATIO,
  rows,
  ratios,
  otherCores,
});
