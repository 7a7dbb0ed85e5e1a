import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IntuneOptions, intuneInventory } from '../../adapters/intune/graph-inventory.ts';
import { appMatcher, watchedApps } from '../../src/core/inventory.ts';
import { loadPack } from '../support/bot.ts';
import { type FakeGraph, type IntuneDetectedApp, type IntuneDevice, startFakeGraph } from '../support/fake-graph.ts';

const policy = loadPack('ec-2023-tiktok.yaml');
const match = appMatcher(policy);
const watched = watchedApps(policy);

/** `n` managed devices: every third personal, the rest corporate, all synced. */
const fleet = (n: number, from = 0): IntuneDevice[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      id: `dev-${i}`,
      deviceName: `EC-LAPTOP-${i}`,
      operatingSystem: i % 2 ? 'iOS' : 'Windows',
      osVersion: '17.5',
      userPrincipalName: `Person.${i}@ec.example.onmicrosoft.com`,
      emailAddress: `Person.${i}@ec.europa.eu`,
      managedDeviceOwnerType: i % 3 ? 'company' : 'personal',
      lastSyncDateTime: '2026-11-30T08:00:00Z',
      serialNumber: `SN${i}`,
    };
  });
/** Detected app records of apps no rule of the pack prohibits (nor knows). */
const otherApps = (n: number): IntuneDetectedApp[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `other-${i}`,
    displayName: `Line of Business App ${i}`,
    version: '1.0',
    deviceIds: ['dev-0'],
  }));
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `dev-${from + i}`);

let graph: FakeGraph;
let slept: number[];
let logs: string[];
/** Virtual time on top of the real clock: the reader's sleeps move it, and the fake's Intune limit reads it. */
let skew: number;
const now = () => Date.now() + skew;

beforeEach(async () => {
  slept = [];
  logs = [];
  skew = 0;
  graph = await startFakeGraph({ tenant: 'ec-tenant', clientId: 'app-ec', clientSecret: 'the-real-secret-value', intune: { now } });
});
afterEach(() => graph.close());

const inventory = (overrides: Partial<IntuneOptions> = {}) =>
  intuneInventory({
    tenantId: graph.tenant,
    clientId: graph.clientId,
    clientSecret: graph.clientSecret,
    authorityHost: graph.authorityHost,
    graphUrl: graph.graphUrl,
    sleep: async (ms) => {
      slept.push(ms);
      skew += ms;
    },
    now,
    log: (line) => void logs.push(line),
    ...overrides,
  });
const read = (overrides: Partial<IntuneOptions> = {}) => inventory(overrides).read(match, watched);

