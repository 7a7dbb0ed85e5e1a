import { afterAll, describe, expect, it } from 'vitest';
import type { Effect } from '../../commands/shared/context.ts';
import type { OutboxItem } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';
import { createOutbox, DeliveryError, type Deliverer } from '../../src/runtime/outbox.ts';
import { MemoryDatabase, MemoryStore } from '../../storage/memory/memory-store.ts';
import { tempDirs } from '../storage/helpers.ts';
import { openWithLog } from '../storage/lowdb-helpers.ts';
import { testClock } from '../support/bot.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

// Several server replicas on one database: two MemoryStore replicas over one MemoryDatabase, each with
// its own outbox (its own owner), on one clock the test moves by hand. No real time is waited for.

const T0 = '2026-11-22T09:00:00.000Z';
const ID = 'test:hello';
const LEASE_MS = 120_000;

const effect: Effect = {
  kind: 'notify',
  person: 'sam',
  message: { visibility: 'private', tone: 'info', blocks: [{ type: 'text', text: 'hello' }] },
};

/** A deliverer that records its calls (`owner: what`) and answers as the test says; `deliver` may be held open. */
function fakePlatform(owner: string, calls: string[], options: { landed?: boolean; hold?: Promise<void> } = {}): Deliverer {
  return {
    platform: 'slack',
    async deliver(_effect, key) {
      calls.push(`${owner}: deliver ${key}`);
      await options.hold;
    },
    async wasDelivered(_effect, key, since) {
      calls.push(`${owner}: wasDelivered ${key} since ${since.toISOString()}`);
      return options.landed ?? false;
    },
  };
}

function replicas() {
  const database = new MemoryDatabase();
  const clock = testClock(T0);
  const logs: string[] = [];
  const calls: string[] = [];
  const replica = (owner: string, platform: Deliverer = fakePlatform(owner, calls)) => {
    const store = new MemoryStore(database);
    const outbox = createOutbox(
      store,
      () => [platform],
      clock.now,
      (line) => logs.push(line),
      {
        owner,
        leaseMs: LEASE_MS,
        callTimeoutMs: 30_000,
      },
    );
    return { store, outbox };
  };
  const later = (ms: number) => clock.set(new Date(clock.now().getTime() + ms).toISOString());
  return { database, clock, logs, calls, replica, later };
}

/** Queues the item on one replica; the others see it once they catch up. */
async function queue(store: Store, at = T0) {
  const item: OutboxItem = { id: ID, status: 'due', createdAt: at, effect, deliveredTo: [] };
  await store.commit({ at, actor: 'system', action: 'test.queued' }, [{ collection: 'outbox', id: ID, value: item }]);
}

const finishes = (database: MemoryDatabase) => database.entries.filter((e) => e.subject === ID).map((e) => e.action);

