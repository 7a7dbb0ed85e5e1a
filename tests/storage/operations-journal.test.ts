import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConversationRecord } from '../../src/core/records.ts';
import { openLowdbStoreReadOnly, verifyAuditFile } from '../../storage/lowdb/index.ts';
import { openOperationsJournal } from '../../storage/lowdb/operations-journal.ts';
import { event, readAll, settledState, tempDirs } from './helpers.ts';
import { auditFileLines, gatedSink, openWithLog, operationsFileLines, operationsPath } from './lowdb-helpers.ts';
import { LATER, message, progress } from './operations-contract.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const T0 = new Date('2023-03-01T09:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

/** A clock a test moves by hand. */
function clock(start = T0) {
  const at = { now: start };
  return { now: () => at.now, set: (to: Date) => (at.now = to) };
}

const conversation = (id: string): ConversationRecord => ({
  id,
  platform: 'teams',
  person: 'akiko',
  reference: { conversation: { id: 'a:1' }, serviceUrl: 'https://smba.example/emea/' },
  trust: 'bot-framework',
  at: '2023-03-01T09:00:00.000Z',
});

/** A journal opened on its own, with a small compaction threshold, keeping what it logs. */
async function openJournal(dir: string, options: { now?: () => Date; compactAbove?: number } = {}) {
  const logged: string[] = [];
  const journal = await openOperationsJournal({ dir, now: () => T0, log: (line) => logged.push(line), ...options });
  return { journal, logged };
}

describe('operations.jsonl: durable operational state', () => {
  it('keeps puts and deletes of every kind across close and reopen', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.operations.put('messages', message('slack:EX-1'), LATER);
    await store.operations.put('messages', message('slack:EX-2'), LATER);
    await store.operations.put('conversations', conversation('teams:user:akiko'), LATER);
    await store.operations.put('deliveries', progress('OB-1', { deliveredTo: ['slack'] }), LATER);
    await store.operations.delete('messages', 'slack:EX-1');
    await store.close();

    const { store: reopened, logged } = await openWithLog(dir);
    expect(await reopened.operations.list('messages')).toEqual([message('slack:EX-2')]);
    expect(await reopened.operations.get('conversations', 'teams:user:akiko')).toEqual(conversation('teams:user:akiko'));
    expect(await reopened.operations.get('deliveries', 'OB-1')).toEqual(progress('OB-1', { deliveredTo: ['slack'] }));
    expect(Object.isFrozen(await reopened.operations.get('deliveries', 'OB-1'))).toBe(true);
    expect(logged).toEqual([]);
    await reopened.close();
  });

  it('writes one line per put or delete: kind, id, record (null for a delete), expiresAt', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.operations.put('messages', message('slack:EX-1'), hours(24));
    await store.operations.delete('messages', 'slack:EX-1');
    await store.close();
    expect(await operationsFileLines(dir)).toEqual([
      { kind: 'messages', id: 'slack:EX-1', record: message('slack:EX-1'), expiresAt: '2023-03-02T09:00:00.000Z' },
      { kind: 'messages', id: 'slack:EX-1', record: null },
    ]);
  });

  it('resolves a put only once its line is synced', async () => {
    const dir = await dirs.make();
    const gated = gatedSink();
    const { store } = await openWithLog(dir, { operationsSink: gated.sink });
    const put = store.operations.put('messages', message('slack:EX-1'), LATER);
    await gated.syncStarted;
    expect(await settledState(put)).toBe('pending');
    expect(await store.operations.get('messages', 'slack:EX-1')).toEqual(message('slack:EX-1')); // applied at once
    gated.release();
    await put;
    await store.close();
  });

  it('takes a record once: of two at once exactly one wins, and a reopen finds the winner', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    const first = progress('OB-1', { owner: 'first' });
    const second = progress('OB-1', { owner: 'second' });
    const taken = await Promise.all([
      store.operations.take('deliveries', first, LATER, T0),
      store.operations.take('deliveries', second, LATER, T0),
    ]);
    expect(taken).toEqual([true, false]);
    await store.close();
    const { store: reopened } = await openWithLog(dir);
    expect(await reopened.operations.list('deliveries')).toEqual([first]);
    await reopened.close();
  });

  it('voids at reopen a lease taken before: only this process holds DATA_DIR, so the one that took it is gone', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    expect(await store.operations.take('deliveries', progress('OB-1', { owner: 'crashed' }), LATER, T0)).toBe(true);
    expect(await store.operations.take('deliveries', progress('OB-2', { owner: 'crashed' }), LATER, T0)).toBe(true);
    await store.close();
    const { store: reopened } = await openWithLog(dir);
    // Both leases run till 09:02 by the clock, and neither holds: OB-1 is taken at once after the restart.
    const restarted = progress('OB-1', { owner: 'restarted' });
    expect(await reopened.operations.take('deliveries', restarted, LATER, T0)).toBe(true);
    // A lease taken since the reopen holds as anywhere: refused to another taker while it lasts.
    expect(await reopened.operations.take('deliveries', progress('OB-1', { owner: 'other' }), LATER, T0)).toBe(false);
    expect(await reopened.operations.get('deliveries', 'OB-1')).toEqual(restarted);
    // Written since the reopen (put, not taken) holds too: the record is this process's now.
    await reopened.operations.put('deliveries', progress('OB-2', { owner: 'restarted' }), LATER);
    expect(await reopened.operations.take('deliveries', progress('OB-2', { owner: 'other' }), LATER, T0)).toBe(false);
    await reopened.close();
  });

  it('opens a data directory made before the journal existed (no operations.jsonl) as empty', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.commit(event(), []);
    await store.close();
    await rm(operationsPath(dir));

    const reader = await openLowdbStoreReadOnly({ dir, log: () => {} });
    expect(await reader.operations.list('messages')).toEqual([]);
    expect(existsSync(operationsPath(dir))).toBe(false);
    const { store: reopened, logged } = await openWithLog(dir);
    expect(await reopened.operations.list('messages')).toEqual([]);
    await reopened.operations.put('messages', message('slack:EX-1'), LATER);
    expect(logged).toEqual([]);
    await reopened.close();
    expect(await operationsFileLines(dir)).toHaveLength(1);
  });
});

