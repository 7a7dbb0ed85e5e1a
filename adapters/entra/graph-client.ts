import {
  AuthError,
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { type Dispatcher, fetch } from 'undici';
import { backoffMs, networkCause, parseJson, retryAfterMs, where } from '../http/outbound-calls.ts';

export { backoffMs, retryAfterMs, where };
import { requestPacer } from './request-pacer.ts';

/** How AppWarden reaches Microsoft Graph: the app registration, the endpoints, and the limits of waiting. */
export interface GraphClientOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com (AZURE_AUTHORITY_HOST). */
  authorityHost: string;
  /** Default https://graph.microsoft.com (GRAPH_API_URL). */
  graphUrl: string;
  /** Per HTTP call, default 15000. */
  timeoutMs?: number;
  /** Longest single Retry-After wait honoured, default 60000; a longer one gives up with a clear error. */
  maxWaitMs?: number;
  /** Injected so tests never sleep for real; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock the request pacing reads, in ms; default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
  /** An undici dispatcher (the caller passes a proxy agent); default undici's global one. */
  dispatcher?: Dispatcher;
}

/** Which reader a client serves, for its log lines (`entra: …`) and messages (`the directory was not read…`). */
export interface GraphReader {
  name: string;
  subject: string;
}

export interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}
export interface GraphError {
  code: string;
  message: string;
}

/** One read's account: each page counts against its budget, each HTTP request (retries too) in `requests`. */
export interface GraphRead {
  getPage<T>(url: string): Promise<GraphPage<T>>;
  /** HTTP requests this read sent to Graph so far; token requests are not counted. */
  readonly requests: number;
}

export interface GraphClient {
  /** The Graph base URL, without a trailing slash. */
  graphUrl: string;
  /** The origin a link must be on for the token to go with it. */
  origin: string;
  /** `the directory was not read and nothing was changed`: how each failure of the reader ends. */
  nothingChanged: string;
  onGraph(url: string): boolean;
  /** A read of at most `maxPages` pages: one more is refused (a listing that never ends). */
  startRead(maxPages: number): GraphRead;
}

const MAX_ATTEMPTS = 5;
/** Statuses that say "not now": Graph throttling, and its front doors being busy or unreachable. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/** The delta state a cursor holds is gone (410): the round starts again from a full sync. */
export class SyncStateExpired extends Error {}
/** Graph refused the call for good (a 4xx other than 401 and 410): the status says which refusal. */
export class GraphRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Graph's `{ error: { code, message } }`, or what there is of it. */
function graphErrorOf(body: unknown): GraphError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : 'unknown',
    message: typeof error?.message === 'string' ? error.message : '',
  };
}