const graphCalls = () => graph.callsTo(/^\/v1\.0\//);
const detectedAppsCalls = () => graph.callsTo(/^\/v1\.0\/deviceManagement\/detectedApps(\?|$)/);
const managedDevicesCalls = () => graph.callsTo(/^\/v1\.0\/deviceManagement\/managedDevices(\?|$)/);
const carryingCalls = (record: string) => graph.callsTo(new RegExp(`^/v1\\.0/deviceManagement/detectedApps/${record}/managedDevices`));
const tokenCalls = () => graph.callsTo(/\/oauth2\/v2\.0\/token(\?|$)/);

/** The read's error message, checked to hold no secret (the client secret, any access token), nor any log line. */
async function failure(reading: Promise<unknown>): Promise<string> {
  const error = await reading.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the read should have failed').toBeInstanceOf(Error);
  const secrets = [graph.clientSecret, ...graph.calls.flatMap((c) => (c.headers.authorization ? [c.headers.authorization.slice(7)] : []))];
  for (const text of [error?.message ?? '', ...logs]) for (const secret of secrets) expect(text).not.toContain(secret);
  return error?.message ?? '';
}

async function accessToken(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: graph.clientId,
    client_secret: graph.clientSecret,
    scope: `${graph.graphUrl}/.default`,
  });
  const answer = await fetch(`${graph.authorityHost}/${graph.tenant}/oauth2/v2.0/token`, { method: 'POST', body: form });
  return ((await answer.json()) as { access_token: string }).access_token;
}
const get = async (path: string, token: string) => {
  const answer = await fetch(`${graph.graphUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: (await answer.json()) as Record<string, unknown> };
};

describe('the fake Graph’s Intune endpoints', () => {
  it('page, project by $select, and refuse what Graph refuses: $top outside 1–999, an unknown property, an unknown detected app', async () => {
    graph.setManagedDevices(fleet(3));
    graph.setDetectedApps([{ id: 'tt-1', displayName: 'TikTok', version: '32.5.0', platform: 'ios', deviceIds: ['dev-1', 'dev-gone'] }]);
    const token = await accessToken();

    const first = await get('/v1.0/deviceManagement/managedDevices?$select=id,lastSyncDateTime&$top=2', token);
    expect(first.body.value).toEqual([
      { id: 'dev-0', lastSyncDateTime: '2026-11-30T08:00:00Z' },
      { id: 'dev-1', lastSyncDateTime: '2026-11-30T08:00:00Z' },
    ]);
    const next = String(first.body['@odata.nextLink']);
    expect(next).toMatch(/\/v1\.0\/deviceManagement\/managedDevices\?\$skiptoken=/);
    expect((await get(next.slice(graph.graphUrl.length), token)).body.value).toEqual([
      { id: 'dev-2', lastSyncDateTime: '2026-11-30T08:00:00Z' },
    ]);

    const apps = await get('/v1.0/deviceManagement/detectedApps?$select=id,displayName,version,platform,deviceCount', token);
    expect(apps.body.value).toEqual([{ id: 'tt-1', displayName: 'TikTok', version: '32.5.0', platform: 'ios', deviceCount: 2 }]);
    // A device Intune saw the app on but which has since left it is listed by its id alone.
    expect((await get('/v1.0/deviceManagement/detectedApps/tt-1/managedDevices?$select=id', token)).body.value).toEqual([
      { id: 'dev-1' },
      { id: 'dev-gone' },
    ]);

    for (const top of ['0', '1000', 'ten']) {
      const refused = await get(`/v1.0/deviceManagement/managedDevices?$top=${top}`, token);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'Request_UnsupportedQuery' });
    }
    const unknown = await get('/v1.0/deviceManagement/managedDevices?$select=id,lastSeen', token);
    expect([unknown.status, (unknown.body.error as { message: string }).message]).toEqual([
      400,
      "Could not find a property named 'lastSeen' on type 'microsoft.graph.managedDevice'.",
    ]);
    expect((await get('/v1.0/deviceManagement/detectedApps/no-such-app/managedDevices', token)).status).toBe(404);
    // A skip token of one listing is no good on another.
    expect((await get(`/v1.0/deviceManagement/detectedApps?${new URL(next).search.slice(1)}`, token)).status).toBe(400);
  });

  it('holds Intune’s limit per client on its own clock: past it, 429 TooManyRequests with Retry-After until the window has room', async () => {
    let at = 1_000_000;
    const limited = await startFakeGraph({ intune: { limit: { requests: 3, windowMs: 20_000 }, now: () => at } });
    try {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: limited.clientId,
        client_secret: limited.clientSecret,
        scope: `${limited.graphUrl}/.default`,
      });
      const token = (
        (await (await fetch(`${limited.authorityHost}/${limited.tenant}/oauth2/v2.0/token`, { method: 'POST', body: form })).json()) as {
          access_token: string;
        }
      ).access_token;
      const call = async (path: string) => {
        const answer = await fetch(`${limited.graphUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
        return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.json() };
      };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await call('/v1.0/deviceManagement/managedDevices')).status);
        at += 1_000;
      }
      const refused = await call('/v1.0/deviceManagement/detectedApps');
      expect(statuses).toEqual([200, 200, 200]);
      expect(refused).toMatchObject({ status: 429, retryAfter: '17', body: { error: { code: 'TooManyRequests' } } });
      // Other Graph paths are not Intune's to limit.
      expect((await call('/v1.0/users/delta')).status).toBe(200);
      at += 17_000;
      expect((await call('/v1.0/deviceManagement/detectedApps')).status).toBe(200);
      expect(limited.intuneThrottled()).toBe(1);
    } finally {
      await limited.close();
    }
  });
});

