import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type FakeIntuneOptions, fakeIntune, type ListingTools } from './fake-intune.ts';

export type { IntuneDetectedApp, IntuneDevice } from './fake-intune.ts';

/** The self-signed certificate the fake serves (CN and SAN 127.0.0.1); vitest.config.ts makes the workers trust it. */
export const TEST_CERT_PATH = fileURLToPath(new URL('./tls/localhost-cert.pem', import.meta.url));
const TEST_KEY_PATH = fileURLToPath(new URL('./tls/localhost-key.pem', import.meta.url));

/** A user as Graph holds one: the properties AppWarden selects, and a couple it does not. */
export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string;
  department?: string | null;
  preferredLanguage?: string | null;
  accountEnabled?: boolean;
  jobTitle?: string | null;
  /** The manager's object id: a navigation property, which delta answers as `manager@delta` when selected. */
  manager?: string | null;
}

/** The user properties the fake knows: selecting another is Graph's 400. */
const USER_PROPERTIES = new Set([
  'id',
  'displayName',
  'mail',
  'userPrincipalName',
  'department',
  'preferredLanguage',
  'accountEnabled',
  'jobTitle',
  'manager',
]);

/** What a user listing gives without `$select` (Graph's default set, of the properties the fake holds). */
const DEFAULT_USER_PROPERTIES = ['displayName', 'mail', 'userPrincipalName', 'preferredLanguage', 'jobTitle'];

export interface GraphCall {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The token request's form, client_secret included (tests check what was sent). */
  form?: Record<string, string>;
  status?: number;
}

/** A scripted failure: the next `times` requests whose path and query match `path` get it instead of their answer. */
export interface GraphFault {
  path: RegExp;
  times?: number;
  status?: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** Further headers, e.g. a redirect's `Location`. */
  headers?: Record<string, string>;
  code?: string;
  message?: string;
  /** Never answer (the socket stays open until the server closes): a timeout for the client. */
  hang?: boolean;
  /** Not a failure of its own: every access token expires as this request arrives, which then gets Graph's 401. */
  expireTokens?: boolean;
}

/** Graph's error codes and messages for the statuses the fake is asked to fail with. */
const GRAPH_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BadRequest', message: 'Invalid request.' },
  403: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
  404: {
    code: 'Request_ResourceNotFound',
    message: 'Resource does not exist or one of its queried reference-property objects are not present.',
  },
  410: { code: 'syncStateNotFound', message: 'The sync state was not found. Restart the synchronization without a state token.' },
  429: { code: 'TooManyRequests', message: 'Too many requests. Try again after the time given in Retry-After.' },
  502: { code: 'BadGateway', message: 'Bad gateway.' },
  503: { code: 'serviceNotAvailable', message: 'Service is temporarily unavailable. Retry after the time given.' },
  504: { code: 'GatewayTimeout', message: 'Gateway timeout.' },
};

export interface FakeGraphOptions {
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  /** Items per page of a listing sent without `$top` (Graph's own default is 100). */
  pageSize?: number;
  /** `expires_in` of the access tokens issued. */
  tokenLifetimeSeconds?: number;
  /** Intune's page sizes, its request limit, and the clock the limit is measured on. */
  intune?: FakeIntuneOptions;
}

/** One listing as started: what it returns, page by page, and the delta state its last page hands out. */
interface Listing {
  items: Record<string, unknown>[];
  pageSize: number;
  /** Users listings only: the change version the round started at, and the properties selected. */
  delta?: { version: number; select: string[] };
  /** The path (and query) its next links continue, ending in `?` or `&`: its skip tokens are good there only. */
  basePath: string;
}

/**
 * Microsoft Graph and the Entra token endpoint over HTTPS on 127.0.0.1: client-credentials tokens,
 * `users/delta` with paging and delta rounds (changed properties only, `@removed` for leavers),
 * `groups/{id}/members`, Intune's detected apps and managed devices with its request limit
 * (fake-intune.ts), and scripted faults (429, 5xx, 403, 410, hangs, expired tokens). Records every call.
 */
