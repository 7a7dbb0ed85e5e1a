import type { ServerResponse } from 'node:http';
import type { GraphCall } from './fake-graph.ts';

/** A managed device as Intune holds one: the properties AppWarden selects, and a few it does not. */
export interface IntuneDevice {
  id: string;
  deviceName?: string | null;
  operatingSystem?: string | null;
  osVersion?: string | null;
  userPrincipalName?: string | null;
  emailAddress?: string | null;
  managedDeviceOwnerType?: 'company' | 'personal' | 'unknown';
  /** Absent: never synced, which Intune sends as `0001-01-01T00:00:00Z`. */
  lastSyncDateTime?: string;
  serialNumber?: string | null;
  model?: string | null;
}

/** One detected app record: Intune keeps one per app and version, with the devices it saw it on. */
export interface IntuneDetectedApp {
  id: string;
  displayName: string;
  version?: string;
  platform?: string;
  publisher?: string;
  deviceIds: string[];
}

export interface FakeIntuneOptions {
  /** Items per page of `detectedApps` without `$top` (Intune's own size is not documented). */
  detectedAppsPageSize?: number;
  /** Items per page of `managedDevices` and `detectedApps/{id}/managedDevices` without `$top`. */
  managedDevicesPageSize?: number;
  /** Intune's limit: at most `requests` to /v1.0/deviceManagement/ per client in any `windowMs`. */
  limit?: { requests: number; windowMs: number };
  /** The clock the limit is measured on, in ms (a test's virtual time); default Date.now. */
  now?: () => number;
}

/** What the fake Graph lends its Intune endpoints: its paging and its errors. */
export interface ListingTools {
  /** The first page of a listing (or Graph's 400 for a `$top` outside 1–999); its next links continue `basePath`. */
  first(
    res: ServerResponse,
    call: GraphCall,
    query: URLSearchParams,
    items: Record<string, unknown>[],
    listing: { pageSize: number; basePath: string; context: string },
  ): void;
  /** The page a `$skiptoken` of a listing on `basePath` stands for. */
  next(res: ServerResponse, call: GraphCall, skip: string, basePath: string, context: string): void;
  graphError(res: ServerResponse, call: GraphCall, status: number, code?: string, message?: string, headers?: Record<string, string>): void;
}

const DEVICE_PROPERTIES = [
  'id',
  'deviceName',
  'operatingSystem',
  'osVersion',
  'userPrincipalName',
  'emailAddress',
  'managedDeviceOwnerType',
  'lastSyncDateTime',
  'serialNumber',
  'model',
];
const DETECTED_APP_PROPERTIES = ['id', 'displayName', 'version', 'sizeInByte', 'deviceCount', 'publisher', 'platform'];
const NEVER = '0001-01-01T00:00:00Z';
const BASE = '/v1.0/deviceManagement';

/**
 * Intune's part of Graph: `deviceManagement/detectedApps`, `detectedApps/{id}/managedDevices` and
 * `deviceManagement/managedDevices`, paged and projected by `$select` as Graph does, and Intune's limit
 * of 2,000 requests per 20 s per client (429 with Retry-After past it). Requests the limit refuses do
 * not count towards it, so Retry-After says when the window has room again.
 */
