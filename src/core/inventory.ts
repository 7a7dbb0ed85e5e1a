import { findApp } from './catalog.ts';
import type { Person } from './org.ts';
import { policyIndex } from './policy-index.ts';
import type { App, DeviceClass, Policy, Rule } from './policy.ts';
import type { Attestation } from './records.ts';

/**
 * Device inventory: what the organisation's MDM (Intune, Jamf Pro) reports of its managed devices,
 * joined to people by email and to the rules by app, as evidence of removal beside attestations.
 * Pure: devices as the sources reported them come in, evidence per person and rule comes out.
 */

export const INVENTORY_SOURCES = ['intune', 'jamf'] as const;
export type InventorySource = (typeof INVENTORY_SOURCES)[number];

/**
 * Who owns a device, as the MDM records it. `corporate`: Intune `company`, Jamf `Institutional` or
 * account-driven device enrolment. `personal`: Intune `personal`, Jamf user enrolment. `unknown`:
 * the MDM does not say (treated as personal: never shown clean).
 */
export type DeviceOwner = 'corporate' | 'personal' | 'unknown';

/** A prohibited app an MDM saw on a device: the policy's app, and what the MDM called it. */
export interface DetectedApp {
  /** The policy's app id. */
  app: string;
  /** The name or bundle id the MDM reported. */
  reported: string;
  version?: string;
}

/** One managed device as a source reported it, with only the apps of the policy it carries. */
export interface InventoryDevice {
  /** `${source}:${the MDM's device id}`. */
  id: string;
  source: InventorySource;
  name: string;
  os?: string;
  owner: DeviceOwner;
  /** The emails and user principal names the MDM has for the device's user, lowercased. */
  users: string[];
  /** The last time the device checked in with its MDM (Intune `lastSyncDateTime`, Jamf `lastInventoryUpdateDate`). */
  lastSync?: string;
  apps: DetectedApp[];
}

/** A whole read of one source: every managed device it has (a device it lacks now has left it). */
export interface InventorySnapshot {
  source: InventorySource;
  devices: InventoryDevice[];
  /** What the read cost: requests made (the Intune limit is per app and tenant). */
  requests?: number;
}

/** Where a source stands: when it was last read whole, and how many devices it had. */
export interface InventorySourceState {
  id: InventorySource;
  syncedAt: string;
  devices: number;
}

/** An attestation an inventory contradicted on one device: told to the person once. */
export interface InventoryFlag {
  /** `${attestation id}:${device id}`. */
  id: string;
  person: string;
  rule: string;
  attestation: string;
  device: string;
  deviceName: string;
  source: InventorySource;
  app: string;
  reported: string;
  version?: string;
  /** When the device last reported the app. */
  lastSync: string;
  at: string;
}

/** An app the inventory looks for: a policy app some removal rule prohibits. */
export interface WatchedApp {
  id: string;
  name: string;
  aliases: readonly string[];
  bundleIds: readonly string[];
}

/** What an MDM names an app by: a display name, a bundle or package id, or both. */
export interface ReportedApp {
  name?: string | null;
  bundleId?: string | null;
}

/** Whether a rule targets the app, by id or by one of its categories. */
export const appliesToApp = (rule: Rule, app: App): boolean =>
  (rule.apps?.includes(app.id) ?? false) || (rule.categories?.some((c) => app.categories.includes(c)) ?? false);

/** The apps some rule asks to be removed (a prohibition, not limited to data), by id or by category. */
export function watchedApps(policy: Policy): WatchedApp[] {
  const removal = policy.rules.filter((r) => r.effect === 'prohibit' && !r.data);
  return policy.apps
    .filter((app) => removal.some((rule) => appliesToApp(rule, app)))
    .map((app) => ({ id: app.id, name: app.name, aliases: app.aliases, bundleIds: app.bundle_ids }));
}

/**
 * The policy app an MDM's record is, if it is one of the watched: its bundle id first (exact, case
 * ignored), else its name or an alias as names are matched everywhere (case, width and look-alike
 * letters ignored). Builds its index once; call the result for each record.
 */
export function appMatcher(policy: Policy): (reported: ReportedApp) => string | undefined {
  const watched = new Map(watchedApps(policy).map((w) => [w.id, w]));
  const byBundle = new Map<string, string>();
  for (const w of watched.values()) for (const b of w.bundleIds) byBundle.set(b.toLowerCase(), w.id);
  return ({ name, bundleId }) => {
    const bundle = bundleId?.trim().toLowerCase();
    if (bundle && byBundle.has(bundle)) return byBundle.get(bundle);
    // Android's detected apps are named by their package id, so a name may be a bundle id too.
    if (name && byBundle.has(name.trim().toLowerCase())) return byBundle.get(name.trim().toLowerCase());
    const app = name ? findApp(policy, name) : undefined;
    return app && watched.has(app.id) ? app.id : undefined;
  };
}

