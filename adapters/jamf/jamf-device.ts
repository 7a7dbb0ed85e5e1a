import type { DetectedApp, DeviceOwner, InventoryDevice, ReportedApp } from '../../src/core/inventory.ts';

/*
 * Jamf Pro's mobile devices as the inventory's. Every field is read as unknown: Jamf sends null for
 * most of what it lacks, and a device's record is the one part of an answer not checked whole.
 */

interface JamfApplication {
  identifier?: unknown;
  name?: unknown;
  version?: unknown;
  shortVersion?: unknown;
}
/** A device of `mobile-devices/detail` (Jamf Pro API v2), of the sections read; Jamf sends null for most fields it lacks. */
export interface JamfMobileDevice {
  mobileDeviceId?: unknown;
  deviceType?: unknown;
  general?: { displayName?: unknown; lastInventoryUpdateDate?: unknown; osVersion?: unknown; deviceOwnershipType?: unknown } | null;
  userAndLocation?: { username?: unknown; emailAddress?: unknown } | null;
  applications?: JamfApplication[] | null;
}

/** Jamf's enrolment types as owners: institutional and account-driven device enrolment are the organisation's. */
const OWNERS = new Map<string, DeviceOwner>([
  ['Institutional', 'corporate'],
  ['AccountDrivenDeviceEnrollment', 'corporate'],
  ['PersonalDeviceProfile', 'personal'],
  ['UserEnrollment', 'personal'],
  ['AccountDrivenUserEnrollment', 'personal'],
]);
export const ownerOf = (ownershipType: unknown): DeviceOwner =>
  (typeof ownershipType === 'string' && OWNERS.get(ownershipType)) || 'unknown';

/** A field as text: trimmed, `undefined` when absent, empty or not a string. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** The watched apps among a device's: one entry per app and reported name, the rest dropped at once. */
function watchedOn(applications: unknown, match: (reported: ReportedApp) => string | undefined): DetectedApp[] {
  if (!Array.isArray(applications)) return [];
  const found = new Map<string, DetectedApp>();
  for (const a of applications as (JamfApplication | null)[]) {
    const identifier = text(a?.identifier);
    const name = text(a?.name);
    const reported = identifier ?? name;
    const app = reported ? match({ name: name ?? null, bundleId: identifier ?? null }) : undefined;
    if (!app || !reported) continue;
    const version = text(a?.shortVersion) ?? text(a?.version);
    const key = `${app}\n${reported.toLowerCase()}`;
    if (!found.has(key)) found.set(key, { app, reported, ...(version ? { version } : {}) });
  }
  return [...found.values()];
}

/** A Jamf mobile device as the inventory's: `undefined` without an id. An unmanaged one still counts, as the owner Jamf gives. */
export function toDevice(device: JamfMobileDevice, match: (reported: ReportedApp) => string | undefined): InventoryDevice | undefined {
  const id = typeof device.mobileDeviceId === 'number' ? String(device.mobileDeviceId) : text(device.mobileDeviceId);
  if (!id) return undefined;
  const general = device.general ?? {};
  const person = device.userAndLocation ?? {};
  const os = [text(device.deviceType), text(general.osVersion)].filter(Boolean).join(' ');
  // The username is often the person's email (an IdP login); a short name matches nobody by address.
  const users = [text(person.emailAddress), text(person.username)]
    .filter((u): u is string => !!u?.includes('@'))
    .map((u) => u.toLowerCase());
  const synced = Date.parse(text(general.lastInventoryUpdateDate) ?? '');
  return {
    id: `jamf:${id}`,
    source: 'jamf',
    name: text(general.displayName) ?? `mobile device ${id}`,
    ...(os ? { os } : {}),
    owner: ownerOf(general.deviceOwnershipType),
    users: [...new Set(users)],
    ...(Number.isFinite(synced) ? { lastSync: new Date(synced).toISOString() } : {}),
    apps: watchedOn(device.applications, match),
  };
}