export async function startFakeGraph(options: FakeGraphOptions = {}) {
  const tenant = options.tenant ?? 'tenant-1';
  const clientId = options.clientId ?? 'client-1';
  const clientSecret = options.clientSecret ?? 'secret-1';
  let pageSize = options.pageSize ?? 100;
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;

  const calls: GraphCall[] = [];
  const faults: (GraphFault & { times: number })[] = [];
  const hanging = new Set<ServerResponse>();
  const tokens = new Map<string, number>();
  /** Which client each access token was issued to: Intune's limit is per client. */
  const tokenClients = new Map<string, string>();

  // Change tracking: a version counter; each user's properties carry the version they last changed at.
  let version = 0;
  const users = new Map<string, GraphUser>();
  const changedAt = new Map<string, Map<string, number>>();
  const removedAt = new Map<string, { version: number; reason: 'changed' | 'deleted' }>();
  const deltaTokens = new Map<string, { version: number; select: string[] }>();
  const skipTokens = new Map<string, { listing: Listing; offset: number }>();
  const groups = new Map<string, { users: string[]; groups: string[] }>();
  /** The manager a user had before theirs was unassigned: a delta names them `@removed`. */
  const formerManager = new Map<string, string>();
  let managerChangesApart = false;

  let origin = '';
  const authorityBase = () => `${origin}/${tenant}`;

  const expireTokens = () => {
    for (const token of tokens.keys()) tokens.set(token, 0);
  };
  const removeUser = (id: string, reason: 'changed' | 'deleted' = 'changed') => {
    version += 1;
    users.delete(id);
    changedAt.delete(id);
    removedAt.set(id, { version, reason });
  };
  const put = (user: GraphUser) => {
    version += 1;
    users.set(user.id, user);
    changedAt.set(user.id, new Map(Object.keys(user).map((k) => [k, version])));
    removedAt.delete(user.id);
  };

  const project = (user: GraphUser, select: string[], since?: number) => {
    const marks = changedAt.get(user.id) ?? new Map<string, number>();
    const properties: Record<string, unknown> = { ...user };
    const picked: Record<string, unknown> = { id: user.id };
    for (const key of select) {
      if (key === 'id' || (since !== undefined && (marks.get(key) ?? 0) <= since)) continue;
      if (key === 'manager') {
        const link = (id: string, removed?: boolean) => ({
          '@odata.type': '#microsoft.graph.user',
          id,
          ...(removed ? { '@removed': { reason: 'deleted' } } : {}),
        });
        const former = formerManager.get(user.id);
        if (user.manager) picked['manager@delta'] = [link(user.manager)];
        else if (since !== undefined && former) picked['manager@delta'] = [link(former, true)];
        continue;
      }
      picked[key] = properties[key] ?? null;
    }
    return picked;
  };

  /** A full sync: every user now. A delta round since `since`: changed users with their changed properties, and leavers. */
  const usersFor = (select: string[], since?: number): Record<string, unknown>[] => {
    if (since === undefined) return [...users.values()].map((u) => project(u, select));
    let changed = [...users.values()]
      .filter((u) => [...(changedAt.get(u.id)?.values() ?? [])].some((v) => v > since))
      .map((u) => project(u, select, since));
    if (managerChangesApart) {
      // As Graph may: the link change as an object of its own, after the property changes.
      const links = changed.filter((u) => u['manager@delta']).map((u) => ({ id: u.id, 'manager@delta': u['manager@delta'] }));
      changed = [...changed.map(({ 'manager@delta': _, ...u }) => u).filter((u) => Object.keys(u).length > 1), ...links];
    }
    const gone = [...removedAt].filter(([, r]) => r.version > since).map(([id, r]) => ({ id, '@removed': { reason: r.reason } }));
    return [...changed, ...gone];
  };

  const send = (res: ServerResponse, call: GraphCall, status: number, body: unknown, headers: Record<string, string> = {}) => {
    call.status = status;
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const graphError = (
    res: ServerResponse,
    call: GraphCall,
    status: number,
    code?: string,
    message?: string,
    headers?: Record<string, string>,
  ) => {
    const known = GRAPH_ERRORS[status] ?? { code: 'UnknownError', message: 'An error occurred.' };
    const innerError = { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() };
    send(res, call, status, { error: { code: code ?? known.code, message: message ?? known.message, innerError } }, headers);
  };
  /** Entra's token-endpoint error, as it answers: an OAuth error with an AADSTS code in its description. */
  const entraError = (res: ServerResponse, call: GraphCall, status: number, error: string, aadsts: number, text: string) => {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19);
    send(res, call, status, {
      error,
      error_description: `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}Z`,
      error_codes: [aadsts],
      timestamp: `${timestamp}Z`,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin}/error?code=${aadsts}`,
    });
  };

  const openIdConfiguration = () => ({
    token_endpoint: `${authorityBase()}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${authorityBase()}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${authorityBase()}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authorityBase()}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authorityBase()}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'oid'],
    kerberos_endpoint: `${authorityBase()}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: new URL(origin).host,
    rbac_url: 'https://pas.windows.net',
  });

  const issueToken = (res: ServerResponse, call: GraphCall, form: Record<string, string>) => {
    if (form.grant_type !== 'client_credentials')
      return entraError(res, call, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.client_id !== clientId)
      return entraError(
        res,
        call,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id}' was not found in the directory '${tenant}'.`,
      );
    if (form.client_secret !== clientSecret)
      return entraError(
        res,
        call,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    const scopes = (form.scope ?? '').split(' ').filter(Boolean);
    if (scopes.length !== 1 || scopes[0] !== `${origin}/.default`)
      return entraError(
        res,
        call,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenLifetimeSeconds * 1000);
    tokenClients.set(token, form.client_id);
    send(res, call, 200, {
      token_type: 'Bearer',
      expires_in: tokenLifetimeSeconds,
      ext_expires_in: tokenLifetimeSeconds,
      access_token: token,
    });
  };

  /** Graph's check of the bearer token: `undefined` when it is good, else why not. */
  const tokenProblem = (headers: IncomingHttpHeaders): string | undefined => {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    if (!bearer) return 'Access token is empty.';
    const expires = tokens.get(bearer);
    if (expires === undefined) return 'Invalid JWT token. The token is malformed or was not issued for this resource.';
    if (expires <= Date.now()) return 'Lifetime validation failed, the token is expired.';
    return undefined;
  };

  /** A page of a listing, and the link to what follows: the next page, or (users) the delta state. */
  const page = (res: ServerResponse, call: GraphCall, listing: Listing, offset: number, context: string) => {
    const end = offset + listing.pageSize;
    const body: Record<string, unknown> = {
      '@odata.context': `${origin}/v1.0/$metadata#${context}`,
      value: listing.items.slice(offset, end),
    };
    if (end < listing.items.length) {
      const skip = randomBytes(12).toString('base64url');
      skipTokens.set(skip, { listing, offset: end });
      body['@odata.nextLink'] = `${origin}${listing.basePath}$skiptoken=${skip}`;
    } else if (listing.delta) {
      const token = randomBytes(12).toString('base64url');
      deltaTokens.set(token, listing.delta);
      body['@odata.deltaLink'] = `${origin}/v1.0/users/delta?$deltatoken=${token}`;
    }
    send(res, call, 200, body);
  };

  /** `$top`: Graph takes 1 to 999. The page size to use, or what was given when it is not valid. */
  const topOf = (query: URLSearchParams, fallback = pageSize): number | { invalid: string } => {
    const top = query.get('$top');
    if (top === null) return fallback;
    const n = Number(top);
    return Number.isInteger(n) && n >= 1 && n <= 999 ? n : { invalid: top };
  };

  /** Graph's answer to a `$top` outside 1–999. */
  const badPageSize = (res: ServerResponse, call: GraphCall, given: string) =>
    graphError(res, call, 400, 'Request_UnsupportedQuery', `Invalid page size specified: '${given}'. Must be between 1 and 999 inclusive.`);

  const usersDelta = (res: ServerResponse, call: GraphCall, query: URLSearchParams) => {
    const skip = query.get('$skiptoken');
    const delta = query.get('$deltatoken');
    if (skip !== null) {
      const at = skipTokens.get(skip);
      if (!at) return graphError(res, call, 400, 'Request_BadRequest', 'Invalid skip token.');
      return page(res, call, at.listing, at.offset, 'users');
    }
    const top = topOf(query);
    if (typeof top !== 'number') return badPageSize(res, call, top.invalid);
    let select = (query.get('$select') ?? '').split(',').filter(Boolean);
    let since: number | undefined;
    if (delta !== null) {
      const state = deltaTokens.get(delta);
      if (!state) return graphError(res, call, 410);
      since = state.version;
      select = state.select;
    }
    const unknown = select.find((key) => !USER_PROPERTIES.has(key));
    if (unknown)
      return graphError(
        res,
        call,
        400,
        'Request_BadRequest',
        `Could not find a property named '${unknown}' on type 'microsoft.graph.user'.`,
      );
    if (select.length === 0) select = DEFAULT_USER_PROPERTIES;
    const listing: Listing = { items: usersFor(select, since), pageSize: top, delta: { version, select }, basePath: '/v1.0/users/delta?' };
    page(res, call, listing, 0, 'users');
  };

  const groupMembers = (res: ServerResponse, call: GraphCall, groupId: string, query: URLSearchParams) => {
    const skip = query.get('$skiptoken');
    const at = skip === null ? undefined : skipTokens.get(skip);
    if (skip !== null && !at) return graphError(res, call, 400, 'Request_BadRequest', 'Invalid skip token.');
    if (at) return page(res, call, at.listing, at.offset, 'directoryObjects');
    const group = groups.get(groupId);
    if (!group)
      return graphError(
        res,
        call,
        404,
        'Request_ResourceNotFound',
        `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
      );
    const top = topOf(query);
    if (typeof top !== 'number') return badPageSize(res, call, top.invalid);
    const items = [
      ...group.users.map((id) => ({ '@odata.type': '#microsoft.graph.user', id })),
      ...group.groups.map((id) => ({ '@odata.type': '#microsoft.graph.group', id })),
    ];
    page(
      res,
      call,
      { items, pageSize: top, basePath: `/v1.0/groups/${encodeURIComponent(groupId)}/members?$select=id&` },
      0,
      'directoryObjects',
    );
  };

  const listingTools: ListingTools = {
    first(res, call, query, items, { pageSize: fallback, basePath, context }) {
      const top = topOf(query, fallback);
      if (typeof top !== 'number') return badPageSize(res, call, top.invalid);
      page(res, call, { items, pageSize: top, basePath }, 0, context);
    },
    next(res, call, skip, basePath, context) {
      const at = skipTokens.get(skip);
      if (!at || at.listing.basePath !== basePath) return graphError(res, call, 400, 'BadRequest', 'Invalid skip token.');
      page(res, call, at.listing, at.offset, context);
    },
    graphError,
  };
  const intune = fakeIntune(listingTools, options.intune);

  const route = (req: IncomingMessage, res: ServerResponse, call: GraphCall) => {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (req.method === 'GET' && path === `/${tenant}/v2.0/.well-known/openid-configuration`)
      return send(res, call, 200, openIdConfiguration());
    if (req.method === 'GET' && /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(path))
      return entraError(res, call, 400, 'invalid_tenant', 90002, `Tenant '${path.split('/')[1]}' not found.`);
    if (req.method === 'GET' && path === '/common/discovery/instance') {
      const host = new URL(origin).host;
      return send(res, call, 200, {
        tenant_discovery_endpoint: `${origin}/{tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    if (req.method === 'POST' && path === `/${tenant}/oauth2/v2.0/token`) return issueToken(res, call, call.form ?? {});
    if (path.startsWith('/v1.0/')) {
      const problem = tokenProblem(req.headers);
      if (problem)
        return graphError(res, call, 401, 'InvalidAuthenticationToken', problem, {
          'WWW-Authenticate': `Bearer realm="", authorization_uri="${authorityBase()}/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
        });
      if (req.method === 'GET' && path === '/v1.0/users/delta') return usersDelta(res, call, url.searchParams);
      const client = tokenClients.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '') ?? '';
      if (req.method === 'GET' && intune.route(res, call, path, url.searchParams, client)) return;
      const members = /^\/v1\.0\/groups\/([^/]+)\/members$/.exec(path);
      if (req.method === 'GET' && members) return groupMembers(res, call, decodeURIComponent(members[1] ?? ''), url.searchParams);
    }
    graphError(res, call, 400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`);
  };

  const injected = (res: ServerResponse, call: GraphCall): boolean => {
    const fault = faults.find((f) => f.times > 0 && f.path.test(call.url));
    if (!fault) return false;
    fault.times -= 1;
    if (fault.expireTokens) {
      expireTokens();
      return false;
    }
    if (fault.hang) {
      hanging.add(res);
      return true;
    }
    const status = fault.status ?? 503;
    graphError(res, call, status, fault.code, fault.message, {
      ...(fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) }),
      ...fault.headers,
    });
    return true;
  };

  const server: Server = createServer({ cert: readFileSync(TEST_CERT_PATH), key: readFileSync(TEST_KEY_PATH) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      const call: GraphCall = { method: req.method ?? 'GET', url, path: url.split('?')[0] ?? url, headers: req.headers };
      if (req.method === 'POST') call.form = Object.fromEntries(new URLSearchParams(raw));
      calls.push(call);
      if (!injected(res, call)) route(req, res, call);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    tenant,
    clientId,
    clientSecret,
    calls,
    /** AZURE_AUTHORITY_HOST for this fake: the authority is `${authorityHost}/${tenant}`. */
    authorityHost: origin,
    /** GRAPH_API_URL for this fake (also the token audience: scope `${graphUrl}/.default`). */
    graphUrl: origin,
    /** Replaces the directory: every user is new (a delta round since before sees them all). */
    setUsers(list: GraphUser[]) {
      for (const id of [...users.keys()]) if (!list.some((u) => u.id === id)) removeUser(id, 'deleted');
      for (const user of list) put(user);
    },
    addUser: (user: GraphUser) => put(user),
    /** Changes some properties; a delta round returns just these (of those selected). */
    updateUser(id: string, patch: Partial<Omit<GraphUser, 'id'>>) {
      const user = users.get(id);
      if (!user) throw new Error(`fake graph: no user ${id}`);
      version += 1;
      if ('manager' in patch && user.manager) formerManager.set(id, user.manager);
      users.set(id, { ...user, ...patch });
      for (const key of Object.keys(patch)) changedAt.get(id)?.set(key, version);
    },
    /** Deletes a user: `changed` is Graph's reason for a soft delete (restorable for 30 days), `deleted` for a permanent one. */
    removeUser,
    /** A group's members: user ids, and nested groups (which Graph lists with `@odata.type` group). */
    setGroup(id: string, userIds: string[], nestedGroupIds: string[] = []) {
      groups.set(id, { users: userIds, groups: nestedGroupIds });
    },
    /** Delta rounds send each manager change as a separate object for the same user, after the property changes. */
    sendManagerChangesApart(apart = true) {
      managerChangesApart = apart;
    },
    setPageSize(size: number) {
      pageSize = size;
    },
    /** Intune: replaces every managed device. */
    setManagedDevices: intune.setManagedDevices,
    /** Intune: replaces every detected app record (one per app and version, with the devices carrying it). */
    setDetectedApps: intune.setDetectedApps,
    /** Intune's pages without `$top`: detectedApps (default 50), and both managedDevices listings (default 100). */
    setIntunePageSizes: intune.setPageSizes,
    /** Intune requests refused with 429 for going over its limit. */
    intuneThrottled: intune.throttled,
    /** Scripts a failure for the next `times` (default 1) matching requests. */
    fail(fault: GraphFault) {
      faults.push({ ...fault, times: fault.times ?? 1 });
    },
    /** Every delta token issued so far is forgotten: using one answers 410 syncStateNotFound. */
    expireDeltaTokens: () => deltaTokens.clear(),
    /** Every access token issued so far is expired now (Graph answers 401 InvalidAuthenticationToken). */
    expireTokens,
    /** Calls whose path matches. */
    callsTo: (path: RegExp) => calls.filter((c) => path.test(c.url)),
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakeGraph = Awaited<ReturnType<typeof startFakeGraph>>;
