/**
 * Linear at scale (issue 20): three costs that grow with the organisation, each beside its target.
 *
 * 1. `report compliance <rule>` in-process on 3,000 and 30,000 people, half of them attested: the people
 *    listed in the policy, then half of them brought by the directory (none of them matched by email:
 *    the case that made the directory's join quadratic), then with a device inventory (5 devices for
 *    every 3 people). The first call after a sync includes joining the directory into the policy.
 *    Target: under 1 s at 30,000 people.
 * 2. `appwarden policy validate FILE` in its own process on catalogues of 1,000 and 10,000 apps (each
 *    with a vendor, aliases in two scripts and a bundle id: 10,000 is about the most the 2 MiB limit
 *    holds), 20,000 lean apps (the apps limit), and 50,000 (refused by its size); and in-process, how
 *    the loading splits into YAML, validation and building the lookup tables, beside the careful
 *    reader alone (what every file took before the quick reader, and what a file with problems takes).
 *    Target: YAML under half of policy loading, for the catalogues of 10,000 apps and more that load.
 * 3. The server (what `npm start` runs) on a data directory of 100,000 and 1,000,000 records: the time
 *    from spawn until /healthz answers ok, until its background check of the audit chain has read every
 *    entry, and its RSS. Targets: healthy within 10 s, RSS under the start script's 1,024 MB heap ceiling.
 *
 *   npx tsx bench/scale.ts [--people 3000,30000] [--apps 1000,10000,20000,50000] [--records 100000,1000000]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppWarden } from '../src/app.ts';
import { compilePolicy } from '../src/core/compiled-policy.ts';
import type { DirectoryRecord } from '../src/core/directory.ts';
import type { InventoryDevice } from '../src/core/inventory.ts';
import { POLICY_LIMITS, validatePolicy, type Policy } from '../src/core/policy-schema.ts';
import { parsePolicyTextCarefully } from '../src/core/policy-text.ts';
import { quickRead } from '../src/core/quick-yaml.ts';
import { put, type Change } from '../src/core/records.ts';
import { createMemoryStore } from '../storage/memory/memory-store.ts';
import { startFakeSlack } from '../tests/support/fake-slack.ts';
import { largeOrg } from '../tests/support/large-org.ts';
import { npmStartCommand } from '../tests/support/npm-start.ts';
import { assertVerifies, preloadDataDir } from './lib/preload.ts';
import { benchServerEnv, cpuDuring, rssMb, sampleRss, settled, startListening, type Running } from './lib/processes.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';
import { timedCli } from './lib/timed-cli.ts';

const { values: flags } = parseArgs({
  options: {
    people: { type: 'string', default: '3000,30000' },
    apps: { type: 'string', default: '1000,10000,20000,50000' },
    records: { type: 'string', default: '100000,1000000' },
  },
});
/** `--apps 1000,10000`; `--records 0` leaves that part out. */
const list = (s: string) =>
  s
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
const TARGET = { reportMs: 1_000, reportAtPeople: 30_000, yamlShare: 0.5, yamlShareFromApps: 10_000, healthySeconds: 10, rssMb: 1_024 };
const AT = '2026-11-22T09:00:00.000Z';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const msOf = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await f();
  return [value, performance.now() - started];
};

// ── 1. report compliance ────────────────────────────────────────────────────────────────────────────

type Source = 'policy' | 'policy + directory' | 'policy + directory + inventory';

