import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_CERT_PATH } from './fake-graph.ts';

/** The key of the certificate fake-graph.ts serves, which vitest.config.ts makes the workers trust. */
const TEST_KEY_PATH = fileURLToPath(new URL('./tls/localhost-key.pem', import.meta.url));

/** An app on a device, with the fields of Jamf's `applications` section. */
export interface JamfApp {
  identifier?: string | null;
  name?: string | null;
  version?: string | null;
  shortVersion?: string | null;
  managementStatus?: string | null;
}

/** A mobile device in a simple shape; the fake answers it in the Jamf Pro API v2 shape. */
export interface JamfDevice {
  /** `mobileDeviceId`: a number as text, as Jamf gives it. */
  id: string;
  name?: string | null;
  /** Default `iOS`. */
  deviceType?: string | null;
  osVersion?: string | null;
  /** Default true. */
  managed?: boolean;
  /** `deviceOwnershipType`: Institutional, PersonalDeviceProfile, UserEnrollment, AccountDrivenUserEnrollment, AccountDrivenDeviceEnrollment; default Institutional. */
  ownership?: string | null;
  /** ISO; default 2026-12-01T09:00:00.000Z. */
  lastInventoryUpdate?: string | null;
  username?: string | null;
  realName?: string | null;
  email?: string | null;
  apps?: JamfApp[];
}

