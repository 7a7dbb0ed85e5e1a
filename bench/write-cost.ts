/**
 * What a write costs as the data grows: LowdbStore (append one line to audit.jsonl + a shared
 * fdatasync) beside the naive use of lowdb (rewrite the whole JSON file on every write), measured in
 * the same run on the same disk.
 *
 *   npx tsx bench/write-cost.ts [--max 1000000] [--dir /path/on/the/disk/to/test]
 *
 * Each cell runs for about 2 s (at least 5 operations). "one at a time" awaits each write before the
 * next: its p50 is the latency a lone user sees. "64 in flight" keeps 64 writes pending: throughput
 * under load, where LowdbStore's group commit shares fsyncs and lowdb's writer coalesces rewrites.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { put, type ExceptionRequest } from '../src/core/records.ts';
import type { AuditEvent } from '../src/core/store.ts';
import { GENESIS } from '../storage/audit-chain.ts';
import { openLowdbStore } from '../storage/lowdb/index.ts';
import { emptySnapshot } from '../storage/lowdb/snapshot.ts';
import { writeSnapshot } from '../storage/lowdb/snapshot.ts';

const { values: flags } = parseArgs({
  options: { max: { type: 'string', default: '100000' }, dir: { type: 'string' } },
});
const SIZES = [1_000, 10_000, 100_000, 1_000_000].filter((size) => size <= Number(flags.max));
const CELL_MS = 2_000;
const MIN_OPS = 5;
const MAX_OPS = 20_000;
const IN_FLIGHT = 64;

const request = (n: number): ExceptionRequest => ({
  id: `EX-${n}`,
  person: `person-${n % 500}`,
  unit: 'ec/dg-connect',
  app: 'tiktok',
  rules: ['ec-2023-tiktok'],
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: 'the press office account needs to answer questions posted on the platform',
  status: 'requested',
  requestedAt: '2023-03-01T09:00:00.000Z',
});
const event: AuditEvent = { at: '2023-03-01T09:00:00.000Z', actor: 'bench', action: 'request.filed' };

/** A way to store request n: resolves once the write is done. */
type WriteOne = (n: number) => Promise<unknown>;

interface Row {
  store: string;
  records: number;
  mode: string;
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** Runs writes (one at a time, or `inFlight` pending) for about CELL_MS; returns each one's latency. */
async function measure(write: WriteOne, first: number, inFlight: number) {
  const latencies: number[] = [];
  const started = performance.now();
  let next = first;
  const inTime = () => performance.now() - started < CELL_MS || next - first < MIN_OPS;
  const more = () => latencies.length + inFlight <= MAX_OPS && inTime();
  const worker = async () => {
    while (more()) {
      const t0 = performance.now();
      await write(next++);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function row(store: string, records: number, mode: string, result: { latencies: number[]; seconds: number }): Row {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    const opsPerSecond = sorted.length / result.seconds;
  return { store, records, mode, ops: sorted.length, opsPerSecond, p50: at(0.5), p99: at(0.99), max: at(1) };
}

async function benchLowdbStore(dir: string, size: number): Promise<Row[]> {
  // Prefill by writing the snapshot directly: the same state 'size' commits would leave, far faster.
  const requests = Array.from({ length: size }, (_, n) => request(n));
  const collections = { ...emptySnapshot().collections, requests };
  await writeSnapshot(join(dir, 'state.json'), { format: 1, seq: 0, offset: 0, hash: GENESIS, collections });
  const store = await openLowdbStore({ dir }); // logs to stderr, e.g. a snapshot that failed
  const write: WriteOne = (n) => store.commit(event, [put('requests', request(n))]);
  const rows = [
    row('LowdbStore', size, 'one at a time', await measure(write, size, 1)),
    row('LowdbStore', size, `${IN_FLIGHT} in flight`, await measure(write, size + MAX_OPS, IN_FLIGHT)),
  ];
  await store.close();
  return rows;
}

async function benchNaiveLowdb(dir: string, size: number): Promise<Row[]> {
  const db = new Low(new JSONFile<{ requests: ExceptionRequest[] }>(join(dir, 'db.json')), { requests: [] });
  db.data.requests = Array.from({ length: size }, (_, n) => request(n));
  await db.write();
  const write: WriteOne = (n) => db.update(({ requests }) => requests.push(request(n)));
  return [
    row('lowdb rewrite', size, 'one at a time', await measure(write, size, 1)),
    row('lowdb rewrite', size, `${IN_FLIGHT} in flight`, await measure(write, size + MAX_OPS, IN_FLIGHT)),
  ];
}

function printTable(rows: Row[]): void {
  const header = ['store', 'records', 'mode', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'max ms'];
  const cells = rows.map((r) => [
    r.store,
    r.records.toLocaleString('en'),
    r.mode,
    String(r.ops),
    r.opsPerSecond.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r.max.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const pad = (cell: string, i: number) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0));
  const line = (c: string[]) => c.map(pad).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

const base = await mkdtemp(join(flags.dir ?? tmpdir(), 'appwarden-bench-'));
console.log(`write cost in ${base} (LowdbStore fdatasyncs each group; lowdb rewrite does not fsync at all)\n`);
const rows: Row[] = [];
try {
  for (const size of SIZES) {
    for (const [name, bench] of [['lowdb-store', benchLowdbStore], ['naive', benchNaiveLowdb]] as const) {
      const dir = await mkdtemp(join(base, `${name}-${size}-`));
      rows.push(...(await bench(dir, size)));
      await rm(dir, { recursive: true, force: true });
    }
  }
} finally {
  await rm(base, { recursive: true, force: true });
}
printTable(rows);
