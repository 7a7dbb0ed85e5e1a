import { Agent, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EntraOptions, entraDirectory, MAX_PAGES_PER_ROUND } from '../../adapters/entra/graph-directory.ts';
import { applySnapshots } from '../../src/core/directory.ts';
import { type FakeGraph, type GraphUser, startFakeGraph } from '../support/fake-graph.ts';

const staff = (n: number): GraphUser[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `user-${i}`,
    displayName: `Person ${i}`,
    mail: `Person.${i}@Example.com`,
    userPrincipalName: `person.${i}@example.onmicrosoft.com`,
    department: i % 2 ? 'Sales' : 'Engineering',
    preferredLanguage: 'en-GB',
    accountEnabled: true,
    jobTitle: 'Not selected',
  }));

let graph: FakeGraph;
let slept: number[];
let logs: string[];

beforeEach(async () => {
  graph = await startFakeGraph({ tenant: 'contoso-tenant', clientId: 'app-123', clientSecret: 'the-real-secret-value', pageSize: 100 });
  slept = [];
  logs = [];
});
afterEach(() => graph.close());

const directory = (overrides: Partial<EntraOptions> = {}) =>
  entraDirectory({
    tenantId: graph.tenant,
    clientId: graph.clientId,
    clientSecret: graph.clientSecret,
    authorityHost: graph.authorityHost,
    graphUrl: graph.graphUrl,
    groups: [],
    sleep: async (ms) => void slept.push(ms),
    log: (line) => void logs.push(line),
    ...overrides,
  });

const deltaCalls = () => graph.callsTo(/^\/v1\.0\/users\/delta/);
const tokenCalls = () => graph.callsTo(/\/oauth2\/v2\.0\/token(\?|$)/);
/** Every access token the fake issued or was shown, and the client secret: none may appear in a message. */
const secrets = () => [
  graph.clientSecret,
  ...graph.calls.flatMap((c) => (c.headers.authorization ? [c.headers.authorization.slice(7)] : [])),
];
async function failure(read: Promise<unknown>): Promise<string> {
  const error = await read.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the read should have failed').toBeInstanceOf(Error);
  const message = error?.message ?? '';
  for (const secret of secrets()) expect(message).not.toContain(secret);
  for (const line of logs) for (const secret of secrets()) expect(line).not.toContain(secret);
  return message;
}

describe('the fake Graph over HTTPS', () => {
  it('is trusted by plain fetch in the test workers (vitest.config.ts sets NODE_EXTRA_CA_CERTS)', async () => {
    const answer = await fetch(`${graph.authorityHost}/${graph.tenant}/v2.0/.well-known/openid-configuration`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ token_endpoint: `${graph.authorityHost}/${graph.tenant}/oauth2/v2.0/token` });
  });

  it('answers like Graph: 401 without a token, 400 for $top over 999', async () => {
    expect((await fetch(`${graph.graphUrl}/v1.0/users/delta`)).status).toBe(401);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: `${graph.graphUrl}/.default`,
    });
    const token = await (await fetch(`${graph.authorityHost}/${graph.tenant}/oauth2/v2.0/token`, { method: 'POST', body: form })).json();
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const tooMany = await fetch(`${graph.graphUrl}/v1.0/users/delta?$top=1000`, {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.code).toBe('Request_UnsupportedQuery');
  });
});

