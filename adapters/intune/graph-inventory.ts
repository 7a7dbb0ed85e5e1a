import type { DetectedApp, DeviceOwner, InventoryDevice, InventoryReader, ReportedApp } from '../../src/core/inventory.ts';
import {
  type GraphClientOptions,
  type GraphPage,
  type GraphRead,
  GraphRefused,
  graphClient,
  SyncStateExpired,
  where,
} from '../entra/graph-client.ts';

/** The app registration and endpoints, as for the Entra directory (Intune is read through Graph with the same client). */
export type IntuneOptions = GraphClientOptions;

const DETECTED_APP_SELECT = 'id,displayName,version,platform,deviceCount';
const DEVICE_SELECT = 'id,deviceName,operatingSystem,userPrincipalName,emailAddress,managedDeviceOwnerType,lastSyncDateTime';
/**
 * A read that pages further than this is refused. Detected apps are one record per app and version
 * across the fleet, so a large tenant has far more of them than devices: 10,000 pages hold 500,000
 * records at 50 a page, and take 200 s at the client's pace.
 */
export const MAX_PAGES_PER_READ = 10_000;

interface IntuneDetectedApp {
  id: string;
  displayName?: string | null;
  version?: string | null;
  platform?: string | null;
  deviceCount?: number | null;
}
export interface IntuneManagedDevice {
  id: string;
  deviceName?: string | null;
  operatingSystem?: string | null;
  userPrincipalName?: string | null;
  emailAddress?: string | null;
  managedDeviceOwnerType?: string | null;
  lastSyncDateTime?: string | null;
}

/** Intune's `managedDeviceOwnerType`: `company` and `personal`; anything else (`unknown`) is not known to be either. */
export const ownerOf = (type: string | null | undefined): DeviceOwner =>
  type === 'company' ? 'corporate' : type === 'personal' ? 'personal' : 'unknown';

/** A sync time, or `undefined` for never: Intune sends a device that never synced as `0001-01-01T00:00:00Z`. */
export function lastSyncOf(iso: string | null | undefined): string | undefined {
  if (!iso || iso.startsWith('0001-01-01')) return undefined;
  return Number.isFinite(Date.parse(iso)) ? iso : undefined;
}

/** A managed device as the inventory's, with the watched apps Intune saw on it. */
export function toDevice(device: IntuneManagedDevice, apps: DetectedApp[]): InventoryDevice {
  const users = [device.emailAddress, device.userPrincipalName].map((u) => u?.trim().toLowerCase()).filter((u): u is string => !!u);
  const lastSync = lastSyncOf(device.lastSyncDateTime);
  return {
    id: `intune:${device.id}`,
    source: 'intune',
    name: device.deviceName?.trim() || device.id,
    ...(device.operatingSystem ? { os: device.operatingSystem } : {}),
    owner: ownerOf(device.managedDeviceOwnerType),
    users: [...new Set(users)],
    ...(lastSync ? { lastSync } : {}),
    apps,
  };
}

/** A detected app record of a watched app: the policy's id, and what Intune called it. */
interface Found {
  record: string;
  app: DetectedApp;
}

/**
 * Microsoft Intune's managed devices over Graph, each with the watched apps Intune detected on it.
 * Intune lists apps by app and version, each with the devices that carry it, so a read is: the
 * detected apps (kept: those `match` names a policy app), the devices of each kept record, and every
 * managed device. All or nothing: anything the Graph client does not wait out fails the read with a
 * message that says what to fix and that nothing was changed.
 */
export function intuneInventory(options: IntuneOptions): InventoryReader {
  const graph = graphClient(options, { name: 'intune', subject: 'device inventory' });
  const { nothingChanged } = graph;
  const base = `${graph.graphUrl}/v1.0/deviceManagement`;

  /** Every item of a listing, page by page (`@odata.nextLink`); a 410 here is no delta state, just a failure. */
  async function* listing<T extends { id?: unknown }>(read: GraphRead, firstUrl: string): AsyncGenerator<T> {
    for (let url: string | undefined = firstUrl; url; ) {
      let page: GraphPage<T>;
      try {
        page = await read.getPage<T>(url);
      } catch (error) {
        if (error instanceof SyncStateExpired) throw new Error(`${error.message}; ${nothingChanged}`);
        throw error;
      }
      for (const item of page.value) if (typeof item?.id === 'string') yield item;
      url = page['@odata.nextLink'];
    }
  }

  async function watchedRecords(read: GraphRead, match: (reported: ReportedApp) => string | undefined): Promise<Found[]> {
    const found: Found[] = [];
    for await (const record of listing<IntuneDetectedApp>(read, `${base}/detectedApps?$select=${DETECTED_APP_SELECT}`)) {
      const reported = record.displayName?.trim();
      const app = reported ? match({ name: reported }) : undefined;
      if (app && reported)
        found.push({ record: record.id, app: { app, reported, ...(record.version ? { version: record.version } : {}) } });
    }
    return found;
  }

  async function devicesCarrying(read: GraphRead, found: Found): Promise<Set<string>> {
    const url = `${base}/detectedApps/${encodeURIComponent(found.record)}/managedDevices?$select=id`;
    const ids = new Set<string>();
    try {
      for await (const device of listing<{ id: string }>(read, url)) ids.add(device.id);
    } catch (error) {
      // Intune rebuilds its detected apps as devices report: a record listed a moment ago can be gone.
      if (error instanceof GraphRefused && error.status === 404)
        throw new Error(
          `Intune's detected app ${found.app.reported}${found.app.version ? ` ${found.app.version}` : ''} (record ${found.record}) went away during the read (404 at GET ${where(url)}): Intune was refreshing its detected apps; read again later; ${nothingChanged}`,
        );
      throw error;
    }
    return ids;
  }

  return {
    source: 'intune',
    async read(match, watched) {
      const read = graph.startRead(MAX_PAGES_PER_READ);
      const found = watched.length ? await watchedRecords(read, match) : [];
      const appsOn = new Map<string, DetectedApp[]>();
      for (const f of found)
        for (const device of await devicesCarrying(read, f)) {
          const apps = appsOn.get(device);
          if (apps) apps.push({ ...f.app });
          else appsOn.set(device, [{ ...f.app }]);
        }
      // A device listed twice (the fleet changed between pages) counts as last listed.
      const devices = new Map<string, InventoryDevice>();
      for await (const device of listing<IntuneManagedDevice>(read, `${base}/managedDevices?$select=${DEVICE_SELECT}`))
        devices.set(device.id, toDevice(device, appsOn.get(device.id) ?? []));
      return { source: 'intune', devices: [...devices.values()], requests: read.requests };
    },
  };
}
