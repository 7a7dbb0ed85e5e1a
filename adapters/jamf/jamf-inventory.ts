import { type Dispatcher, fetch } from 'undici';
import { backoffMs, networkCause, parseJson, retryAfterMs, where } from '../http/outbound-calls.ts';

export { backoffMs, retryAfterMs };
import type { InventoryDevice, InventoryReader } from '../../src/core/inventory.ts';
import { AppWardenError } from '../../src/core/result.ts';
import { type JamfMobileDevice, text, toDevice } from './jamf-device.ts';

export interface JamfOptions {
  /** The Jamf Pro server (JAMF_URL), e.g. https://agency.jamfcloud.com. */
  url: string;
  /** A Jamf Pro API client (Settings > System > API roles and clients). */
  clientId: string;
  clientSecret: string;
  /** Per HTTP call, default 15000. */
  timeoutMs?: number;
  /** Longest single Retry-After wait honoured, default 60000; a longer one gives up with a clear error. */
  maxWaitMs?: number;
  /** Injected so tests never sleep for real; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock a token's lifetime is counted on (ms since the epoch); default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
  /** An undici dispatcher (the caller passes a proxy agent); default undici's global one. */
  dispatcher?: Dispatcher;
  /** Devices per page, 1 to 2000 (Jamf's limit), default 500: a page with every app of each device is the read's largest buffer. */
  pageSize?: number;
}

/** The sections read: the device and its owner, who uses it, and its apps. */
const SECTIONS = ['GENERAL', 'USER_AND_LOCATION', 'APPLICATIONS'];
/** What the API role needs for `mobile-devices/detail`. */
export const READ_PRIVILEGE = 'Read Mobile Devices';
export const MAX_PAGE_SIZE = 2_000;
/** A read that pages further than this is refused: 1,000 pages are 500,000 devices at the default page size. */
export const MAX_PAGES_PER_READ = 1_000;
const MAX_ATTEMPTS = 5;
/** Statuses that say "not now": throttling, and Jamf Cloud's front doors being busy or unreachable. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
/** A token is renewed this long before it expires (at most half its life), so that no call starts on a dying one. */
const TOKEN_MARGIN_MS = 10_000;
/** An API client's default access token lifetime, for an answer without `expires_in`. */
const DEFAULT_TOKEN_SECONDS = 60;
const NOTHING_CHANGED = 'the device inventory was not read and nothing was changed';

interface JamfPage {
  totalCount: number;
  results: JamfMobileDevice[];
}

/** Jamf's `{ httpStatus, errors: [{ code, description }] }`, as `CODE: description`; the token endpoint's OAuth `{ error }` too. */
function jamfSaid(body: unknown): string {
  const { errors, error } = (body ?? {}) as { errors?: { code?: unknown; description?: unknown }[]; error?: unknown };
  const first = Array.isArray(errors) ? errors[0] : undefined;
  const code = text(first?.code) ?? text(error) ?? 'no error code';
  const description = text(first?.description);
  return description ? `${code}: ${description}` : code;
}

interface Answer {
  status: number;
  body: unknown;
  retryAfter: string | null;
  location: string | null;
}
/** What an answer means for the call: its value; another try (after `waitMs`, else the back-off); a refusal; the API refusing the token. */
type Done<T> = { kind: 'done'; value: T };
type Retry = { kind: 'retry'; why: string; waitMs?: number };
type Refused = { kind: 'refused'; code: string; message: string };
type Unauthorized = { kind: 'unauthorized'; said: string };

/**
 * Jamf Pro's mobile devices, read whole through the Jamf Pro API with an API client's token, each with
 * the watched apps it carries. Throttling and outages are waited out within limits; anything else fails
 * the read with a message that says what to fix. The token goes only to the configured server: every
 * URL is built from it and no redirect is followed.
 */
