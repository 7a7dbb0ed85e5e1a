import { describe, expect, it } from 'vitest';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import type { InventoryDevice, InventoryReader, InventorySnapshot } from '../../src/core/inventory.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { Store } from '../../src/core/store.ts';
import { createInventorySync } from '../../src/runtime/inventory-sync.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from '../support/bot.ts';

/**
 * The inventory sync in the command layer, with readers that hand over snapshots (the readers
 * themselves are tested against fake Intune and Jamf servers in tests/inventory/).
 */
const T0 = '2026-12-03T09:00:00.000Z';

function withInventory(): Policy {
  const policy = loadPack('demo.yaml');
  return {
    ...policy,
    people: policy.people.map((p) => ({ ...p, email: `${p.id}@agency.gov` })),
    inventory: { every_minutes: 240, stale_after_days: 7, intune: true, jamf: true },
  };
}

function bot() {
  const clock = testClock(T0);
  const store = createMemoryStore();
  const app = createAppWarden({ policy: withInventory(), store, now: clock.now, log: () => {} });
  const say = async (who: string, text: string) => replyText((await app.run(text, who, 'test')).reply);
  return { app, store, clock, say };
}

const phone = (id: string, over: Partial<InventoryDevice> = {}): InventoryDevice => ({
  id: `intune:${id}`,
  source: 'intune',
  name: `iPhone ${id}`,
  os: 'iOS',
  owner: 'corporate',
  users: [`${id}@agency.gov`],
  lastSync: '2026-12-03T08:00:00.000Z',
  apps: [],
  ...over,
});
const TIKTOK = { app: 'tiktok', reported: 'TikTok', version: '34.1' };

/** A reader that returns what `devices` holds at the time of the read, or throws `fail`. */
function mdm(source: InventoryReader['source'], devices: () => InventoryDevice[], fail?: () => string | undefined): InventoryReader {
  return {
    source,
    read: async (): Promise<InventorySnapshot> => {
      const problem = fail?.();
      if (problem) throw new Error(problem);
      return { source, devices: devices(), requests: 3 };
    },
  };
}

async function audited(store: Store, action: string) {
  const found = [];
  for await (const e of store.readAudit()) if (e.action === action) found.push(e);
  return found;
}

describe('an inventory sync', () => {
  it('is one audited change with counts; devices and each source’s time are stored', async () => {
    const { app, store } = bot();
    const devices = [phone('pierre', { apps: [TIKTOK] }), phone('sam')];
    const sync = createInventorySync(app, [mdm('intune', () => devices), mdm('jamf', () => [])], () => {});
    const done = await sync.sync(new Date(T0));
    expect(done).toMatchObject({ ok: true, done: { devices: 2, carrying: 1, changed: 2, removed: 0, flagged: 0 } });
    if (done.ok) expect(done.text).toContain('2 devices, 1 carrying a prohibited app');
    expect(store.list('devices').map((d) => d.id)).toEqual(['intune:pierre', 'intune:sam']);
    expect(store.get('inventory_sources', 'intune')).toEqual({ id: 'intune', syncedAt: T0, devices: 2 });
    const [entry] = await audited(store, 'inventory.synced');
    expect(entry).toMatchObject({ actor: 'system', detail: { devices: 2, carrying: 1, flagged: 0, sources: 'intune 2, jamf 0' } });
  });

  it('an attestation a device contradicts is flagged and told to the person once, naming the device and when it reported', async () => {
    const { app, store, clock, say } = bot();
    expect(await say('pierre', 'attest tiktok')).toMatch(/recorded/i);
    clock.set(new Date(clock.now().getTime() + 60 * 60_000).toISOString());
    const devices = [phone('pierre', { apps: [TIKTOK], lastSync: new Date(clock.now()).toISOString() })];
    const sync = createInventorySync(app, [mdm('intune', () => devices)], () => {});
    const first = await sync.sync(new Date(clock.now()));
    // Attesting to TikTok answered two rules (the TikTok ban, and recreational apps): both are contradicted, told once.
    expect(first).toMatchObject({ ok: true, done: { flagged: 2 } });
    const flags = store.list('inventory_flags');
    expect(flags.map((f) => f.rule).sort()).toEqual(['demo-recreational', 'demo-tiktok']);
    expect(flags[0]).toMatchObject({ person: 'pierre', device: 'intune:pierre', deviceName: 'iPhone pierre', version: '34.1' });
    const told = store.list('outbox').filter((o) => JSON.stringify(o).includes('still saw'));
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0])).toContain('iPhone pierre');
    expect(JSON.stringify(told[0])).toContain('2026-12-03 11:00');

    clock.set(new Date(clock.now().getTime() + 60 * 60_000).toISOString());
    devices[0] = { ...devices[0]!, lastSync: new Date(clock.now()).toISOString() };
    const second = await sync.sync(new Date(clock.now()));
    expect(second).toMatchObject({ ok: true, done: { flagged: 0 } });
    expect(store.list('outbox').filter((o) => JSON.stringify(o).includes('still saw'))).toHaveLength(1);
  });

  it('a device that reported before the attestation does not contradict it', async () => {
    const { app, store, clock, say } = bot();
    clock.set(new Date(clock.now().getTime() + 2 * 60 * 60_000).toISOString());
    await say('pierre', 'attest tiktok');
    const sync = createInventorySync(app, [mdm('intune', () => [phone('pierre', { apps: [TIKTOK] })])], () => {});
    expect(await sync.sync(new Date(clock.now()))).toMatchObject({ ok: true, done: { flagged: 0 } });
    expect(store.list('inventory_flags')).toEqual([]);
  });

  it('a failed source changes nothing: the earlier evidence stays, and reports give its age', async () => {
    const { app, store, clock, say } = bot();
    let failing: string | undefined;
    let devices = [phone('pierre', { apps: [TIKTOK] }), phone('sam')];
    const logs: string[] = [];
    const sync = createInventorySync(
      app,
      [
        mdm(
          'intune',
          () => devices,
          () => failing,
        ),
      ],
      (l) => logs.push(l),
    );
    await sync.sync(new Date(T0));
    const seq = store.seq;
    failing = 'Microsoft Graph: GET /v1.0/deviceManagement/managedDevices failed 5 times';
    devices = [];
    clock.set(new Date(clock.now().getTime() + 9 * 60 * 60_000).toISOString());
    const failed = await sync.sync(new Date(clock.now()));
    expect(failed).toMatchObject({ ok: false });
    if (!failed.ok) expect(failed.problem).toMatch(/intune could not be read, nothing was changed: .*managedDevices/);
    expect(store.seq).toBe(seq);
    expect(store.list('devices')).toHaveLength(2);
    const report = await say('olivia', 'report compliance demo-tiktok');
    expect(report).toContain('Intune as of 2026-12-03 10:00');
    expect(report).toContain('older than expected');
  });
});

