import { afterAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { event, idempotencyKey, settledState, tempDirs } from './helpers.ts';
import { auditFileLines, gatedSink, openWithLog } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

// The real audit file behind a sync the test holds: a commit acknowledged before its sync would pass
// every other test, and lose data in a power cut.
describe('LowdbStore: a commit is acknowledged only once durable', () => {
  it('does not resolve before the sync of its entry has resolved', async () => {
    const gated = gatedSink();
    const { store } = await openWithLog(await dirs.make(), { sink: gated.sink });
    const committed = store.commit(event(), [put('keys', idempotencyKey('K-1'))]);
    await gated.syncStarted;
    expect(await auditFileLines(store.dir)).toHaveLength(1); // written to the file, not yet synced
    expect(await settledState(committed)).toBe('pending');
    gated.release();
    expect((await committed).seq).toBe(1);
    await store.close();
  });

  it('rejects the commit when the sync fails, and the store reports that it can no longer write', async () => {
    const gated = gatedSink();
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { sink: gated.sink });
    expect(store.failure).toBeUndefined();
    const committed = store.commit(event(), [put('keys', idempotencyKey('K-1'))]);
    gated.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(committed).rejects.toMatchObject({ code: 'storage.write_failed' });
    await expect(committed).rejects.toBe(store.failure);
    await expect(store.commit(event(), [])).rejects.toBe(store.failure);
    await store.close();
    expect(await auditFileLines(dir)).toHaveLength(1); // written, never acknowledged: the next open decides
  });
});
