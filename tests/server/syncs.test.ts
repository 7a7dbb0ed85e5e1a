import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { tempDir } from '../support/cli.ts';
import { startFakeGraph, TEST_CERT_PATH, type FakeGraph } from '../support/fake-graph.ts';
import { startFakeJamf, type FakeJamf } from '../support/fake-jamf.ts';
import { startServer } from '../support/server-process.ts';

let graph: FakeGraph | undefined;
let jamf: FakeJamf | undefined;
afterEach(async () => {
  await graph?.close();
  await jamf?.close();
});

describe('npm start with a directory and a device inventory', () => {
  it('reads the directory at start, then the inventory (people first: devices are joined to them), and says how often', async () => {
    graph = await startFakeGraph({ tenant: 'agency-tenant', clientId: 'app-1', clientSecret: 's3cret-value' });
    jamf = await startFakeJamf({ clientId: 'jamf-client', clientSecret: 'jamf-s3cret' });
    graph.setUsers([
      { id: 'e-nora', displayName: 'Nora Quist', mail: 'nora@agency.gov', department: 'Communications', accountEnabled: true },
    ]);
    graph.setManagedDevices([
      {
        id: 'd-nora',
        deviceName: 'iPhone de Nora',
        operatingSystem: 'iOS',
        emailAddress: 'nora@agency.gov',
        userPrincipalName: 'nora@agency.onmicrosoft.com',
        managedDeviceOwnerType: 'company',
        lastSyncDateTime: new Date().toISOString(),
      },
    ]);
    graph.setDetectedApps([{ id: 'a-1', displayName: 'TikTok', version: '34.1', platform: 'ios', deviceIds: ['d-nora'] }]);
    jamf.setDevices([{ id: '1', name: 'iPad', email: 'nora@agency.gov', lastInventoryUpdate: new Date().toISOString() }]);
    const dir = await tempDir();
    const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
    policy.directory = { every_minutes: 30, entra: { units_by_department: { Communications: 'demo/comms' } } };
    policy.inventory = { every_minutes: 120, intune: true, jamf: true };
    await writeFile(join(dir, 'policy.yaml'), stringify(policy));
    const s = startServer({
      PORT: '0',
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
      NODE_EXTRA_CA_CERTS: TEST_CERT_PATH,
    });
    await s.listening;
    await s.waitForOutput(/inventory: Device inventory synced/);
    const out = s.out();
    expect(out).toMatch(/directory: entra, read every 30 min/);
    expect(out).toMatch(/inventory: intune, jamf, read every 120 min/);
    expect(out).toMatch(/directory: Directory synced: 1 added/);
    expect(out).toMatch(/inventory: Device inventory synced from Intune, Jamf Pro: 2 devices, 1 carrying a prohibited app/);
    // The directory was read before the inventory.
    const firstDelta = graph.calls.findIndex((c) => c.path === '/v1.0/users/delta');
    const firstDevices = graph.calls.findIndex((c) => c.path.startsWith('/v1.0/deviceManagement/'));
    expect(firstDelta).toBeGreaterThanOrEqual(0);
    expect(firstDevices).toBeGreaterThan(firstDelta);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