/**
 * What one device says of one app: `installed` (its last report had the app), `absent` (a corporate
 * device that reported within the window without it), `stale` (a corporate device that has not
 * reported within the window), or `no-device` (a personal or unknown device: its MDM sees only managed
 * apps, so it cannot show the app is gone).
 */
export type DeviceStatus = 'installed' | 'absent' | 'stale' | 'no-device';

export interface DeviceEvidence {
  device: InventoryDevice;
  status: DeviceStatus;
  /** When installed: what the MDM reported. */
  found?: DetectedApp;
}

/**
 * Where a person stands with a rule by inventory: `installed` when any device they use still has the
 * app, else `stale` when a corporate device of theirs has gone silent, else `absent` (verified clean)
 * when they have a corporate device and every one reported without it, else `no-device`.
 */
export interface Evidence {
  status: DeviceStatus;
  devices: DeviceEvidence[];
  /** Attested before a device last reported the app: their word is contradicted. */
  contradicted?: DeviceEvidence;
}

const DAY_MS = 86_400_000;

/** The device classes a device is, for a rule's `devices`: a corporate device, or a personal one enrolled for work. */
const classOf = (device: InventoryDevice): DeviceClass => (device.owner === 'corporate' ? 'corporate' : 'personal-with-work-apps');

/** Whether a rule's device classes cover the device (no `devices`: every device). */
export const coversDevice = (rule: Rule, device: InventoryDevice): boolean => !rule.devices || rule.devices.includes(classOf(device));

/** The rule's apps among those a device carries. */
function foundOn(rule: Rule, policy: Policy, device: InventoryDevice): DetectedApp | undefined {
  const apps = policyIndex(policy).appsById;
  return device.apps.find((a) => {
    const app = apps.get(a.app);
    return app !== undefined && appliesToApp(rule, app);
  });
}

/** One device's status for a rule at `at`. */
export function deviceStatus(rule: Rule, policy: Policy, device: InventoryDevice, staleAfterDays: number, at: Date): DeviceEvidence {
  const found = foundOn(rule, policy, device);
  if (found) return { device, status: 'installed', found };
  if (device.owner !== 'corporate') return { device, status: 'no-device' };
  const synced = device.lastSync ? Date.parse(device.lastSync) : Number.NaN;
  const fresh = Number.isFinite(synced) && at.getTime() - synced <= staleAfterDays * DAY_MS;
  return { device, status: fresh ? 'absent' : 'stale' };
}

/** The order a person's status is the worst of. */
const SEVERITY: Record<DeviceStatus, number> = { installed: 3, stale: 2, absent: 1, 'no-device': 0 };

/** A person's evidence for a rule, from their devices (those the rule covers), and their attestation if any. */
export function evidenceFor(
  rule: Rule,
  policy: Policy,
  devices: readonly InventoryDevice[],
  attestation: Attestation | undefined,
  staleAfterDays: number,
  at: Date,
): Evidence {
  const each = devices.filter((d) => coversDevice(rule, d)).map((d) => deviceStatus(rule, policy, d, staleAfterDays, at));
  const status = each.reduce<DeviceStatus>((worst, e) => (SEVERITY[e.status] > SEVERITY[worst] ? e.status : worst), 'no-device');
  const contradicted = attestation
    ? each.find(
        (e) => e.status === 'installed' && e.device.lastSync !== undefined && Date.parse(e.device.lastSync) > Date.parse(attestation.at),
      )
    : undefined;
  return { status, devices: each, ...(contradicted ? { contradicted } : {}) };
}

/** The addresses a person's devices may be registered under: their email, and their id when it is one. */
export function addressesOf(person: Pick<Person, 'id' | 'email'>): string[] {
  return [...new Set([person.email, person.id].filter((x): x is string => !!x && x.includes('@')).map((x) => x.toLowerCase()))];
}

/** Devices by the addresses of their users: built once per report, so evidence is linear in people and devices. */
export function devicesByAddress(devices: readonly InventoryDevice[]): Map<string, InventoryDevice[]> {
  const index = new Map<string, InventoryDevice[]>();
  for (const device of devices)
    for (const user of device.users) {
      const mine = index.get(user);
      if (mine) {
        if (!mine.includes(device)) mine.push(device);
      } else index.set(user, [device]);
    }
  return index;
}

/** A person's devices, from the index. */
export function devicesOf(person: Pick<Person, 'id' | 'email'>, index: ReadonlyMap<string, readonly InventoryDevice[]>): InventoryDevice[] {
  const found = new Set<InventoryDevice>();
  for (const address of addressesOf(person)) for (const d of index.get(address) ?? []) found.add(d);
  return [...found];
}

