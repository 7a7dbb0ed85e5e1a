/**
 * Decisions per second on one core (this process's main thread): `decide()` for a 1-rule policy and
 * for a generated 500-rule, 5,000-app, 200-unit policy, with the app named the ways people type it —
 * an id, an alias, full-width, a store or bundle id, a name that matches nothing (which costs a "did
 * you mean" search). Each row runs for about 2 s after a warm-up.
 *
 *   npx tsx bench/decide.ts [--seconds 2]
 *   node --cpu-prof --cpu-prof-dir bench/results --import tsx bench/decide.ts   # where the time goes
 */
import { parseArgs } from 'node:util';
import { decide } from '../src/core/decide.ts';
import type { DecisionQuery } from '../src/core/decision.ts';
import type { Policy } from '../src/core/policy.ts';
import type { ExceptionRequest } from '../src/core/records.ts';
import { fullWidth, generatedPolicy, oneRulePolicy, random } from './lib/policy-gen.ts';
import { cpuDuring } from './lib/processes.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const SECONDS = Number(flags.seconds);
const TARGET = 200_000;
const AT = '2026-11-22T10:00:00.000Z';
const QUERIES = 65_536;
const SHAPE = { units: 200, apps: 5000, rules: 500, people: 1000, categories: 50 };

type Kind = 'id' | 'alias' | 'full-width' | 'store/bundle id' | 'unknown' | 'unknown, never repeated';
/** How often each kind is typed in the mixed row. */
const MIX: [Kind, number][] = [
  ['id', 0.3],
  ['alias', 0.3],
  ['full-width', 0.2],
  ['store/bundle id', 0.1],
  ['unknown', 0.1],
];
/** Apps the policy does not list, as people type them: on an announcement day the same few, again and again. */
const UNKNOWN = [
  'tiktak',
  'snapchatt',
  'wechat',
  'cand crush',
  'zzgame',
  'apq 12',
  'telegram',
  'Threads',
  'bereal',
  'discord',
  'twich',
  'ｗｅｃｈａｔ',
];
/** Each unknown name once: the worst case for anything that remembers earlier answers. */
const unique = (r: ReturnType<typeof random>) => `${r.pick(UNKNOWN)} ${r.int(1_000_000)}`;

/** What a person might type for app i of the generated policy. */
function generatedName(kind: Kind, i: number, r: ReturnType<typeof random>): string {
  const name = `App ${i} ${['chat', 'photo', 'game', 'video', 'notes', 'maps', 'music', 'news', 'shop', 'fit', 'mail', 'cloud'][i % 12]}`;
  switch (kind) {
    case 'id':
      return `app-${i}`;
    case 'alias':
      return r.pick([`alias-${i}`, `アプリ${i}`, name.toLowerCase(), name.replaceAll(' ', '')]);
    case 'full-width':
      return fullWidth(r.next() < 0.5 ? name : `alias-${i}`);
    case 'store/bundle id':
      return r.next() < 0.5 ? String(100_000_000 + i) : `com.vendor${i % 300}.a${i}`;
    case 'unknown':
      return r.pick(UNKNOWN);
    case 'unknown, never repeated':
      return unique(r);
  }
}

function oneRuleName(kind: Kind, r: ReturnType<typeof random>): string {
  switch (kind) {
    case 'id':
      return 'tiktok';
    case 'alias':
      return r.pick(['TikTok', 'tik tok', 'ティックトック', 'Tik-Tok']);
    case 'full-width':
      return r.pick(['ＴｉｋＴｏｋ', 'ｔｉｋ ｔｏｋ']);
    case 'store/bundle id':
      return r.pick(['835599320', 'com.zhiliaoapp.musically']);
    case 'unknown':
      return r.pick(UNKNOWN);
    case 'unknown, never repeated':
      return unique(r);
  }
}

