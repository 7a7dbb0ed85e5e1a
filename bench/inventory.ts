/**
 * Device inventory at an agency's scale: 3,000 people (read from the fake Entra directory first, as
 * the server does), 5,000 Intune managed devices, 3 prohibited apps in two versions each among 300
 * other detected apps. How long `appwarden inventory sync` takes as an administrator runs it (the CLI
 * in its own process, the embedded store on disk), the requests it makes against Intune's limit
 * (2,000 per 20 s per app and tenant), whether the fake Graph had to refuse any, and its peak memory
 * beside the plain CLI. Then `report compliance` on the result.
 *
 *   npx tsx bench/inventory.ts [--people 3000] [--devices 5000]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../src/config.ts';
import { startFakeGraph, TEST_CERT_PATH, type GraphUser, type IntuneDetectedApp, type IntuneDevice } from '../tests/support/fake-graph.ts';
import { printTable, verdict, writeResult } from './lib/report.ts';
import { timedCli } from './lib/timed-cli.ts';

const { values: flags } = parseArgs({
  options: { people: { type: 'string', default: '3000' }, devices: { type: 'string', default: '5000' } },
});
const PEOPLE = Number(flags.people);
const DEVICES = Number(flags.devices);
/** Intune's own limit, and the share of it one sync may use and still leave room for everything else. */
const INTUNE_LIMIT = { requests: 2_000, seconds: 20 };
const TARGET = { seconds: 10, requestShare: 0.25 };

const staff: GraphUser[] = Array.from({ length: PEOPLE }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  displayName: `Person ${i} Example`,
  mail: `person.${i}@agency.gov`,
  userPrincipalName: `person.${i}@agency.onmicrosoft.com`,
  department: 'Communications',
  accountEnabled: true,
}));
// Everyone has a work phone; the rest of the fleet are second devices (laptops, tablets), a third of them personal.
const fleet: IntuneDevice[] = Array.from({ length: DEVICES }, (_, i) => {
  const person = i % PEOPLE;
  return {
    id: `dev-${i}`,
    deviceName: i < PEOPLE ? `iPhone ${person}` : `Device ${i}`,
    operatingSystem: i % 4 ? 'iOS' : 'Android',
    userPrincipalName: `person.${person}@agency.onmicrosoft.com`,
    emailAddress: `person.${person}@agency.gov`,
    managedDeviceOwnerType: i >= PEOPLE && i % 3 === 0 ? 'personal' : 'company',
    lastSyncDateTime: new Date(Date.now() - (i % 240) * 3_600_000).toISOString(),
  };
});
// 3 prohibited apps in two versions each, on 1 device in 40 each; 300 others everywhere.
const carrying = (app: number, version: number) => fleet.filter((_, i) => i % 40 === app * 2 + version).map((d) => d.id);
const prohibited: IntuneDetectedApp[] = ['TikTok', 'com.instagram.android', 'Candy Crush Saga'].flatMap((name, app) =>
  [0, 1].map((version) => ({
    id: `prohibited-${app}-${version}`,
    displayName: name,
    version: `${30 + version}.0`,
    platform: 'ios',
    deviceIds: carrying(app, version),
  })),
);
const others: IntuneDetectedApp[] = Array.from({ length: 300 }, (_, i) => ({
  id: `other-${i}`,
  displayName: `Line of Business App ${i}`,
  version: '1.0',
  platform: 'ios',
  deviceIds: fleet.filter((_, d) => d % 300 === i).map((d) => d.id),
}));

const graph = await startFakeGraph({ tenant: 'agency', clientId: 'bench', clientSecret: 'bench-secret' });
graph.setUsers(staff);
graph.setManagedDevices(fleet);
graph.setDetectedApps([...others.slice(0, 150), ...prohibited, ...others.slice(150)]);
const base = await mkdtemp(join(tmpdir(), 'appwarden-inventory-'));

try {
  const policy = parse(await readFile(DEMO_POLICY_FILE, 'utf8'));
  policy.directory = { every_minutes: 0, entra: { units_by_department: { Communications: 'demo/comms' } } };
  policy.inventory = { every_minutes: 0, stale_after_days: 7, intune: true };
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
  const directory = await timedCli(['--json', 'directory', 'sync'], env);
  if (directory.code !== 0) throw new Error(`directory sync failed:\n${directory.stderr}`);
  const before = graph.calls.length;
  const first = await timedCli(['--json', 'inventory', 'sync'], env);
  if (first.code !== 0) throw new Error(`inventory sync failed:\n${first.stderr}`);
  const deviceCalls = graph.calls.slice(before).filter((c) => c.path.startsWith('/v1.0/deviceManagement/')).length;
  const done = JSON.parse(first.stdout);
  const requests: number = done.sources[0].requests;
  // The next sync, with nothing changed: the same reads, nothing to store.
  const second = await timedCli(['--json', 'inventory', 'sync'], env);
  if (second.code !== 0) throw new Error(`the second inventory sync failed:\n${second.stderr}`);
  const report = await timedCli(['--as', 'olivia', 'report', 'compliance', 'demo-tiktok'], env);
  const verified = /Verified by device inventory: [^\n]*/.exec(report.stdout)?.[0] ?? '(no verified line)';

  console.log(
    `${PEOPLE.toLocaleString('en')} people, ${DEVICES.toLocaleString('en')} Intune devices, 3 prohibited apps in ${prohibited.length} records among ${others.length + prohibited.length}\n`,
  );
  printTable(
    ['CLI run', 'seconds', 'peak RSS MB', 'MB over check'],
    [
      ['check tiktok (the plain CLI)', plain.seconds, plain.peakMb, 0],
      ['inventory sync (first)', first.seconds, first.peakMb, first.peakMb - plain.peakMb],
      ['inventory sync (nothing changed)', second.seconds, second.peakMb, second.peakMb - plain.peakMb],
      ['report compliance demo-tiktok', report.seconds, report.peakMb, report.peakMb - plain.peakMb],
    ],
  );
  console.log(`\n${verified}\n`);
  const share = requests / INTUNE_LIMIT.requests;
  printTable(
    ['figure', 'measured', 'target', ''],
    [
      ['first sync time', `${first.seconds.toFixed(2)} s`, `< ${TARGET.seconds} s`, verdict(first.seconds < TARGET.seconds)],
      [
        'requests to Intune in one sync',
        `${requests} (${(share * 100).toFixed(1)}% of ${INTUNE_LIMIT.requests} per ${INTUNE_LIMIT.seconds} s)`,
        `≤ ${TARGET.requestShare * 100}%`,
        verdict(share <= TARGET.requestShare),
      ],
      ['requests the fake saw', String(deviceCalls), `= ${requests}`, verdict(deviceCalls === requests)],
      ['refused by the fake for the limit (429)', String(graph.intuneThrottled()), '0', verdict(graph.intuneThrottled() === 0)],
      ['devices stored', String(done.devices), `= ${DEVICES}`, verdict(done.devices === DEVICES)],
    ],
  );
  await writeResult('inventory', {
    people: PEOPLE,
    devices: DEVICES,
    records: others.length + prohibited.length,
    target: TARGET,
    plain,
    directory: { seconds: directory.seconds, peakMb: directory.peakMb },
    first: { seconds: first.seconds, peakMb: first.peakMb, done },
    second: { seconds: second.seconds, peakMb: second.peakMb },
    report: { seconds: report.seconds, peakMb: report.peakMb, verified },
    requests,
    throttled: graph.intuneThrottled(),
  });
} finally {
  await graph.close();
  await rm(base, { recursive: true, force: true });
}