describe('entraDirectory: full sync and delta rounds', () => {
  it('reads every page of a full sync: 250 users at 100 a page are 3 pages, and the delta link is the cursor', async () => {
    graph.setUsers([...staff(249), { id: 'user-no-mail', displayName: 'No Mail', mail: null, userPrincipalName: 'No.Mail@Example.com' }]);
    const snapshot = await directory().read(undefined);

    expect(deltaCalls()).toHaveLength(3);
    expect(deltaCalls()[0]?.url).toBe(
      '/v1.0/users/delta?$select=id,displayName,mail,userPrincipalName,department,preferredLanguage,accountEnabled,manager',
    );
    expect(snapshot).toMatchObject({ source: 'entra', complete: true, removed: [], groups: {} });
    expect(snapshot.people).toHaveLength(250);
    expect(snapshot.people[1]).toEqual({
      key: 'user-1',
      email: 'person.1@example.com',
      name: 'Person 1',
      department: 'Sales',
      locale: 'en-GB',
    });
    expect(snapshot.people.find((p) => p.key === 'user-no-mail')).toEqual({
      key: 'user-no-mail',
      email: 'no.mail@example.com',
      name: 'No Mail',
    });
    expect(snapshot.cursor).toMatch(new RegExp(`^${graph.graphUrl}/v1\\.0/users/delta\\?\\$deltatoken=`));
    // App-only token by client credentials, and no instance discovery (the authority is a known one).
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: 'app-123',
      scope: `${graph.graphUrl}/.default`,
    });
    expect(graph.callsTo(/discovery\/instance/)).toEqual([]);
  });

  it('a delta round with the cursor gives only the changes: changed properties, and leavers (deleted or disabled)', async () => {
    graph.setUsers(staff(250));
    const entra = directory();
    const first = await entra.read(undefined);
    graph.updateUser('user-1', { department: 'Marketing' });
    graph.removeUser('user-2', 'deleted');
    graph.updateUser('user-3', { accountEnabled: false });
    const before = deltaCalls().length;

    const second = await entra.read(first.cursor);

    expect(deltaCalls()[before]?.url).toBe(first.cursor?.slice(graph.graphUrl.length));
    expect(second.complete).toBe(false);
    expect(second.people).toEqual([{ key: 'user-1', department: 'Marketing' }]);
    expect(second.removed.sort()).toEqual(['user-2', 'user-3']);
    expect(second.cursor).toMatch(/\$deltatoken=/);
    expect(second.cursor).not.toBe(first.cursor);
    // Nothing changed since: the next round is empty. One token served all three rounds (MSAL's cache).
    expect(await entra.read(second.cursor)).toMatchObject({ complete: false, people: [], removed: [] });
    expect(tokenCalls()).toHaveLength(1);
  });

  it('a cursor that is not a link of the Graph configured (GRAPH_API_URL changed) starts a full sync', async () => {
    graph.setUsers(staff(3));
    const snapshot = await directory().read('https://graph.example.net/v1.0/users/delta?$deltatoken=old');
    expect(snapshot).toMatchObject({ complete: true, removed: [] });
    expect(snapshot.people).toHaveLength(3);
    expect(logs).toEqual([expect.stringMatching(/not a delta link of https:\/\/127\.0\.0\.1:\d+ .*whole directory again/)]);
  });

  it('every call, MSAL’s included, goes through the dispatcher given (a proxy agent)', async () => {
    graph.setUsers(staff(150));
    const dispatched: string[] = [];
    class CountingAgent extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched.push(String(options.path));
        return super.dispatch(options, handler);
      }
    }
    const agent = new CountingAgent();
    await directory({ dispatcher: agent }).read(undefined);
    await agent.close();
    expect(dispatched).toEqual(graph.calls.map((c) => c.url));
    expect(dispatched).toEqual([
      expect.stringMatching(/openid-configuration$/),
      expect.stringMatching(/oauth2\/v2\.0\/token/),
      expect.stringMatching(/users\/delta\?\$select/),
      expect.stringMatching(/users\/delta\?\$skiptoken/),
    ]);
  });

  it('a soft-deleted user (@removed reason changed) is a leaver too', async () => {
    graph.setUsers(staff(3));
    const entra = directory();
    const first = await entra.read(undefined);
    graph.removeUser('user-0', 'changed');
    expect(await entra.read(first.cursor)).toMatchObject({ people: [], removed: ['user-0'] });
  });

  it('an expired delta token (410 syncStateNotFound) starts again with a full sync, complete, and says so once', async () => {
    graph.setUsers(staff(150));
    const entra = directory();
    const first = await entra.read(undefined);
    graph.expireDeltaTokens();

    const again = await entra.read(first.cursor);

    expect(again.complete).toBe(true);
    expect(again.people).toHaveLength(150);
    expect(again.cursor).toMatch(/\$deltatoken=/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/410 syncStateNotFound.*whole directory again/);
  });
});