export function fakeIntune(tools: ListingTools, options: FakeIntuneOptions = {}) {
  const pageSizes = { detectedApps: options.detectedAppsPageSize ?? 50, managedDevices: options.managedDevicesPageSize ?? 100 };
  const limit = options.limit ?? { requests: 2_000, windowMs: 20_000 };
  const now = options.now ?? Date.now;
  const devices = new Map<string, IntuneDevice>();
  const apps = new Map<string, IntuneDetectedApp>();
  /** Per client: the times of the requests served within the window, oldest first. */
  const served = new Map<string, number[]>();
  let throttled = 0;

  const asDevice = (d: IntuneDevice): Record<string, unknown> => ({
    managedDeviceOwnerType: 'unknown',
    ...d,
    lastSyncDateTime: d.lastSyncDateTime ?? NEVER,
  });
  const asApp = ({ deviceIds, ...app }: IntuneDetectedApp): Record<string, unknown> => ({
    platform: 'unknown',
    sizeInByte: 0,
    ...app,
    deviceCount: deviceIds.length,
  });

  /** Graph's `$select`: the properties named (Graph's 400 for one the type lacks), or all of them. */
  const selected = (query: URLSearchParams, known: string[]): string[] | { unknown: string } => {
    const select = (query.get('$select') ?? '').split(',').filter(Boolean);
    const unknown = select.find((key) => !known.includes(key));
    return unknown ? { unknown } : select.length ? select : known;
  };
  const project = (item: Record<string, unknown>, select: string[]) => Object.fromEntries(select.map((k) => [k, item[k] ?? null]));

  /** Within the limit: counts the request. Over it: Graph's 429, with the seconds until the oldest leaves the window. */
  const overLimit = (res: ServerResponse, call: GraphCall, client: string): boolean => {
    const at = now();
    const times = served.get(client) ?? [];
    while (times.length && (times[0] ?? 0) <= at - limit.windowMs) times.shift();
    served.set(client, times);
    if (times.length < limit.requests) {
      times.push(at);
      return false;
    }
    throttled += 1;
    const seconds = Math.max(1, Math.ceil(((times[0] ?? at) + limit.windowMs - at) / 1000));
    tools.graphError(res, call, 429, undefined, undefined, { 'Retry-After': String(seconds) });
    return true;
  };

  const list = (
    res: ServerResponse,
    call: GraphCall,
    query: URLSearchParams,
    listing: { basePath: string; context: string; pageSize: number; type: string; known: string[] },
    items: () => Record<string, unknown>[],
  ) => {
    const skip = query.get('$skiptoken');
    if (skip !== null) return tools.next(res, call, skip, listing.basePath, listing.context);
    const select = selected(query, listing.known);
    if (!Array.isArray(select))
      return tools.graphError(
        res,
        call,
        400,
        'BadRequest',
        `Could not find a property named '${select.unknown}' on type '${listing.type}'.`,
      );
    tools.first(
      res,
      call,
      query,
      items().map((item) => project(item, select)),
      listing,
    );
  };

  /** Answers a request under /v1.0/deviceManagement/ from `client`; `false` for a path none of its listings (counted all the same). */
  function route(res: ServerResponse, call: GraphCall, path: string, query: URLSearchParams, client: string): boolean {
    if (!path.startsWith(`${BASE}/`)) return false;
    if (overLimit(res, call, client)) return true;
    const devicesListing = {
      context: 'deviceManagement/managedDevices',
      pageSize: pageSizes.managedDevices,
      type: 'microsoft.graph.managedDevice',
      known: DEVICE_PROPERTIES,
    };
    if (path === `${BASE}/detectedApps`) {
      list(
        res,
        call,
        query,
        {
          basePath: `${BASE}/detectedApps?`,
          context: 'deviceManagement/detectedApps',
          pageSize: pageSizes.detectedApps,
          type: 'microsoft.graph.detectedApp',
          known: DETECTED_APP_PROPERTIES,
        },
        () => [...apps.values()].map(asApp),
      );
      return true;
    }
    if (path === `${BASE}/managedDevices`) {
      list(res, call, query, { ...devicesListing, basePath: `${BASE}/managedDevices?` }, () => [...devices.values()].map(asDevice));
      return true;
    }
    const appDevices = /^\/v1\.0\/deviceManagement\/detectedApps\/([^/]+)\/managedDevices$/.exec(path);
    if (!appDevices) return false;
    const id = decodeURIComponent(appDevices[1] ?? '');
    const app = apps.get(id);
    if (!app && !query.has('$skiptoken')) {
      tools.graphError(res, call, 404, 'ResourceNotFound', `No detectedApp with id '${id}' exists.`);
      return true;
    }
    // A device the app was seen on but which has since left Intune is listed by its id alone.
    const carrying = () =>
      (app?.deviceIds ?? []).map((d) => {
        const device = devices.get(d);
        return device ? asDevice(device) : { id: d };
      });
    list(res, call, query, { ...devicesListing, basePath: `${BASE}/detectedApps/${encodeURIComponent(id)}/managedDevices?` }, carrying);
    return true;
  }
  return {
    route,
    /** Replaces every managed device. */
    setManagedDevices(list: IntuneDevice[]) {
      devices.clear();
      for (const d of list) devices.set(d.id, d);
    },
    /** Replaces every detected app record (one per app and version). */
    setDetectedApps(list: IntuneDetectedApp[]) {
      apps.clear();
      for (const a of list) apps.set(a.id, a);
    },
    setPageSizes(sizes: { detectedApps?: number; managedDevices?: number }) {
      Object.assign(pageSizes, sizes);
    },
    /** Requests the limit refused with 429 so far. */
    throttled: () => throttled,
  };
}
