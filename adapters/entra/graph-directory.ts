import {
  AuthError,
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { type Dispatcher, fetch } from 'undici';
import type { ClearableField, SourcePerson, SourceSnapshot } from '../../src/core/directory.ts';

export interface EntraOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com (AZURE_AUTHORITY_HOST). */
  authorityHost: string;
  /** Default https://graph.microsoft.com (GRAPH_API_URL). */
  graphUrl: string;
  /** Group object ids whose members to read (from the policy mapping). */
  groups: string[];
  /** Per HTTP call, default 15000. */
  timeoutMs?: number;
  /** Longest single Retry-After wait honoured, default 60000; a longer one gives up with a clear error. */
  maxWaitMs?: number;
  /** Injected so tests never sleep for real; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  /** An undici dispatcher (the caller passes a proxy agent); default undici's global one. */
  dispatcher?: Dispatcher;
}

/**
 * The user properties read: what a SourcePerson needs, accountEnabled to tell leavers, and the manager
 * (a navigation property: delta answers it as `manager@delta`, for approval stages).
 */
const USER_SELECT = 'id,displayName,mail,userPrincipalName,department,preferredLanguage,accountEnabled,manager';
const MAX_ATTEMPTS = 5;
const BACKOFF_CAP_MS = 30_000;
/** A round that pages further than this is refused: 2,000 pages are 200,000 users at Graph's page size. */
export const MAX_PAGES_PER_ROUND = 2_000;
/** Statuses that say "not now": Graph throttling, and its front doors being busy or unreachable. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const NOTHING_CHANGED = 'the directory was not read and nothing was changed';

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  department?: string | null;
  preferredLanguage?: string | null;
  accountEnabled?: boolean | null;
  /** The manager link as delta tracks it: the manager's object id, or an entry `@removed` when they were unassigned. */
  'manager@delta'?: { id?: string; '@removed'?: { reason?: string } }[];
  '@removed'?: { reason?: string };
}
interface GraphMember {
  id: string;
  '@odata.type'?: string;
}
interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}
interface GraphError {
  code: string;
  message: string;
}

/** The delta state a cursor holds is gone (410): the round starts again from a full sync. */
class SyncStateExpired extends Error {}
/** Graph refused the call for good (a 4xx other than 401 and 410): the status says which refusal. */
class GraphRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * A Graph user as the directory's person: only the properties present (a delta round sends only the
 * changed ones), and in a delta round those it sent empty (null) as cleared.
 */
export function toPerson(user: GraphUser, delta = false): SourcePerson {
  const email = user.mail ?? user.userPrincipalName;
  const manager = managerOf(user);
  const cleared: ClearableField[] = [];
  const emptied = (field: ClearableField, value: unknown) => (value === null || value === '') && cleared.push(field);
  emptied('name', user.displayName);
  emptied('department', user.department);
  emptied('locale', user.preferredLanguage);
  if (manager === null) cleared.push('manager');
  return {
    key: user.id,
    ...(email ? { email: email.toLowerCase() } : {}),
    ...(user.displayName ? { name: user.displayName } : {}),
    ...(user.department ? { department: user.department } : {}),
    ...(user.preferredLanguage ? { locale: user.preferredLanguage } : {}),
    ...(manager ? { manager } : {}),
    ...(delta && cleared.length ? { cleared } : {}),
  };
}

/** The manager `manager@delta` names: their object id, `null` when it names none (removed), `undefined` when absent (unchanged). */
export function managerOf(user: GraphUser): string | null | undefined {
  const links = user['manager@delta'];
  if (!Array.isArray(links)) return undefined;
  const current = links.filter((l) => l?.['@removed'] === undefined && typeof l?.id === 'string').at(-1);
  return current?.id ?? null;
}

/** Deleted (soft or hard: any `@removed` reason) or disabled: no longer someone the policy applies to. */
export const isLeaver = (user: GraphUser): boolean => user['@removed'] !== undefined || user.accountEnabled === false;

