import { appById } from '../../src/core/catalog.ts';
import {
  applyInventory,
  devicesByAddress,
  newContradictions,
  type InventoryFlag,
  type InventorySnapshot,
} from '../../src/core/inventory.ts';
import { isRemovalRule } from '../../src/core/attestations.ts';
import { resolvePerson } from '../../src/core/org.ts';
import type { Change } from '../../src/core/records.ts';
import { put } from '../../src/core/records.ts';
import { wording } from '../wording/wording.ts';
import { commitChanges } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { reply } from '../shared/reply.ts';
import { localDate } from '../../src/core/time.ts';
import { localTime } from '../requests/request-card.ts';
import { SOURCE_NAMES } from '../compliance/inventory-evidence.ts';

/** What a sync did, as `appwarden inventory sync --json` prints it. */
export interface InventorySyncDone {
  devices: number;
  /** Devices that carry an app some rule prohibits. */
  carrying: number;
  changed: number;
  removed: number;
  /** Attestations newly contradicted (each person told once). */
  flagged: number;
  sources: { source: string; devices: number; requests?: number }[];
}

/**
 * One inventory sync as one unit of work: each source's devices replace what it reported before, each
 * source's time is kept, and attestations a device now contradicts are flagged and told to the person,
 * once each. The sources were read before (by the wiring): one that failed means no sync at all, so
 * the earlier evidence stays, with its age.
 */
export async function syncInventory(snapshots: readonly InventorySnapshot[], at: Date, ctx: CommandContext): Promise<CommandResult> {
  const before = ctx.store.list('devices');
  const sync = applyInventory(before, snapshots);
  const changes: Change[] = [
    ...sync.put.map((d) => put('devices', d)),
    ...sync.removed.map((id): Change => ({ collection: 'devices', id, value: null })),
  ];
  for (const snap of snapshots)
    changes.push(put('inventory_sources', { id: snap.source, syncedAt: at.toISOString(), devices: snap.devices.length }));

  // Contradictions are judged on the devices as they are after this sync.
  const removed = new Set(sync.removed);
  const changedById = new Map(sync.put.map((d) => [d.id, d]));
  const devices = [...before.filter((d) => !removed.has(d.id) && !changedById.has(d.id)), ...sync.put];
  const policy = ctx.policy;
  const attested = policy.rules
    .filter(isRemovalRule)
    .flatMap((rule) => ctx.store.where('attestations', 'rule', rule.id))
    .map((attestation) => ({ attestation, person: resolvePerson(policy, attestation.person) }));
  const flags = newContradictions(
    policy,
    attested,
    devicesByAddress(devices),
    (id) => ctx.store.get('inventory_flags', id) !== undefined,
    at,
  );
  changes.push(...flags.map((f) => put('inventory_flags', f)));
  // One attestation per rule, but one app on one device: the person hears of it once.
  const notices = new Map(flags.map((f) => [`${f.person}\n${f.device}\n${f.app}`, f]));
  const effects: Effect[] = [...notices.values()].map((f) => contradictionNotice(f, ctx));

  const done: InventorySyncDone = {
    devices: sync.total,
    carrying: sync.carrying,
    changed: sync.put.length,
    removed: sync.removed.length,
    flagged: flags.length,
    sources: snapshots.map((s) => ({
      source: s.source,
      devices: s.devices.length,
      ...(s.requests !== undefined ? { requests: s.requests } : {}),
    })),
  };
  const { sources, ...counts } = done;
  await commitChanges(
    ctx,
    {
      at,
      action: 'inventory.synced',
      subject: 'inventory',
      detail: { ...counts, sources: sources.map((s) => `${s.source} ${s.devices}`).join(', ') },
    },
    changes,
    `inventory:${at.toISOString()}`,
    effects,
  );
  const m = ctx.m;
  return {
    ok: true,
    reply: reply('ok', [
      {
        type: 'heading',
        text: m.t('inventory.synced', {
          devices: done.devices,
          sources: snapshots.map((s) => SOURCE_NAMES[s.source]),
          carrying: done.carrying,
          flagged: done.flagged,
        }),
      },
    ]),
    effects,
    data: done,
  };
}

/** The person hears, once, which device still has the app they said was gone, and when it last said so. */
function contradictionNotice(f: InventoryFlag, ctx: CommandContext): Effect {
  const policy = ctx.policy;
  const person = resolvePerson(policy, f.person);
  const m = wording(person.locale);
  const tz = policy.organization.timezone;
  const attestation = ctx.store.get('attestations', f.attestation);
  const app = appById(policy, f.app)?.name ?? f.app;
  return {
    kind: 'notify',
    person: f.person,
    message: reply('stop', [
      {
        type: 'heading',
        text: m.t('inventory.contradicted', {
          app,
          attestedOn: attestation ? localDate(new Date(attestation.at), tz) : '',
          source: SOURCE_NAMES[f.source],
          reported: `${f.reported}${f.version ? ` ${f.version}` : ''}`,
          device: f.deviceName,
          lastSync: localTime(f.lastSync, tz, m),
        }),
      },
      { type: 'note', text: m.t('inventory.whatToDo', { app: /\s/.test(app) ? `"${app}"` : app }) },
    ]),
  };
}
