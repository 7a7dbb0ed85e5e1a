/**
 * `npm run bench`: every benchmark in turn, each in its own process (a clean heap, and nothing left
 * running from the one before). Each prints its table and writes bench/results/<name>.json.
 *
 *   npm run bench                                   # all of them (about 10 minutes)
 *   npm run bench -- --only decide                  # one (or several: --only decide,crash)
 *   npm run bench -- --only ack-load --seconds 5 --rate 100   # other flags go to the one chosen
 *   npm run bench -- --quick                        # shorter runs of everything, for a smoke test
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './lib/report.ts';

/** In order of cost; `quick` are the flags of a short run. */
const BENCHES: Record<string, { what: string; quick: string[] }> = {
  decide: { what: 'decisions per second, 1 rule and 500 rules', quick: ['--seconds', '0.5'] },
  'cli-latency': { what: 'appwarden check and report compliance from start to exit, beside node -e 0', quick: ['--runs', '5'] },
  compaction: { what: 'how long a snapshot blocks the event loop', quick: [] },
  'write-cost': {
    what: 'attest p99 and throughput from 1k to 100k records (--max 1000000 for 1M)',
    quick: ['--cell-seconds', '0.5', '--max', '10000'],
  },
  'ack-load': {
    what: 'ack latency at 200 requests/s on 100k records, beside bare Bolt',
    quick: ['--seconds', '5', '--warmup', '1', '--records', '20000'],
  },
  postgres: {
    what: 'PostgreSQL beside lowdb: commit p99 at 100k records, ack p99 and attests/s with 1 and 2 replicas',
    quick: ['--records', '5000', '--seconds', '3', '--saturate-seconds', '3', '--cell-seconds', '1'],
  },
  directory: {
    what: 'a 3,000-person Entra directory: directory sync time and memory, report compliance within platform limits',
    quick: ['--people', '500'],
  },
  inventory: {
    what: 'Intune inventory for 3,000 people and 5,000 devices: sync time, requests against the Intune limit, memory',
    quick: ['--people', '500', '--devices', '800'],
  },
  scale: {
    what: 'report compliance at 3,000 and 30,000 people, policy validate up to 50,000 apps, server start-up at 100k and 1M records',
    quick: ['--people', '3000', '--apps', '1000', '--records', '20000'],
  },
  erasure: {
    what: 'sealing personal values: chain and check µs per entry beside the clear form; erasing one person in a 100k-entry log',
    quick: ['--entries', '5000'],
  },
  crash: { what: 'SIGKILL at random under load: nothing acknowledged is lost', quick: ['--kills', '3', '--records', '2000'] },
};

const { values: flags, tokens } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
  strict: false,
  tokens: true,
});
const chosen = typeof flags.only === 'string' ? flags.only.split(',') : Object.keys(BENCHES);
const unknown = chosen.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(
    `no benchmark ${unknown.join(', ')}; there are:\n${Object.entries(BENCHES)
      .map(([name, b]) => `  ${name.padEnd(11)} ${b.what}`)
      .join('\n')}`,
  );
  process.exit(2);
}
// Flags other than --only and --quick belong to the benchmark, so they make sense for one only.
const passOn = tokens
  .filter((t) => t.kind !== 'option' || (t.name !== 'only' && t.name !== 'quick'))
  .map((t) => (t.kind === 'option' ? t.rawName + (t.value === undefined ? '' : `=${t.value}`) : t.kind === 'positional' ? t.value : ''));
if (passOn.filter(Boolean).length && chosen.length !== 1) {
  console.error(`flags ${passOn.join(' ')} go to one benchmark: choose it with --only`);
  process.exit(2);
}

const failed: string[] = [];
for (const name of chosen) {
  const args = [...(flags.quick ? BENCHES[name]!.quick : []), ...passOn.filter(Boolean)];
  console.log(`\n━━ ${name}: ${BENCHES[name]!.what} ${args.length ? `(${args.join(' ')})` : ''}\n`);
  const code = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...args], { cwd: REPO_ROOT, stdio: 'inherit' }).once('exit', resolve);
  });
  if (code !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