export function jamfInventory(options: JamfOptions): InventoryReader {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const pageSize = options.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new AppWardenError(
      'jamf.bad_option',
      `Jamf Pro: the page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, not ${pageSize}`,
    );
  const base = options.url.replace(/\/+$/, '');
  if (!URL.canParse(base) || new URL(base).protocol !== 'https:')
    throw new AppWardenError('jamf.bad_option', `Jamf Pro: the server URL must be an https:// URL such as https://agency.jamfcloud.com`);
  const tokenUrl = `${base}/api/oauth/token`;

  let token: { value: string; renewAt: number } | undefined;
  let requests = 0;
  /** Defence in depth: no message leaves with the secret or a token in it, whatever a server echoed. */
  const redact = (line: string) =>
    [options.clientSecret, token?.value].reduce<string>((t, secret) => (secret ? t.split(secret).join('***') : t), line);
  const fault = (code: string, line: string) => new AppWardenError(code, redact(`${line}; ${NOTHING_CHANGED}`));

  async function exchange(
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<Answer | { cause: string }> {
    requests += 1;
    try {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = parseJson(await response.text());
      return { status: response.status, body, retryAfter: response.headers.get('retry-after'), location: response.headers.get('location') };
    } catch (error) {
      return { cause: networkCause(error, timeoutMs) };
    }
  }

  /** What every call shares: network failures and "not now" are retried; a redirect is refused (it would take the token or the secret along). */
  function common(url: string, answer: Answer): Retry | Refused | undefined {
    const { status } = answer;
    if (RETRIED_STATUSES.has(status)) {
      const waitMs = retryAfterMs(answer.retryAfter, now());
      return { kind: 'retry', why: `HTTP ${status} ${jamfSaid(answer.body)}`, ...(waitMs === undefined ? {} : { waitMs }) };
    }
    if (status >= 300 && status < 400) {
      const to = answer.location && URL.canParse(answer.location, url) ? where(new URL(answer.location, url).href) : 'nowhere said';
      return {
        kind: 'refused',
        code: 'jamf.redirected',
        message: `Jamf Pro: ${where(url)} redirected (HTTP ${status}) to ${to}, which AppWarden does not follow: set JAMF_URL to the server's own address`,
      };
    }
    return undefined;
  }

  /** Waits out what `attempt` says to retry (Retry-After, else back-off) up to MAX_ATTEMPTS; throws what it refuses. */
  async function retrying<O extends Done<unknown> | Unauthorized>(what: string, attempt: () => Promise<O | Retry | Refused>): Promise<O> {
    for (let tries = 1; ; tries++) {
      const outcome = await attempt();
      if (outcome.kind === 'refused') throw fault(outcome.code, outcome.message);
      if (outcome.kind !== 'retry') return outcome;
      if (tries >= MAX_ATTEMPTS) throw fault('jamf.unavailable', `Jamf Pro: ${what} failed ${tries} times, the last with ${outcome.why}`);
      const waitMs = outcome.waitMs ?? backoffMs(tries);
      if (waitMs > maxWaitMs)
        throw fault(
          'jamf.unavailable',
          `Jamf Pro: ${what} answered ${outcome.why} and asked to wait ${waitMs / 1000} s, more than the ${maxWaitMs / 1000} s AppWarden waits`,
        );
      log(redact(`jamf: ${what}: ${outcome.why}; attempt ${tries + 1} of ${MAX_ATTEMPTS} in ${waitMs / 1000} s`));
      await sleep(waitMs);
    }
  }

  /** The token endpoint's answer: a token and its lifetime, or why not. */
  async function askToken(): Promise<Done<{ value: string; seconds: number }> | Retry | Refused> {
    const body = new URLSearchParams({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      grant_type: 'client_credentials',
    });
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    const answer = await exchange(tokenUrl, { method: 'POST', headers, body: body.toString() });
    if ('cause' in answer) return { kind: 'retry', why: answer.cause };
    const shared = common(tokenUrl, answer);
    if (shared) return shared;
    const { access_token, expires_in } = (answer.body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    const value = text(access_token);
    if (answer.status === 200 && value) {
      const seconds = typeof expires_in === 'number' && expires_in > 0 ? expires_in : DEFAULT_TOKEN_SECONDS;
      return { kind: 'done', value: { value, seconds } };
    }
    // A 200 without a token is a proxy's or a truncated answer: worth another try.
    if (answer.status === 200) return { kind: 'retry', why: 'HTTP 200 without an access token' };
    const said = `${answer.status} ${jamfSaid(answer.body)}`;
    if (answer.status === 400 || answer.status === 401)
      return {
        kind: 'refused',
        code: 'jamf.credentials_refused',
        message: `Jamf Pro gave no token to API client ${options.clientId} at ${base} (${said}): check in Settings > System > API roles and clients that the client is enabled and has a role, that JAMF_CLIENT_ID is its client id, and that JAMF_CLIENT_SECRET is its current secret (rotating the secret voids the old one)`,
      };
    const hint = answer.status === 404 ? ': check JAMF_URL (API clients need Jamf Pro 10.49 or later)' : '';
    return { kind: 'refused', code: 'jamf.token_refused', message: `Jamf Pro: POST ${where(tokenUrl)} answered ${said}${hint}` };
  }

  /** A token for the API: the cached one while it has more than the margin left. */
  async function accessToken(): Promise<string> {
    if (token && now() < token.renewAt) return token.value;
    const asked = now();
    const got = await retrying(`POST ${where(tokenUrl)}`, askToken);
    const lifetimeMs = got.value.seconds * 1000;
    token = { value: got.value.value, renewAt: asked + lifetimeMs - Math.min(TOKEN_MARGIN_MS, lifetimeMs / 2) };
    return token.value;
  }

  /** One page of devices, as an outcome. */
  async function askPage(url: string, bearer: string): Promise<Done<JamfPage> | Unauthorized | Retry | Refused> {
    const answer = await exchange(url, { method: 'GET', headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' } });
    if ('cause' in answer) return { kind: 'retry', why: answer.cause };
    const shared = common(url, answer);
    if (shared) return shared;
    const page = answer.body as Partial<JamfPage> | undefined;
    if (answer.status === 200)
      return typeof page?.totalCount === 'number' && Array.isArray(page.results)
        ? { kind: 'done', value: { totalCount: page.totalCount, results: page.results } }
        : { kind: 'retry', why: 'HTTP 200 without a device list' };
    const said = `${answer.status} ${jamfSaid(answer.body)}`;
    if (answer.status === 401) return { kind: 'unauthorized', said };
    if (answer.status === 403)
      return {
        kind: 'refused',
        code: 'jamf.forbidden',
        message: `Jamf Pro refused GET ${where(url)} (${said}): the API client's role needs the privilege "${READ_PRIVILEGE}"`,
      };
    return { kind: 'refused', code: 'jamf.refused', message: `Jamf Pro refused GET ${where(url)} (${said})` };
  }

  /** A page of devices, renewing the token once if the API refuses it (revoked, or expired early). */
  async function getPage(url: string): Promise<JamfPage> {
    const first = await retrying(`GET ${where(url)}`, async () => askPage(url, await accessToken()));
    if (first.kind === 'done') return first.value;
    token = undefined;
    const again = await retrying(`GET ${where(url)}`, async () => askPage(url, await accessToken()));
    if (again.kind === 'done') return again.value;
    throw fault('jamf.unauthorized', `Jamf Pro refused a new token for GET ${where(url)} (${again.said})`);
  }

  const pageUrl = (page: number) => {
    const query = new URLSearchParams(SECTIONS.map((s) => ['section', s]));
    query.set('page', String(page));
    query.set('page-size', String(pageSize));
    query.set('sort', 'mobileDeviceId:asc');
    return `${base}/api/v2/mobile-devices/detail?${query}`;
  };

  return {
    source: 'jamf',
    async read(match) {
      requests = 0;
      const devices = new Map<string, InventoryDevice>();
      let firstTotal: number | undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES_PER_READ)
          throw fault('jamf.too_many_pages', `Jamf Pro: more than ${MAX_PAGES_PER_READ} pages of ${pageSize} mobile devices in one read`);
        const { totalCount, results } = await getPage(pageUrl(page));
        firstTotal ??= totalCount;
        // A device enrolled while paging shifts the pages: one listed twice counts once, as last listed.
        for (const raw of results) {
          const device = raw && typeof raw === 'object' ? toDevice(raw, match) : undefined;
          if (device) devices.set(device.id, device);
        }
        if (results.length === 0 || (page + 1) * pageSize >= totalCount) {
          if (totalCount !== firstTotal)
            log(`jamf: the device list changed while it was read (${firstTotal} then ${totalCount} devices); the next read settles it`);
          return { source: 'jamf', devices: [...devices.values()], requests };
        }
      }
    },
  };
}