/** QUERIES queries (enough that "never repeated" names do not come round again within a cache of 10,000), as different people on different devices, some with a data class or a purpose. */
function queries(policy: Policy, kinds: Kind[] | 'mix', name: (kind: Kind, r: ReturnType<typeof random>) => string): DecisionQuery[] {
  const r = random(7);
  const pickKind = (): Kind => {
    if (kinds !== 'mix') return r.pick(kinds);
    let x = r.next();
    for (const [kind, share] of MIX) if ((x -= share) < 0) return kind;
    return 'id';
  };
  return Array.from({ length: QUERIES }, () => ({
    app: name(pickKind(), r),
    person: r.next() < 0.7 && policy.people.length ? (r.pick(policy.people).slack ?? 'p0') : `U-unlisted-${r.int(1000)}`,
    device: r.pick(['corporate', 'personal-with-work-apps', 'personal'] as const),
    ...(r.next() < 0.2 ? { data: 'personal-data' } : {}),
    ...(r.next() < 0.1 ? { purpose: 'public-communications' } : {}),
    at: AT,
  }));
}

/** Decisions per second over about SECONDS, cycling through the queries. */
function measure(policy: Policy, list: DecisionQuery[], state: { requests: ExceptionRequest[] }): number {
  let checksum = 0; // uses every result, so no decision can be optimised away
  const run = (ms: number) => {
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < ms) {
      for (let i = 0; i < 256; i++) checksum += decide(list[(n + i) & (QUERIES - 1)]!, policy, state).verdict.length;
      n += 256;
    }
    return (n / (performance.now() - started)) * 1000;
  };
  run(Math.min(500, SECONDS * 250)); // warm-up: let V8 compile the hot paths
  const rate = run(SECONDS * 1000);
  if (checksum === 0) throw new Error('no decisions');
  return rate;
}

const requests = (person: string): ExceptionRequest[] => [
  {
    id: 'EX-1',
    person,
    unit: 'org',
    app: 'app-7',
    rules: ['rule-1'],
    device: 'corporate',
    purpose: 'public-communications',
    days: 30,
    reason: 'x',
    status: 'approved',
    requestedAt: '2026-11-01T00:00:00.000Z',
    expiresAt: '2026-12-01T00:00:00.000Z',
  },
  {
    id: 'EX-2',
    person,
    unit: 'org',
    app: 'tiktok',
    rules: ['tiktok-ban'],
    device: 'personal',
    purpose: 'public-communications',
    days: 30,
    reason: 'x',
    status: 'requested',
    requestedAt: '2026-11-02T00:00:00.000Z',
  },
];

const cpu = await cpuDuring();
const built = performance.now();
const policies = { '1 rule': oneRulePolicy(), '500 rules': generatedPolicy(SHAPE) };
const buildMs = performance.now() - built;
const rows: { policy: string; names: string; perSecond: number }[] = [];
for (const [label, policy] of Object.entries(policies)) {
  const name =
    label === '1 rule'
      ? (kind: Kind, r: ReturnType<typeof random>) => oneRuleName(kind, r)
      : (kind: Kind, r: ReturnType<typeof random>) => generatedName(kind, r.int(SHAPE.apps), r);
  const known: Kind[] = ['id', 'alias', 'full-width', 'store/bundle id'];
  for (const kinds of ['mix', known, ...MIX.map(([kind]) => [kind]), ['unknown, never repeated']] as (Kind[] | 'mix')[]) {
    const names =
      kinds === 'mix'
        ? `mix: ${MIX.map(([k, s]) => `${s * 100}% ${k}`).join(', ')}`
        : kinds.length > 1
          ? 'known names only (id, alias, full-width, store/bundle id)'
          : kinds[0]!;
    rows.push({ policy: label, names, perSecond: measure(policy, queries(policy, kinds, name), { requests: requests('UP1') }) });
  }
}

console.log(
  `decide: decisions per second on one core (500-rule policy: ${SHAPE.rules} rules, ${SHAPE.apps} apps, ${SHAPE.units} units, ${SHAPE.people} people; generated and validated in ${buildMs.toFixed(0)} ms)\n`,
);
const target = (r: (typeof rows)[number]) =>
  r.policy === '500 rules' && r.names.startsWith('mix') ? `≥ ${TARGET.toLocaleString('en')}: ${verdict(r.perSecond >= TARGET)}` : '';
printTable(
  ['policy', 'app named by', 'decisions/s', 'µs each', 'target'],
  rows.map((r) => [r.policy, r.names, Math.round(r.perSecond), 1e6 / r.perSecond, target(r)]),
);
const { otherCores } = await cpu();
console.log(`\nother processes on the machine used ${otherCores.toFixed(2)} of its cores meanwhile`);
await writeResult('decide', { target: TARGET, shape: SHAPE, seconds: SECONDS, rows, otherCores });
