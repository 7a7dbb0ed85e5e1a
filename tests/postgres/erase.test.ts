import { describe, expect, it } from 'vitest';
import { personErasure } from '../../src/core/personal-data.ts';
import { put } from '../../src/core/records.ts';
import { openPostgresStore } from '../../storage/postgres/index.ts';
import { event, request } from '../storage/helpers.ts';
import { postgresAvailable, sql, testDatabases } from '../support/postgres.ts';

const databases = testDatabases();
const REASON = 'Quist family bakery account for the spring festival';

describe.skipIf(!postgresAvailable())('PostgreSQL: erasure', () => {
  it('leaves no trace of the person in any table, and the database refuses any other change to a row', async () => {
    const url = await databases.make();
    const store = await openPostgresStore({ url, log: () => {}, listen: false });
    try {
      await store.commit(event('request.filed', { actor: 'nora@agency.gov', subject: 'EX-1' }), [
        put('requests', request('EX-1', 'nora@agency.gov', { reason: REASON, contact: { slack: 'U0NORA' } })),
        put('directory', {
          id: 'nora@agency.gov',
          email: 'nora@agency.gov',
          sources: { csv: { key: 'nora@agency.gov', name: 'Nora Quist' } },
          since: '2023-01-01T00:00:00.000Z',
          leftAt: '2023-03-01T00:00:00.000Z',
        }),
      ]);
      await store.operations.put(
        'conversations',
        {
          id: 'teams:user:nora@agency.gov',
          platform: 'teams',
          person: 'nora@agency.gov',
          reference: { user: { name: 'Nora Quist' } },
          at: '2023-03-01T09:00:00.000Z',
        },
        new Date('2100-01-01'),
      );
      const tables = async () =>
        JSON.stringify([
          await sql(url, 'SELECT * FROM appwarden_audit'),
          await sql(url, 'SELECT * FROM appwarden_operations'),
        ]).toLowerCase();
      expect(await tables()).toContain('quist');

      const done = await store.erase(personErasure({ identifiers: ['nora@agency.gov', 'Nora Quist', 'U0NORA'], pseudonym: 'erased-77' }), {
        at: '2023-04-01T00:00:00.000Z',
        actor: 'system',
        action: 'person.erased',
        subject: 'erased-77',
        detail: { reason: 'art. 17' },
      });
      expect(done).toMatchObject({ operational: 1, unsealed: 0 });
      const after = await tables();
      for (const trace of ['nora', 'quist', 'u0nora', 'spring festival']) expect(after, trace).not.toContain(trace);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 2 });

      // Migration 2: the personal values beside an entry may change; its hashed part may not, nor may a row go.
      await expect(
        sql(url, `UPDATE appwarden_audit SET line = replace(line, '"request.filed"', '"request.filled"') WHERE seq = 1`),
      ).rejects.toThrow(/append-only: UPDATE of entry 1 refused/);
      await expect(sql(url, 'DELETE FROM appwarden_audit WHERE seq = 2')).rejects.toThrow(/append-only/);
    } finally {
      await store.close();
    }
  });
});