describe('entraDirectory: managers, and properties emptied', () => {
  it('a full sync reads each manager from manager@delta; a delta round names a new one, an unassigned one, and an emptied department', async () => {
    graph.setUsers(staff(4).map((u, i) => (i === 0 ? u : { ...u, manager: 'user-0' })));
    const entra = directory();
    const first = await entra.read(undefined);
    expect(first.people.map((p) => [p.key, p.manager])).toEqual([
      ['user-0', undefined],
      ['user-1', 'user-0'],
      ['user-2', 'user-0'],
      ['user-3', 'user-0'],
    ]);
    expect(first.people.some((p) => p.cleared)).toBe(false);

    graph.updateUser('user-1', { manager: 'user-3' });
    graph.updateUser('user-2', { manager: null });
    graph.updateUser('user-3', { department: null });
    const second = await entra.read(first.cursor);
    expect(second.people).toEqual([
      { key: 'user-1', manager: 'user-3' },
      { key: 'user-2', cleared: ['manager'] },
      { key: 'user-3', cleared: ['department'] },
    ]);

    // Stored, the delta keeps what it did not mention and drops what it emptied.
    const at = '2026-12-03T09:00:00Z';
    const records = applySnapshots(applySnapshots([], [first], at).records, [second], at).records;
    const entraOf = (key: string) => records.find((r) => r.sources.entra?.key === key)?.sources.entra;
    expect(entraOf('user-1')).toMatchObject({ manager: 'user-3', department: 'Sales' });
    expect(entraOf('user-2')).toEqual({
      key: 'user-2',
      email: 'person.2@example.com',
      name: 'Person 2',
      department: 'Engineering',
      locale: 'en-GB',
    });
    expect(entraOf('user-3')).toEqual({
      key: 'user-3',
      email: 'person.3@example.com',
      name: 'Person 3',
      locale: 'en-GB',
      manager: 'user-0',
    });
  });

  it('a user listed twice in one round (a manager change sent as its own object): the later listing wins', async () => {
    graph.setUsers(staff(2).map((u, i) => (i ? { ...u, manager: 'user-0' } : u)));
    const first = await directory().read(undefined);
    graph.setPageSize(1);
    graph.sendManagerChangesApart();
    graph.updateUser('user-1', { department: 'Legal', manager: null });
    graph.updateUser('user-0', { manager: 'user-1' });
    const second = await directory().read(first.cursor);
    expect(
      deltaCalls()
        .slice(-3)
        .map((c) => c.status),
    ).toEqual([200, 200, 200]); // three objects, a page each
    expect(second.people).toEqual([
      { key: 'user-1', department: 'Legal', cleared: ['manager'] },
      { key: 'user-0', manager: 'user-1' },
    ]);
  });

  it('Graph refuses a $select of a property users do not have (the fake checks what is selected)', async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: `${graph.graphUrl}/.default`,
    });
    const token = await (await fetch(`${graph.authorityHost}/${graph.tenant}/oauth2/v2.0/token`, { method: 'POST', body: form })).json();
    const refused = await fetch(`${graph.graphUrl}/v1.0/users/delta?$select=id,managerId`, {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toContain("'managerId'");
  });
});