/** People and leavers of one round. A user listed twice (Graph may) counts as last listed. */
function mergeUsers(people: Map<string, SourcePerson>, removed: Set<string>, users: GraphUser[], delta: boolean) {
  for (const user of users) {
    if (typeof user?.id !== 'string') continue;
    if (isLeaver(user)) {
      people.delete(user.id);
      removed.add(user.id);
    } else {
      removed.delete(user.id);
      people.set(user.id, laterWins(people.get(user.id), toPerson(user, delta)));
    }
  }
}

/** One user listed twice in a round (Graph sends a manager change as its own object): what the later one says wins, emptied fields included. */
function laterWins(earlier: SourcePerson | undefined, later: SourcePerson): SourcePerson {
  if (!earlier) return later;
  const { cleared: clearedBefore = [], ...merged } = { ...earlier, ...later, cleared: earlier.cleared };
  for (const field of later.cleared ?? []) delete merged[field];
  const cleared = [...new Set([...clearedBefore.filter((f) => merged[f] === undefined), ...(later.cleared ?? [])])];
  return cleared.length ? { ...merged, cleared } : merged;
}

/** 1 s, 2 s, 4 s… for attempt 1, 2, 3…, capped. */
export const backoffMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), BACKOFF_CAP_MS);

/** Retry-After in seconds (all Graph sends), as milliseconds; `undefined` when absent or not a number. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** A URL as messages show it: no query (skip and delta tokens are long and say nothing to a reader). */
const where = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an unparseable URL';
  }
};

/** Graph's `{ error: { code, message } }`, or what there is of it. */
function graphErrorOf(body: unknown): GraphError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : 'unknown',
    message: typeof error?.message === 'string' ? error.message : '',
  };
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Which application permission a Graph path needs (what a 403 is missing). */
const permissionFor = (url: string): string => (new URL(url).pathname.includes('/groups/') ? 'GroupMember.Read.All' : 'User.Read.All');

/** Why a network call failed, in a few words: its timeout, or the cause undici names. */
function networkCause(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

/** Entra's AADSTS codes a misconfiguration shows as, with what to check. */
const AADSTS_HINTS: Record<string, string> = {
  '7000215': 'the client secret is wrong: give the secret value, not its id',
  '7000222': 'the client secret has expired',
  '700016': 'there is no application with this client id in the tenant',
  '90002': 'there is no such tenant',
};

/** An MSAL failure as one line: its code and Entra's first sentence, with a hint when the AADSTS code is known. */
export function describeTokenError(error: unknown): string {
  if (!(error instanceof AuthError)) return error instanceof Error ? error.message : String(error);
  // MSAL's server errors read "Error(s): … - Timestamp: … - Description: AADSTS…: text Trace ID: … - Correlation ID: …".
  const description = /Description: ([\s\S]*)$/.exec(error.errorMessage)?.[1] ?? error.errorMessage;
  const first = description.split(/\r?\n| Trace ID:| - Correlation ID:/)[0]?.trim() ?? '';
  const aadsts = /AADSTS(\d+)/.exec(error.errorMessage)?.[1];
  const hint =
    error.errorCode === 'endpoints_resolution_error'
      ? 'the OpenID configuration of the authority could not be read: check the tenant id and AZURE_AUTHORITY_HOST'
      : aadsts && AADSTS_HINTS[aadsts];
  return `${error.errorCode}${first ? `: ${first}` : ''}${hint ? ` (${hint})` : ''}`;
}

/**
 * MSAL's HTTP calls over undici: the same dispatcher (a proxy) and the same timeout as the Graph
 * calls (MSAL's own client sets none on the token request). MSAL reports a failed call only as
 * "network_error" or "endpoints cannot be resolved", so the client keeps the cause for the message.
 */
function msalNetworkClient(dispatcher: Dispatcher | undefined, timeoutMs: number): INetworkModule & { lastFailure?: string } {
  const client: INetworkModule & { lastFailure?: string } = {
    sendGetRequestAsync: (url, options, timeout) => noting(send('GET', url, options, timeout)),
    sendPostRequestAsync: (url, options) => noting(send('POST', url, options)),
  };
  const noting = <T>(call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      client.lastFailure = networkCause(error, timeoutMs);
      throw error;
    });
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, {
      method,
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(options?.body !== undefined ? { body: options.body } : {}),
      ...(dispatcher ? { dispatcher } : {}),
      signal: AbortSignal.timeout(Math.min(timeout ?? timeoutMs, timeoutMs)),
    });
    const text = await response.text();
    // MSAL reads `error` from a body it cannot parse, as its own client gives it.
    const body = parseJson(text) ?? {
      error: response.status >= 500 ? 'server_error' : 'client_error',
      error_description: `HTTP ${response.status}`,
    };
    return { status: response.status, headers: Object.fromEntries(response.headers), body: body as T };
  };
  return client;
}

