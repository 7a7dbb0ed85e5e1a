/**
 * Ack latency under an announcement-day burst: the real server (what `npm start` runs: the bundle it
 * builds, with its node flags) with the real Bolt receiver, on a data directory preloaded with 100,000 audit entries and their
 * records, takes signed `/apps check tiktok` and `/apps attest tiktok` at 200 requests/s from a load
 * generator in another process. Then the same load against a bare Bolt app whose handler only acks:
 * the floor of the stack. Slack wants an ack within 3 s; the targets are p99 ≤ 50 ms and ≤ 2× the floor.
 *
 * Each server is measured once settled: after the background check of the whole audit chain that
 * follows a start (it reads all 100,000 entries once), as in steady use.
 *
 * The preload puts the last snapshot where the next one falls in the middle of the measured window, so
 * the run includes a compaction of all the records (the worst moment for an ack).
 *
 *   npx tsx bench/ack-load.ts [--seconds 30] [--rate 200] [--records 100000] [--warmup 3]
 *   … [--no-compaction] [--node-args="--max-semi-space-size=32"] [--server src/server.ts]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeSlack } from '../tests/support/fake-slack.ts';
import { SIGNING_SECRET } from '../tests/support/slack-requests.ts';
import type { LoadReport } from './load-generator.ts';
import { assertVerifies, preloadDataDir } from './lib/preload.ts';
import { npmStartCommand } from '../tests/support/npm-start.ts';
import {
  benchServerEnv,
  cpuDuring,
  rssMb,
  runForJson,
  sampleRss,
  settled,
  startListening,
  syncLatency,
  type Running,
} from './lib/processes.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    records: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '3' },
    /** Leave the next compaction outside the measured window, to see what one costs. */
    'no-compaction': { type: 'boolean', default: false },
    /** Node flags for the AppWarden server, space-separated, to try what an operator could set (e.g. --max-semi-space-size=8). */
    'node-args': { type: 'string' },
    /** The server to run instead of what `npm start` runs, e.g. `src/server.ts` (through tsx). */
    server: { type: 'string' },
    /** Keep the AppWarden server's output (e.g. with --node-args=--trace-gc) in this file. */
    'server-log': { type: 'string' },
    /** What the load sends, in turn (the generator's --mix): `check` alone takes the writes out. */
    mix: { type: 'string', default: 'check,attest' },
  },
});
const [seconds, rate, records, warmup] = [flags.seconds, flags.rate, flags.records, flags.warmup].map(Number) as [
  number,
  number,
  number,
  number,
];
const COMPACT_EVERY = 5000; // the store's default
const TARGET = { p99Ms: 50, ratio: 2, rssMb: 300 };

