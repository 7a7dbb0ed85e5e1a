import { afterEach, describe, expect, it } from 'vitest';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startFakeOidc } from '../support/fake-oidc.ts';
import { postgresAvailable, sql, testDatabases } from '../support/postgres.ts';
import { startServer } from '../support/server-process.ts';

/**
 * Two replicas of /admin — real server processes, `npm start`'s entry — on one PostgreSQL database,
 * signing in with one identity provider and no SESSION_SECRET: they agree on the key kept in the
 * database, so a session signed by one is accepted by the other, and a sign-out on one holds on both.
 */
const databases = testDatabases();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Where the browser reaches the deployment (a load balancer's name): the test sends each request to the replica it chooses. */
const PUBLIC_URL = 'http://appwarden.test';

describe.skipIf(!postgresAvailable())('/admin on several replicas sharing PostgreSQL', () => {
  it('a session signed on one replica is accepted by the other; signed out on one, refused by both', { timeout: 90_000 }, async () => {
    const idp = await startFakeOidc();
    closers.push(idp.close);
    const env = {
      PORT: '0',
      DATABASE_URL: await databases.make(),
      OIDC_ISSUER: idp.url,
      OIDC_CLIENT_ID,
      OIDC_CLIENT_SECRET,
      PUBLIC_URL,
    };
    const a = startServer(env);
    const aUrl = `http://127.0.0.1:${await a.listening}`;
    const b = startServer(env);
    const bUrl = `http://127.0.0.1:${await b.listening}`;

    // Sign in on A, by hand: the provider sends the browser to PUBLIC_URL, which is A here.
    idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const login = await fetch(`${aUrl}/admin/login`, { redirect: 'manual' });
    const signInCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const authorized = await fetch(login.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(authorized.headers.get('location')!);
    expect(back.origin).toBe(PUBLIC_URL);
    const callback = await fetch(`${aUrl}${back.pathname}${back.search}`, { headers: { cookie: signInCookie }, redirect: 'manual' });
    expect(callback.status).toBe(303);
    const session = callback.headers
      .getSetCookie()
      .find((c) => c.startsWith('appwarden_session='))!
      .split(';')[0]!;

    const onB = await fetch(`${bUrl}/admin`, { headers: { cookie: session }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    const page = await onB.text();
    expect(page).toContain('Signed in as Olivia Admin');
    // One key, kept in the database's operational state.
    expect(await sql(env.DATABASE_URL, "SELECT id FROM appwarden_operations WHERE kind = 'secrets'")).toEqual([{ id: 'web-session' }]);

    const csrf = /action="\/admin\/logout" class="sign-out"><input type="hidden" name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const out = await fetch(`${bUrl}/admin/logout`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(out.status).toBe(200);
    for (const url of [aUrl, bUrl])
      expect((await fetch(`${url}/admin`, { headers: { cookie: session }, redirect: 'manual' })).status).toBe(303);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });
});
