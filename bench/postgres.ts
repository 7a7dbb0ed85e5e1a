/**
 * PostgreSQL beside lowdb, on the same 100,000 records (a data directory preloaded through the store's
 * own code, then moved into a fresh database with `importDataDir`, as `appwarden migrate` does):
 *
 * 1. Commit cost in-process: `attest tiktok` through the command layer on LowdbStore and on
 *    PostgresStore, one at a time and 64 in flight. The figure is p99 PostgreSQL ÷ p99 lowdb.
 * 2. The real server (what `npm start` runs), on lowdb and on PostgreSQL with one and with two
 *    replicas behind a round-robin balancer. First signed `/apps check tiktok` and `/apps attest
 *    tiktok` at a fixed rate (open loop: ack p99). Then attests closed loop, 32 senders back to back
 *    (attests/s at saturation).
 *
 * All of it, PostgreSQL included, shares this machine's cores, so a second replica adds no hardware
 * here. The figure shows what two replicas cost, not what a second machine would add.
 *
 *   npx tsx bench/postgres.ts [--records 100000] [--rate 200] [--seconds 20] [--saturate-seconds 10]
 *     [--senders 32] [--cell-seconds 4]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Store } from '../src/core/store.ts';
import { openLowdbStore } from '../storage/lowdb/index.ts';
import { importDataDir } from '../storage/postgres/import-data-dir.ts';
import { openPostgresStore } from '../storage/postgres/index.ts';
import { startFakeSlack } from '../tests/support/fake-slack.ts';
import { npmStartCommand } from '../tests/support/npm-start.ts';
import { ADMIN_URL, createDatabase, dropDatabases } from '../tests/support/pg-admin.ts';
import { SIGNING_SECRET } from '../tests/support/slack-requests.ts';
import { measureAttests } from './lib/attest-cells.ts';
import type { LoadReport } from './load-generator.ts';
import { preloadDataDir } from './lib/preload.ts';
import { benchServerEnv, cpuDuring, runForJson, settled, startListening, storeSettled, type Running } from './lib/processes.ts';
import { printTable, summarize, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    'saturate-seconds': { type: 'string', default: '10' },
    senders: { type: 'string', default: '32' },
    'cell-seconds': { type: 'string', default: '4' },
  },
});
const [records, rate, seconds, saturateSeconds, senders, cellSeconds] = [
  flags.records,
  flags.rate,
  flags.seconds,
  flags['saturate-seconds'],
  flags.senders,
  flags['cell-seconds'],
].map(Number) as [number, number, number, number, number, number];
const IN_FLIGHT = 64;
const WARMUP_SECONDS = 2;

/**
 * What an operator does after a bulk load, and what keeps one measurement from paying for the writes of
 * the one before: fresh planner statistics, and dirty pages flushed now rather than mid-run.
 */
