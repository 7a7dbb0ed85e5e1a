import { Agent, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jamfInventory, type JamfOptions, MAX_PAGES_PER_READ } from '../../adapters/jamf/jamf-inventory.ts';
import { appMatcher, watchedApps } from '../../src/core/inventory.ts';
import { AppWardenError } from '../../src/core/result.ts';
import { loadPack } from '../support/bot.ts';
import { type FakeJamf, type JamfDevice, startFakeJamf } from '../support/fake-jamf.ts';

// The European Commission's pack: TikTok is prohibited; Instagram and X are listed but not.
const policy = loadPack('ec-2023-tiktok.yaml');
const match = appMatcher(policy);
const watched = watchedApps(policy);

const fleet = (n: number, from = 1): JamfDevice[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(from + i),
    name: `iPhone ${from + i}`,
    osVersion: '17.4',
    email: `Person.${from + i}@EC.europa.eu`,
    apps: [{ identifier: 'com.apple.mobilesafari', name: 'Safari', version: '17.4', shortVersion: '17.4' }],
  }));

let jamf: FakeJamf;
let slept: number[];
let logs: string[];

beforeEach(async () => {
  jamf = await startFakeJamf({ clientId: 'appwarden-inventory', clientSecret: 'the-real-jamf-secret' });
  slept = [];
  logs = [];
});
afterEach(() => jamf.close());

const inventory = (overrides: Partial<JamfOptions> = {}) =>
  jamfInventory({
    url: jamf.url,
    clientId: jamf.clientId,
    clientSecret: jamf.clientSecret,
    sleep: async (ms) => void slept.push(ms),
    log: (line) => void logs.push(line),
    ...overrides,
  });
const read = (overrides: Partial<JamfOptions> = {}) => inventory(overrides).read(match, watched);

const deviceCalls = () => jamf.callsTo(/^\/api\/v2\/mobile-devices\/detail/);
const tokenCalls = () => jamf.callsTo(/^\/api\/oauth\/token$/);
/** The client secret and every token the fake was shown: none may appear in a message or a log line. */
const secrets = () => [
  jamf.clientSecret,
  'wrong-jamf-secret',
  ...jamf.calls.flatMap((c) => (c.headers.authorization ? [c.headers.authorization.slice(7)] : [])),
];
async function failure(reading: Promise<unknown>): Promise<AppWardenError> {
  const error = await reading.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the read should have failed').toBeInstanceOf(AppWardenError);
  const { message } = error as AppWardenError;
  expect(message).toMatch(/; the device inventory was not read and nothing was changed$/);
  for (const secret of secrets()) expect(message).not.toContain(secret);
  for (const line of logs) for (const secret of secrets()) expect(line).not.toContain(secret);
  return error as AppWardenError;
}
async function tokenFor(fake: FakeJamf): Promise<string> {
  const form = new URLSearchParams({ client_id: fake.clientId, client_secret: fake.clientSecret, grant_type: 'client_credentials' });
  const answer = await fetch(`${fake.url}/api/oauth/token`, { method: 'POST', body: form });
  return ((await answer.json()) as { access_token: string }).access_token;
}