describe('operations.jsonl: expiry', () => {
  it('reads a record as gone once it expires, and a reopen drops it', async () => {
    const dir = await dirs.make();
    const time = clock();
    const { store } = await openWithLog(dir, { now: time.now });
    await store.operations.put('messages', message('soon'), hours(1));
    await store.operations.put('messages', message('later'), hours(24));
    time.set(hours(2));
    expect(await store.operations.get('messages', 'soon')).toBeUndefined();
    expect(await store.operations.list('messages')).toEqual([message('later')]);
    // Gone means gone for take too: an expired record can be taken again, whatever its lease.
    const heldLong = { leaseUntil: hours(100).toISOString() };
    expect(await store.operations.take('deliveries', progress('OB-1', heldLong), hours(3), time.now())).toBe(true);
    time.set(hours(4));
    expect(await store.operations.take('deliveries', progress('OB-1'), hours(5), time.now())).toBe(true);
    await store.close();

    const { store: reopened } = await openWithLog(dir, { now: time.now });
    expect(await reopened.operations.list('messages')).toEqual([message('later')]);
    expect(await reopened.operations.list('deliveries')).toEqual([progress('OB-1')]);
    await reopened.close();
    const { store: muchLater } = await openWithLog(dir, { now: () => hours(48) });
    expect([await muchLater.operations.list('messages'), await muchLater.operations.list('deliveries')]).toEqual([[], []]);
    await muchLater.close();
  });
});

