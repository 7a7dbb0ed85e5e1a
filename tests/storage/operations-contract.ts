import { describe, expect, it } from 'vitest';
import type { DeliveryProgress, PlatformMessage } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';
import { closedAfterEach, event, readAll } from './helpers.ts';

/** Far enough ahead that no record of the contract expires while it runs, whatever the clock. */
export const LATER = new Date('2100-01-01T00:00:00.000Z');

export const message = (id: string, patch: Partial<PlatformMessage> = {}): PlatformMessage => ({
  id,
  platform: 'slack',
  subject: 'EX-1',
  ref: { channel: 'C0123', ts: '1677661200.000100' },
  ...patch,
});

/** Progress taken at 09:00 by `owner-1`, its lease running till 09:02. */
export const progress = (id: string, patch: Partial<DeliveryProgress> = {}): DeliveryProgress => ({
  id,
  sendingAt: '2023-03-01T09:00:00.000Z',
  deliveredTo: [],
  owner: 'owner-1',
  leaseUntil: '2023-03-01T09:02:00.000Z',
  ...patch,
});

const at = (time: string) => new Date(`2023-03-01T${time}.000Z`);

/**
 * What every Store's operational state does (see OperationalState), run against each backend: reads
 * by kind and id, last write wins, `take` as one conditional write (free, expired or its lease ended),
 * and nothing of it in the audit log.
 */
export function operationsContract(name: string, makeStore: () => Store | Promise<Store>): void {
  describe(`${name}: the operational state contract`, () => {
    const fresh = closedAfterEach(makeStore);

    it('puts, replaces and deletes a record by kind and id', async () => {
      const { operations } = await fresh();
      expect(await operations.get('messages', 'slack:EX-1')).toBeUndefined();
      await operations.put('messages', message('slack:EX-1'), LATER);
      expect(await operations.get('messages', 'slack:EX-1')).toEqual(message('slack:EX-1'));
      await operations.put('messages', message('slack:EX-1', { ref: { channel: 'C0123', ts: '2.0' } }), LATER);
      expect((await operations.get('messages', 'slack:EX-1'))?.ref.ts).toBe('2.0');
      await operations.delete('messages', 'slack:EX-1');
      expect(await operations.get('messages', 'slack:EX-1')).toBeUndefined();
      await operations.delete('messages', 'slack:EX-1'); // nothing there: nothing to do
      expect(await operations.list('messages')).toEqual([]);
    });

    it('keeps kinds apart, and lists every record of one', async () => {
      const { operations } = await fresh();
      await Promise.all([
        operations.put('messages', message('X-1'), LATER),
        operations.put('messages', message('X-2'), LATER),
        operations.put('deliveries', progress('X-1'), LATER),
      ]);
      expect(await operations.list('messages')).toEqual([message('X-1'), message('X-2')]);
      expect(await operations.list('deliveries')).toEqual([progress('X-1')]);
      expect(await operations.list('conversations')).toEqual([]);
      await operations.delete('deliveries', 'X-1');
      expect(await operations.get('messages', 'X-1')).toEqual(message('X-1'));
    });

    it('keeps a copy: a later change by the caller does not reach it, and what it answers is frozen', async () => {
      const { operations } = await fresh();
      const record = progress('OB-1', { deliveredTo: ['slack'] });
      await operations.put('deliveries', record, LATER);
      record.deliveredTo.push('teams');
      const stored = await operations.get('deliveries', 'OB-1');
      expect(stored?.deliveredTo).toEqual(['slack']);
      expect(Object.isFrozen(stored)).toBe(true);
      expect(Object.isFrozen(stored?.deliveredTo)).toBe(true);
    });

    it('take stores what nothing is stored under, and says so', async () => {
      const { operations } = await fresh();
      expect(await operations.take('deliveries', progress('OB-1'), LATER, at('09:00:00'))).toBe(true);
      expect(await operations.get('deliveries', 'OB-1')).toEqual(progress('OB-1'));
    });

    it('take refuses a record whose lease is live, to its own owner too, and leaves it as it was', async () => {
      const { operations } = await fresh();
      await operations.take('deliveries', progress('OB-1'), LATER, at('09:00:00'));
      const other = progress('OB-1', { owner: 'owner-2', leaseUntil: '2023-03-01T09:03:00.000Z' });
      expect(await operations.take('deliveries', other, LATER, at('09:01:59'))).toBe(false);
      expect(await operations.take('deliveries', progress('OB-1', { deliveredTo: ['slack'] }), LATER, at('09:01:00'))).toBe(false);
      expect(await operations.get('deliveries', 'OB-1')).toEqual(progress('OB-1'));
    });

    it('take takes over a record whose lease has ended, from the instant it ends', async () => {
      const { operations } = await fresh();
      await operations.take('deliveries', progress('OB-1', { deliveredTo: ['slack'] }), LATER, at('09:00:00'));
      const over = progress('OB-1', { deliveredTo: ['slack'], owner: 'owner-2', leaseUntil: '2023-03-01T09:04:00.000Z' });
      expect(await operations.take('deliveries', over, LATER, at('09:02:00'))).toBe(true);
      expect(await operations.get('deliveries', 'OB-1')).toEqual(over);
    });

    it('take stores over an expired record, whatever its lease; one without a lease holds until it expires', async () => {
      const { operations } = await fresh();
      const held = progress('OB-1', { leaseUntil: '2023-03-02T00:00:00.000Z' });
      await operations.put('deliveries', held, at('09:30:00'));
      expect(await operations.take('deliveries', progress('OB-1', { owner: 'owner-2' }), LATER, at('09:29:59'))).toBe(false);
      expect(await operations.take('deliveries', progress('OB-1', { owner: 'owner-2' }), LATER, at('09:30:00'))).toBe(true);
      expect((await operations.get('deliveries', 'OB-1'))?.owner).toBe('owner-2');

      await operations.put('messages', message('slack:EX-1'), at('09:30:00'));
      expect(await operations.take('messages', message('slack:EX-1', { subject: 'EX-2' }), LATER, at('09:10:00'))).toBe(false);
      expect(await operations.take('messages', message('slack:EX-1', { subject: 'EX-2' }), LATER, at('09:31:00'))).toBe(true);
    });

    it('take is atomic: of two taking the same record at once, exactly one does', async () => {
      const { operations } = await fresh();
      await operations.put('deliveries', progress('OB-8'), LATER); // its lease ends at 09:02
      for (const [id, now] of [
        ['OB-7', at('09:00:00')], // absent
        ['OB-8', at('09:05:00')], // lease ended
      ] as const) {
        const taken = await Promise.all([
          operations.take('deliveries', progress(id, { owner: 'owner-2', leaseUntil: '2023-03-01T09:07:00.000Z' }), LATER, now),
          operations.take('deliveries', progress(id, { owner: 'owner-3', leaseUntil: '2023-03-01T09:07:00.000Z' }), LATER, now),
        ]);
        expect(taken.filter(Boolean)).toHaveLength(1);
        expect((await operations.get('deliveries', id))?.owner).toBe(taken[0] ? 'owner-2' : 'owner-3');
      }
    });

    it('stays out of the audit record: no entry is written, and the audit still verifies', async () => {
      const store = await fresh();
      await store.commit(event(), []);
      await store.operations.put('messages', message('slack:EX-1'), LATER);
      await store.operations.delete('messages', 'slack:EX-1');
      await store.operations.put('deliveries', progress('OB-1'), LATER);
      expect((await readAll(store)).map((entry) => entry.seq)).toEqual([1]);
      expect(store.seq).toBe(1);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 1 });
    });
  });
}