describe('the fake Jamf Pro over HTTPS', () => {
  it('answers like Jamf: 401 without a token, 400 for a page size over 2000, GENERAL only without sections', async () => {
    jamf.setDevices(fleet(1));
    const none = await fetch(`${jamf.url}/api/v2/mobile-devices/detail`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ httpStatus: 401, errors: [] });

    const headers = { Authorization: `Bearer ${await tokenFor(jamf)}` };
    const tooMany = await fetch(`${jamf.url}/api/v2/mobile-devices/detail?page-size=2001`, { headers });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).errors[0]).toMatchObject({ code: 'INVALID_FIELD', field: 'page-size' });

    const plain = await (await fetch(`${jamf.url}/api/v2/mobile-devices/detail`, { headers })).json();
    expect(plain.totalCount).toBe(1);
    expect(plain.results[0]).toMatchObject({ mobileDeviceId: '1', general: { displayName: 'iPhone 1' }, applications: null });
  });

  it('gives tokens only for the right client, form-encoded', async () => {
    const wrong = new URLSearchParams({ client_id: jamf.clientId, client_secret: 'nope', grant_type: 'client_credentials' });
    const refused = await fetch(`${jamf.url}/api/oauth/token`, { method: 'POST', body: wrong });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'invalid_client' });
    const json = await fetch(`${jamf.url}/api/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: jamf.clientId, client_secret: jamf.clientSecret, grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
  });
});

describe('jamfInventory: devices, owners, users and apps', () => {
  it('reads every page: 1,201 devices at 500 a page are 3 pages and a token, sorted by id, with the three sections', async () => {
    jamf.setDevices(fleet(1201));
    const snapshot = await read();

    expect(snapshot).toMatchObject({ source: 'jamf', requests: 4 });
    expect(snapshot.devices).toHaveLength(1201);
    expect(deviceCalls().map((c) => c.url)).toEqual(
      [0, 1, 2].map(
        (page) =>
          `/api/v2/mobile-devices/detail?section=GENERAL&section=USER_AND_LOCATION&section=APPLICATIONS&page=${page}&page-size=500&sort=mobileDeviceId%3Aasc`,
      ),
    );
    expect(tokenCalls()[0]?.form).toEqual({
      client_id: 'appwarden-inventory',
      client_secret: 'the-real-jamf-secret',
      grant_type: 'client_credentials',
    });
    expect(tokenCalls()[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(snapshot.devices[0]).toEqual({
      id: 'jamf:1',
      source: 'jamf',
      name: 'iPhone 1',
      os: 'iOS 17.4',
      owner: 'corporate',
      users: ['person.1@ec.europa.eu'],
      lastSync: '2026-12-01T09:00:00.000Z',
      apps: [],
    });
    expect(logs).toEqual([]);
  });

  it('finds TikTok by its bundle id under another displayed name, and by its name alone; other apps are dropped', async () => {
    jamf.setDevices([
      {
        id: '7',
        name: 'Comms iPad',
        deviceType: 'iPadOS',
        apps: [
          { identifier: 'com.zhiliaoapp.musically', name: 'Short Videos', version: '34.1.0', shortVersion: '34.1' },
          { identifier: 'com.burbn.instagram', name: 'Instagram', shortVersion: '320.0' },
          { identifier: 'com.apple.mobilesafari', name: 'Safari' },
        ],
      },
      { id: '8', name: 'Sideloaded', apps: [{ identifier: null, name: 'TikTok', version: '33.9.2', shortVersion: null }] },
    ]);
    const { devices } = await read();

    expect(devices.map((d) => d.apps)).toEqual([
      [{ app: 'tiktok', reported: 'com.zhiliaoapp.musically', version: '34.1' }],
      [{ app: 'tiktok', reported: 'TikTok', version: '33.9.2' }],
    ]);
    expect(devices[0]?.os).toBe('iPadOS');
  });

  it('maps Jamf’s ownership types: institutional and account-driven device enrolment are corporate, user enrolments personal', async () => {
    const owners: [string | null, string][] = [
      ['Institutional', 'corporate'],
      ['AccountDrivenDeviceEnrollment', 'corporate'],
      ['PersonalDeviceProfile', 'personal'],
      ['UserEnrollment', 'personal'],
      ['AccountDrivenUserEnrollment', 'personal'],
      [null, 'unknown'],
      ['Shared', 'unknown'],
    ];
    jamf.setDevices(owners.map(([ownership], i) => ({ id: String(i + 1), ownership })));
    // An unmanaged device is still reported, as the owner Jamf gives.
    jamf.updateDevice('8', { ownership: 'Institutional', managed: false, lastInventoryUpdate: null });
    const { devices } = await read();
    expect(devices.map((d) => d.owner)).toEqual([...owners.map(([, owner]) => owner), 'corporate']);
    expect(devices.at(-1)).toMatchObject({ id: 'jamf:8', name: 'mobile device 8' });
    expect(devices.at(-1)?.lastSync).toBeUndefined();
  });

  it('knows a device’s users by email: the email address, and the username when it is one, lowercased once each', async () => {
    jamf.setDevices([
      { id: '1', email: 'Matteo.Rossi@EC.europa.eu', username: 'matteo.rossi@ec.europa.eu', realName: 'Matteo Rossi' },
      { id: '2', email: null, username: 'Zofia.Nowak@ec.europa.eu' },
      { id: '3', email: ' ', username: 'znowak' },
      { id: '4', email: 'shared.ipad@ec.europa.eu', username: 'Ingrid.Vandenberghe@ec.europa.eu' },
    ]);
    const { devices } = await read();
    expect(devices.map((d) => d.users)).toEqual([
      ['matteo.rossi@ec.europa.eu'],
      ['zofia.nowak@ec.europa.eu'],
      [],
      ['shared.ipad@ec.europa.eu', 'ingrid.vandenberghe@ec.europa.eu'],
    ]);
  });

  it('a device enrolled while paging shifts the pages: the device listed twice counts once', async () => {
    jamf.setDevices(fleet(4, 10));
    // Enrolled between the first page and the second, with an id before them all: device 11 is listed on both.
    jamf.fail({ path: /page=1&/, before: () => jamf.updateDevice('5', { name: 'Late' }) });
    const { devices } = await read({ pageSize: 2 });
    expect(devices.map((d) => d.id)).toEqual(['jamf:10', 'jamf:11', 'jamf:12', 'jamf:13']);
    expect(deviceCalls()).toHaveLength(3);
    expect(logs).toEqual([expect.stringMatching(/the device list changed while it was read \(4 then 5 devices\)/)]);
  });

  it('every call goes through the dispatcher given (a proxy agent)', async () => {
    jamf.setDevices(fleet(3));
    const dispatched: string[] = [];
    class CountingAgent extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched.push(String(options.path));
        return super.dispatch(options, handler);
      }
    }
    const agent = new CountingAgent();
    await read({ dispatcher: agent, pageSize: 2 });
    await agent.close();
    expect(dispatched).toEqual(jamf.calls.map((c) => c.url));
    expect(dispatched).toHaveLength(3);
  });

  it(`refuses a read of more than ${MAX_PAGES_PER_READ} pages`, async () => {
    jamf.setDevices(fleet(MAX_PAGES_PER_READ + 1));
    const error = await failure(read({ pageSize: 1 }));
    expect(error.code).toBe('jamf.too_many_pages');
    expect(error.message).toMatch(/more than 1000 pages of 1 mobile devices in one read/);
    expect(deviceCalls()).toHaveLength(MAX_PAGES_PER_READ);
  });
});

describe('jamfInventory: tokens', () => {
  it('renews the token before it expires: a read that outlasts it asks for another, and no call is refused', async () => {
    jamf.setDevices(fleet(5));
    // Each look at the clock is 20 s later: a 60 s token, renewed 10 s early, serves two pages.
    let clock = Date.parse('2026-12-03T09:00:00Z');
    const snapshot = await read({ pageSize: 1, now: () => (clock += 20_000) });
    expect(snapshot.devices).toHaveLength(5);
    expect(deviceCalls().map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    expect(tokenCalls()).toHaveLength(2);
  });

  it('keeps the token while it is good: two reads, one token', async () => {
    jamf.setDevices(fleet(3));
    const reader = inventory();
    await reader.read(match, watched);
    expect((await reader.read(match, watched)).requests).toBe(1);
    expect(tokenCalls()).toHaveLength(1);
  });

  it('a token that expires mid-read (401) is renewed once, and the read finishes', async () => {
    jamf.setDevices(fleet(5));
    jamf.fail({ path: /page=1&/, before: jamf.expireTokens });
    const snapshot = await read({ pageSize: 2 });
    expect(snapshot.devices).toHaveLength(5);
    expect(deviceCalls().map((c) => c.status)).toEqual([200, 401, 200, 200]);
    expect(tokenCalls()).toHaveLength(2);
    expect(slept).toEqual([]);
  });

  it('a 401 even with a new token is an error, not a loop', async () => {
    jamf.setDevices(fleet(2));
    jamf.fail({ path: /mobile-devices/, status: 401, times: 2 });
    const error = await failure(read());
    expect(error.code).toBe('jamf.unauthorized');
    expect(error.message).toMatch(
      /^Jamf Pro refused a new token for GET https:\/\/127\.0\.0\.1:\d+\/api\/v2\/mobile-devices\/detail \(401/,
    );
    expect(tokenCalls()).toHaveLength(2);
  });

  it('a wrong secret fails naming the client and what to check, without the secret in the message or the logs', async () => {
    jamf.setDevices(fleet(2));
    const error = await failure(read({ clientSecret: 'wrong-jamf-secret' }));
    expect(error.code).toBe('jamf.credentials_refused');
    expect(error.message).toMatch(
      /^Jamf Pro gave no token to API client appwarden-inventory at https:\/\/127\.0\.0\.1:\d+ \(401 invalid_client\)/,
    );
    expect(error.message).toMatch(/the client is enabled .*JAMF_CLIENT_SECRET is its current secret/);
    expect(tokenCalls().map((c) => c.status)).toEqual([401]);
    expect(deviceCalls()).toEqual([]);
    expect(slept).toEqual([]);
  });

  it('a token request that never answers times out and is retried', async () => {
    jamf.setDevices(fleet(2));
    jamf.fail({ path: /oauth\/token/, hang: true });
    expect((await read({ timeoutMs: 200 })).devices).toHaveLength(2);
    expect(slept).toEqual([1000]);
    expect(logs).toEqual([expect.stringMatching(/POST .*\/api\/oauth\/token: no answer within 200 ms; attempt 2 of 5 in 1 s/)]);
  });
});

describe('jamfInventory: throttling, outages, refusals', () => {
  it('429 with Retry-After: 3 waits 3000 ms (injected sleep) and finishes the read', async () => {
    jamf.setDevices(fleet(5));
    jamf.fail({ path: /page=1&/, status: 429, retryAfter: 3 });
    const snapshot = await read({ pageSize: 2 });
    expect(snapshot.devices).toHaveLength(5);
    expect(slept).toEqual([3000]);
    expect(snapshot.requests).toBe(5);
    expect(logs).toEqual([
      expect.stringMatching(/mobile-devices\/detail: HTTP 429 TOO_MANY_REQUESTS: Too many requests\.; attempt 2 of 5 in 3 s$/),
    ]);
  });

  it('503 five times gives up naming the URL, backing off 1 s, 2 s, 4 s, 8 s', async () => {
    jamf.setDevices(fleet(2));
    jamf.fail({ path: /mobile-devices/, status: 503, times: 5 });
    const error = await failure(read());
    expect(error.code).toBe('jamf.unavailable');
    expect(error.message).toBe(
      `Jamf Pro: GET ${jamf.url}/api/v2/mobile-devices/detail failed 5 times, the last with HTTP 503 SERVICE_UNAVAILABLE: Service Unavailable; the device inventory was not read and nothing was changed`,
    );
    expect(slept).toEqual([1000, 2000, 4000, 8000]);
    expect(deviceCalls()).toHaveLength(5);
  });

  it('a Retry-After longer than maxWaitMs gives up at once', async () => {
    jamf.fail({ path: /mobile-devices/, status: 503, retryAfter: 300 });
    const error = await failure(read({ maxWaitMs: 60_000 }));
    expect(error.message).toMatch(/asked to wait 300 s, more than the 60 s AppWarden waits/);
    expect(slept).toEqual([]);
  });

  it('a page that never answers times out and is retried; five in a row give a clear error', async () => {
    jamf.setDevices(fleet(3));
    jamf.fail({ path: /page=1&/, hang: true });
    expect((await read({ pageSize: 2, timeoutMs: 200 })).devices).toHaveLength(3);
    expect(slept).toEqual([1000]);
    expect(logs).toEqual([expect.stringMatching(/mobile-devices\/detail: no answer within 200 ms; attempt 2 of 5/)]);

    jamf.fail({ path: /mobile-devices/, hang: true, times: 5 });
    const error = await failure(read({ timeoutMs: 200 }));
    expect(error.message).toMatch(/mobile-devices\/detail failed 5 times, the last with no answer within 200 ms; /);
  });

  it('403 INVALID_PRIVILEGE names the privilege the API role needs, and is not retried', async () => {
    jamf.setDevices(fleet(2));
    jamf.setPrivileges(['Read Computers']);
    const error = await failure(read());
    expect(error.code).toBe('jamf.forbidden');
    expect(error.message).toBe(
      `Jamf Pro refused GET ${jamf.url}/api/v2/mobile-devices/detail (403 INVALID_PRIVILEGE: Forbidden): the API client's role needs the privilege "Read Mobile Devices"; the device inventory was not read and nothing was changed`,
    );
    expect(deviceCalls()).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('another 4xx is final, with the path, the status and Jamf’s code', async () => {
    jamf.fail({ path: /mobile-devices/, status: 400, code: 'INVALID_FIELD', description: 'Invalid section' });
    const error = await failure(read());
    expect(error.code).toBe('jamf.refused');
    expect(error.message).toMatch(
      /^Jamf Pro refused GET https:\/\/127\.0\.0\.1:\d+\/api\/v2\/mobile-devices\/detail \(400 INVALID_FIELD: Invalid section\)/,
    );
    expect(deviceCalls()).toHaveLength(1);
  });

  it('a redirect elsewhere is not followed: the token never leaves for another server', async () => {
    const elsewhere = await startFakeJamf();
    try {
      jamf.fail({ path: /mobile-devices/, status: 307, headers: { Location: `${elsewhere.url}/api/v2/mobile-devices/detail?page=0` } });
      const error = await failure(read());
      expect(error.code).toBe('jamf.redirected');
      expect(error.message).toContain(
        `redirected (HTTP 307) to ${elsewhere.url}/api/v2/mobile-devices/detail, which AppWarden does not follow`,
      );
      expect(elsewhere.calls).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});
