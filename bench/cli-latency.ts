/**
 * How long `appwarden` takes to answer, from process start to exit, as a person types it (`bin/appwarden`,
 * which starts the build's start-up snapshot): `check tiktok` and `report compliance` on the demo pack
 * (an empty embedded store in a temp dir), and `check` from the build's modules (`bin/appwarden.js`),
 * beside `node -e 0`, the floor no Node process goes below. The three take turns, so a busy moment of the machine falls on
 * all of them alike. Target: `check` under 0.3 s median and within 3× `node -e 0` measured in the same run.
 *
 *   npx tsx bench/cli-latency.ts [--runs 20]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_POLICY_FILE } from '../src/config.ts';
import { cpuDuring } from './lib/processes.ts';
import { printTable, quantile, verdict, writeResult } from './lib/report.ts';
import { REPO_ROOT } from './lib/report.ts';
import { timedCli, timedNode, type TimedRun } from './lib/timed-cli.ts';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(flags.runs);
const TARGET = { checkMs: 300, ratio: 3 };

const base = await mkdtemp(join(tmpdir(), 'appwarden-cli-latency-'));
try {
  const env = { POLICY_FILE: DEMO_POLICY_FILE, DATA_DIR: join(base, 'data') };
  // The first run builds the CLI if a source changed since the last build: not a run a person waits for twice.
  const first = await timedCli(['help'], { ...env, APPWARDEN_LAUNCH_TRACE: '1' });
  const launch = /appwarden launch: (.*)/.exec(first.stderr)?.[1] ?? 'unknown';
  if (first.code !== 0) throw new Error(`appwarden help failed:\n${first.stderr}`);

  const measured: Record<string, { run: () => Promise<TimedRun>; ms: number[] }> = {
    'node -e 0': { run: () => timedNode(['-e', '0'], env), ms: [] },
    'check tiktok': { run: () => timedCli(['check', 'tiktok'], env), ms: [] },
    'report compliance': { run: () => timedCli(['--as', 'olivia', 'report', 'compliance'], env), ms: [] },
    // The same build's modules without the start-up snapshot: what runs where none can be made.
    'check tiktok, modules': { run: () => timedNode([join(REPO_ROOT, 'bin/appwarden.js'), 'check', 'tiktok'], env), ms: [] },
  };
  const cpu = await cpuDuring();
  for (let i = 0; i < RUNS; i++)
    for (const [name, m] of Object.entries(measured)) {
      const r = await m.run();
      if (r.code !== 0) throw new Error(`${name} failed (${r.code}):\n${r.stderr}`);
      m.ms.push(r.seconds * 1000);
    }

  const { otherCores } = await cpu();
  const figures = Object.fromEntries(
    Object.entries(measured).map(([name, m]) => {
      const sorted = [...m.ms].sort((a, b) => a - b);
      return [name, { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), runs: m.ms }];
    }),
  );
  const floor = figures['node -e 0']!.median;
  console.log(`${RUNS} runs of each, in turn; the first run before them: ${launch} (${(first.seconds * 1000).toFixed(0)} ms)\n`);
  printTable(
    ['command', 'median ms', 'p90 ms', '÷ node -e 0'],
    Object.entries(figures).map(([name, f]) => [name, f.median, f.p90, f.median / floor]),
  );
  const check = figures['check tiktok']!;
  console.log('');
  printTable(
    ['figure', 'measured', 'target', ''],
    [
      ['check tiktok, median', `${check.median.toFixed(0)} ms`, `< ${TARGET.checkMs} ms`, verdict(check.median < TARGET.checkMs)],
      [
        'check tiktok ÷ node -e 0, medians',
        `${(check.median / floor).toFixed(2)}×`,
        `≤ ${TARGET.ratio}×`,
        verdict(check.median / floor <= TARGET.ratio),
      ],
    ],
  );
  console.log(`\nother processes on the machine used ${otherCores.toFixed(2)} of its ${cpus().length} cores meanwhile`);
  await writeResult('cli-latency', { runs: RUNS, target: TARGET, launch, figures, otherCores });
} finally {
  await rm(base, { recursive: true, force: true });
}
