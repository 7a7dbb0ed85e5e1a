import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { exportAudit, auditHead } from '../../src/runtime/audit-export.ts';
import { readBackup, writeBackup } from '../../storage/backup-file.ts';
import { openLowdbStoreReadOnly } from '../../storage/lowdb/index.ts';
import { restoreBackup } from '../../storage/lowdb/restore-backup.ts';
import { attestation, event, tempDirs } from './helpers.ts';
import { openWithLog } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('backup and restore', () => {
  it('a backup taken from a read-only store while a burst commits holds every change acknowledged before it, and restores to a verifying store', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir, { compactEvery: 50 });
    const acknowledged: number[] = [];
    // 300 commits, 16 at a time: the backup is taken while they run.
    let next = 1;
    const sender = async () => {
      while (next <= 300) {
        const n = next++;
        await store.commit(event('attestation.recorded', { subject: `AT-${n}` }), [put('attestations', attestation(`AT-${n}`))]);
        acknowledged.push(n);
      }
    };
    const burst = Promise.all(Array.from({ length: 16 }, sender));
    while (acknowledged.length < 100) await new Promise((r) => setImmediate(r));
    const ackedBefore = [...acknowledged];
    const reader = await openLowdbStoreReadOnly({ dir, log: () => {} });
    const backup = join(await dirs.make(), 'appwarden.backup.jsonl');
    const done = await writeBackup(reader, backup, new Date('2026-12-03T12:00:00Z'));
    await reader.close();
    await burst;
    await store.close();
    expect(done.entries).toBeGreaterThanOrEqual(ackedBefore.length);

    const target = join(await dirs.make(), 'restored');
    const restored = await restoreBackup(backup, target);
    expect(restored).toMatchObject({ ok: true, entries: done.entries, head: done.head });
    const reopened = await openLowdbStoreReadOnly({ dir: target, log: () => {} });
    expect(await reopened.verifyAudit()).toEqual({ ok: true, entries: done.entries });
    for (const n of ackedBefore)
      expect(reopened.get('attestations', `AT-${n}`), `AT-${n} was acknowledged before the backup`).toBeDefined();
    await reopened.close();
  });

  it('a tampered backup is refused, naming the entry, and the directory is left empty', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    for (let n = 1; n <= 5; n++) await store.commit(event('attestation.recorded'), [put('attestations', attestation(`AT-${n}`))]);
    const backup = join(await dirs.make(), 'b.jsonl');
    await writeBackup(store, backup, new Date());
    await store.close();
    const lines = (await readFile(backup, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace(':pierre"', ':mallory"'); // pierre's name, kept beside the hashed entry
    await writeFile(backup, lines.join('\n'));
    const target = join(await dirs.make(), 'restored');
    await expect(restoreBackup(backup, target)).rejects.toThrow(/does not verify at entry 3 \(line 4 of the file\): changed/);
    expect(await readdir(target)).toEqual([]);
  });

  it('a backup cut short, or with its last entries removed, is refused by its end line', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    for (let n = 1; n <= 4; n++) await store.commit(event(), [put('attestations', attestation(`AT-${n}`))]);
    const backup = join(await dirs.make(), 'b.jsonl');
    await writeBackup(store, backup, new Date());
    await store.close();
    const lines = (await readFile(backup, 'utf8')).trimEnd().split('\n');
    await writeFile(backup, `${lines.slice(0, -1).join('\n')}\n`);
    expect(await readBackup(backup)).toMatchObject({ ok: false, problem: expect.stringMatching(/cut short/) });
    await writeFile(backup, `${[...lines.slice(0, -2), lines.at(-1)].join('\n')}\n`);
    expect(await readBackup(backup)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/end names entry 4 .* chain ends at entry 3/),
    });
  });

  it('refuses a data directory that is not empty', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    await store.commit(event(), []);
    const backup = join(await dirs.make(), 'b.jsonl');
    await writeBackup(store, backup, new Date());
    await store.close();
    await expect(restoreBackup(backup, dir)).rejects.toThrow(/is not empty/);
  });
});

describe('audit export and head', () => {
  it('exports the entries between two instants, as JSON lines or CSV with inert cells, and verifies the whole chain', async () => {
    const dir = await dirs.make();
    const { store } = await openWithLog(dir);
    for (const [n, day] of [
      [1, '2026-11-30'],
      [2, '2026-12-01'],
      [3, '2026-12-02'],
      [4, '2026-12-03'],
    ] as const)
      await store.commit(event('attestation.recorded', { at: `${day}T10:00:00.000Z`, actor: n === 2 ? '=HYPERLINK("x")' : 'pierre' }), [
        put('attestations', attestation(`AT-${n}`)),
      ]);
    const out: string[] = [];
    const summary = await exportAudit(store, { from: new Date('2026-12-01'), to: new Date('2026-12-03'), format: 'jsonl' }, (t) =>
      out.push(t),
    );
    expect(summary).toMatchObject({ exported: 2, firstSeq: 2, lastSeq: 3, verification: { ok: true, entries: 4 }, head: { seq: 4 } });
    expect(out.map((l) => JSON.parse(l).seq)).toEqual([2, 3]);
    const csv: string[] = [];
    await exportAudit(store, { from: new Date('2026-12-01'), to: new Date('2026-12-02'), format: 'csv' }, (t) => csv.push(t));
    expect(csv[0]).toBe('seq,at,actor,action,subject,detail,changes,prev,hash\n');
    expect(csv[1]).toMatch(/^2,2026-12-01T10:00:00.000Z,"'=HYPERLINK\(""x""\)",attestation.recorded/);
    expect(await auditHead(store)).toEqual({ seq: 4, hash: summary.head.hash, at: '2026-12-03T10:00:00.000Z' });
    await store.close();
  });
});
