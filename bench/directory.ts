/**
 * A 3,000-person Microsoft Entra directory over 30 pages (the fake Graph over HTTPS, 100 users a page,
 * 40 departments, two mapped groups): how long `appwarden directory sync` takes, as an administrator
 * runs it (the CLI in its own process, the embedded store on disk), and its peak memory beside the
 * same CLI answering `check tiktok` (what a sync adds). Then the delta sync that follows, and
 * `report compliance` on the 3,000, rendered as Slack blocks and a Teams card, against their limits.
 * Targets: the sync under 10 s and under 150 MB more than the plain CLI.
 *
 *   npx tsx bench/directory.ts [--people 3000] [--page 100]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { LIMITS, renderBlocks } from '../adapters/slack/render.ts';
import { MAX_CARD_BYTES, renderCard, utf16Bytes } from '../adapters/teams/card.ts';
import { createAppWarden } from '../src/app.ts';
import { DEMO_POLICY_FILE } from '../src/config.ts';
import { loadPolicyFile } from '../src/runtime/policy-file.ts';
import { openLowdbStoreReadOnly } from '../storage/lowdb/index.ts';
import { startFakeGraph, TEST_CERT_PATH, type GraphUser } from '../tests/support/fake-graph.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';
import { timedCli } from './lib/timed-cli.ts';

const { values: flags } = parseArgs({ options: { people: { type: 'string', default: '3000' }, page: { type: 'string', default: '100' } } });
const PEOPLE = Number(flags.people);
const PAGE = Number(flags.page);
const TARGET = { seconds: 10, extraMb: 150 };
const GROUP_IT = '0b5c0000-0000-4000-8000-000000000001';
const GROUP_APPROVERS = '7d1e0000-0000-4000-8000-000000000002';

const staff: GraphUser[] = Array.from({ length: PEOPLE }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  displayName: `Person ${i} Example`,
  mail: `person.${i}@agency.gov`,
  userPrincipalName: `person.${i}@agency.onmicrosoft.com`,
  department: `Department ${i % 40}`,
  preferredLanguage: i % 7 ? 'en-GB' : 'ja-JP',
  accountEnabled: true,
}));

const graph = await startFakeGraph({ tenant: 'agency', clientId: 'bench', clientSecret: 'bench-secret', pageSize: PAGE });
graph.setUsers(staff);
graph.setGroup(
  GROUP_IT,
  staff.filter((_, i) => i % 10 === 0).map((u) => u.id),
);
graph.setGroup(
  GROUP_APPROVERS,
  staff.slice(0, 20).map((u) => u.id),
);
const base = await mkdtemp(join(tmpdir(), 'appwarden-directory-'));

try {
  const policy = parse(await readFile(DEMO_POLICY_FILE, 'utf8'));
  policy.directory = {
    every_minutes: 0,
    entra: {
      units_by_department: Object.fromEntries(
        Array.from({ length: 40 }, (_, d) => [`Department ${d}`, d % 2 ? 'demo/comms' : d % 3 ? 'demo/it' : 'demo']),
      ),
      units_by_group: { [GROUP_IT]: 'demo/it' },
      roles_by_group: { [GROUP_APPROVERS]: ['approver'] },
    },
  };
  const policyFile = join(base, 'policy.yaml');
  await writeFile(policyFile, stringify(policy));
  const env = {
    POLICY_FILE: policyFile,
    DATA_DIR: join(base, 'data'),
    AZURE_TENANT_ID: 'agency',
    AZURE_CLIENT_ID: 'bench',
    AZURE_CLIENT_SECRET: 'bench-secret',
    AZURE_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_API_URL: graph.graphUrl,
    NODE_EXTRA_CA_CERTS: TEST_CERT_PATH,
  };
  const plain = await timedCli(['check', 'tiktok'], env);
  const full = await timedCli(['--json', 'directory', 'sync'], env);
  if (full.code !== 0) throw new Error(`directory sync failed:\n${full.stderr}`);
  const pages = graph.callsTo(/users\/delta/).length;
  for (let i = 0; i < 30; i++) graph.updateUser(staff[i * 97]!.id, { department: 'Department 1' });
  graph.updateUser(staff[5]!.id, { accountEnabled: false });
  const delta = await timedCli(['--json', 'directory', 'sync'], env);
  if (delta.code !== 0) throw new Error(`the delta sync failed:\n${delta.stderr}`);

  // The report on everyone the directory brought, as an administrator asks for it on each platform.
  const loaded = await loadPolicyFile(policyFile);
  if (!loaded.ok) throw new Error('the policy does not load');
  const store = await openLowdbStoreReadOnly({ dir: env.DATA_DIR, log: () => {} });
  const bot = createAppWarden({ policy: loaded.value, store, now: () => new Date('2026-12-01T09:00:00Z'), log: () => {} });
  const report = await bot.run('report compliance demo-tiktok', 'U0ADMIN', 'slack');
  await store.close();
  const slack = renderBlocks(report.reply);
  const longestSection = Math.max(...slack.blocks.map((b) => ((b as { text?: { text?: string } }).text?.text ?? '').length));
  const cardBytes = utf16Bytes(renderCard(report.reply));

  const row = (name: string, r: typeof full) => [
    name,
    r.seconds,
    r.peakMb,
    r.peakMb - plain.peakMb,
    JSON.parse(r.stdout || 'null')?.total ?? '-',
  ];
  console.log(`${PEOPLE.toLocaleString('en')} people in Entra, ${PAGE} a page (${pages} pages in the full read)\n`);
  printTable(
    ['CLI run', 'seconds', 'peak RSS MB', 'MB over check', 'people'],
    [
      ['check tiktok (the plain CLI)', plain.seconds, plain.peakMb, 0, '-'],
      row('directory sync (full)', full),
      row('directory sync (delta: 30 changed, 1 leaver)', delta),
    ],
  );
  console.log('');
  const targets = [
    ['full sync time', `${full.seconds.toFixed(2)} s`, `< ${TARGET.seconds} s`, verdict(full.seconds < TARGET.seconds)],
    [
      'full sync memory over the plain CLI',
      `${(full.peakMb - plain.peakMb).toFixed(0)} MB`,
      `< ${TARGET.extraMb} MB`,
      verdict(full.peakMb - plain.peakMb < TARGET.extraMb),
    ],
    ['report compliance: Slack blocks', String(slack.blocks.length), `≤ ${LIMITS.blocks}`, verdict(slack.blocks.length <= LIMITS.blocks)],
    ['  longest section text', `${longestSection} chars`, `≤ ${LIMITS.sectionText}`, verdict(longestSection <= LIMITS.sectionText)],
    ['  Teams card', `${cardBytes} bytes (UTF-16)`, `≤ ${MAX_CARD_BYTES}`, verdict(cardBytes <= MAX_CARD_BYTES)],
  ];
  printTable(['figure', 'measured', 'target', ''], targets);
  await writeResult('directory', {
    people: PEOPLE,
    pageSize: PAGE,
    pages,
    target: TARGET,
    plain,
    full,
    delta,
    report: { blocks: slack.blocks.length, longestSection, cardBytes },
  });
} finally {
  await graph.close();
  await rm(base, { recursive: true, force: true });
}