/** `people` in all, every other one attested to `ban`; with the directory, half of them come from it. */
async function reportRun(people: number, source: Source) {
  const fromDirectory = source === 'policy' ? 0 : Math.floor(people / 2);
  const policy: Policy = largeOrg({ people: people - fromDirectory, units: Math.max(10, Math.round(people / 50)) });
  const withInventory = source.endsWith('inventory');
  if (withInventory) policy.inventory = { every_minutes: 240, stale_after_days: 7, intune: true, jamf: false };
  const store = createMemoryStore();
  const event = { at: AT, actor: 'bench', action: 'bench.preload' };
  const ids = [
    ...Array.from({ length: people - fromDirectory - 1 }, (_, i) => `p${i}`),
    ...Array.from({ length: fromDirectory }, (_, i) => `person.${i}@agency.gov`),
  ];
  const changes: Change[] = ids
    .filter((_, i) => i % 2 === 0)
    .map((person, k) => put('attestations', { id: `AT-${k + 1}`, person, rule: 'ban', app: 'tiktok', at: AT, statement: 'removed' }));
  if (fromDirectory) {
    changes.push(put('directory_sources', { id: 'entra', syncedAt: AT, people: fromDirectory }));
    for (let i = 0; i < fromDirectory; i++) {
      const email = `person.${i}@agency.gov`;
      const record: DirectoryRecord = {
        id: email,
        email,
        since: AT,
        sources: { entra: { key: `entra-${i}`, email, name: `Person ${i} Staff`, department: `Department ${i % 40}` } },
      };
      changes.push(put('directory', record));
    }
  }
  if (withInventory) {
    const devices = Math.round((people * 5) / 3);
    changes.push(put('inventory_sources', { id: 'intune', syncedAt: AT, devices }));
    for (let i = 0; i < devices; i++) {
      const device: InventoryDevice = {
        id: `intune:${i}`,
        source: 'intune',
        name: `Device ${i}`,
        owner: i % 3 ? 'corporate' : 'personal',
        users: [`person.${i % fromDirectory}@agency.gov`],
        lastSync: AT,
        apps: i % 7 ? [] : [{ app: 'tiktok', reported: 'TikTok', version: '34.1' }],
      };
      changes.push(put('devices', device));
    }
  }
  await store.commit(event, changes);
  const bot = createAppWarden({ policy, store, now: () => new Date(AT), log: () => {} });
  // The first call joins the directory into the policy and compiles it, as the first after a sync does.
  const [first, firstMs] = await msOf(() => bot.run('report compliance ban', 'chief', 'bench'));
  if (!first.ok) throw new Error(`report compliance failed: ${JSON.stringify(first.reply)}`);
  const again = [];
  for (let i = 0; i < 3; i++) again.push((await msOf(() => bot.run('report compliance ban', 'chief', 'bench')))[1]);
  const [csv, csvMs] = await msOf(() => bot.run('report compliance ban --format csv', 'chief', 'bench'));
  const rows = csv.ok && Array.isArray(csv.data) ? csv.data.length : 0;
  if (rows !== people) throw new Error(`the CSV has ${rows} rows for ${people} people`);
  return { people, source, firstMs, againMs: median(again), csvMs, rows };
}

// ── 2. policy validate ──────────────────────────────────────────────────────────────────────────────

const WORDS = ['chat', 'photo', 'game', 'video', 'notes', 'maps', 'music', 'news', 'shop', 'fit', 'mail', 'cloud'];
const CATEGORIES = 20;

/** A catalogue as an administrator writes one (block style); `lean`: one line per app, id, name and category. */
function catalogue(apps: number, lean: boolean): string {
  const lines = [
    'organization: { name: Big Catalogue, timezone: Europe/Brussels, default_unit: org }',
    'units:',
    '  - { id: org, name: Organisation }',
    'categories:',
    ...Array.from({ length: CATEGORIES }, (_, k) => `  - { id: cat-${k}, name: Category ${k} }`),
    'apps:',
  ];
  for (let i = 0; i < apps; i++)
    if (lean) lines.push(`  - { id: a${i}, name: App ${i}, categories: [cat-${i % CATEGORIES}] }`);
    else
      lines.push(
        `  - id: app-${i}`,
        `    name: App ${i} ${WORDS[i % WORDS.length]}`,
        `    vendor: Vendor ${i % 300}`,
        `    categories: [cat-${i % CATEGORIES}]`,
        `    aliases: [alias-${i}, アプリ${i}]`,
        `    bundle_ids: [com.vendor${i % 300}.a${i}]`,
      );
  lines.push('rules:');
  for (let k = 0; k < CATEGORIES; k++)
    lines.push(
      `  - id: ban-${k}`,
      `    title: Category ${k} banned on work devices`,
      '    source: Security notice, 2026',
      '    unit: org',
      `    categories: [cat-${k}]`,
      '    effect: prohibit',
      '    effective: 2026-01-01',
      '    deadline: 2026-12-15',
      '    exceptions: none',
    );
  return `${lines.join('\n')}\n`;
}