describe('intuneInventory: reading devices and the watched apps on them', () => {
  it('pages through each listing and finds each version of a watched app: two TikTok records, and Android’s package id', async () => {
    graph.setManagedDevices(fleet(250)); // 3 pages of 100
    graph.setDetectedApps([
      ...otherApps(60),
      { id: 'tt-32', displayName: 'TikTok', version: '32.5.0', platform: 'ios', deviceIds: ['dev-1', 'dev-2'] },
      { id: 'tt-33', displayName: 'TikTok', version: '33.1.0', platform: 'windows', deviceIds: ids(100, 250) }, // 2 pages
      {
        id: 'tt-android',
        displayName: 'com.zhiliaoapp.musically',
        version: '33.0.4',
        platform: 'androidWorkProfile',
        deviceIds: ['dev-4'],
      },
      { id: 'x-10', displayName: 'X (Twitter)', version: '10.2', platform: 'ios', deviceIds: ['dev-5'] },
      { id: 'ig-android', displayName: 'com.instagram.android', version: '300.0', platform: 'androidWorkProfile', deviceIds: ['dev-1'] },
    ]); // 65 records: 2 pages of 50

    const snapshot = await read();

    expect(detectedAppsCalls().map((c) => c.url)).toEqual([
      '/v1.0/deviceManagement/detectedApps?$select=id,displayName,version,platform,deviceCount',
      expect.stringMatching(/^\/v1\.0\/deviceManagement\/detectedApps\?\$skiptoken=/),
    ]);
    expect(managedDevicesCalls()[0]?.url).toBe(
      '/v1.0/deviceManagement/managedDevices?$select=id,deviceName,operatingSystem,userPrincipalName,emailAddress,managedDeviceOwnerType,lastSyncDateTime',
    );
    expect(managedDevicesCalls()).toHaveLength(3);
    expect(carryingCalls('tt-32').map((c) => c.url)).toEqual(['/v1.0/deviceManagement/detectedApps/tt-32/managedDevices?$select=id']);
    expect(carryingCalls('tt-33')).toHaveLength(2);
    expect(carryingCalls('tt-android')).toHaveLength(1);
    // Apps no rule prohibits (Twitter, Instagram: "under review") and apps the policy does not know: their devices are not asked for.
    expect([...carryingCalls('x-10'), ...carryingCalls('ig-android'), ...graph.callsTo(/detectedApps\/other-/)]).toEqual([]);

    expect(snapshot.source).toBe('intune');
    expect(snapshot.devices).toHaveLength(250);
    expect(snapshot.requests).toBe(2 + 1 + 2 + 1 + 3);
    expect(snapshot.requests).toBe(graphCalls().length);
    const appsOf = (id: string) => snapshot.devices.find((d) => d.id === `intune:${id}`)?.apps;
    expect(appsOf('dev-1')).toEqual([{ app: 'tiktok', reported: 'TikTok', version: '32.5.0' }]);
    expect(appsOf('dev-249')).toEqual([{ app: 'tiktok', reported: 'TikTok', version: '33.1.0' }]);
    expect(appsOf('dev-4')).toEqual([{ app: 'tiktok', reported: 'com.zhiliaoapp.musically', version: '33.0.4' }]);
    expect(appsOf('dev-5')).toEqual([]);
    expect(appsOf('dev-0')).toEqual([]);
    expect(snapshot.devices.filter((d) => d.apps.length)).toHaveLength(2 + 150 + 1);
  });

  it('maps each device: its id, name, system, owner, users and last sync', async () => {
    graph.setManagedDevices([
      fleet(2)[1] as IntuneDevice,
      {
        id: 'dev-personal',
        deviceName: 'Pixel 8',
        operatingSystem: 'Android',
        userPrincipalName: 'Matteo.Rossi@ec.europa.eu',
        emailAddress: 'matteo.rossi@EC.europa.eu',
        managedDeviceOwnerType: 'personal',
        lastSyncDateTime: '2026-11-29T17:45:12Z',
      },
      // Enrolled and never synced: Intune sends 0001-01-01T00:00:00Z, and no owner type it knows.
      { id: 'dev-new', deviceName: null, operatingSystem: 'macOS', userPrincipalName: 'zofia.nowak@ec.europa.eu', emailAddress: '' },
      {
        id: 'dev-kiosk',
        deviceName: 'KIOSK-01',
        operatingSystem: 'Windows',
        managedDeviceOwnerType: 'unknown',
        lastSyncDateTime: '2026-11-30T06:00:00Z',
      },
    ]);
    const token = await accessToken();
    const sent = await get('/v1.0/deviceManagement/managedDevices?$select=id,lastSyncDateTime,managedDeviceOwnerType', token);
    expect((sent.body.value as unknown[])[2]).toEqual({
      id: 'dev-new',
      lastSyncDateTime: '0001-01-01T00:00:00Z',
      managedDeviceOwnerType: 'unknown',
    });

    const { devices } = await read();

    expect(devices).toEqual([
      {
        id: 'intune:dev-1',
        source: 'intune',
        name: 'EC-LAPTOP-1',
        os: 'iOS',
        owner: 'corporate',
        users: ['person.1@ec.europa.eu', 'person.1@ec.example.onmicrosoft.com'],
        lastSync: '2026-11-30T08:00:00Z',
        apps: [],
      },
      {
        id: 'intune:dev-personal',
        source: 'intune',
        name: 'Pixel 8',
        os: 'Android',
        owner: 'personal',
        users: ['matteo.rossi@ec.europa.eu'],
        lastSync: '2026-11-29T17:45:12Z',
        apps: [],
      },
      {
        id: 'intune:dev-new',
        source: 'intune',
        name: 'dev-new',
        os: 'macOS',
        owner: 'unknown',
        users: ['zofia.nowak@ec.europa.eu'],
        apps: [],
      },
      {
        id: 'intune:dev-kiosk',
        source: 'intune',
        name: 'KIOSK-01',
        os: 'Windows',
        owner: 'unknown',
        users: [],
        lastSync: '2026-11-30T06:00:00Z',
        apps: [],
      },
    ]);
  });

  it('a policy that watches no app reads the devices alone', async () => {
    graph.setManagedDevices(fleet(3));
    graph.setDetectedApps([{ id: 'tt-32', displayName: 'TikTok', version: '32.5.0', deviceIds: ['dev-1'] }]);
    const snapshot = await inventory().read(() => undefined, []);
    expect(detectedAppsCalls()).toEqual([]);
    expect(snapshot).toMatchObject({ requests: 1, devices: [{ apps: [] }, { apps: [] }, { apps: [] }] });
  });
});