export interface JamfCall {
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
export interface JamfFault {
  path: RegExp;
  times?: number;
  /** Default 503. */
  status?: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  code?: string;
  description?: string;
  headers?: Record<string, string>;
  /** Never answer (the socket stays open until the server closes): a timeout for the client. */
  hang?: boolean;
  /** Not a failure of its own: runs as the request arrives, which is then answered as usual (expire tokens, enrol a device). */
  before?: () => void;
}

/** Every section `mobile-devices/detail` takes; the fake fills those it holds and answers null for the rest. */
const SECTIONS = new Set([
  'GENERAL',
  'HARDWARE',
  'USER_AND_LOCATION',
  'PURCHASING',
  'SECURITY',
  'APPLICATIONS',
  'EBOOKS',
  'NETWORK',
  'SERVICE_SUBSCRIPTIONS',
  'CERTIFICATES',
  'PROFILES',
  'USER_PROFILES',
  'PROVISIONING_PROFILES',
  'SHARED_USERS',
  'EXTENSION_ATTRIBUTES',
]);
/** The response field of each section. */
const FIELD_OF: Record<string, string> = {
  GENERAL: 'general',
  HARDWARE: 'hardware',
  USER_AND_LOCATION: 'userAndLocation',
  PURCHASING: 'purchasing',
  SECURITY: 'security',
  APPLICATIONS: 'applications',
  EBOOKS: 'ebooks',
  NETWORK: 'network',
  SERVICE_SUBSCRIPTIONS: 'serviceSubscriptions',
  CERTIFICATES: 'certificates',
  PROFILES: 'profiles',
  USER_PROFILES: 'userProfiles',
  PROVISIONING_PROFILES: 'provisioningProfiles',
  SHARED_USERS: 'sharedUsers',
  EXTENSION_ATTRIBUTES: 'extensionAttributes',
};

/** Jamf's error codes and descriptions for the statuses the fake is asked to fail with. */
const JAMF_ERRORS: Record<number, { code: string; description: string }> = {
  400: { code: 'INVALID_FIELD', description: 'Invalid request.' },
  403: { code: 'INVALID_PRIVILEGE', description: 'Forbidden' },
  404: { code: 'NOT_FOUND', description: 'Not Found' },
  429: { code: 'TOO_MANY_REQUESTS', description: 'Too many requests.' },
  500: { code: 'INTERNAL_SERVER_ERROR', description: 'Internal Server Error' },
  502: { code: 'BAD_GATEWAY', description: 'Bad Gateway' },
  503: { code: 'SERVICE_UNAVAILABLE', description: 'Service Unavailable' },
  504: { code: 'GATEWAY_TIMEOUT', description: 'Gateway Timeout' },
};

export interface FakeJamfOptions {
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of the tokens issued, default 60 (an API client's default lifetime). */
  expiresIn?: number;
  /** The privileges of the API client's role; default Read Mobile Devices. */
  privileges?: string[];
}

/**
 * Jamf Pro over HTTPS on 127.0.0.1: API client tokens (`/api/oauth/token`, client credentials), and
 * `/api/v2/mobile-devices/detail` with sections, paging and sorting by id, checked as Jamf checks them
 * (expired tokens, privileges, page sizes); scripted faults (429, 5xx, hangs). Records every call.
 */
export async function startFakeJamf(options: FakeJamfOptions = {}) {
  const clientId = options.clientId ?? 'b6a1c2d3-0000-4000-8000-jamfclient01';
  const clientSecret = options.clientSecret ?? 'jamf-secret-value-1';
  let expiresIn = options.expiresIn ?? 60;
  let privileges = new Set(options.privileges ?? ['Read Mobile Devices']);

  const calls: JamfCall[] = [];
  const faults: (JamfFault & { times: number })[] = [];
  const hanging = new Set<ServerResponse>();
  const tokens = new Map<string, number>();
  const devices = new Map<string, JamfDevice>();
  let origin = '';

  const expireTokens = () => {
    for (const token of tokens.keys()) tokens.set(token, 0);
  };

  const send = (res: ServerResponse, call: JamfCall, status: number, body: unknown, headers: Record<string, string> = {}) => {
    call.status = status;
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  };
  /** The Jamf Pro API's error body. */
  const jamfError = (
    res: ServerResponse,
    call: JamfCall,
    status: number,
    error?: { code?: string; description?: string; field?: string | null },
    headers?: Record<string, string>,
  ) => {
    const known = JAMF_ERRORS[status] ?? { code: 'UNKNOWN', description: 'Error' };
    const errors =
      status === 401
        ? []
        : [{ code: error?.code ?? known.code, description: error?.description ?? known.description, id: '0', field: error?.field ?? null }];
    send(res, call, status, { httpStatus: status, errors }, headers);
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, call: JamfCall) => {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      return send(res, call, 400, { error: 'invalid_request' });
    const form = call.form ?? {};
    if (form.grant_type !== 'client_credentials') return send(res, call, 400, { error: 'unsupported_grant_type' });
    if (form.client_id !== clientId || form.client_secret !== clientSecret) return send(res, call, 401, { error: 'invalid_client' });
    const token = randomBytes(32).toString('base64url');
    tokens.set(token, Date.now() + expiresIn * 1000);
    send(res, call, 200, { access_token: token, scope: 'api-role:1', token_type: 'Bearer', expires_in: expiresIn });
  };

  /** Whether the bearer token is one issued and still alive. */
  const authorized = (headers: IncomingHttpHeaders): boolean => {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const expires = bearer ? tokens.get(bearer) : undefined;
    return expires !== undefined && expires > Date.now();
  };

  const sectionsOf = (device: JamfDevice): Record<string, unknown> => ({
    general: {
      udid: randomUUID().toUpperCase(),
      displayName: device.name ?? null,
      assetTag: null,
      siteId: '-1',
      lastInventoryUpdateDate: device.lastInventoryUpdate === undefined ? '2026-12-01T09:00:00.000Z' : device.lastInventoryUpdate,
      osVersion: device.osVersion ?? null,
      osBuild: null,
      ipAddress: null,
      managed: device.managed ?? true,
      supervised: (device.ownership ?? 'Institutional') === 'Institutional',
      deviceOwnershipType: device.ownership === undefined ? 'Institutional' : device.ownership,
      enrollmentMethodPrestage: null,
      lastEnrolledDate: '2025-09-01T08:00:00.000Z',
      timeZone: 'Europe/Brussels',
    },
    hardware: { capacityMb: 131072, model: 'iPhone 15', serialNumber: `F2LX${device.id.padStart(8, '0')}` },
    userAndLocation: {
      username: device.username ?? null,
      realName: device.realName ?? null,
      emailAddress: device.email ?? null,
      position: null,
      phoneNumber: null,
      departmentId: null,
      buildingId: null,
      room: null,
    },
    applications: (device.apps ?? []).map((a) => ({
      identifier: a.identifier ?? null,
      name: a.name ?? null,
      version: a.version ?? null,
      shortVersion: a.shortVersion ?? null,
      managementStatus: a.managementStatus ?? 'UNMANAGED',
      validationStatus: true,
      bundleSize: '104857600',
      dynamicSize: '20971520',
    })),
  });

  /** A device as `mobile-devices/detail` lists it: the sections asked for, null for the others. */
  const detail = (device: JamfDevice, sections: Set<string>) => {
    const held = sectionsOf(device);
    const body: Record<string, unknown> = {
      mobileDeviceId: device.id,
      deviceType: device.deviceType === undefined ? 'iOS' : device.deviceType,
    };
    for (const section of SECTIONS) {
      const field = FIELD_OF[section] ?? section;
      body[field] = sections.has(section) ? (held[field] ?? null) : null;
    }
    return body;
  };

  const listDevices = (res: ServerResponse, call: JamfCall, query: URLSearchParams) => {
    const sections = new Set(query.getAll('section').flatMap((s) => s.split(',')));
    if (sections.size === 0) sections.add('GENERAL');
    const unknown = [...sections].find((s) => !SECTIONS.has(s));
    if (unknown) return jamfError(res, call, 400, { code: 'INVALID_FIELD', description: `Invalid section: ${unknown}`, field: 'section' });
    const page = Number(query.get('page') ?? '0');
    const size = Number(query.get('page-size') ?? '100');
    if (!Number.isInteger(page) || page < 0)
      return jamfError(res, call, 400, { code: 'INVALID_FIELD', description: 'page must be 0 or greater', field: 'page' });
    if (!Number.isInteger(size) || size < 1 || size > 2000)
      return jamfError(res, call, 400, { code: 'INVALID_FIELD', description: 'page-size must be between 1 and 2000', field: 'page-size' });
    const sorts = (query.get('sort') ?? 'mobileDeviceId:asc').split(',');
    const [field, direction = 'asc'] = (sorts[0] ?? '').split(':');
    if (sorts.length !== 1 || field !== 'mobileDeviceId' || !['asc', 'desc'].includes(direction))
      return jamfError(res, call, 400, { code: 'INVALID_FIELD', description: `Invalid sort: ${query.get('sort')}`, field: 'sort' });
    const sorted = [...devices.values()].sort((a, b) => Number(a.id) - Number(b.id));
    if (direction === 'desc') sorted.reverse();
    const results = sorted.slice(page * size, (page + 1) * size).map((d) => detail(d, sections));
    send(res, call, 200, { totalCount: devices.size, results });
  };

  const route = (req: IncomingMessage, res: ServerResponse, call: JamfCall) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/api/oauth/token') return issueToken(req, res, call);
    if (url.pathname.startsWith('/api/')) {
      if (!authorized(req.headers)) return jamfError(res, call, 401);
      if (req.method === 'GET' && url.pathname === '/api/v2/mobile-devices/detail') {
        if (!privileges.has('Read Mobile Devices')) return jamfError(res, call, 403);
        return listDevices(res, call, url.searchParams);
      }
    }
    jamfError(res, call, 404);
  };

