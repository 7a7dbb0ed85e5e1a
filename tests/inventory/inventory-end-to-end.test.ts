import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { openLowdbStoreReadOnly } from '../../storage/lowdb/index.ts';
import { cli, tempDir } from '../support/cli.ts';
import { startFakeGraph, type FakeGraph, type IntuneDevice } from '../support/fake-graph.ts';
import { startFakeJamf, type FakeJamf } from '../support/fake-jamf.ts';

/**
 * `appwarden inventory sync` as an administrator runs it: the real Intune reader (MSAL, Graph) against
 * the fake Microsoft Graph, the real Jamf Pro reader against the fake Jamf Pro, both over HTTPS on
 * loopback, the embedded store on disk; then what the report, the CSV and `check` say.
 */
let graph: FakeGraph | undefined;
let jamf: FakeJamf | undefined;
afterEach(async () => {
  await graph?.close();
  await jamf?.close();
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function setUp() {
  graph = await startFakeGraph({ tenant: 'agency-tenant', clientId: 'app-1', clientSecret: 's3cret-value' });
  jamf = await startFakeJamf({ clientId: 'jamf-client', clientSecret: 'jamf-s3cret' });
  const dir = await tempDir();
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  for (const p of policy.people) p.email = `${p.id}@agency.gov`;
  policy.inventory = { every_minutes: 0, stale_after_days: 7, intune: true, jamf: true };
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  // Intune: Pierre's work phone has TikTok in two versions' records (one each device), Sam's is clean,
  // Olivia's has been silent for three weeks; Akiko's phone is her own (personal: never shown clean).
  graph.setManagedDevices([
    device('d-pierre', 'iPhone de Pierre', 'pierre', 'company', hoursAgo(2)),
    device('d-pierre-2', 'Pixel de Pierre', 'pierre', 'company', hoursAgo(3), 'Android'),
    device('d-sam', 'iPhone de Sam', 'sam', 'company', hoursAgo(5)),
    device('d-olivia', 'iPad d’Olivia', 'olivia', 'company', hoursAgo(21 * 24)),
    device('d-akiko', 'Akiko’s iPhone', 'akiko', 'personal', hoursAgo(1)),
  ]);
  graph.setDetectedApps([
    { id: 'app-tiktok-34', displayName: 'TikTok', version: '34.1', platform: 'ios', deviceIds: ['d-pierre'] },
    {
      id: 'app-tiktok-android',
      displayName: 'com.zhiliaoapp.musically',
      version: '33.9',
      platform: 'androidDeviceAdministrator',
      deviceIds: ['d-pierre-2'],
    },
    { id: 'app-teams', displayName: 'Microsoft Teams', version: '6.1', platform: 'ios', deviceIds: ['d-pierre', 'd-sam'] },
  ]);
  // Jamf: Sam's iPad carries TikTok under its bundle id, shown by another name.
  jamf.setDevices([
    {
      id: '7',
      name: 'iPad de Sam',
      ownership: 'Institutional',
      lastInventoryUpdate: hoursAgo(1),
      email: 'sam@agency.gov',
      apps: [{ identifier: 'com.zhiliaoapp.musically', name: '抖音', version: '34.0.1', shortVersion: '34.0' }],
    },
  ]);
  const env = {
    POLICY_FILE: join(dir, 'policy.yaml'),
    DATA_DIR: join(dir, 'data'),
    AZURE_TENANT_ID: 'agency-tenant',
    AZURE_CLIENT_ID: 'app-1',
    AZURE_CLIENT_SECRET: 's3cret-value',
    AZURE_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_API_URL: graph.graphUrl,
    JAMF_URL: jamf.url,
    JAMF_CLIENT_ID: 'jamf-client',
    JAMF_CLIENT_SECRET: 'jamf-s3cret',
  };
  return { env };
}

function device(
  id: string,
  deviceName: string,
  person: string,
  owner: IntuneDevice['managedDeviceOwnerType'],
  lastSync: string,
  operatingSystem = 'iOS',
): IntuneDevice {
  return {
    id,
    deviceName,
    operatingSystem,
    userPrincipalName: `${person}@agency.onmicrosoft.com`,
    emailAddress: `${person}@agency.gov`,
    managedDeviceOwnerType: owner,
    lastSyncDateTime: lastSync,
  };
}

const sync = async (env: Record<string, string>) => {
  const run = await cli(['--json', 'inventory', 'sync'], env);
  return { ...run, done: run.code === 0 ? JSON.parse(run.stdout) : undefined };
};

describe('inventory sync from Intune and Jamf Pro', () => {
  it('reads both, and the report leads with verified figures naming who still has the app and where', async () => {
    const { env } = await setUp();
    const first = await sync(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.done).toMatchObject({
      devices: 6,
      carrying: 3,
      sources: [
        { source: 'intune', devices: 5 },
        { source: 'jamf', devices: 1 },
      ],
    });
    const report = await cli(['--as', 'olivia', 'report', 'compliance', 'demo-tiktok'], env);
    expect(report.stdout).toMatch(/Device inventory: Intune as of .*; Jamf Pro as of /);
    // Pierre and Sam still have it (on three devices); Olivia's iPad is silent; Akiko has only a personal phone.
    expect(report.stdout).toContain(
      'Verified by device inventory: 0 verified clean, 2 still installed on 3 devices, 0 attested without a managed device, 1 silent (no report for 7 days).',
    );
    expect(report.stdout).toMatch(
      /Pierre Martin: “iPhone de Pierre” \(Intune\): TikTok 34\.1 still installed.*“Pixel de Pierre” \(Intune\): com\.zhiliaoapp\.musically 33\.9/,
    );
    expect(report.stdout).toMatch(/Sam Lee: “iPad de Sam” \(Jamf Pro\): com\.zhiliaoapp\.musically 34\.0 still installed/);

    const json = JSON.parse((await cli(['--json', '--as', 'olivia', 'report', 'compliance', 'demo-tiktok'], env)).stdout);
    const rows = (json.data ?? json) as {
      person: string;
      verified: string;
      devices: { source: string; name: string; owner: string; status: string }[];
    }[];
    const of = (person: string) => rows.find((r) => r.person === person);
    expect(
      of('sam')
        ?.devices.map((d) => `${d.source}:${d.name}:${d.status}`)
        .sort(),
    ).toEqual(['intune:iPhone de Sam:absent', 'jamf:iPad de Sam:installed']);
    expect(of('akiko')).toMatchObject({ verified: 'no-device', devices: [{ owner: 'personal', status: 'no-device' }] });
    expect(of('olivia')).toMatchObject({ verified: 'stale' });

    const csv = await cli(['--as', 'olivia', 'report', 'compliance', 'demo-tiktok', '--format', 'csv'], env);
    expect(csv.stdout).toMatch(/^rule,person,name,unit,attested,attested_on,attested_at,statement,exception,verified,devices/m);
    expect(csv.stdout).toMatch(/pierre,Pierre Martin.*,installed,.*iPhone de Pierre \[intune, corporate\]: installed 34\.1/);

    const check = await cli(['--as', 'pierre', 'check', 'tiktok'], env);
    expect(check.stdout).toMatch(/Intune still sees TikTok 34\.1 on your device “iPhone de Pierre”/);
  });

  it('Pierre attests, his phone still reports TikTok after: flagged, and told once', async () => {
    const { env } = await setUp();
    expect((await cli(['--as', 'pierre', 'attest', 'tiktok'], env)).code).toBe(0);
    // The phone reports after the attestation.
    graph!.setManagedDevices([device('d-pierre', 'iPhone de Pierre', 'pierre', 'company', new Date(Date.now() + 60_000).toISOString())]);
    jamf!.setDevices([]);
    const first = await sync(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.done.flagged).toBe(2); // the TikTok ban and the recreational-apps rule
    const dms = async () => (await stored(env)).outbox.filter((o) => JSON.stringify(o).includes('still saw'));
    expect(await dms()).toHaveLength(1);
    expect(JSON.stringify((await dms())[0])).toContain('iPhone de Pierre');
    const again = await sync(env);
    expect(again.done.flagged).toBe(0);
    expect(await dms()).toHaveLength(1);
  });

  it('a fault mid-sync (Jamf refuses) changes nothing: the earlier evidence stays and the reason is said', async () => {
    const { env } = await setUp();
    expect((await sync(env)).code).toBe(0);
    const before = await stored(env);
    graph!.setManagedDevices([]);
    jamf!.fail({ path: /mobile-devices\/detail/, status: 403 });
    const failed = await sync(env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/jamf could not be read, nothing was changed: .*Read Mobile Devices/);
    expect(failed.stderr).not.toContain('jamf-s3cret');
    const after = await stored(env);
    expect(after.seq).toBe(before.seq);
    expect(after.devices).toEqual(before.devices);
  });
});

/** What the data directory holds now, read as another process would. */
async function stored(env: Record<string, string>) {
  const store = await openLowdbStoreReadOnly({ dir: env.DATA_DIR!, log: () => {} });
  try {
    return { seq: store.seq, devices: store.list('devices'), outbox: store.list('outbox') };
  } finally {
    await store.close();
  }
}