describe('operations.jsonl: compaction', () => {
  it('rewrites the journal with exactly the live records once it is long and mostly dead lines', async () => {
    const dir = await dirs.make();
    const time = clock();
    const { journal, logged } = await openJournal(dir, { now: time.now, compactAbove: 20 });
    for (let n = 1; n <= 5; n++) await journal.put('messages', message(`M-${n}`), hours(24));
    await journal.delete('messages', 'M-5');
    await journal.put('deliveries', progress('OB-1'), hours(1));
    time.set(hours(2)); // OB-1 has expired
    // 7 lines so far; the 21st is the first past the threshold, and 21 > 2 × 4 live records.
    for (let n = 1; n <= 13; n++) await journal.put('messages', message('M-1', { subject: `EX-${n}` }), hours(24));
    expect(await operationsFileLines(dir)).toHaveLength(20);
    await journal.put('messages', message('M-1', { subject: 'EX-last' }), hours(24));
    await journal.compacted();

    const live = [message('M-1', { subject: 'EX-last' }), message('M-2'), message('M-3'), message('M-4')];
    const lines = await operationsFileLines(dir);
    expect(lines).toHaveLength(4);
    expect(lines.map((line) => line.record)).toEqual(expect.arrayContaining(live));
    expect(lines.every((line) => line.expiresAt === '2023-03-02T09:00:00.000Z')).toBe(true);
    expect(existsSync(join(dir, '.operations.jsonl.tmp'))).toBe(false);

    await journal.put('messages', message('M-6'), hours(24)); // appends to the new file
    await journal.close();
    const { journal: reopened, logged: reopenLog } = await openJournal(dir, { now: time.now, compactAbove: 20 });
    expect(new Set(await reopened.list('messages'))).toEqual(new Set([...live, message('M-6')]));
    expect(await reopened.list('deliveries')).toEqual([]);
    expect([logged, reopenLog]).toEqual([[], []]);
    await reopened.close();
  });

  it('keeps the writes made while it rewrites, appending them to the new journal', async () => {
    const dir = await dirs.make();
    const { journal } = await openJournal(dir, { compactAbove: 20 });
    const writes: Promise<unknown>[] = [];
    for (let n = 1; n <= 21; n++) writes.push(journal.put('messages', message('M-1', { subject: `EX-${n}` }), LATER));
    // The 21st started the rewrite: these arrive during it, some at once, some a few turns later.
    writes.push(journal.put('messages', message('M-2'), LATER), journal.put('messages', message('M-3'), LATER));
    for (let turn = 0; turn < 3; turn++) {
      await new Promise((done) => setImmediate(done));
      writes.push(journal.put('conversations', conversation(`C-${turn}`), LATER));
    }
    writes.push(journal.delete('messages', 'M-3'));
    writes.push(journal.take('deliveries', progress('OB-1'), LATER, T0));
    await Promise.all(writes);
    await journal.compacted();
    const expected = {
      messages: [message('M-1', { subject: 'EX-21' }), message('M-2')],
      conversations: [conversation('C-0'), conversation('C-1'), conversation('C-2')],
      deliveries: [progress('OB-1')],
    };
    const lines = await operationsFileLines(dir);
    expect(lines.length).toBeLessThan(10);
    await journal.close();

    const { journal: reopened, logged } = await openJournal(dir);
    expect({
      messages: await reopened.list('messages'),
      conversations: await reopened.list('conversations'),
      deliveries: await reopened.list('deliveries'),
    }).toEqual(expected);
    expect(logged).toEqual([]);
    await reopened.close();
  });

  it('compacts a store at the default threshold: over 1,000 lines and over twice the live records', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await Promise.all(
      Array.from({ length: 1000 }, (_, n) => store.operations.put('messages', message(`M-${n % 10}`, { subject: `EX-${n}` }), LATER)),
    );
    expect(await operationsFileLines(dir)).toHaveLength(1000);
    await store.operations.put('messages', message('M-0', { subject: 'EX-last' }), LATER);
    const before = await store.operations.list('messages');
    await store.close(); // waits for the compaction
    expect(await operationsFileLines(dir)).toHaveLength(10);
    const { store: reopened } = await openWithLog(dir);
    expect(new Set(await reopened.operations.list('messages'))).toEqual(new Set(before));
    await reopened.close();
  });

  it('compacts at open a journal the last run left long', async () => {
    const dir = await dirs.make();
    const first = await openJournal(dir);
    await Promise.all(Array.from({ length: 25 }, (_, n) => first.journal.put('messages', message('M-1', { subject: `EX-${n}` }), LATER)));
    await first.journal.close();
    expect(await operationsFileLines(dir)).toHaveLength(25);
    const { journal } = await openJournal(dir, { compactAbove: 20 });
    await journal.compacted();
    expect(await operationsFileLines(dir)).toEqual([
      { kind: 'messages', id: 'M-1', record: message('M-1', { subject: 'EX-24' }), expiresAt: LATER.toISOString() },
    ]);
    await journal.close();
  });

  it('goes on with the old journal, nothing lost, when the rewrite fails', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, '.operations.jsonl.tmp')); // in the way of the temp file
    const { journal, logged } = await openJournal(dir, { compactAbove: 20 });
    const writes = Array.from({ length: 25 }, (_, n) => journal.put('messages', message(`M-${n % 2}`, { subject: `EX-${n}` }), LATER));
    await Promise.all(writes);
    await journal.compacted();
    expect(logged).toEqual([expect.stringMatching(/operations\.jsonl: compaction failed \(.*\); the journal goes on unchanged$/)]);
    expect(await operationsFileLines(dir)).toHaveLength(25);
    await journal.close();
    const { journal: reopened } = await openJournal(dir);
    expect(await reopened.list('messages')).toEqual([message('M-0', { subject: 'EX-24' }), message('M-1', { subject: 'EX-23' })]);
    await reopened.close();
  });
});