  const injected = (res: ServerResponse, call: JamfCall): boolean => {
    const fault = faults.find((f) => f.times > 0 && f.path.test(call.url));
    if (!fault) return false;
    fault.times -= 1;
    if (fault.before) {
      fault.before();
      return false;
    }
    if (fault.hang) {
      hanging.add(res);
      return true;
    }
    const headers = { ...(fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) }), ...fault.headers };
    jamfError(
      res,
      call,
      fault.status ?? 503,
      { ...(fault.code ? { code: fault.code } : {}), ...(fault.description ? { description: fault.description } : {}) },
      headers,
    );
    return true;
  };

  const server: Server = createServer({ cert: readFileSync(TEST_CERT_PATH), key: readFileSync(TEST_KEY_PATH) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const call: JamfCall = { method: req.method ?? 'GET', url, path: url.split('?')[0] ?? url, headers: req.headers };
      if (req.method === 'POST') call.form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      calls.push(call);
      if (!injected(res, call)) route(req, res, call);
    });
  });
  // Every socket, a handshake under way included (closeAllConnections knows only those past it): close ends them all at once.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    clientId,
    clientSecret,
    calls,
    /** JAMF_URL for this fake. */
    url: origin,
    /** Replaces every device. */
    setDevices(list: JamfDevice[]) {
      devices.clear();
      for (const device of list) devices.set(device.id, device);
    },
    /** Enrols a device, or changes one (what is given replaces what it had). */
    updateDevice(id: string, patch: Partial<Omit<JamfDevice, 'id'>>) {
      devices.set(id, { ...devices.get(id), ...patch, id });
    },
    removeDevice: (id: string) => void devices.delete(id),
    /** `expires_in` of the tokens issued from now on. */
    setExpiresIn(seconds: number) {
      expiresIn = seconds;
    },
    /** The privileges of the API client's role: without Read Mobile Devices, the device listing is 403 INVALID_PRIVILEGE. */
    setPrivileges(list: string[]) {
      privileges = new Set(list);
    },
    /** Scripts a failure for the next `times` (default 1) matching requests. */
    fail(fault: JamfFault) {
      faults.push({ ...fault, times: fault.times ?? 1 });
    },
    /** Every token issued so far is expired now (the API answers 401). */
    expireTokens,
    /** Calls whose path and query match. */
    callsTo: (path: RegExp) => calls.filter((c) => path.test(c.url)),
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  };
}

export type FakeJamf = Awaited<ReturnType<typeof startFakeJamf>>;
