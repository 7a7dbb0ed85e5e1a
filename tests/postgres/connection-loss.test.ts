import { afterEach, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { openPostgresStore } from '../../storage/postgres/index.ts';
import { event, readAll, request } from '../storage/helpers.ts';
import { postgresAvailable, testDatabases } from '../support/postgres.ts';
import { startServer } from '../support/server-process.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const databases = testDatabases();
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
afterEach(async () => proxy?.close());

/** A database reached through a proxy the test can cut. */
async function databaseBehindProxy() {
  const direct = new URL(await databases.make());
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const url = new URL(direct);
  url.port = String(proxy.port);
  return url.toString();
}

const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 15_000) => {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!postgresAvailable())('when the connection to PostgreSQL is lost', () => {
  it('the store says it is unavailable, a commit fails loudly and changes nothing, and all is well once it is back', async () => {
    const url = await databaseBehindProxy();
    const store = await openPostgresStore({ url, log: () => {} });
    try {
      await store.commit(event(), [put('requests', request('EX-1'))]);
      proxy!.cut();
      await until(() => store.unavailable !== undefined, 'the store to notice');
      expect(store.unavailable).toMatchObject({ code: 'storage.unavailable' });
      await expect(store.commit(event(), [put('requests', request('EX-2'))])).rejects.toMatchObject({ code: 'storage.unavailable' });
      expect(store.get('requests', 'EX-2')).toBeUndefined();
      // A lookup that finds nothing cannot ask the database whether others wrote it: it answers from memory.
      const looked = await store.transact((tx) => ({ result: tx.get('requests', 'EX-9')?.status ?? 'no such request' }));
      expect(looked).toEqual({ result: 'no such request', attempts: 1 });
      proxy!.restore();
      await until(() => store.unavailable === undefined, 'the listener to reconnect');
      await store.commit(event(), [put('requests', request('EX-3'))]);
      expect((await readAll(store)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 2 });
    } finally {
      await store.close();
    }
  });

  it('a running server answers /healthz 503 while the database is unreachable, and 200 again after', { timeout: 60_000 }, async () => {
    const url = await databaseBehindProxy();
    const server = startServer({ PORT: '0', DATABASE_URL: url, TEAMS_EMULATOR: '1' });
    const health = async () => (await fetch(`http://127.0.0.1:${await server.listening}/healthz`)).status;
    expect(await health()).toBe(200);
    proxy!.cut();
    await until(async () => (await health()) === 503, '/healthz to say 503');
    const body = await (await fetch(`http://127.0.0.1:${await server.listening}/healthz`)).json();
    expect(body.problem).toMatch(/^PostgreSQL is unreachable/);
    proxy!.restore();
    await until(async () => (await health()) === 200, '/healthz to recover');
    expect(server.child.exitCode).toBeNull();
  });

  it('a server whose database cannot be reached at start is refused with one line', { timeout: 30_000 }, async () => {
    const server = startServer({ PORT: '0', DATABASE_URL: 'postgres://appwarden:hunter2@127.0.0.1:1/appwarden', TEAMS_EMULATOR: '1' });
    expect(await server.exited).toBe(2);
    const lines = server.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^appwarden: cannot connect to PostgreSQL at postgres:\/\/appwarden:\*\*\*@127\.0\.0\.1:1\/appwarden: .*ECONNREFUSED/,
    );
  });
});