const base = await mkdtemp(join(tmpdir(), 'appwarden-ack-load-'));
const dataDir = join(base, 'data');
// Half the requests attest, each one audit entry; the server's start adds one (policy.loaded).
const attestsBeforeMiddle = 1 + (rate / 2) * warmup + (rate / 2) * (seconds / 2);
const sinceSnapshot = flags['no-compaction'] ? 0 : Math.max(0, Math.min(records, Math.round(COMPACT_EVERY - attestsBeforeMiddle)));
let started = performance.now();
await preloadDataDir(dataDir, { entries: records, snapshotAt: records - sinceSnapshot });
console.log(
  `preloaded ${records.toLocaleString('en')} audit entries (${records / 2} requests, ${records / 2} attestations) in ${((performance.now() - started) / 1000).toFixed(1)} s; snapshot at seq ${records - sinceSnapshot}`,
);
started = performance.now();
await assertVerifies(dataDir);
console.log(`verified in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// The workspace holds the organisation's people: the 10,000 the data directory knows, and a new person for
// each attest AppWarden's run sends. Its listing (~70 pages) is not paced as Slack's Tier 2 would (20
// a minute): settled() waits for it, and the load is not about start-up.
const fake = await startFakeSlack({
  tierLimits: false,
  users: [
    ...Array.from({ length: 10_000 }, (_, i) => ({ id: `UP${i}` })),
    ...Array.from({ length: rate * (warmup + seconds) }, (_, i) => ({ id: `UAAWX${i}` })),
  ],
});
let running: Running | undefined; // killed if anything fails, so no server outlives the benchmark
const runs: Record<
  string,
  {
    load: LoadReport;
    rssBeforeMb: number;
    rssPeakMb: number;
    responses: number;
    /** users.info calls during the load: who the roster did not hold. */
    lookups: number;
    serverCores: number;
    otherCores: number;
  }
> = {};
const npmStart = npmStartCommand();
const disk = await syncLatency(base);
console.log(
  `this disk's fdatasync, alone, over 3 s: p50 ${disk.p50.toFixed(2)} ms, p99 ${disk.p99.toFixed(2)} ms, max ${disk.max.toFixed(1)} ms`,
);
try {
  for (const target of ['bare Bolt', 'bare Bolt + fdatasync', 'AppWarden'] as const) {
    const env = benchServerEnv(
      fake.apiUrl,
      dataDir,
      target === 'bare Bolt + fdatasync' ? { SYNC_FILE: join(base, 'bare-journal.jsonl') } : {},
    );
    const extraArgs = target === 'AppWarden' && flags['node-args'] ? flags['node-args'].split(' ') : [];
    const [script, nodeArgs] =
      target !== 'AppWarden'
        ? ['bench/bare-bolt.ts', []]
        : flags.server
          ? [flags.server, extraArgs]
          : [npmStart.script, [...npmStart.nodeArgs, ...extraArgs]];
    const server = (running = await startListening(script, env, nodeArgs));
    if (target === 'AppWarden') {
      const settling = await settled(server.port); // the background check of the 100,000 entries, after start
      console.log(`settled ${(settling / 1000).toFixed(1)} s after listening (the whole chain checked)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the scheduler's first tick, at start
    const pid = server.child.pid!;
    const rssBeforeMb = (await rssMb(pid)) ?? NaN;
    const callsBefore = fake.calls.length;
    const stopSampling = sampleRss(pid);
    const cpu = await cpuDuring(pid);
    const tag = { 'bare Bolt': 'bare', 'bare Bolt + fdatasync': 'sync', AppWarden: 'aw' }[target];
    console.log(`${target}: ${rate} requests/s for ${warmup} s of warm-up and ${seconds} s measured…`);
    const url = `http://127.0.0.1:${server.port}/slack/events`;
    const load = await runForJson<LoadReport>('bench/load-generator.ts', [
      '--url',
      url,
      '--secret',
      SIGNING_SECRET,
      '--respond',
      fake.url,
      '--rate',
      String(rate),
      '--seconds',
      String(seconds),
      '--warmup',
      String(warmup),
      '--tag',
      tag,
      '--mix',
      flags.mix,
    ]);
    await fake.idle(500); // answers that missed the ack come through response_url
    const samples = stopSampling();
    const { serverCores, otherCores } = await cpu();
    const during = fake.calls.slice(callsBefore);
    const responses = during.filter((c) => c.method.startsWith('respond/')).length;
    const lookups = during.filter((c) => c.method.startsWith('users.info')).length;
    runs[target] = { load, rssBeforeMb, rssPeakMb: Math.max(rssBeforeMb, ...samples), responses, lookups, serverCores, otherCores };
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    running = undefined;
    if (target === 'AppWarden' && flags['server-log']) await writeFile(flags['server-log'], `${server.output.join('\n')}\n`);
    if (target === 'AppWarden' && exit.code !== 0)
      throw new Error(`the server did not stop cleanly (${exit.code ?? exit.signal}):\n${server.output.slice(-20).join('\n')}`);
  }
  const snapshot = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { seq: number };
  const entries = await assertVerifies(dataDir);
  console.log(
    `after the run: ${entries.toLocaleString('en')} entries, state.json at seq ${snapshot.seq} (compacted during the run: ${snapshot.seq > records ? 'yes' : 'no'}); the directory verifies\n`,
  );

  const bare = runs['bare Bolt']!;
  const durableFloor = runs['bare Bolt + fdatasync']!;
  const aw = runs.AppWarden!;
  const durableRatio = aw.load.latencyMs.p99 / durableFloor.load.latencyMs.p99;
  const ratio = aw.load.latencyMs.p99 / bare.load.latencyMs.p99;
  const checkRatio = (aw.load.byCommand.check?.p99 ?? NaN) / bare.load.latencyMs.p99;
  console.log(
    `ack latency at ${rate} requests/s (half check, half attest), ${records.toLocaleString('en')} records, ${seconds} s; ms from each request's scheduled send\n`,
  );
  printTable(
    [
      'server',
      'sent',
      'acked',
      'errors',
      'p50',
      'p99',
      'max',
      'check p99',
      'attest p99',
      'RSS MB (start → peak)',
      'server CPU',
      "others' CPU",
      'answered in ack / later',
      'users.info',
    ],
    Object.entries(runs).map(([name, r]) => [
      name,
      r.load.sent,
      r.load.acked,
      Object.values(r.load.errors).reduce((a, b) => a + b, 0),
      r.load.latencyMs.p50,
      r.load.latencyMs.p99,
      r.load.latencyMs.max,
      r.load.byCommand.check?.p99 ?? NaN,
      r.load.byCommand.attest?.p99 ?? NaN,
      `${r.rssBeforeMb.toFixed(0)} → ${r.rssPeakMb.toFixed(0)}`,
      r.serverCores,
      r.otherCores,
      name === 'AppWarden' ? `${r.load.answeredInAck} / ${r.responses}` : '-',
      r.lookups,
    ]),
  );
  console.log(
    `\nCPU in cores (of ${cpus().length}); "others" is everything not part of this benchmark, e.g. other users of a shared machine.`,
  );
  console.log(
    `generator lateness p99: ${Object.values(runs)
      .map((r) => r.load.sendLateMs.p99.toFixed(2))
      .join(' / ')} ms`,
  );
  const targets = [
    ['ack p99', `${aw.load.latencyMs.p99.toFixed(1)} ms`, `≤ ${TARGET.p99Ms} ms`, verdict(aw.load.latencyMs.p99 <= TARGET.p99Ms)],
    ['ack p99 ÷ bare Bolt p99', `${ratio.toFixed(2)}×`, `≤ ${TARGET.ratio}×`, verdict(ratio <= TARGET.ratio)],
    ['  check alone (no write) ÷ bare Bolt', `${checkRatio.toFixed(2)}×`, '', ''],
    ["  ÷ bare Bolt + fdatasync (a durable answer's floor)", `${durableRatio.toFixed(2)}×`, '', ''],
    ['RSS peak', `${aw.rssPeakMb.toFixed(0)} MB`, `≤ ${TARGET.rssMb} MB`, verdict(aw.rssPeakMb <= TARGET.rssMb)],
    ['errors', String(Object.values(aw.load.errors).reduce((a, b) => a + b, 0)), '0', verdict(Object.keys(aw.load.errors).length === 0)],
  ];
  console.log('');
  printTable(['figure', 'measured', 'target', ''], targets);
  await writeResult('ack-load', {
    rate,
    seconds,
    warmup,
    records,
    target: TARGET,
    server: flags.server ?? `node ${[...npmStart.nodeArgs, 'dist/server.mjs'].join(' ')}`,
    disk,
    runs,
    ratio,
    checkRatio,
    durableRatio,
    compactedDuringRun: snapshot.seq > records,
  });
} finally {
  running?.child.kill('SIGKILL');
  await fake.close();
  await rm(base, { recursive: true, force: true });
}
