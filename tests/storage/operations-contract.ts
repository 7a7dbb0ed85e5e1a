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

export const progress = (id: string, patch: Partial<DeliveryProgress> = {}): DeliveryProgress => ({
  id,
  sendingAt: '2023-03-01T09:00:00.000Z',
  deliveredTo: [],
  ...patch,
});

/**
 * What every Store's operational state does (see OperationalState), run against each backend: reads
 * by kind and id, last write wins, `putIf` as a compare-and-set, and nothing of it in the audit log.
 */
export function operationsContract(name: string, makeStore: () => Store | Promise<Store>): void {
  describe(`${name}: the operational state contract`, () => {
    const fresh = closedAfterEach(makeStore);

    it('puts, replaces and deletes a record by kind and id', async () => {
      const { operations } = await fresh();
      expect(operations.get('messages', 'slack:EX-1')).toBeUndefined();
      await operations.put('messages', message('slack:EX-1'), LATER);
      expect(operations.get('messages', 'slack:EX-1')).toEqual(message('slack:EX-1'));
      await operations.put('messages', message('slack:EX-1', { ref: { channel: 'C0123', ts: '2.0' } }), LATER);
      expect(operations.get('messages', 'slack:EX-1')?.ref.ts).toBe('2.0');
      await operations.delete('messages', 'slack:EX-1');
      expect(operations.get('messages', 'slack:EX-1')).toBeUndefined();
      await operations.delete('messages', 'slack:EX-1'); // nothing there: nothing to do
      expect(operations.list('messages')).toEqual([]);
    });

    it('keeps kinds apart, and lists every record of one', async () => {
      const { operations } = await fresh();
      await Promise.all([
        operations.put('messages', message('X-1'), LATER),
        operations.put('messages', message('X-2'), LATER),
        operations.put('deliveries', progress('X-1'), LATER),
      ]);
      expect(operations.list('messages')).toEqual([message('X-1'), message('X-2')]);
      expect(operations.list('deliveries')).toEqual([progress('X-1')]);
      expect(operations.list('conversations')).toEqual([]);
      await operations.delete('deliveries', 'X-1');
      expect(operations.get('messages', 'X-1')).toEqual(message('X-1'));
    });

    it('keeps a copy: a later change by the caller does not reach it, and what it answers is frozen', async () => {
      const { operations } = await fresh();
      const record = progress('OB-1', { deliveredTo: ['slack'] });
      await operations.put('deliveries', record, LATER);
      record.deliveredTo.push('teams');
      const stored = operations.get('deliveries', 'OB-1');
      expect(stored?.deliveredTo).toEqual(['slack']);
      expect(Object.isFrozen(stored)).toBe(true);
      expect(Object.isFrozen(stored?.deliveredTo)).toBe(true);
    });

    it('putIf puts only when `expect` holds of what is stored, and says whether it did', async () => {
      const { operations } = await fresh();
      const absent = (current: DeliveryProgress | undefined) => current === undefined;
      expect(await operations.putIf('deliveries', progress('OB-1'), LATER, absent)).toBe(true);
      expect(await operations.putIf('deliveries', progress('OB-1', { deliveredTo: ['teams'] }), LATER, absent)).toBe(false);
      expect(operations.get('deliveries', 'OB-1')).toEqual(progress('OB-1'));

      const seen: (DeliveryProgress | undefined)[] = [];
      const slackDone = progress('OB-1', { deliveredTo: ['slack'] });
      const updated = await operations.putIf('deliveries', slackDone, LATER, (current) => {
        seen.push(current);
        return current?.deliveredTo.length === 0;
      });
      expect({ updated, seen }).toEqual({ updated: true, seen: [progress('OB-1')] });
      expect(operations.get('deliveries', 'OB-1')).toEqual(slackDone);
    });

    it('putIf is atomic: of two taking the same absent record at once, exactly one does', async () => {
      const { operations } = await fresh();
      const absent = (current: DeliveryProgress | undefined) => current === undefined;
      const taken = await Promise.all([
        operations.putIf('deliveries', progress('OB-7', { sendingAt: '2023-03-01T09:00:01.000Z' }), LATER, absent),
        operations.putIf('deliveries', progress('OB-7', { sendingAt: '2023-03-01T09:00:02.000Z' }), LATER, absent),
      ]);
      expect(taken.filter(Boolean)).toHaveLength(1);
      const winner = taken[0] ? '2023-03-01T09:00:01.000Z' : '2023-03-01T09:00:02.000Z';
      expect(operations.get('deliveries', 'OB-7')?.sendingAt).toBe(winner);
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