/** Which application permission a Graph path needs (what a 403 is missing). */
function permissionFor(url: string): string {
  const path = new URL(url).pathname;
  if (path.includes('/deviceManagement/')) return 'DeviceManagementManagedDevices.Read.All';
  return path.includes('/groups/') ? 'GroupMember.Read.All' : 'User.Read.All';
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
      // A redirect would carry the client secret (or the token) to wherever it points: never followed.
      redirect: 'manual',
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
export type Outcome<T> =
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

/**
 * Microsoft Graph for one reader, app-only: a client credentials token from MSAL (renewed past its
 * cache once when Graph refuses it), pages fetched with throttling and outages waited out within
 * limits (Retry-After, else back-off), requests paced under Intune's limit, and the token sent to
 * Graph's origin only. Every failure is an error whose message says what to fix and that
 * `nothingChanged`; a permanent refusal is a GraphRefused, a lost delta state a SyncStateExpired.
 */
export function graphClient(options: GraphClientOptions, reader: GraphReader): GraphClient {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = options.log ?? (() => {});
  const pace = requestPacer({ now: options.now ?? Date.now, sleep });
  const authorityHost = options.authorityHost.replace(/\/+$/, '');
  const graphUrl = options.graphUrl.replace(/\/+$/, '');
  const graphOrigin = new URL(graphUrl).origin;
  const nothingChanged = `the ${reader.subject} was not read and nothing was changed`;
  /** Defence in depth: no message leaves with the secret in it, whatever a library put there. */
  const redact = (text: string) => (options.clientSecret ? text.split(options.clientSecret).join('***') : text);
  /** Whether a link Graph gave (or a cursor) points at Graph itself: the token goes nowhere else. */
  const onGraph = (url: string) => URL.canParse(url) && new URL(url).origin === graphOrigin;

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
            `Entra gave no token for Microsoft Graph (tenant ${options.tenantId}, client ${options.clientId}, authority ${authorityHost}): ${detail}${transient ? ` after ${attempt} attempts` : ''}; ${nothingChanged}`,
          );
        log(
          `${reader.name}: token request failed (${detail}); attempt ${attempt + 1} of ${MAX_ATTEMPTS} in ${backoffMs(attempt) / 1000} s`,
        );
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** One GET, as an outcome: network failures and timeouts are outcomes too (retried). */
  async function attempt<T>(url: string, token: string, sent: { requests: number }): Promise<Outcome<T>> {
    await pace();
    sent.requests += 1;
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = parseJson(await response.text());
      return classify<T>(response.status, body, response.headers.get('retry-after'));
    } catch (error) {
      return { kind: 'retry', why: networkCause(error, timeoutMs) };
    }
  }

  /** Why Graph refused a call, and what to do about it. */
  function refusalMessage(url: string, status: number, error: GraphError): string {
    const said = `${error.code}${error.message ? `: ${error.message}` : ''}`;
    if (status === 403)
      return `Microsoft Graph refused GET ${where(url)} (403 ${said}): the app registration needs the application permission ${permissionFor(url)}, with admin consent; ${nothingChanged}`;
    return `Microsoft Graph refused GET ${where(url)} (${status} ${said}); ${nothingChanged}`;
  }

  /**
   * A page of Graph, waiting out throttling and outages (Retry-After, else back-off) up to
   * MAX_ATTEMPTS, and renewing the token once on a 401.
   */
  async function getPage<T>(url: string, sent: { requests: number }): Promise<GraphPage<T>> {
    if (!onGraph(url))
      throw new Error(
        `Microsoft Graph linked to ${where(url)}, off ${graphOrigin}: AppWarden sends its token nowhere else; ${nothingChanged}`,
      );
    let renewToken = false;
    let renewed = false;
    for (let tries = 1; ; ) {
      const outcome = await attempt<T>(url, await accessToken(renewToken), sent);
      renewToken = false;
      switch (outcome.kind) {
        case 'page':
          return outcome.page;
        case 'unauthorized':
          if (renewed)
            throw new Error(
              `Microsoft Graph refused a new token for GET ${where(url)} (401 ${outcome.error.code}: ${outcome.error.message}); ${nothingChanged}`,
            );
          renewed = renewToken = true;
          continue;
        case 'gone':
          throw new SyncStateExpired(`Microsoft Graph: GET ${where(url)} answered 410 ${outcome.error.code}`);
        case 'refused':
          throw new GraphRefused(refusalMessage(url, outcome.status, outcome.error), outcome.status);
        case 'retry': {
          if (tries >= MAX_ATTEMPTS)
            throw new Error(`Microsoft Graph: GET ${where(url)} failed ${tries} times, the last with ${outcome.why}; ${nothingChanged}`);
          const waitMs = outcome.waitMs ?? backoffMs(tries);
          if (waitMs > maxWaitMs)
            throw new Error(
              `Microsoft Graph: GET ${where(url)} answered ${outcome.why} and asked to wait ${waitMs / 1000} s, more than the ${maxWaitMs / 1000} s AppWarden waits; ${nothingChanged}`,
            );
          log(`${reader.name}: GET ${where(url)}: ${outcome.why}; attempt ${tries + 1} of ${MAX_ATTEMPTS} in ${waitMs / 1000} s`);
          await sleep(waitMs);
          tries += 1;
        }
      }
    }
  }

  function startRead(maxPages: number): GraphRead {
    let pages = 0;
    const sent = { requests: 0 };
    return {
      async getPage<T>(url: string) {
        pages += 1;
        if (pages > maxPages)
          throw new Error(
            `Microsoft Graph: more than ${maxPages} pages in one ${reader.subject} read (at ${where(url)}); ${nothingChanged}`,
          );
        return getPage<T>(url, sent);
      },
      get requests() {
        return sent.requests;
      },
    };
  }

  return { graphUrl, origin: graphOrigin, nothingChanged, onGraph, startRead };
}