describe('entraDirectory: throttling, outages, timeouts', () => {
  it('429 with Retry-After: 2 waits 2000 ms (injected sleep) and finishes the read', async () => {
    graph.setUsers(staff(250));
    graph.fail({ path: /users\/delta\?\$skiptoken/, status: 429, retryAfter: 2, times: 1 });
    const snapshot = await directory().read(undefined);
    expect(slept).toEqual([2000]);
    expect(snapshot.people).toHaveLength(250);
    expect(logs).toEqual([expect.stringMatching(/HTTP 429 TooManyRequests; attempt 2 of 5 in 2 s/)]);
  });

  it('503 without Retry-After backs off 1 s, 2 s… and finishes when Graph recovers', async () => {
    graph.setUsers(staff(10));
    graph.fail({ path: /users\/delta/, status: 503, times: 3 });
    expect((await directory().read(undefined)).people).toHaveLength(10);
    expect(slept).toEqual([1000, 2000, 4000]);
  });

  it('503 five times gives up with a message naming the URL, the status and that nothing changed', async () => {
    graph.setUsers(staff(10));
    graph.fail({ path: /users\/delta/, status: 503, times: 5 });
    const message = await failure(directory().read(undefined));
    expect(message).toBe(
      `Microsoft Graph: GET ${graph.graphUrl}/v1.0/users/delta failed 5 times, the last with HTTP 503 serviceNotAvailable; the directory was not read and nothing was changed`,
    );
    expect(slept).toEqual([1000, 2000, 4000, 8000]);
    expect(deltaCalls()).toHaveLength(5);
  });

  it('a Retry-After longer than maxWaitMs gives up at once rather than stall the read', async () => {
    graph.fail({ path: /users\/delta/, status: 429, retryAfter: 120 });
    const message = await failure(directory({ maxWaitMs: 60_000 }).read(undefined));
    expect(message).toMatch(/asked to wait 120 s, more than the 60 s AppWarden waits; the directory was not read and nothing was changed/);
    expect(slept).toEqual([]);
  });

  it('a call that never answers times out and is retried; five in a row give a clear error', async () => {
    graph.setUsers(staff(10));
    graph.fail({ path: /users\/delta/, hang: true, times: 1 });
    expect((await directory({ timeoutMs: 200 }).read(undefined)).people).toHaveLength(10);
    expect(slept).toEqual([1000]);

    graph.fail({ path: /users\/delta/, hang: true, times: 5 });
    const message = await failure(directory({ timeoutMs: 200 }).read(undefined));
    expect(message).toMatch(/users\/delta failed 5 times, the last with no answer within 200 ms; .*nothing was changed/);
  });

  it('a token request that never answers is retried too (MSAL calls go through the same timeout)', async () => {
    graph.setUsers(staff(10));
    graph.fail({ path: /oauth2\/v2\.0\/token/, hang: true, times: 1 });
    expect((await directory({ timeoutMs: 200 }).read(undefined)).people).toHaveLength(10);
    expect(slept).toEqual([1000]);
    expect(tokenCalls()).toHaveLength(2);

    graph.fail({ path: /oauth2\/v2\.0\/token/, hang: true, times: 5 });
    const message = await failure(directory({ timeoutMs: 200 }).read(undefined));
    expect(message).toMatch(/^Entra gave no token .*network_error: .*\(no answer within 200 ms\) after 5 attempts; .*nothing was changed$/);
  });

  it(`refuses a round of more than ${MAX_PAGES_PER_ROUND} pages`, async () => {
    graph.setUsers(staff(MAX_PAGES_PER_ROUND + 1));
    graph.setPageSize(1);
    const message = await failure(directory().read(undefined));
    expect(message).toMatch(/more than 2000 pages in one directory read/);
    expect(deltaCalls()).toHaveLength(MAX_PAGES_PER_ROUND);
  });
});

