import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { serverWithFiledRequest } from '../support/filed-request-server.ts';
import { startServer } from '../support/server-process.ts';

let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());

/** A browser's visit: the session cookie the server set, sent back on each request. */
function browser(base: string) {
  let cookie = '';
  const get = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, { ...init, headers: { ...(init.headers as object), cookie }, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return res;
  };
  const post = (path: string, form: Record<string, string>) =>
    get(path, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  return { get, post };
}

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1];

describe('/admin on loopback with no identity provider', () => {
  it('is served as the demo admin, says so at start, with a strict CSP, a signed HttpOnly SameSite cookie, in English and Japanese', {
    timeout: 60_000,
  }, async () => {
    const data = await tempDir();
    const s = startServer({ PORT: '0', DATA_DIR: data });
    const port = await s.listening;
    await s.waitForOutput(/\/admin: http:\/\/127\.0\.0\.1:\d+\/admin, on this machine only, signed in as the demo admin olivia/);

    const b = browser(`http://127.0.0.1:${port}`);
    const res = await b.get('/admin/compliance/demo-tiktok');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http on loopback
    const page = await res.text();
    expect(page).toContain('Compliance with demo-tiktok');
    expect(page).toContain('0 of 4 people have attested.');
    expect(page).toContain('Signed in as Olivia Admin');
    // No inline script: only JSON blocks (which CSP does not run) and the one script file under /admin/assets.
    expect(page).not.toMatch(/<script(?![^>]*(type="application\/json"|src="\/admin\/assets\/charts\.js"))/);
    expect(page.match(/<script src=/g)).toHaveLength(1);
    const ja = await (await b.get('/admin/compliance/demo-tiktok?lang=ja')).text();
    expect(ja).toContain('遵守状況');
    expect(ja).toContain('<html lang="ja">');
    // A rule id that is not one is not passed on to the command layer.
    expect((await b.get('/admin/compliance/demo-tiktok%20--format%20csv')).status).toBe(404);

    // The CSV download is `report compliance --format csv`, byte for byte.
    const csv = await (await b.get('/admin/compliance.csv')).text();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const chat = await spawnCli(['--as', 'olivia', 'report', 'compliance', '--format', 'csv'], { DATA_DIR: data });
    expect(chat.code, chat.stderr).toBe(0);
    expect(csv.trim()).toBe(chat.stdout.trim());
    expect(csv).toContain('demo-tiktok,pierre,Pierre Martin,demo/comms,no');
  });
});

describe('a decision from /admin', () => {
  it('approving updates the Slack post and DMs the requester; without the CSRF token it is refused with 403 and nothing changes', {
    timeout: 60_000,
  }, async () => {
    fake = await startFakeSlack();
    const { server: s, base } = await serverWithFiledRequest(fake, '<b>posting</b> & more');

    const b = browser(base);
    const exceptions = await (await b.get('/admin/exceptions')).text();
    expect(exceptions).toContain('EX-1');
    // What the requester typed is text on the page, never markup.
    expect(exceptions).toContain('&lt;b&gt;posting&lt;/b&gt; &amp; more');
    expect(exceptions).not.toContain('<b>posting</b>');
    const csrf = csrfOf(exceptions);
    expect(csrf).toBeTruthy();

    const forged = await b.post('/admin/actions', { action: 'request.approve', value: 'EX-1' });
    expect(forged.status).toBe(403);
    const wrong = await b.post('/admin/actions', { action: 'request.approve', value: 'EX-1', csrf: `${csrf}x` });
    expect(wrong.status).toBe(403);
    expect(fake.of('chat.update')).toEqual([]);
    expect(await (await b.get('/admin/exceptions')).text()).toContain('name="value" value="EX-1"');

    const approved = await b.post('/admin/actions', { action: 'request.approve', value: 'EX-1', csrf: csrf! });
    expect(approved.status).toBe(200);
    const update = await fake.until(() => fake!.of('chat.update')[0], 'the updated approvals message');
    expect(update.body).toMatchObject({ channel: 'C0APPROVALS' });
    expect(String(update.body.blocks)).not.toContain('request.approve');
    expect(String(update.body.blocks)).toContain('Olivia Admin');
    const dm = await fake.until(() => fake!.of('chat.postMessage').find((c) => c.body.channel === 'U0STAFF'), 'the DM to the requester');
    expect(String(dm.body.blocks)).toContain('approved');
    // Decided: the page offers no buttons for it any more.
    expect(await (await b.get('/admin/exceptions')).text()).not.toContain('name="value" value="EX-1"');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
