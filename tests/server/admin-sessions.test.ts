import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { oidcBrowser } from '../support/admin-browser.ts';
import { serveWithOidc, serveWithoutIdp } from '../support/admin-server.ts';

const SECRET = 'a-session-secret-of-at-least-32-chars-3f9c';

/** Signs in on `url` as Olivia through the fake provider; returns the session cookie (`name=value`). */
async function signedInCookie(server: Awaited<ReturnType<typeof serveWithOidc>>): Promise<string> {
  server.idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
  const b = oidcBrowser(server.url);
  expect((await b.visit('/admin')).text).toContain('Signed in as Olivia Admin');
  return `appwarden_session=${b.cookies.get('appwarden_session')}`;
}

/** A page fetched with a cookie, not following redirects: 200 when the session is accepted, 303 to /admin/login when not. */
const open = (url: string, cookie: string) => fetch(`${url}/admin`, { headers: { cookie }, redirect: 'manual' });

describe('/admin sessions across replicas', () => {
  it('with one SESSION_SECRET, a replica accepts the cookie another signed; with another secret it does not', async () => {
    const a = await serveWithOidc({ env: { SESSION_SECRET: SECRET } });
    const b = await serveWithOidc({ env: { SESSION_SECRET: SECRET } });
    const c = await serveWithOidc({ env: { SESSION_SECRET: `${SECRET}-other` } });
    const cookie = await signedInCookie(a);
    const there = await open(b.url, cookie);
    expect(there.status).toBe(200);
    expect(await there.text()).toContain('Signed in as Olivia Admin');
    const refused = await open(c.url, cookie);
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/admin/login');
  });

  it('without SESSION_SECRET, replicas sharing a store share the key kept there; a replica on another store does not', async () => {
    const store = createMemoryStore();
    const a = await serveWithOidc({ store });
    const b = await serveWithOidc({ store });
    const elsewhere = await serveWithOidc();
    const cookie = await signedInCookie(a);
    expect((await open(b.url, cookie)).status).toBe(200);
    expect((await open(elsewhere.url, cookie)).status).toBe(303);
    expect(await store.operations.list('secrets')).toHaveLength(1);
  });

  it('the loopback demo keeps a key of its own per process: another demo server signs in afresh', async () => {
    const a = await serveWithoutIdp('127.0.0.1');
    const b = await serveWithoutIdp('127.0.0.1');
    const cookie = (await fetch(`${a.url}/admin`)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${a.url}/admin`, { headers: { cookie } })).headers.get('set-cookie')).toBeNull(); // accepted
    expect((await fetch(`${b.url}/admin`, { headers: { cookie } })).headers.get('set-cookie')).toMatch(/^appwarden_session=/); // not
  });

  it('a SESSION_SECRET too short is refused at start, with one clear line', () => {
    const read = readConfig({ TEAMS_EMULATOR: '0', SESSION_SECRET: 'short' });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems).toContain(
      'SESSION_SECRET must be at least 32 characters (e.g. openssl rand -hex 32), the same on every replica',
    );
  });
});

describe('signing out', () => {
  it('is a POST with the session’s CSRF token: without it 403 and the session stays; with it the cookie is cleared', async () => {
    const server = await serveWithOidc();
    server.idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const b = oidcBrowser(server.url);
    const home = (await b.visit('/admin')).text;
    expect(home).toContain('action="/admin/logout"');
    const csrf = /action="\/admin\/logout" class="sign-out"><input type="hidden" name="csrf" value="([^"]+)"/.exec(home)?.[1];
    expect(csrf).toBeTruthy();
    const cookie = `appwarden_session=${b.cookies.get('appwarden_session')}`;

    expect((await b.post('/admin/logout', {})).res.status).toBe(403);
    expect((await b.post('/admin/logout', { csrf: `${csrf}x` })).res.status).toBe(403);
    expect(b.cookies.has('appwarden_session')).toBe(true);
    expect((await open(server.url, cookie)).status).toBe(200);

    const out = await b.post('/admin/logout', { csrf: csrf! });
    expect(out.res.status).toBe(200);
    expect(out.text).toContain('You are signed out.');
    expect(out.res.headers.get('set-cookie')).toMatch(/^appwarden_session=; Path=\/admin; HttpOnly; SameSite=Lax; Max-Age=0/);
    expect(b.cookies.has('appwarden_session')).toBe(false);
    // A copy of the cookie kept from before (another tab, a thief) is refused too, on every replica sharing the store.
    expect((await open(server.url, cookie)).status).toBe(303);
    // The browser, cookie gone, is sent to sign in again.
    const after = await fetch(`${server.url}/admin`, { redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/admin/login');
  });

  it('signed out on one replica, the session is refused by the others sharing the store', async () => {
    const store = createMemoryStore();
    const a = await serveWithOidc({ store, env: { SESSION_SECRET: SECRET } });
    const b = await serveWithOidc({ store, env: { SESSION_SECRET: SECRET } });
    const cookie = await signedInCookie(a);
    expect((await open(b.url, cookie)).status).toBe(200);
    const home = await (await open(a.url, cookie)).text();
    const csrf = /action="\/admin\/logout" class="sign-out"><input type="hidden" name="csrf" value="([^"]+)"/.exec(home)![1]!;
    const out = await fetch(`${a.url}/admin/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(out.status).toBe(200);
    expect((await open(b.url, cookie)).status).toBe(303);
    expect((await open(a.url, cookie)).status).toBe(303);
  });

  it('the loopback demo offers no sign-out (the next page would sign in as the demo admin again)', async () => {
    const { url } = await serveWithoutIdp('127.0.0.1');
    expect(await (await fetch(`${url}/admin`)).text()).not.toContain('/admin/logout');
  });
});