/**
 * One MDM, read whole: every managed device, each with the watched apps it carries (`match` says
 * which policy app a reported app is, if any). Throws with a message that says what to fix; a read is
 * all or nothing, and a failed one changes nothing.
 */
export interface InventoryReader {
  source: InventorySource;
  read(match: (reported: ReportedApp) => string | undefined, watched: readonly WatchedApp[]): Promise<InventorySnapshot>;
}

/** What a sync changes in the stored devices, and its counts (what the audit entry says). */
export interface InventorySync {
  /** Devices new or changed since the last read. */
  put: InventoryDevice[];
  /** Ids of devices a source no longer has. */
  removed: string[];
  /** Devices in all now, and those carrying a watched app. */
  total: number;
  carrying: number;
}

/** Two device records alike, whatever the order of their keys. */
const sameDevice = (a: InventoryDevice, b: InventoryDevice) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const canonical = (d: InventoryDevice) => ({
  ...d,
  users: [...d.users].sort(),
  apps: [...d.apps].sort((x, y) => `${x.app}${x.reported}${x.version}`.localeCompare(`${y.app}${y.reported}${y.version}`)),
});

/** Each snapshot replaces what its source reported before: its devices now, and none of those it dropped. */
export function applyInventory(before: readonly InventoryDevice[], snapshots: readonly InventorySnapshot[]): InventorySync {
  const now = new Map(before.map((d) => [d.id, d]));
  const result: InventorySync = { put: [], removed: [], total: 0, carrying: 0 };
  for (const snap of snapshots) {
    const seen = new Set<string>();
    for (const device of snap.devices) {
      if (device.source !== snap.source || seen.has(device.id)) continue;
      seen.add(device.id);
      const old = now.get(device.id);
      if (!old || !sameDevice(old, device)) result.put.push(device);
      now.set(device.id, device);
    }
    for (const [id, d] of now)
      if (d.source === snap.source && !seen.has(id)) {
        now.delete(id);
        result.removed.push(id);
      }
  }
  result.total = now.size;
  for (const d of now.values()) if (d.apps.length) result.carrying++;
  return result;
}

/**
 * The attestations the devices contradict, not flagged before: someone said the app is gone, and a
 * device of theirs the rule covers reported it after they said so. One flag per attestation and device.
 */
export function newContradictions(
  policy: Policy,
  attested: readonly { attestation: Attestation; person: Pick<Person, 'id' | 'email'> }[],
  index: ReadonlyMap<string, readonly InventoryDevice[]>,
  flagged: (id: string) => boolean,
  at: Date,
): InventoryFlag[] {
  const rules = new Map(policy.rules.map((r) => [r.id, r]));
  const flags: InventoryFlag[] = [];
  for (const { attestation, person } of attested) {
    const rule = rules.get(attestation.rule);
    if (!rule) continue;
    for (const device of devicesOf(person, index)) {
      if (!coversDevice(rule, device) || !device.lastSync || Date.parse(device.lastSync) <= Date.parse(attestation.at)) continue;
      const found = foundOn(rule, policy, device);
      const id = `${attestation.id}:${device.id}`;
      if (!found || flagged(id)) continue;
      flags.push({
        id,
        person: person.id,
        rule: rule.id,
        attestation: attestation.id,
        device: device.id,
        deviceName: device.name,
        source: device.source,
        app: found.app,
        reported: found.reported,
        ...(found.version ? { version: found.version } : {}),
        lastSync: device.lastSync,
        at: at.toISOString(),
      });
    }
  }
  return flags;
}

/** Verified figures for a rule's subjects: what reports and digests lead with. */
export interface VerifiedFigures {
  clean: number;
  installed: number;
  /** Devices the installed people have it on. */
  installedDevices: number;
  stale: number;
  /** Attested, with no corporate device to check it against. */
  attestedWithoutDevice: number;
}

export function verifiedFigures(subjects: readonly { evidence: Evidence; attested: boolean }[]): VerifiedFigures {
  const figures: VerifiedFigures = { clean: 0, installed: 0, installedDevices: 0, stale: 0, attestedWithoutDevice: 0 };
  for (const { evidence, attested } of subjects) {
    if (evidence.status === 'absent') figures.clean++;
    else if (evidence.status === 'installed') {
      figures.installed++;
      figures.installedDevices += evidence.devices.filter((d) => d.status === 'installed').length;
    } else if (evidence.status === 'stale') figures.stale++;
    else if (attested) figures.attestedWithoutDevice++;
  }
  return figures;
}
