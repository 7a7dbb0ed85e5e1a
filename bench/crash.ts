/**
 * Durability under SIGKILL: the real server takes `/apps attest tiktok` from a load generator (each
 * request a different person), and is killed with SIGKILL at random moments, then restarted on the
 * same DATA_DIR and port, again and again. What tells a person "done" is the "Recorded…" answer, which
 * AppWarden puts in the ack once the commit is on disk (or sends through response_url when the work
 * outlasts Slack's wait). Every such answer — in an ack the generator received, or at the fake
 * Slack's response_url — must be backed by the person's attestations after every crash. Also checked:
 * the directory opens every time (each restart), opens for writing at the end, and its audit log and
 * snapshot verify.
 *
 *   npx tsx bench/crash.ts [--kills 20] [--rate 200] [--records 10000] [--seed 1]
 */
import { statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeSlack, type SlackCall } from '../tests/support/fake-slack.ts';
import { npmStartCommand } from '../tests/support/npm-start.ts';
import { SIGNING_SECRET } from '../tests/support/slack-requests.ts';
import type { Store } from '../src/core/store.ts';
import { openLowdbStore, openLowdbStoreReadOnly, verifyAuditFile } from '../storage/lowdb/index.ts';
import type { LoadReport } from './load-generator.ts';
import { preloadDataDir } from './lib/preload.ts';
import { benchServerEnv, spawnForJson, startListening, type Running } from './lib/processes.ts';
import { random } from './lib/policy-gen.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    records: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
  },
});
const kills = Number(flags.kills);
const npmStart = npmStartCommand(); // the server as `npm start` runs it
const r = random(Number(flags.seed));
const TAG = 'crash';