/** One Graph answer, as what to do next. */
type Outcome<T> =
  | { kind: 'page'; page: GraphPage<T> }
  | { kind: 'retry'; why: string; waitMs?: number }
  | { kind: 'unauthorized'; error: GraphError }
  | { kind: 'gone'; error: GraphError }
  | { kind: 'refused'; status: number; error: GraphError };

/** What a Graph status and body mean for the call. */
export function classify<T>(status: number, body: unknown, retryAfter: string | null): Outcome<T> {
  if (status >= 200 && status < 300) {
    const page = body as GraphPage<T> | undefined;
    // A 2xx without a list is a truncated or foreign answer (a proxy's page): worth another try.
    return Array.isArray(page?.value) ? { kind: 'page', page } : { kind: 'retry', why: `HTTP ${status} without a JSON list` };
  }
  const error = graphErrorOf(body);
  if (RETRIED_STATUSES.has(status)) {
    const waitMs = retryAfterMs(retryAfter);
    return { kind: 'retry', why: `HTTP ${status} ${error.code}`, ...(waitMs === undefined ? {} : { waitMs }) };
  }
  if (status === 401) return { kind: 'unauthorized', error };
  if (status === 410) return { kind: 'gone', error };
  return { kind: 'refused', status, error };
}

/** Why Graph refused a call, and what to do about it. */
function refusalMessage(url: string, status: number, error: GraphError): string {
  const said = `${error.code}${error.message ? `: ${error.message}` : ''}`;
  if (status === 403)
    return `Microsoft Graph refused GET ${where(url)} (403 ${said}): the app registration needs the application permission ${permissionFor(url)}, with admin consent; ${NOTHING_CHANGED}`;
  return `Microsoft Graph refused GET ${where(url)} (${status} ${said}); ${NOTHING_CHANGED}`;
}

/**
 * The Entra ID directory: users by Graph delta query (a full sync without a cursor, a delta round
 * with one) and the members of the policy's groups, as a SourceSnapshot. App-only: a client
 * credentials token from MSAL. Throttling and outages are waited out within limits; anything else
 * fails the read with a message that says what to fix, and the snapshot is all or nothing.
 */