describe('the outbox on several replicas of one store', () => {
  it('delivers an item two replicas drain at once exactly once, and the one that lost leaves it', async () => {
    const r = replicas();
    const a = r.replica('replica-a');
    const b = r.replica('replica-b');
    await queue(a.store);
    await b.store.catchUp();
    a.outbox.rescan();
    b.outbox.rescan();

    const [byA, byB] = await Promise.all([a.outbox.drain(), b.outbox.drain()]);
    expect(r.calls).toEqual(['replica-a: deliver test:hello']);
    expect([byA, byB]).toEqual([[ID], []]);
    expect(finishes(r.database)).toEqual(['outbox.sent']);

    // B's view has not caught up: the item still looks due there, but its progress is held, so B leaves it.
    expect(b.store.get('outbox', ID)?.status).toBe('due');
    r.later(LEASE_MS + 1);
    expect(await b.outbox.drain()).toEqual([]);
    expect(r.calls).toHaveLength(1);
    await b.store.catchUp();
    expect(await b.outbox.drain()).toEqual([ID]); // finished, by A: B drops it
    expect(b.outbox.pendingCount).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(finishes(r.database)).toEqual(['outbox.sent']);
  });

  it('leaves an item to a replica that died holding it while its lease lasts, then takes it over and asks the platform first', async () => {
    const r = replicas();
    let release = () => {};
    const hung = new Promise<void>((resolve) => (release = resolve));
    const a = r.replica('replica-a', fakePlatform('replica-a', r.calls, { hold: hung }));
    const b = r.replica('replica-b');
    await queue(a.store);
    await b.store.catchUp();
    a.outbox.rescan();
    b.outbox.rescan();

    // A takes the item and calls the platform, which never answers: A is as good as SIGKILLed.
    const aDrain = a.outbox.drain();
    await turnsUntil(() => r.calls.length === 1);
    expect(await a.store.operations.get('deliveries', ID)).toMatchObject({
      owner: 'replica-a',
      sendingAt: T0,
      leaseUntil: new Date(Date.parse(T0) + LEASE_MS).toISOString(),
    });

    r.later(LEASE_MS - 1);
    expect(await b.outbox.drain()).toEqual([]); // A's lease is live: B leaves the item, pending
    expect(b.outbox.pendingCount).toBe(1);
    expect((await b.outbox.report()).waiting).toMatchObject([{ id: ID, status: 'sending', owner: 'replica-a' }]);

    r.later(1); // A's lease has ended
    expect(await b.outbox.drain()).toEqual([ID]);
    expect(r.calls).toEqual([
      'replica-a: deliver test:hello',
      `replica-b: wasDelivered test:hello since ${T0}`, // A's post may have landed: asked, from when A began
      'replica-b: deliver test:hello',
    ]);
    expect(finishes(r.database)).toEqual(['outbox.sent']);

    // A comes back to life: its call answers, but the item is no longer A's to finish.
    release();
    expect(await aDrain).toEqual([]);
    expect(finishes(r.database)).toEqual(['outbox.sent']);
    expect((await a.store.operations.get('deliveries', ID))?.owner).toBe('replica-b');
  });

  it('takes over an item whose post had landed without sending it again', async () => {
    const r = replicas();
    const a = r.replica('replica-a');
    const b = r.replica('replica-b', fakePlatform('replica-b', r.calls, { landed: true }));
    await queue(a.store);
    await b.store.catchUp();
    b.outbox.rescan();
    // What A left when it died mid-delivery: its progress, and nothing committed.
    const sendingAt = new Date(Date.parse(T0) - 60_000).toISOString();
    await a.store.operations.put(
      'deliveries',
      { id: ID, sendingAt, deliveredTo: [], owner: 'replica-a', leaseUntil: T0 },
      new Date(Date.parse(T0) + 86_400_000),
    );
    expect(await b.outbox.drain()).toEqual([ID]);
    expect(r.calls).toEqual([`replica-b: wasDelivered test:hello since ${sendingAt}`]);
    expect(finishes(r.database)).toEqual(['outbox.sent']);
  });

  it('renews its lease before a call that could outlast it, so a healthy delivery is never taken over', async () => {
    const r = replicas();
    const calls: string[] = [];
    let release = () => {};
    const hung = new Promise<void>((resolve) => (release = resolve));
    // Slack answers after 100 s; Teams then takes its time: A's lease (120 s) would end within Teams' timeout.
    const slow: Deliverer = {
      platform: 'slack',
      async deliver() {
        calls.push('slack');
        r.later(100_000);
      },
    };
    const teams: Deliverer = {
      platform: 'teams',
      async deliver() {
        calls.push('teams');
        await hung;
      },
    };
    const store = new MemoryStore(r.database);
    const a = createOutbox(
      store,
      () => [slow, teams],
      r.clock.now,
      (line) => r.logs.push(line),
      {
        owner: 'replica-a',
        leaseMs: LEASE_MS,
        callTimeoutMs: 30_000,
      },
    );
    const b = r.replica('replica-b');
    await queue(store);
    await b.store.catchUp();
    a.rescan();
    b.outbox.rescan();

    const aDrain = a.drain();
    await turnsUntil(() => calls.length === 2);
    expect(await store.operations.get('deliveries', ID)).toMatchObject({
      owner: 'replica-a',
      deliveredTo: ['slack'], // the renewal wrote the progress so far
      leaseUntil: new Date(Date.parse(T0) + 100_000 + LEASE_MS).toISOString(),
    });
    r.later(LEASE_MS - 100_000 + 1); // past the first lease, within the renewed one
    expect(await b.outbox.drain()).toEqual([]);
    expect(r.calls).toEqual([]);
    release();
    expect(await aDrain).toEqual([ID]);
    expect(finishes(r.database)).toEqual(['outbox.sent']);
  });

  /** Progress as the process before left it, stored in a data directory that another process then opens. */
  async function reopenedWith(progress: object, owner: string) {
    const dir = await dirs.make();
    const clock = testClock(T0);
    const calls: string[] = [];
    const { store } = await openWithLog(dir, { now: clock.now });
    await queue(store);
    await store.operations.put('deliveries', progress as never, new Date(Date.parse(T0) + 86_400_000));
    await store.close();
    const { store: reopened } = await openWithLog(dir, { now: clock.now });
    const outbox = createOutbox(
      reopened,
      () => [fakePlatform(owner, calls)],
      clock.now,
      () => {},
      { owner },
    );
    return { reopened, outbox, calls };
  }

  it('on the embedded store, resumes at once after a restart what the last process held, with a check first', async () => {
    const held = { id: ID, sendingAt: T0, deliveredTo: [], owner: 'crashed', leaseUntil: '2026-11-22T09:02:00.000Z' };
    const { reopened, outbox, calls } = await reopenedWith(held, 'restarted');
    expect((await outbox.report()).waiting).toMatchObject([{ id: ID, status: 'sending', owner: 'crashed' }]);
    expect(await outbox.drain()).toEqual([ID]); // no waiting out the lease: its holder is gone
    expect(calls).toEqual([`restarted: wasDelivered test:hello since ${T0}`, 'restarted: deliver test:hello']);
    await reopened.close();
  });

  it('on the embedded store, reads progress stored before leases as a lease that has ended', async () => {
    const { reopened, outbox, calls } = await reopenedWith({ id: ID, sendingAt: T0, deliveredTo: [] }, 'upgraded');
    expect((await outbox.report()).waiting).toMatchObject([{ id: ID, status: 'sending' }]);
    expect(await outbox.drain()).toEqual([ID]);
    expect(calls).toEqual([`upgraded: wasDelivered test:hello since ${T0}`, 'upgraded: deliver test:hello']);
    await reopened.close();
  });

  it('refuses a lease that would not outlast a platform call', () => {
    const store = new MemoryStore();
    expect(() =>
      createOutbox(
        store,
        () => [],
        () => new Date(T0),
        () => {},
        { leaseMs: 30_000, callTimeoutMs: 30_000 },
      ),
    ).toThrow(/must outlast a platform call/);
  });

  it('takes again an item whose own lease ended while it waited out a back-off, keeping its retry state', async () => {
    const r = replicas();
    const calls: string[] = [];
    let fail = true;
    const flaky: Deliverer = {
      platform: 'slack',
      async deliver() {
        calls.push('deliver');
        if (fail) throw new DeliveryError('transient', 'busy');
      },
    };
    const b = r.replica('replica-b', flaky);
    await queue(b.store);
    b.outbox.rescan();
    await b.store.operations.put(
      'deliveries',
      { id: ID, sendingAt: T0, deliveredTo: [], owner: 'replica-a', leaseUntil: T0 },
      new Date(Date.parse(T0) + 86_400_000),
    );
    expect(await b.outbox.drain()).toEqual([]);
    expect(await b.store.operations.get('deliveries', ID)).toMatchObject({ owner: 'replica-b' });
    fail = false;
    r.later(10_000);
    expect(await b.outbox.drain()).toEqual([]); // within the back-off (30 s): not tried
    expect(calls).toEqual(['deliver']);
    r.later(170_000); // past B's own lease too: B takes it again, still as a resumed delivery
    expect(await b.outbox.drain()).toEqual([ID]);
    expect(calls).toEqual(['deliver', 'deliver']);
  });
});

/** Lets the outbox's awaits run until `ok` holds (microtasks and I/O turns only: the clock is the test's). */
async function turnsUntil(ok: () => boolean) {
  for (let turn = 0; turn < 1000 && !ok(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!ok()) throw new Error('never happened');
}