describe('operations.jsonl: damage', () => {
  async function journalWith(n: number): Promise<string> {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    for (let i = 1; i <= n; i++) await store.operations.put('messages', message(`M-${i}`), LATER);
    await store.close();
    return dir;
  }

  it('drops a torn last line left by a crash, keeps the rest, and appends after it', async () => {
    const dir = await journalWith(3);
    const whole = await readFile(operationsPath(dir));
    await appendFile(operationsPath(dir), '{"kind":"messages","id":"M-4","record":{"id":"M-4","plat');
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([expect.stringMatching(/operations\.jsonl: dropped a torn last line \(56 bytes\) left by a crash$/)]);
    expect(await readFile(operationsPath(dir))).toEqual(whole);
    expect(await store.operations.list('messages')).toEqual([message('M-1'), message('M-2'), message('M-3')]);
    await store.operations.put('messages', message('M-5'), LATER);
    await store.close();
    const { store: reopened, logged: again } = await openWithLog(dir);
    expect((await reopened.operations.list('messages')).map((m) => m.id)).toEqual(['M-1', 'M-2', 'M-3', 'M-5']);
    expect(again).toEqual([]);
    await reopened.close();
  });

  it('skips and logs a line damaged elsewhere, and opens on the rest', async () => {
    const dir = await journalWith(5);
    const lines = (await readFile(operationsPath(dir), 'utf8')).split('\n');
    lines[1] = lines[1]?.slice(0, -1) ?? ''; // no longer JSON
    lines[2] = lines[2]?.replace('"kind":"messages"', '"kind":"telegrams"') ?? '';
    await writeFile(operationsPath(dir), lines.join('\n'));
    await appendFile(operationsPath(dir), Buffer.from([0xff, 0xfe, 0x0a])); // not UTF-8, newline-terminated
    const { store, logged } = await openWithLog(dir);
    expect(logged).toEqual([
      expect.stringMatching(
        /operations\.jsonl: skipped 3 damaged line\(s\): line 2 \(not JSON\), line 3 \(unknown kind "telegrams"\), line 6 \(not UTF-8\); the records they held are lost$/,
      ),
    ]);
    expect((await store.operations.list('messages')).map((m) => m.id)).toEqual(['M-1', 'M-4', 'M-5']);
    expect(store.failure).toBeUndefined();
    await store.operations.put('messages', message('M-2'), LATER);
    await store.close();
  });
  it('refuses to open with storage.open_failed when operations.jsonl cannot be opened, and lets go of the directory', async () => {
    const dir = await dirs.make();
    await mkdir(operationsPath(dir)); // a directory where the file belongs
    await expect(openWithLog(dir)).rejects.toMatchObject({ code: 'storage.open_failed' });
    await rm(operationsPath(dir), { recursive: true });
    const { store } = await openWithLog(dir); // the lock was released
    await store.close();
  });
});