export function entraDirectory(options: EntraOptions): { source: 'entra'; read(cursor: string | undefined): Promise<SourceSnapshot> } {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = options.log ?? (() => {});
  const authorityHost = options.authorityHost.replace(/\/+$/, '');
  const graphUrl = options.graphUrl.replace(/\/+$/, '');
  /** Defence in depth: no message leaves with the secret in it, whatever a library put there. */
  const redact = (text: string) => (options.clientSecret ? text.split(options.clientSecret).join('***') : text);

  const msalNetwork = msalNetworkClient(options.dispatcher, timeoutMs);
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `${authorityHost}/${options.tenantId}`,
      // A known authority is trusted as given: no instance discovery call to Microsoft (a sovereign cloud, a proxy, the test fake).
      knownAuthorities: [new URL(authorityHost).host],
    },
    system: { networkClient: msalNetwork },
  });
  const scopes = [`${graphUrl}/.default`];

  /** A token for Graph: MSAL's cached one unless `fresh` (Graph said the cached one is no longer good). */
  async function accessToken(fresh: boolean): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      msalNetwork.lastFailure = undefined;
      try {
        const result = await msal.acquireTokenByClientCredential({ scopes, skipCache: fresh });
        if (result?.accessToken) return result.accessToken;
        throw new Error('MSAL returned no access token');
      } catch (error) {
        // A call that failed or timed out in our network client (the token request, or the OpenID
        // configuration MSAL reads first) is retried like a 503; an answer that refuses is not.
        const cause = msalNetwork.lastFailure;
        const transient = cause !== undefined && error instanceof AuthError;
        const detail = redact(`${describeTokenError(error)}${cause ? ` (${cause})` : ''}`);
        if (!transient || attempt >= MAX_ATTEMPTS)
          throw new Error(
            `Entra gave no token for Microsoft Graph (tenant ${options.tenantId}, client ${options.clientId}, authority ${authorityHost}): ${detail}${transient ? ` after ${attempt} attempts` : ''}; ${NOTHING_CHANGED}`,
          );
        log(`entra: token request failed (${detail}); attempt ${attempt + 1} of ${MAX_ATTEMPTS} in ${backoffMs(attempt) / 1000} s`);
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** One GET, as an outcome: network failures and timeouts are outcomes too (retried). */
  async function attempt<T>(url: string, token: string): Promise<Outcome<T>> {
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = parseJson(await response.text());
      return classify<T>(response.status, body, response.headers.get('retry-after'));
    } catch (error) {
      return { kind: 'retry', why: networkCause(error, timeoutMs) };
    }
  }

  /**
   * A page of Graph, waiting out throttling and outages (Retry-After, else back-off) up to
   * MAX_ATTEMPTS, and renewing the token once on a 401.
   */
  async function getPage<T>(url: string): Promise<GraphPage<T>> {
    if (!onGraph(url))
      throw new Error(
        `Microsoft Graph linked to ${where(url)}, off ${graphOrigin}: AppWarden sends its token nowhere else; ${NOTHING_CHANGED}`,
      );
    let renewToken = false;
    let renewed = false;
    for (let tries = 1; ; ) {
      const outcome = await attempt<T>(url, await accessToken(renewToken));
      renewToken = false;
      switch (outcome.kind) {
        case 'page':
          return outcome.page;
        case 'unauthorized':
          if (renewed)
            throw new Error(
              `Microsoft Graph refused a new token for GET ${where(url)} (401 ${outcome.error.code}: ${outcome.error.message}); ${NOTHING_CHANGED}`,
            );
          renewed = renewToken = true;
          continue;
        case 'gone':
          throw new SyncStateExpired(`Microsoft Graph: GET ${where(url)} answered 410 ${outcome.error.code}`);
        case 'refused':
          throw new GraphRefused(refusalMessage(url, outcome.status, outcome.error), outcome.status);
        case 'retry': {
          if (tries >= MAX_ATTEMPTS)
            throw new Error(`Microsoft Graph: GET ${where(url)} failed ${tries} times, the last with ${outcome.why}; ${NOTHING_CHANGED}`);
          const waitMs = outcome.waitMs ?? backoffMs(tries);
          if (waitMs > maxWaitMs)
            throw new Error(
              `Microsoft Graph: GET ${where(url)} answered ${outcome.why} and asked to wait ${waitMs / 1000} s, more than the ${maxWaitMs / 1000} s AppWarden waits; ${NOTHING_CHANGED}`,
            );
          log(`entra: GET ${where(url)}: ${outcome.why}; attempt ${tries + 1} of ${MAX_ATTEMPTS} in ${waitMs / 1000} s`);
          await sleep(waitMs);
          tries += 1;
        }
      }
    }
  }

  /** Counts the pages of one round against MAX_PAGES_PER_ROUND. */
  const pageBudget = () => {
    let pages = 0;
    return (url: string) => {
      pages += 1;
      if (pages > MAX_PAGES_PER_ROUND)
        throw new Error(
          `Microsoft Graph: more than ${MAX_PAGES_PER_ROUND} pages in one directory read (at ${where(url)}); ${NOTHING_CHANGED}`,
        );
    };
  };

  /** Every page of a users delta listing from `firstUrl`, and the deltaLink that ends it. */
  async function readUsers(firstUrl: string, countPage: (url: string) => void, delta: boolean) {
    const people = new Map<string, SourcePerson>();
    const removed = new Set<string>();
    for (let url = firstUrl; ; ) {
      countPage(url);
      const page = await getPage<GraphUser>(url);
      mergeUsers(people, removed, page.value, delta);
      const next = page['@odata.nextLink'];
      if (next) {
        url = next;
        continue;
      }
      const deltaLink = page['@odata.deltaLink'];
      if (!deltaLink)
        throw new Error(
          `Microsoft Graph ended the user listing at ${where(url)} with neither a next link nor a delta link; ${NOTHING_CHANGED}`,
        );
      return { people: [...people.values()], removed: [...removed], deltaLink };
    }
  }

  /** A group's direct user members (nested groups are not followed: the policy names the groups it means). */
  async function readMembers(groupId: string, countPage: (url: string) => void): Promise<string[]> {
    const members: string[] = [];
    for (let url: string | undefined = `${graphUrl}/v1.0/groups/${encodeURIComponent(groupId)}/members?$select=id`; url; ) {
      countPage(url);
      let page: GraphPage<GraphMember>;
      try {
        page = await getPage<GraphMember>(url);
      } catch (error) {
        if (error instanceof GraphRefused && error.status === 404)
          throw new Error(
            `The policy maps Entra group ${groupId}, which does not exist in tenant ${options.tenantId} (Microsoft Graph: 404); ${NOTHING_CHANGED}`,
          );
        // A 410 means a lost delta state only for users; for a group listing it is just a failure.
        if (error instanceof SyncStateExpired) throw new Error(`${error.message}; ${NOTHING_CHANGED}`);
        throw error;
      }
      for (const member of page.value)
        if (member?.['@odata.type'] === '#microsoft.graph.user' && typeof member.id === 'string') members.push(member.id);
      url = page['@odata.nextLink'];
    }
    return members;
  }

  const fullSyncUrl = `${graphUrl}/v1.0/users/delta?$select=${USER_SELECT}`;
  const graphOrigin = new URL(graphUrl).origin;
  /** Whether a link Graph gave (or a cursor) points at Graph itself: the token goes nowhere else. */
  const onGraph = (url: string) => URL.canParse(url) && new URL(url).origin === graphOrigin;

  async function fullSync(countPage: (url: string) => void) {
    try {
      return { complete: true, ...(await readUsers(fullSyncUrl, countPage, false)) };
    } catch (error) {
      if (error instanceof SyncStateExpired) throw new Error(`${error.message} during a full sync; ${NOTHING_CHANGED}`);
      throw error;
    }
  }

  /** This round's users: a delta round from the cursor, or a full sync when there is none or its state is gone. */
  async function usersRound(cursor: string | undefined, countPage: (url: string) => void) {
    if (cursor === undefined) return fullSync(countPage);
    if (!onGraph(cursor)) {
      log(`entra: the cursor is not a delta link of ${graphOrigin} (GRAPH_API_URL changed?): reading the whole directory again`);
      return fullSync(countPage);
    }
    try {
      return { complete: false, ...(await readUsers(cursor, countPage, true)) };
    } catch (error) {
      if (!(error instanceof SyncStateExpired)) throw error;
      // Delta tokens expire (days to weeks unused); only a full sync sets the state anew.
      log(`entra: ${error.message}: the delta state expired, reading the whole directory again`);
      return fullSync(countPage);
    }
  }

  return {
    source: 'entra',
    async read(cursor) {
      const countPage = pageBudget();
      const users = await usersRound(cursor, countPage);
      const groups: Record<string, string[]> = {};
      for (const groupId of new Set(options.groups)) groups[groupId] = await readMembers(groupId, countPage);
      return { source: 'entra', complete: users.complete, people: users.people, removed: users.removed, groups, cursor: users.deltaLink };
    },
  };
}