/** A port free right now: the server must come back on the same one, where the generator keeps sending. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** How many more entries before the server's next snapshot (it takes one every 5,000). */
async function entriesUntilSnapshot(): Promise<number> {
  const seq = (JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8').catch(() => '{"seq":0}')) as { seq: number }).seq;
  const log = await readFile(join(dataDir, 'audit.jsonl'));
  let entries = 0;
  for (let at = log.indexOf(10); at !== -1; at = log.indexOf(10, at + 1)) entries++;
  return 5000 - (entries - seq);
}

/**
 * Kills after `ms`, or at once when a snapshot starts being written (state.json's temp file is written
 * to: one a killed writer left behind stays, harmless, until the next snapshot overwrites it); says which.
 */
async function killAfter(ms: number, kill: () => void): Promise<boolean> {
  const from = Date.now();
  const until = performance.now() + ms;
  const temp = join(dataDir, '.state.json.tmp');
  while (performance.now() < until) {
    if ((statSync(temp, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= from) {
      kill();
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  kill();
  return false;
}

/** The people told "Recorded", in an ack or through response_url, and the rules each answer named: what must survive. */
async function confirmed(calls: SlackCall[]): Promise<Map<string, string[]>> {
  const answers: { n: string; text: string }[] = calls
    .filter((call) => call.method.startsWith(`respond/${TAG}-`))
    .map((call) => ({ n: call.method.slice(`respond/${TAG}-`.length), text: String(call.body.text ?? '') }));
  const inAcks = await readFile(answersFile, 'utf8').catch(() => '');
  for (const line of inAcks.split('\n'))
    if (line) answers.push((({ i, text }: { i: number; text: string }) => ({ n: String(i), text }))(JSON.parse(line)));
  const told = new Map<string, string[]>();
  for (const { n, text } of answers)
    if (text.startsWith('Recorded')) told.set(`UA${TAG.toUpperCase()}X${n}`, text.match(/demo-[a-z-]+/g) ?? []);
  return told;
}

/** Those told "Recorded" whose attestations the store does not hold, rule by rule. */
function lost(store: Pick<Store, 'listByPerson'>, told: Map<string, string[]>): string[] {
  const missing: string[] = [];
  for (const [person, rules] of told) {
    const held = new Set(store.listByPerson('attestations', person).map((a) => a.rule));
    if (rules.length === 0 && held.size === 0) missing.push(person);
    for (const rule of rules) if (!held.has(rule)) missing.push(`${person}/${rule}`);
  }
  return missing;
}

const base = await mkdtemp(join(tmpdir(), 'appwarden-crash-'));
const dataDir = join(base, 'data');
const answersFile = join(base, 'answers.jsonl');
// The last snapshot 4,700 entries back: the server's next one (every 5,000) falls due about 1.5 s
// after its first start, so the first kill can land in the middle of writing it.
await preloadDataDir(dataDir, { entries: Number(flags.records), snapshotAt: Math.max(1, Number(flags.records) - 4700) });
// Made-up users, each looked up (users.info) at first sight: far beyond Tier 4, which this bench does
// not measure (ack-load.ts holds its people in the roster instead).
const fake = await startFakeSlack({ anyoneIsMember: true, tierLimits: false });
const port = await freePort();
const env = benchServerEnv(fake.apiUrl, dataDir, { PORT: String(port) });
const rounds: { round: number; upMs: number; startMs: number; midSnapshot: boolean; confirmedSoFar: number; lostSoFar: number }[] = [];
const allLost = new Set<string>();
let generator: ReturnType<typeof spawnForJson<LoadReport>> | undefined;
let running: Running | undefined; // killed if anything fails, so no server outlives the benchmark
/** Starts the server (throws if the directory does not open), and the load once, on the first start. */
async function start(): Promise<{ server: Running; startMs: number }> {
  const t0 = performance.now();
  const server = (running = await startListening(npmStart.script, env, npmStart.nodeArgs));
  const startMs = performance.now() - t0;
  // Open loop, across restarts: while the server is down its requests fail, as Slack's would.
  generator ??= spawnForJson<LoadReport>('bench/load-generator.ts', [
    '--url',
    `http://127.0.0.1:${port}/slack/events`,
    '--secret',
    SIGNING_SECRET,
    '--respond',
    fake.url,
    '--rate',
    flags.rate,
    '--seconds',
    '100000',
    '--mix',
    'attest',
    '--tag',
    TAG,
    '--timeout-ms',
    '3000',
    '--answers',
    answersFile,
  ]);
  return { server, startMs };
}

try {
  for (let round = 1; round <= kills; round++) {
    const dueIn = await entriesUntilSnapshot();
    const { server, startMs } = await start();
    // Killed somewhere in its work: mid-request, mid-commit, mid-fsync — or, when the next snapshot
    // falls due within a few seconds, as soon as it is being written. (Not twice running: a snapshot
    // never finished is due again at the next start, and every round would end there.)
    const upMs = 300 + r.int(2200);
    const kill = () => server.child.kill('SIGKILL');
    const hunt = !rounds.at(-1)?.midSnapshot && dueIn / Number(flags.rate) < 8;
    const midSnapshot = hunt ? await killAfter(10_000, kill) : (await new Promise((resolve) => setTimeout(resolve, upMs)), kill(), false);
    await server.exited;
    await fake.idle(100); // replies already on the wire
    // The dead server's replies are all in; each must be on disk now, before anything restarts.
    const told = await confirmed(fake.calls);
    const store = await openLowdbStoreReadOnly({ dir: dataDir, log: () => {} });
    for (const missing of lost(store, told)) allLost.add(missing);
    rounds.push({ round, upMs, startMs, midSnapshot, confirmedSoFar: told.size, lostSoFar: allLost.size });
    process.stdout.write(
      `kill ${round}/${kills} ${midSnapshot ? 'while a snapshot was being written' : `after ${hunt ? 'waiting 10 s for a snapshot' : `${upMs} ms up`}`}: ${told.size} confirmed so far, ${allLost.size} lost\n`,
    );
  }
  // One more start after the last kill; then the load stops and the server stops cleanly.
  const { server, startMs } = await start();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const load = await generator!.stop();
  await fake.idle(500);
  server.child.kill('SIGTERM');
  await server.exited;
  running = undefined;
  const told = await confirmed(fake.calls);
  rounds.push({ round: kills + 1, upMs: 0, startMs, midSnapshot: false, confirmedSoFar: told.size, lostSoFar: allLost.size });
  const store = await openLowdbStore({ dir: dataDir, log: () => {} }); // for writing, lock and all
  for (const missing of lost(store, told)) allLost.add(missing);
  const counts = {
    requests: load.sent,
    acked: load.acked,
    answeredInAck: load.answeredInAck,
    errors: load.errors,
    confirmed: told.size,
    attestations: store.count('attestations'),
  };
  await store.close();
  const verification = await verifyAuditFile(dataDir);
  const torn = (await readdir(dataDir)).filter((name) => name.startsWith('audit.torn-')).length;
  await report(counts, verification, torn);
} finally {
  running?.child.kill('SIGKILL');
  generator?.child.kill('SIGKILL');
  await fake.close();
  await rm(base, { recursive: true, force: true });
}

async function report(
  counts: {
    requests: number;
    acked: number;
    answeredInAck: number;
    errors: Record<string, number>;
    confirmed: number;
    attestations: number;
  },
  verification: Awaited<ReturnType<typeof verifyAuditFile>>,
  torn: number,
) {
  const starts = rounds.map((x) => x.startMs).sort((a, b) => a - b);
  console.log(
    `\ncrash: ${kills} SIGKILLs at random moments under ${flags.rate} attests/s, ${Number(flags.records).toLocaleString('en')} records preloaded\n`,
  );
  printTable(
    ['figure', 'count'],
    [
      ['requests sent', counts.requests],
      ['acked (HTTP 200)', counts.acked],
      ['of those, with the answer in the ack', counts.answeredInAck],
      ['acked, then never answered (a kill fell between)', Math.max(0, counts.acked - counts.confirmed)],
      ['failed while down (refused, reset, timed out)', Object.values(counts.errors).reduce((a, b) => a + b, 0)],
      ['"Recorded" replies (the promise to a person)', counts.confirmed],
      ['of those, lost after a crash', allLost.size],
      ['restarts that opened the directory', rounds.length],
      ['kills while a snapshot was being written', rounds.filter((x) => x.midSnapshot).length],
      ['torn last lines moved aside at restart', torn],
      ['attestations stored at the end', counts.attestations],
    ],
  );
  console.log(
    `\nrestart (spawn → listening) median ${starts[Math.floor(starts.length / 2)]!.toFixed(0)} ms, max ${starts.at(-1)!.toFixed(0)} ms`,
  );
  console.log(
    `audit log and snapshot: ${verification.ok ? `verify (${verification.entries.toLocaleString('en')} entries)` : `FAIL ${JSON.stringify(verification)}`}`,
  );
  const met = allLost.size === 0 && verification.ok;
  console.log(
    `target: 0 lost over ≥ 20 kills: ${kills >= 20 ? verdict(met) : `${allLost.size} lost over ${kills} kills (too few to judge)`}`,
  );
  if (allLost.size) console.log(`lost: ${[...allLost].slice(0, 20).join(', ')}`);
  await writeResult('crash', {
    kills,
    rate: Number(flags.rate),
    records: Number(flags.records),
    counts,
    lost: [...allLost],
    torn,
    verification,
    rounds,
  });
}
