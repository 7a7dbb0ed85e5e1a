import {
  addressesOf,
  devicesByAddress,
  devicesOf,
  evidenceFor,
  INVENTORY_SOURCES,
  type DeviceEvidence,
  type Evidence,
  verifiedFigures,
  type InventoryDevice,
  type InventorySourceState,
} from '../../src/core/inventory.ts';
import type { Person } from '../../src/core/org.ts';
import type { Policy, Rule } from '../../src/core/policy.ts';
import type { Attestation } from '../../src/core/records.ts';
import type { StoreView } from '../../src/core/store.ts';
import type { Wording } from '../wording/wording.ts';
import { localTime } from '../requests/request-card.ts';

/** The MDMs by name, as an admin knows them. */
export const SOURCE_NAMES = { intune: 'Intune', jamf: 'Jamf Pro' } as const;

/** What the stored inventory offers a report or a reply: each person's devices, and each source's age. */
export interface InventoryView {
  sources: InventorySourceState[];
  staleAfterDays: number;
  everyMinutes: number;
  /** A person's devices (by their email, and their id when it is one). */
  devicesOf(person: Pick<Person, 'id' | 'email'>): InventoryDevice[];
  /** A person's evidence for a rule (their devices the rule covers). */
  evidence(rule: Rule, person: Pick<Person, 'id' | 'email'>, attestation: Attestation | undefined, at: Date): Evidence;
}

/** Asked about more people than this, the view indexes the devices by address once instead of scanning them per person. */
const SCANS_BEFORE_INDEX = 3;

/**
 * The inventory, when the policy turns it on (`inventory.intune` or `inventory.jamf`); `undefined`
 * otherwise. Made once per reply, report or tick: one person (a check) costs a scan of the devices,
 * many (a report, a tick's reminders) one index.
 */
export function inventoryView(policy: Policy, store: StoreView): InventoryView | undefined {
  const config = policy.inventory;
  if (!config || !(config.intune || config.jamf)) return undefined;
  const sources = INVENTORY_SOURCES.flatMap((s) => store.get('inventory_sources', s) ?? []);
  const devices = sources.length ? store.list('devices') : [];
  let index: Map<string, InventoryDevice[]> | undefined;
  let scans = 0;
  const mine = (person: Pick<Person, 'id' | 'email'>): InventoryDevice[] => {
    if (!index && ++scans > SCANS_BEFORE_INDEX) index = devicesByAddress(devices);
    if (index) return devicesOf(person, index);
    const addresses = addressesOf(person);
    return addresses.length ? devices.filter((d) => d.users.some((u) => addresses.includes(u))) : [];
  };
  return {
    sources,
    staleAfterDays: config.stale_after_days,
    everyMinutes: config.every_minutes,
    devicesOf: mine,
    evidence: (rule, person, attestation, at) => evidenceFor(rule, policy, mine(person), attestation, config.stale_after_days, at),
  };
}

/** "Intune as of 2026-12-03 09:00 (Central European Standard Time)", and a warning when it is older than two sync periods. */
export function sourcesLine(view: InventoryView, m: Wording, timezone: string, at: Date): string {
  if (!view.sources.length) return m.t('inventory.notReadYet');
  const overdueMs = view.everyMinutes > 0 ? 2 * view.everyMinutes * 60_000 : Number.POSITIVE_INFINITY;
  const parts = view.sources.map((s) =>
    m.t(at.getTime() - Date.parse(s.syncedAt) > overdueMs ? 'inventory.sourceOld' : 'inventory.source', {
      source: SOURCE_NAMES[s.id],
      time: localTime(s.syncedAt, timezone, m),
    }),
  );
  return m.t('inventory.asOf', { sources: m.list(parts, 'groups') });
}

/** One device of someone's, as a line says it: "“iPhone de Pierre” (Intune): TikTok 34.1, last reported 2026-12-02 09:14". */
export function deviceLine(e: DeviceEvidence, m: Wording, timezone: string): string {
  return m.t('inventory.deviceLine', {
    device: e.device.name,
    source: SOURCE_NAMES[e.device.source],
    status: e.status,
    app: e.found ? `${e.found.reported}${e.found.version ? ` ${e.found.version}` : ''}` : '',
    lastSync: e.device.lastSync ? localTime(e.device.lastSync, timezone, m) : m.t('inventory.neverSynced'),
  });
}

/** "Intune still sees TikTok on your device “iPhone” (last reported …): remove it from that device." */
export function stillHasLine(e: DeviceEvidence, m: Wording, timezone: string): string {
  return m.t('inventory.stillHas', {
    source: SOURCE_NAMES[e.device.source],
    app: e.found ? `${e.found.reported}${e.found.version ? ` ${e.found.version}` : ''}` : '',
    device: e.device.name,
    lastSync: e.device.lastSync ? localTime(e.device.lastSync, timezone, m) : m.t('inventory.neverSynced'),
  });
}

/** "Verified by device inventory: 1,912 verified clean, 37 still installed on 41 devices, …". */
export function verifiedLine(rows: readonly { evidence?: Evidence; attested: string }[], inventory: InventoryView, m: Wording): string {
  const figures = verifiedFigures(rows.flatMap((r) => (r.evidence ? [{ evidence: r.evidence, attested: r.attested === 'yes' }] : [])));
  return m.t('inventory.verified', {
    clean: figures.clean,
    installed: figures.installed,
    devices: figures.installedDevices,
    attestedWithoutDevice: figures.attestedWithoutDevice,
    stale: figures.stale,
    days: inventory.staleAfterDays,
  });
}
