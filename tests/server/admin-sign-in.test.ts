import { describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import { oidcBrowser as browser } from '../support/admin-browser.ts';
import { serveWithOidc } from '../support/admin-server.ts';

describe('/admin signed in with the identity provider (OIDC, authorization code + PKCE)', () => {
  it('sends a newcomer to the provider and back, signed in as the person the claims name', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN', email: 'olivia@demo.example' });
    const b = browser(url);
    const home = await b.visit('/admin/compliance');
    expect(home.res.status).toBe(200);
    expect(home.text).toContain('Signed in as Olivia Admin');
    expect(b.cookies.has('appwarden_session')).toBe(true);
    // PKCE: the token request carried a verifier, checked by the provider against the challenge.
    expect(idp.tokenRequests[0]!.get('code_verifier')).toMatch(/^[\w-]{43,}$/);
    const compliance = await b.visit('/admin/compliance/demo-tiktok');
    expect(compliance.text).toContain('0 of 4 people have attested.');
  });

  it('a staff member sees their own page, not another person’s, and no reports', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-pierre', 'https://slack.com/user_id': 'U0STAFF' });
    const b = browser(url);
    const own = await b.visit('/admin/people/pierre');
    expect(own.res.status).toBe(200);
    expect(own.text).toContain('Signed in as Pierre Martin');
    expect((await b.visit('/admin/people/sam')).res.status).toBe(404);
    expect((await b.visit('/admin/people/olivia')).res.status).toBe(404);
    expect((await b.visit('/admin/compliance/demo-tiktok')).res.status).toBe(403);
    expect((await b.visit('/admin/compliance.csv')).res.status).toBe(403);
    expect((await b.visit('/admin/exceptions')).res.status).toBe(403);
  });

  it('someone the policy does not know is refused, and no session is set', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'stranger', email: 'stranger@elsewhere.example' });
    const b = browser(url);
    const visit = await b.visit('/admin');
    expect(visit.res.status).toBe(403);
    expect(b.cookies.has('appwarden_session')).toBe(false);
  });

  it('a callback whose state does not match the sign-in started here is refused', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const b = browser(url);
    const start = await fetch(`${url}/admin/login`, { redirect: 'manual' });
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(authorize.headers.get('location')!);
    back.searchParams.set('state', 'forged');
    const res = await fetch(back, { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('appwarden_session='))).toBe(false);
    // Without the sign-in cookie at all (another browser's callback): refused too.
    expect((await fetch(back, { redirect: 'manual' })).status).toBe(400);
    expect(b.cookies.size).toBe(0);
  });
});

describe('who the signed-in person is', () => {
  it('found by the `email` claim alone (any case), as by a platform id; the Entra object id (`oid`) finds their Teams identity', async () => {
    const { idp, url } = await serveWithOidc({
      before: async ({ bot }) => {
        const policy = bot.filePolicy;
        bot.reloadPolicy({
          ...policy,
          people: policy.people.map((p) => (p.id === 'akiko' ? { ...p, email: 'akiko.sato@demo.example' } : p)),
        });
      },
    });
    idp.signInAs({ sub: 'entra-akiko', email: 'Akiko.Sato@Demo.Example' });
    const byEmail = browser(url);
    expect((await byEmail.visit('/admin')).text).toContain('Signed in as Akiko Sato');

    idp.signInAs({ sub: 'slack-pierre', 'https://slack.com/user_id': 'U0STAFF' });
    const bySlack = browser(url);
    expect((await bySlack.visit('/admin')).text).toContain('Signed in as Pierre Martin');

    idp.signInAs({ sub: 'entra-sam', oid: '7b2c4b0f-4bc5-4fd9-a9a4-a8d93d5abe6c' });
    const byOid = browser(url);
    expect((await byOid.visit('/admin')).text).toContain('Signed in as Sam Lee');

    // An email nobody has: refused, whatever else the claims say.
    idp.signInAs({ sub: 'who', email: 'nobody@demo.example' });
    expect((await browser(url).visit('/admin')).res.status).toBe(403);
  });

  it('a person the directory brings (not in the policy file) is found by email', async () => {
    const { idp, url } = await serveWithOidc({
      before: async ({ bot }) => {
        const done = await handle(
          {
            kind: 'directory',
            snapshots: [
              {
                source: 'entra',
                complete: true,
                people: [{ key: 'e-1', email: 'noor.haddad@demo.example', name: 'Noor Haddad', department: 'Communications' }],
                removed: [],
              },
            ],
            at: bot.now(),
          },
          bot.systemContext(),
        );
        expect(done.ok, JSON.stringify(done.reply)).toBe(true);
      },
    });
    idp.signInAs({ sub: 'entra-noor', email: 'Noor.Haddad@demo.example' });
    const b = browser(url);
    expect((await b.visit('/admin')).text).toContain('Signed in as Noor Haddad');
    expect((await b.visit('/admin/compliance')).res.status).toBe(403); // no role: her own page only
  });
});

describe('after signing in', () => {
  it('the browser is back on the page it asked for; a `next` that leaves /admin is ignored', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const b = browser(url);
    const asked = await b.visit('/admin/compliance/demo-tiktok?lang=ja');
    expect(asked.url).toBe(`${url}/admin/compliance/demo-tiktok?lang=ja`);
    expect(asked.text).toContain('<html lang="ja">');

    for (const next of ['//evil.example/admin', 'https://evil.example/admin', '/admin//evil.example', '/elsewhere']) {
      const other = browser(url);
      const landed = await other.visit(`/admin/login?next=${encodeURIComponent(next)}`);
      expect(landed.url, next).toBe(`${url}/admin`);
    }
  });
});