async function quiesce(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

const base = await mkdtemp(join(tmpdir(), 'appwarden-postgres-'));
const dataDir = join(base, 'data');
const databases: string[] = [];
const running: Running[] = []; // killed if anything fails, so no server outlives the benchmark
// Made-up users, each looked up (users.info) at first sight: far beyond Tier 4, which this bench does
// not measure (ack-load.ts holds its people in the roster instead).
const fake = await startFakeSlack({ anyoneIsMember: true, tierLimits: false });

try {
  let started = performance.now();
  await preloadDataDir(dataDir, { entries: records });
  const database = await createDatabase('appwarden_bench');
  databases.push(database.name);
  const moved = await importDataDir({ from: dataDir, to: database.url, log: () => {} });
  await quiesce(database.url);
  console.log(
    `preloaded ${records.toLocaleString('en')} records and moved them into PostgreSQL (${new URL(ADMIN_URL).host}) in ${((performance.now() - started) / 1000).toFixed(1)} s; both verify, head seq ${moved.head.seq}\n`,
  );

  // 1. Commit cost in-process, on the same records.
  const cell = { ms: cellSeconds * 1000 };
  const commitRows: { store: string; mode: string; ops: number; opsPerSecond: number; p50: number; p99: number; max: number }[] = [];
  const cellsOn = async (name: string, open: () => Promise<Store>) => {
    const store = await open();
    await storeSettled(store);
    await measureAttests(store, `w${name[0]}`, 1, { ms: 500 }); // compiles the code paths before measuring
    for (const [mode, inFlight] of [
      ['one at a time', 1],
      [`${IN_FLIGHT} in flight`, IN_FLIGHT],
    ] as const) {
      const { latencies, seconds: took } = await measureAttests(store, `${name[0]}${inFlight}`, inFlight, cell);
      const { count, p50, p99, max } = summarize(latencies);
      commitRows.push({ store: name, mode, ops: count, opsPerSecond: count / took, p50, p99, max });
    }
    await store.close();
  };
  started = performance.now();
  await cellsOn('lowdb', () => openLowdbStore({ dir: dataDir, log: (line) => console.error(line) }));
  console.log(`opened PostgreSQL (replaying and verifying every entry) …`);
  await cellsOn('PostgreSQL', () => openPostgresStore({ url: database.url, log: (line) => console.error(line), listen: false }));
  printTable(
    ['store', 'mode', 'attests', 'attests/s', 'p50 ms', 'p99 ms', 'max ms'],
    commitRows.map((r) => [r.store, r.mode, r.ops, Math.round(r.opsPerSecond), r.p50, r.p99, r.max]),
  );
  const commitRatio = (mode: string) =>
    commitRows.find((r) => r.store === 'PostgreSQL' && r.mode === mode)!.p99 /
    commitRows.find((r) => r.store === 'lowdb' && r.mode === mode)!.p99;
  console.log(
    `\ncommit p99, PostgreSQL ÷ lowdb at ${records.toLocaleString('en')} records: ${commitRatio('one at a time').toFixed(2)}× one at a time, ${commitRatio(`${IN_FLIGHT} in flight`).toFixed(2)}× with ${IN_FLIGHT} in flight\n`,
  );

  // 2. The real server: lowdb, then PostgreSQL with one and two replicas.
  const npmStart = npmStartCommand();
  const serverRows: Record<string, unknown>[] = [];
  for (const [target, replicas] of [
    ['lowdb (DATA_DIR)', 1],
    ['PostgreSQL, 1 replica', 1],
    ['PostgreSQL, 2 replicas', 2],
  ] as const) {
    const env = benchServerEnv(fake.apiUrl, dataDir, target.startsWith('PostgreSQL') ? { DATABASE_URL: database.url } : {});
    if (target.startsWith('PostgreSQL')) await quiesce(database.url);
    const servers: Running[] = [];
    for (let n = 0; n < replicas; n++) {
      const server = await startListening(npmStart.script, env, npmStart.nodeArgs, 120_000);
      running.push(server);
      servers.push(server);
    }
    for (const server of servers) await settled(server.port);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the scheduler's first tick, at start
    const urls = servers.flatMap((s) => ['--url', `http://127.0.0.1:${s.port}/slack/events`]);
    const common = ['--secret', SIGNING_SECRET, '--respond', fake.url, '--rate', String(rate), '--warmup', String(WARMUP_SECONDS)];
    const tag = `${target.startsWith('lowdb') ? 'l' : 'p'}${replicas}`;
    console.log(
      `${target}: ${rate} requests/s (half check, half attest) for ${seconds} s, then ${senders} attest senders for ${saturateSeconds} s…`,
    );
    const pids = servers.map((s) => s.child.pid!);
    let cpu = await cpuDuring(pids, 'postgres');
    const fixedRate = await runForJson<LoadReport>('bench/load-generator.ts', [
      ...urls,
      ...common,
      '--seconds',
      String(seconds),
      '--tag',
      `${tag}r`,
    ]);
    const fixedCpu = await cpu();
    cpu = await cpuDuring(pids, 'postgres');
    const saturated = await runForJson<LoadReport>('bench/load-generator.ts', [
      ...urls,
      ...common,
      '--mix',
      'attest',
      '--concurrency',
      String(senders),
      '--seconds',
      String(saturateSeconds),
      '--tag',
      `${tag}s`,
    ]);
    const saturatedCpu = await cpu();
    const errors = (load: LoadReport) => Object.values(load.errors).reduce((a, b) => a + b, 0);
    serverRows.push({
      target,
      replicas,
      fixedRate,
      saturated,
      row: [
        target,
        fixedRate.acked,
        errors(fixedRate),
        fixedRate.latencyMs.p50,
        fixedRate.latencyMs.p99,
        fixedRate.byCommand.check?.p99 ?? NaN,
        fixedRate.byCommand.attest?.p99 ?? NaN,
        Math.round(saturated.acked / saturated.measuredSeconds),
        saturated.latencyMs.p99,
        errors(saturated),
        `${saturatedCpu.serverCores.toFixed(2)} + ${saturatedCpu.databaseCores.toFixed(2)}`,
        Math.max(fixedCpu.otherCores, saturatedCpu.otherCores).toFixed(2),
      ],
    });
    for (const server of servers) server.child.kill('SIGTERM');
    for (const server of servers) {
      const exit = await server.exited;
      running.splice(running.indexOf(server), 1);
      if (exit.code !== 0)
        throw new Error(`${target}: a server did not stop cleanly (${exit.code ?? exit.signal}):\n${server.output.slice(-20).join('\n')}`);
    }
  }
  console.log(`\nack latency in ms from each request's scheduled send; attests/s closed loop with ${senders} senders\n`);
  printTable(
    [
      'server',
      'acked',
      'errors',
      'p50',
      'p99',
      'check p99',
      'attest p99',
      'attests/s',
      'saturated p99',
      'errors',
      'CPU at saturation: servers + PostgreSQL',
      "others' CPU",
    ],
    serverRows.map((r) => r.row as (string | number)[]),
  );
  console.log(`\nCPU in cores (of ${cpus().length}); "others" is everything not part of this benchmark.`);
  await writeResult('postgres', {
    records,
    rate,
    seconds,
    saturateSeconds,
    senders,
    cellSeconds,
    commitRows,
    commitRatio: { oneAtATime: commitRatio('one at a time'), inFlight: commitRatio(`${IN_FLIGHT} in flight`) },
    servers: serverRows.map(({ row: _row, ...rest }) => rest),
  });
} finally {
  for (const server of running) server.child.kill('SIGKILL');
  await fake.close();
  await dropDatabases(databases).catch((error: unknown) => console.error(`could not drop ${databases.join(', ')}: ${String(error)}`));
  await rm(base, { recursive: true, force: true });
}