describe('what reports, check and reminders say with an inventory', () => {
  async function synced() {
    const b = bot();
    await b.say('sam', 'attest tiktok'); // Sam attested, and his phone agrees
    await b.say('akiko', 'attest tiktok'); // Akiko attested, with no managed device
    const devices = [
      phone('pierre', { apps: [TIKTOK] }),
      phone('pierre-ipad', { users: ['pierre@agency.gov'], name: 'iPad de Pierre', apps: [{ ...TIKTOK, version: '33.0' }] }),
      phone('sam'),
      phone('olivia', { lastSync: '2026-11-01T08:00:00.000Z' }),
    ];
    await createInventorySync(b.app, [mdm('intune', () => devices)], () => {}).sync(new Date(T0));
    return b;
  }

  it('report compliance leads with the verified figures and lists who still has the app, on which device', async () => {
    const { say } = await synced();
    const text = await say('olivia', 'report compliance demo-tiktok');
    const lines = text.split('\n');
    expect(lines[1]).toContain('Device inventory: Intune as of 2026-12-03 10:00');
    expect(text).toContain(
      'Verified by device inventory: 1 verified clean, 1 still installed on 2 devices, 1 attested without a managed device, 1 silent (no report for 7 days).',
    );
    expect(text.indexOf('Verified by device inventory')).toBeLessThan(text.indexOf('have attested'));
    expect(text).toContain('Still installed (1):');
    expect(text).toMatch(
      /Pierre Martin: “iPhone pierre” \(Intune\): TikTok 34\.1 still installed, last reported 2026-12-03 09:00.*“iPad de Pierre”/,
    );
  });

  it('the CSV carries verified and the devices; the data gives each person’s devices', async () => {
    const { app } = await synced();
    const csv = await app.run('report compliance demo-tiktok --format csv', 'olivia', 'test');
    const file = JSON.stringify(csv.reply);
    expect(file).toContain('verified,devices');
    expect(file).toContain('iPhone pierre [intune, corporate]: installed 34.1, last sync 2026-12-03T08:00:00.000Z');
    const json = await app.run('report compliance demo-tiktok', 'olivia', 'test');
    const rows = json.data as { person: string; verified: string; devices: { status: string; version: string }[] }[];
    expect(rows.find((r) => r.person === 'pierre')).toMatchObject({
      verified: 'installed',
      devices: [
        { status: 'installed', version: '34.1' },
        { status: 'installed', version: '33.0' },
      ],
    });
    expect(rows.find((r) => r.person === 'sam')).toMatchObject({ verified: 'absent' });
    expect(rows.find((r) => r.person === 'olivia')).toMatchObject({ verified: 'stale' });
    expect(rows.find((r) => r.person === 'akiko')).toMatchObject({ verified: 'no-device', devices: [] });
  });

  it('check tells someone whose device still has the app which device; not someone whose device is clean', async () => {
    const { say } = await synced();
    expect(await say('pierre', 'check tiktok')).toContain(
      'Intune still sees TikTok 34.1 on your device “iPhone pierre” (last reported 2026-12-03 09:00 (Central European Standard Time)): remove it from that device.',
    );
    expect(await say('sam', 'check tiktok')).not.toContain('still sees');
  });

  it('the overdue reminder names the device; the digest leads with the verified figures', async () => {
    const { app, store, clock } = await synced();
    clock.set('2026-12-16T08:00:00.000Z');
    const { queueReminders } = await import('../../commands/reminders/remind.ts');
    const queued = await queueReminders({ policy: app.policy, store }, new Date(clock.now()));
    expect(JSON.stringify(queued.effects.filter((e) => e.kind === 'notify' && e.person === 'pierre'))).toContain(
      'Intune still sees TikTok 34.1 on your device “iPhone pierre”',
    );
    // On 16 December Sam's phone has not reported for 13 days: no longer evidence, and the inventory's age is said.
    const digest = queued.effects.find((e) => e.kind === 'post' && e.channel === 'approvals');
    expect(JSON.stringify(digest)).toContain('older than expected');
    expect(JSON.stringify(digest)).toContain(
      'Verified by device inventory: 0 verified clean, 1 still installed on 2 devices, 1 attested without a managed device, 2 silent',
    );
  });
});