describe('intuneInventory: throttling, tokens, permissions, faults', () => {
  beforeEach(() => {
    graph.setManagedDevices(fleet(250));
    graph.setDetectedApps([{ id: 'tt-32', displayName: 'TikTok', version: '32.5.0', deviceIds: ['dev-1', 'dev-2'] }]);
  });

  it('429 with Retry-After: 3 waits 3000 ms (injected sleep) and finishes the read, the refused request counted', async () => {
    graph.fail({ path: /deviceManagement\/managedDevices\?\$skiptoken/, status: 429, retryAfter: 3 });
    const snapshot = await read();
    expect(slept).toEqual([3000]);
    expect(logs).toEqual([
      expect.stringMatching(/^intune: GET .*\/deviceManagement\/managedDevices: HTTP 429 TooManyRequests; attempt 2 of 5 in 3 s$/),
    ]);
    expect(snapshot.devices).toHaveLength(250);
    expect(snapshot.requests).toBe(1 + 1 + 3 + 1);
  });

  it('a token that expires mid-read (401) is renewed once, and the read finishes', async () => {
    graph.fail({ path: /detectedApps\/tt-32\/managedDevices/, expireTokens: true });
    const snapshot = await read();
    expect(carryingCalls('tt-32').map((c) => c.status)).toEqual([401, 200]);
    expect(tokenCalls()).toHaveLength(2);
    expect(snapshot.devices.filter((d) => d.apps.length).map((d) => d.id)).toEqual(['intune:dev-1', 'intune:dev-2']);
  });

  it('403 names the application permission Intune needs, DeviceManagementManagedDevices.Read.All', async () => {
    graph.fail({ path: /deviceManagement\/detectedApps/, status: 403 });
    const message = await failure(read());
    expect(message).toBe(
      `Microsoft Graph refused GET ${graph.graphUrl}/v1.0/deviceManagement/detectedApps (403 Authorization_RequestDenied: Insufficient privileges to complete the operation.): the app registration needs the application permission DeviceManagementManagedDevices.Read.All, with admin consent; the device inventory was not read and nothing was changed`,
    );
    expect(slept).toEqual([]);
  });

  it('page 2 of the devices failing 5 times fails the whole read, naming the URL path and without the secret', async () => {
    graph.fail({ path: /deviceManagement\/managedDevices\?\$skiptoken/, status: 503, times: 5 });
    const message = await failure(read());
    expect(message).toBe(
      `Microsoft Graph: GET ${graph.graphUrl}/v1.0/deviceManagement/managedDevices failed 5 times, the last with HTTP 503 serviceNotAvailable; the device inventory was not read and nothing was changed`,
    );
    expect(slept).toEqual([1000, 2000, 4000, 8000]);
  });

  it('a detected app record gone mid-read (404) fails the read: its devices may be listed under a new record', async () => {
    graph.fail({ path: /detectedApps\/tt-32\/managedDevices/, status: 404, code: 'ResourceNotFound', message: 'Not found.' });
    const message = await failure(read());
    expect(message).toMatch(
      /^Intune's detected app TikTok 32\.5\.0 \(record tt-32\) went away during the read \(404 at GET https:\/\/127\.0\.0\.1:\d+\/v1\.0\/deviceManagement\/detectedApps\/tt-32\/managedDevices\): .*; the device inventory was not read and nothing was changed$/,
    );
  });

  it('a wrong client secret fails with Entra’s reason, for the device inventory, without the secret', async () => {
    const message = await failure(read({ clientSecret: 'wrong-secret-value' }));
    expect(message).toMatch(
      /^Entra gave no token for Microsoft Graph .*invalid_client: AADSTS7000215.*; the device inventory was not read and nothing was changed$/,
    );
    expect(message).not.toContain('wrong-secret-value');
    expect(graphCalls()).toEqual([]);
  });
});