describe('entraDirectory: tokens and permissions', () => {
  it('a token that expires mid-paging (401 InvalidAuthenticationToken) is renewed past the cache once, and the read finishes', async () => {
    graph.setUsers(staff(250));
    graph.fail({ path: /users\/delta\?\$skiptoken/, expireTokens: true, times: 1 });
    const snapshot = await directory().read(undefined);
    expect(snapshot.people).toHaveLength(250);
    expect(deltaCalls().map((c) => c.status)).toEqual([200, 401, 200, 200]);
    expect(tokenCalls()).toHaveLength(2);
  });

  it('a 401 even with a new token is an error, not a loop', async () => {
    graph.fail({
      path: /users\/delta/,
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure.',
      times: 2,
    });
    const message = await failure(directory().read(undefined));
    expect(message).toMatch(/refused a new token .*401 InvalidAuthenticationToken: Access token validation failure/);
    expect(tokenCalls()).toHaveLength(2);
  });

  it('403 Authorization_RequestDenied names the missing application permission and what Graph said', async () => {
    graph.fail({ path: /users\/delta/, status: 403 });
    const message = await failure(directory().read(undefined));
    expect(message).toMatch(/403 Authorization_RequestDenied: Insufficient privileges to complete the operation/);
    expect(message).toMatch(/needs the application permission User\.Read\.All/);
    expect(slept).toEqual([]);

    graph.setGroup('group-a', []);
    graph.fail({ path: /groups\/group-a\/members/, status: 403 });
    expect(await failure(directory({ groups: ['group-a'] }).read(undefined))).toMatch(/application permission GroupMember\.Read\.All/);
  });

  it('a redirect is never followed: the token goes to Graph only, and the read fails saying so', async () => {
    const elsewhere = await startFakeGraph();
    try {
      graph.setUsers(staff(3));
      graph.fail({ path: /users\/delta/, status: 307, headers: { Location: `${elsewhere.graphUrl}/v1.0/users/delta` } });
      const message = await failure(directory().read(undefined));
      expect(message).toMatch(/Microsoft Graph refused GET .*\/v1\.0\/users\/delta \(307/);
      expect(elsewhere.calls).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('a wrong client secret fails with Entra’s reason and without the secret', async () => {
    const message = await failure(directory({ clientSecret: 'wrong-secret-value' }).read(undefined));
    expect(message).toMatch(
      /^Entra gave no token for Microsoft Graph \(tenant contoso-tenant, client app-123, authority https:\/\/127\.0\.0\.1:\d+\)/,
    );
    expect(message).toMatch(/invalid_client: AADSTS7000215: Invalid client secret provided/);
    expect(message).toMatch(/the client secret is wrong/);
    expect(message).not.toContain('wrong-secret-value');
    expect(tokenCalls()[0]?.status).toBe(401);
    expect(deltaCalls()).toEqual([]);
  });
});

describe('entraDirectory: group membership', () => {
  it('reads every page of each mapped group: direct user members only, on full and delta rounds', async () => {
    graph.setUsers(staff(250));
    graph.setGroup(
      'group-big',
      staff(250).map((u) => u.id),
      ['group-nested'],
    );
    graph.setGroup('group-small', ['user-7']);
    const entra = directory({ groups: ['group-big', 'group-small', 'group-big'] });

    const first = await entra.read(undefined);

    expect(graph.callsTo(/groups\/group-big\/members/)).toHaveLength(3);
    expect(graph.callsTo(/groups\/group-big\/members/)[0]?.url).toBe('/v1.0/groups/group-big/members?$select=id');
    expect(first.groups?.['group-big']).toEqual(staff(250).map((u) => u.id));
    expect(first.groups?.['group-small']).toEqual(['user-7']);
    expect(Object.keys(first.groups ?? {})).toEqual(['group-big', 'group-small']);

    graph.setGroup('group-small', ['user-7', 'user-8']);
    const second = await entra.read(first.cursor);
    expect(second.complete).toBe(false);
    expect(second.groups?.['group-small']).toEqual(['user-7', 'user-8']);
    expect(second.groups?.['group-big']).toHaveLength(250);
  });

  it('a mapped group that does not exist (404) is an error naming it', async () => {
    graph.setUsers(staff(3));
    const message = await failure(directory({ groups: ['0f5a-missing-group'] }).read(undefined));
    expect(message).toMatch(/The policy maps Entra group 0f5a-missing-group, which does not exist in tenant contoso-tenant/);
  });
});