async function validateRun(dir: string, apps: number) {
  // 20,000 is the apps limit, which only lean entries fit in 2 MiB.
  const lean = apps > 10_000;
  const text = catalogue(apps, lean);
  const file = join(dir, `catalogue-${apps}.yaml`);
  await writeFile(file, text);
  const bytes = Buffer.byteLength(text);
  const cli = await timedCli(['policy', 'validate', file], {});
  const loads = bytes <= POLICY_LIMITS.bytes;
  const split = { yamlMs: NaN, validateMs: NaN, compileMs: NaN, carefulMs: NaN };
  if (loads) {
    const yaml: number[] = [];
    const validation: number[] = [];
    const compile: number[] = [];
    const careful: number[] = [];
    // A round first, not counted: it would also pay for compiling the code it runs.
    for (let i = 0; i < 4; i++) {
      const [read, readMs] = await msOf(() => quickRead(text));
      if (!read.ok) throw new Error(`the quick reader declined the catalogue: ${read.declined}`);
      const [checked, checkMs] = await msOf(() => validatePolicy(read.value));
      if (!checked.ok) throw new Error(`the catalogue does not validate: ${JSON.stringify(checked.issues.slice(0, 3))}`);
      const [, compileMs] = await msOf(() => compilePolicy(checked.value));
      const [, carefulMs] = await msOf(() => parsePolicyTextCarefully(text));
      if (i === 0) continue;
      yaml.push(readMs);
      validation.push(checkMs);
      compile.push(compileMs);
      careful.push(carefulMs);
    }
    Object.assign(split, { yamlMs: median(yaml), validateMs: median(validation), compileMs: median(compile), carefulMs: median(careful) });
  }
  const share = split.yamlMs / (split.yamlMs + split.validateMs + split.compileMs);
  return {
    apps,
    entries: lean ? 'lean' : 'full',
    bytes,
    exit: cli.code,
    cliSeconds: cli.seconds,
    cliPeakMb: cli.peakMb,
    said: (cli.code === 0 ? cli.stdout : cli.stderr).trim().split('\n').at(-1) ?? '',
    ...split,
    share,
  };
}

// ── 3. server start-up ──────────────────────────────────────────────────────────────────────────────

