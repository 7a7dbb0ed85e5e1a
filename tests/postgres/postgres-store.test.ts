import { describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import type { Store, Transaction } from '../../src/core/store.ts';
import { migrate, MIGRATIONS, openPostgresStore, type PostgresStore } from '../../storage/postgres/index.ts';
import { createPool } from '../../storage/postgres/connection.ts';
import { closedAfterEach, event, readAll, request } from '../storage/helpers.ts';
import { operationsContract } from '../storage/operations-contract.ts';
import { storeContract } from '../storage/store-contract.ts';
import { postgresAvailable, sql, testDatabases } from '../support/postgres.ts';

const databases = testDatabases();
const quiet = () => {};
const openOn = (url: string, listen = false) => openPostgresStore({ url, log: quiet, listen });
const fresh = async () => openOn(await databases.make());

describe.skipIf(!postgresAvailable())('PostgreSQL', () => {
  storeContract(
    'PostgresStore',
    fresh,
    async () => {
      const url = await databases.make();
      return [await openOn(url), await openOn(url)];
    },
    'shared',
  );
  operationsContract('PostgresStore', fresh);

  describe('PostgresStore: the schema', () => {
    it('two replicas starting at once on an empty database: one migrates, the other waits and finds it done', async () => {
      const url = await databases.make();
      const pools = [createPool(url, 2, quiet), createPool(url, 2, quiet)];
      try {
        const applied = await Promise.all(pools.map((pool) => migrate(pool)));
        expect(applied.map((a) => a.length).sort()).toEqual([0, MIGRATIONS.length]);
        const rows = await sql<{ version: number }>(url, 'SELECT version FROM appwarden_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });

    it('refuses a database whose schema is newer than this version knows', async () => {
      const url = await databases.make();
      await (await openOn(url)).close();
      await sql(url, "INSERT INTO appwarden_migrations (version, name) VALUES (999, 'from the future')");
      await expect(openOn(url)).rejects.toThrow(/schema is version 999, newer than this AppWarden knows/);
    });

    it('a server that cannot be reached is refused at open with one line naming it, password hidden', async () => {
      const error = await openPostgresStore({ url: 'postgres://appwarden:secret@127.0.0.1:1/none', log: quiet }).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'storage.open_failed' });
      expect((error as Error).message).toMatch(
        /^cannot connect to PostgreSQL at postgres:\/\/appwarden:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
      );
      expect((error as Error).message).not.toContain('secret');
      expect((error as Error).message).not.toContain('\n');
    });

    it('the log is append-only for the application: UPDATE and DELETE are refused by the database', async () => {
      const url = await databases.make();
      const store = await openOn(url);
      await store.commit(event(), [put('requests', request('EX-1'))]);
      await store.close();
      await expect(sql(url, "UPDATE appwarden_audit SET line = '{}'")).rejects.toThrow(/append-only/);
      await expect(sql(url, 'DELETE FROM appwarden_audit')).rejects.toThrow(/append-only/);
    });
  });

  describe('PostgresStore: the tamper-evident record', () => {
    /** Three entries, then the store closed: rows to tamper with as someone who can drop the trigger would. */
    const logOfThree = async () => {
      const url = await databases.make();
      const store = await openOn(url);
      for (const id of ['EX-1', 'EX-2', 'EX-3']) await store.commit(event(), [put('requests', request(id))]);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 3 });
      await store.close();
      return url;
    };
    const tamper = (url: string, statement: string) =>
      sql(url, `ALTER TABLE appwarden_audit DISABLE TRIGGER USER; ${statement}; ALTER TABLE appwarden_audit ENABLE TRIGGER USER`);
    const verifyOn = async (url: string) => {
      const store = await openOn(url).catch((e: Error) => e);
      return store;
    };

    it('an edited row: verify names it, and the store will not open on it', async () => {
      const url = await logOfThree();
      await tamper(url, "UPDATE appwarden_audit SET line = replace(line, 'pierre', 'mallory') WHERE seq = 2");
      const opened = await verifyOn(url);
      expect(opened).toMatchObject({ code: 'storage.corrupt' });
      expect((opened as Error).message).toMatch(/damaged at row 2 \(changed\) after 1 sound entries/);
    });

    it('a deleted row, and two rows swapped, are each named by verifyAudit', async () => {
      const deleted = await logOfThree();
      const swapped = await logOfThree();
      // Open before tampering: verifyAudit reads the rows as they are now.
      const onDeleted = await openOn(deleted);
      const onSwapped = await openOn(swapped);
      try {
        await tamper(deleted, 'DELETE FROM appwarden_audit WHERE seq = 2');
        expect(await onDeleted.verifyAudit()).toMatchObject({ ok: false, seq: 2, line: 2, problem: 'removed' });
        await tamper(
          swapped,
          'UPDATE appwarden_audit SET seq = seq + 1000 WHERE seq IN (2, 3); UPDATE appwarden_audit SET seq = CASE seq WHEN 1002 THEN 3 ELSE 2 END WHERE seq > 1000',
        );
        expect(await onSwapped.verifyAudit()).toMatchObject({ ok: false, seq: 2, line: 2, problem: 'reordered' });
      } finally {
        await Promise.all([onDeleted.close(), onSwapped.close()]);
      }
    });
  });

  describe('PostgresStore: replicas', () => {
    /** Approve EX-1 if it still waits, pausing between the check and the change as a real decision may. */
    const approve = (by: string) => async (tx: Transaction) => {
      const before = tx.get('requests', 'EX-1');
      await new Promise((r) => setImmediate(r));
      if (before?.status !== 'requested') return { result: `already ${before?.status} by ${before?.decidedBy}` };
      return {
        result: 'approved',
        commit: {
          event: event('request.approved', { actor: by }),
          changes: [put('requests', { ...before, status: 'approved' as const, decidedBy: by })],
        },
      };
    };
    /** Replicas on one new database, closed after each test. */
    const opened = closedAfterEach(async () => openOn(onDatabase, listening));
    let onDatabase = '';
    let listening = true;
    const replicasOn = async (listen: boolean[]): Promise<PostgresStore[]> => {
      onDatabase = await databases.make();
      const stores: PostgresStore[] = [];
      for (const l of listen) {
        listening = l;
        stores.push((await opened()) as PostgresStore);
      }
      return stores;
    };

    it('a change made on one replica is seen on a listening other within a second, without it committing', async () => {
      const [a, b] = await replicasOn([true, true]);
      await a!.commit(event(), [put('requests', request('EX-1'))]);
      const seen = Date.now();
      while (!b!.get('requests', 'EX-1') && Date.now() - seen < 1000) await new Promise((r) => setTimeout(r, 5));
      expect(b!.get('requests', 'EX-1')?.person).toBe('pierre');
    });

    it('two approvers on two replicas at once: one decision, the other told who decided', async () => {
      const [a, b] = (await replicasOn([false, false])) as [PostgresStore, PostgresStore];
      await a.commit(event(), [put('requests', request('EX-1'))]);
      await b.refresh();
      const [ra, rb] = await Promise.all([a.transact(approve('akiko')), b.transact(approve('bruno'))]);
      const [won, told] = [ra.result, rb.result].sort((x) => (x === 'approved' ? -1 : 1));
      expect(won).toBe('approved');
      const winner = ra.result === 'approved' ? 'akiko' : 'bruno';
      expect(told).toBe(`already approved by ${winner}`);
      expect((await readAll(a)).filter((e) => e.action === 'request.approved')).toHaveLength(1);
    });

    it('three replicas filing at once, 60 each: every request numbered once, none lost, the chain sound', async () => {
      const all: Store[] = await replicasOn([true, true, false]);
      const file = (tx: Transaction) => {
        const id = `EX-${tx.next('requests')}`;
        return { result: id, commit: { event: event('request.filed', { subject: id }), changes: [put('requests', request(id))] } };
      };
      const ids = (await Promise.all(all.flatMap((store) => Array.from({ length: 60 }, () => store.transact(file))))).map((d) => d.result);
      expect(new Set(ids).size).toBe(180);
      expect(await all[0]!.verifyAudit()).toEqual({ ok: true, entries: 180 });
    });
  });
});