describe('intuneInventory: the client’s pacing against Intune’s limit', () => {
  it('a read of 2,500 requests stays under the fake’s 2,000 per 20 s: no 429, paced at 1,000 per 20 s', async () => {
    graph.setIntunePageSizes({ detectedApps: 1, managedDevices: 1 });
    graph.setManagedDevices(fleet(2_400)); // 2,400 pages
    graph.setDetectedApps([
      ...otherApps(58),
      { id: 'tt-32', displayName: 'TikTok', version: '32.5.0', deviceIds: ids(0, 20) },
      { id: 'tt-33', displayName: 'TikTok', version: '33.1.0', deviceIds: ids(20, 40) },
    ]); // 60 pages, then 20 + 20

    const start = now();
    const snapshot = await read();
    const took = now() - start;

    expect(snapshot.requests).toBe(2_500);
    expect(graphCalls().filter((c) => c.status !== 200)).toEqual([]);
    expect(graph.intuneThrottled()).toBe(0);
    expect(snapshot.devices).toHaveLength(2_400);
    expect(snapshot.devices.filter((d) => d.apps.length)).toHaveLength(40);
    // Request 2,001 went out no sooner than 20 s after request 1,001, and that one 20 s after the first:
    // the read took 40 s on the shared clock, real time and waits together, and waited only when it had to.
    expect(took).toBeGreaterThanOrEqual(40_000);
    expect(slept.length).toBeGreaterThan(0);
    expect(logs).toEqual([]);
  }, 60_000);
});