async function startupRun(base: string, records: number, fakeApiUrl: string, npmStart: ReturnType<typeof npmStartCommand>) {
  const dataDir = join(base, `data-${records}`);
  const [, preloadMs] = await msOf(() => preloadDataDir(dataDir, { entries: records }));
  await assertVerifies(dataDir);
  let running: Running | undefined;
  try {
    const spawned = performance.now();
    running = await startListening(npmStart.script, benchServerEnv(fakeApiUrl, dataDir), npmStart.nodeArgs, 120_000);
    const listeningMs = performance.now() - spawned;
    const pid = running.child.pid!;
    const stopSampling = sampleRss(pid, 100);
    const cpu = await cpuDuring(pid);
    for (;;) {
      const health = (await fetch(`http://127.0.0.1:${running.port}/healthz`)
        .then((res) => res.json())
        .catch(() => undefined)) as { ok?: boolean } | undefined;
      if (health?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const healthyMs = performance.now() - spawned;
    const rssHealthyMb = (await rssMb(pid)) ?? NaN;
    await settled(running.port, 300_000);
    const settledMs = performance.now() - spawned;
    const rssSettledMb = (await rssMb(pid)) ?? NaN;
    const rssPeakMb = Math.max(rssHealthyMb, rssSettledMb, ...stopSampling());
    const { otherCores } = await cpu();
    running.child.kill('SIGTERM');
    await running.exited;
    running = undefined;
    return {
      records,
      preloadSeconds: preloadMs / 1000,
      listeningMs,
      healthyMs,
      settledMs,
      rssHealthyMb,
      rssSettledMb,
      rssPeakMb,
      otherCores,
    };
  } finally {
    running?.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────────

const base = await mkdtemp(join(tmpdir(), 'appwarden-scale-'));
// Made-up users, each looked up (users.info) at first sight: far beyond Tier 4, which this bench does
// not measure (ack-load.ts holds its people in the roster instead).
const fake = await startFakeSlack({ anyoneIsMember: true, tierLimits: false });
try {
  const reports: Awaited<ReturnType<typeof reportRun>>[] = [];
  const validations: Awaited<ReturnType<typeof validateRun>>[] = [];
  const startups: Awaited<ReturnType<typeof startupRun>>[] = [];
  const others: Record<string, number> = {};
  if (list(flags.people).length) {
    const cpu = await cpuDuring();
    for (const people of list(flags.people))
      for (const source of ['policy', 'policy + directory', 'policy + directory + inventory'] as const)
        reports.push(await reportRun(people, source));
    others.report = (await cpu()).otherCores;
    console.log('report compliance <rule>, in-process (every other person attested; the CSV checked for one row per person)\n');
    printTable(
      ['people', 'from', 'first call ms', 'again ms', 'CSV ms'],
      reports.map((r) => [r.people, r.source, r.firstMs, r.againMs, r.csvMs]),
    );
    console.log(`other processes used ${others.report.toFixed(2)} cores meanwhile\n`);
  }
  if (list(flags.apps).length) {
    const cpu = await cpuDuring();
    for (const apps of list(flags.apps)) validations.push(await validateRun(base, apps));
    others.validate = (await cpu()).otherCores;
    console.log('policy validate: the CLI in its own process; in-process, the quick YAML read, validation and lookup tables\n');
    printTable(
      ['apps', 'entries', 'bytes', 'CLI s', 'CLI MB', 'exit', 'YAML ms', 'validate ms', 'tables ms', 'YAML share', 'careful read ms'],
      validations.map((v) => [
        v.apps,
        v.entries,
        v.bytes,
        v.cliSeconds,
        v.cliPeakMb,
        String(v.exit),
        v.yamlMs,
        v.validateMs,
        v.compileMs,
        Number.isNaN(v.share) ? '-' : `${(v.share * 100).toFixed(0)}%`,
        v.carefulMs,
      ]),
    );
    for (const v of validations.filter((x) => x.exit !== 0)) console.log(`  ${v.apps.toLocaleString('en')} apps: ${v.said}`);
    console.log(`other processes used ${others.validate.toFixed(2)} cores meanwhile\n`);
  }
  if (list(flags.records).length) {
    const npmStart = npmStartCommand();
    for (const records of list(flags.records)) startups.push(await startupRun(base, records, fake.apiUrl, npmStart));
    console.log('the server (npm start) on a preloaded data directory, from spawn\n');
    printTable(
      ['records', 'preload s', 'listening ms', 'healthy ms', 'chain checked ms', 'RSS healthy MB', 'RSS peak MB', 'other cores'],
      startups.map((s) => [
        s.records,
        s.preloadSeconds,
        s.listeningMs,
        s.healthyMs,
        s.settledMs,
        s.rssHealthyMb,
        s.rssPeakMb,
        s.otherCores,
      ]),
    );
  }

  console.log('');
  const atTarget = reports.filter((r) => r.people === Math.max(...reports.map((x) => x.people)));
  const loaded = validations.filter((v) => !Number.isNaN(v.share));
  printTable(
    ['figure', 'measured', 'target', ''],
    [
      ...atTarget.map((r) => [
        `report compliance, ${r.people.toLocaleString('en')} people (${r.source}), first call`,
        `${r.firstMs.toFixed(0)} ms`,
        `< ${TARGET.reportMs} ms${r.people === TARGET.reportAtPeople ? '' : ` (at ${TARGET.reportAtPeople.toLocaleString('en')})`}`,
        verdict(r.firstMs < TARGET.reportMs),
      ]),
      // The target is for large catalogues; a small one loads in a tenth of a second either way.
      ...loaded.map((v) => [
        `YAML share of policy loading, ${v.apps.toLocaleString('en')} apps (${(v.bytes / 1_048_576).toFixed(1)} MiB)`,
        `${(v.share * 100).toFixed(0)}%`,
        v.apps >= TARGET.yamlShareFromApps ? `< ${TARGET.yamlShare * 100}%` : '-',
        v.apps >= TARGET.yamlShareFromApps ? verdict(v.share < TARGET.yamlShare) : '',
      ]),
      ...startups.flatMap((s) => [
        [
          `server healthy, ${s.records.toLocaleString('en')} records`,
          `${(s.healthyMs / 1000).toFixed(2)} s`,
          `< ${TARGET.healthySeconds} s`,
          verdict(s.healthyMs / 1000 < TARGET.healthySeconds),
        ],
        [
          `  its peak RSS until the chain is checked`,
          `${s.rssPeakMb.toFixed(0)} MB`,
          `< ${TARGET.rssMb} MB`,
          verdict(s.rssPeakMb < TARGET.rssMb),
        ],
      ]),
    ],
  );
  await writeResult('scale', { target: TARGET, otherCores: others, reports, validations, startups });
} finally {
  await fake.close();
  await rm(base, { recursive: true, force: true });
}