describe('operations.jsonl: a failed write', () => {
  it('rejects that put and every later write, and leaves the audit store working', async () => {
    const dir = await dirs.make();
    const gated = gatedSink();
    const { store } = await openWithLog(dir, { operationsSink: gated.sink });
    const put = store.operations.put('messages', message('slack:EX-1'), LATER);
    await gated.syncStarted;
    gated.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(put).rejects.toMatchObject({ code: 'storage.write_failed', message: expect.stringContaining('operations.jsonl') });
    const failure = store.operations.failure;
    await expect(put).rejects.toBe(failure);
    await expect(store.operations.put('messages', message('slack:EX-2'), LATER)).rejects.toBe(failure);
    await expect(store.operations.take('deliveries', progress('OB-1'), LATER, T0)).rejects.toBe(failure);
    await expect(store.operations.delete('messages', 'slack:EX-1')).rejects.toBe(failure);
    expect(await store.operations.get('deliveries', 'OB-1')).toBeUndefined(); // refused before it was applied

    expect(store.failure).toBeUndefined();
    const entry = await store.commit(event(), []);
    expect(entry.seq).toBe(1);
    await store.close();
    const { store: reopened } = await openWithLog(dir);
    expect(await reopened.verifyAudit()).toEqual({ ok: true, entries: 1 });
    await reopened.operations.put('messages', message('slack:EX-3'), LATER);
    await reopened.close();
  });

  it('refuses writes after close', async () => {
    const { store } = await openWithLog(await dirs.make());
    await store.close();
    await expect(store.operations.put('messages', message('slack:EX-1'), LATER)).rejects.toMatchObject({ code: 'storage.closed' });
  });

  it('refuses a record it cannot store, as a caller bug, and stores nothing', async () => {
    const { store } = await openWithLog(await dirs.make());
    await expect(store.operations.put('messages', message('slack:EX-1'), new Date('not a date'))).rejects.toMatchObject({
      code: 'storage.bad_commit',
    });
    expect(await store.operations.get('messages', 'slack:EX-1')).toBeUndefined();
    await store.close();
  });
});

describe('operations.jsonl: read-only and audit', () => {
  it('is read as it is on disk by a read-only store while the server runs, which refuses writes', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.operations.put('messages', message('slack:EX-1'), LATER);
    await store.operations.put('deliveries', progress('OB-1'), LATER);
    await appendFile(operationsPath(dir), '{"kind":"messages","id":"slack:EX-2"'); // a server mid-append
    const bytes = await readFile(operationsPath(dir));
    const logged: string[] = [];
    const reader = await openLowdbStoreReadOnly({ dir, log: (line) => logged.push(line) });
    expect(await reader.operations.list('messages')).toEqual([message('slack:EX-1')]);
    expect(await reader.operations.get('deliveries', 'OB-1')).toEqual(progress('OB-1'));
    expect(logged).toEqual([expect.stringMatching(/operations\.jsonl: left out a torn last line \(36 bytes\)/)]);
    for (const write of [
      reader.operations.put('messages', message('slack:EX-3'), LATER),
      reader.operations.take('deliveries', progress('OB-2'), LATER, T0),
      reader.operations.delete('messages', 'slack:EX-1'),
    ]) {
      await expect(write).rejects.toMatchObject({ code: 'storage.read_only' });
    }
    expect(await readFile(operationsPath(dir))).toEqual(bytes);
    await reader.close();
    await store.close();
  });

  it('leaves `audit verify` unaffected: no audit line per put, and a damaged journal does not fail it', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.commit(event(), []);
    for (let n = 1; n <= 5; n++) await store.operations.put('messages', message(`M-${n}`), LATER);
    await store.commit(event('request.approved'), []);
    expect(await auditFileLines(dir)).toHaveLength(2);
    expect((await readAll(store)).map((entry) => entry.seq)).toEqual([1, 2]);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 2 });
    await store.close();

    await writeFile(operationsPath(dir), 'scribbled over\n');
    expect(await verifyAuditFile(dir)).toEqual({ ok: true, entries: 2 });
    const { store: reopened } = await openWithLog(dir);
    expect(await reopened.verifyAudit()).toEqual({ ok: true, entries: 2 });
    expect(await reopened.operations.list('messages')).toEqual([]);
    await reopened.close();
  });
});
