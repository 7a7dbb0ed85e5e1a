import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import { surfacesFor, webSurfaceOf } from '../../src/surfaces.ts';
import { escapeHtml, html, jsonBlock } from '../../adapters/web/html.ts';
import { botOn } from '../support/bot.ts';

/** The server's HTTP app for an environment, served on loopback port 0 in this process (never beyond this machine). */
async function serve(env: Record<string, string>) {
  const read = readConfig({ TEAMS_EMULATOR: '0', ...env });
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const { bot } = botOn('demo.yaml', '2026-12-03T10:00:00Z');
  const surfaces = await surfacesFor(read.config, bot, () => undefined);
  const server = createServer(buildHttpApp(bot, surfaces));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { config: read.config, bot, surfaces, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('who /admin is served to', () => {
  it('on a non-loopback HOST with no identity provider: not served (404), and the start line says why', async () => {
    const s = await serve({ HOST: '0.0.0.0' });
    try {
      expect(s.surfaces.map((x) => x.name)).not.toContain('web');
      const web = webSurfaceOf(s.config, s.bot);
      expect(web.ok).toBe(false);
      expect(!web.ok && web.why).toMatch(
        /\/admin is not served: the server listens on 0\.0\.0\.0, beyond loopback, and no identity provider/,
      );
      for (const path of ['/admin', '/admin/compliance', '/admin/compliance.csv', '/admin/exceptions'])
        expect((await fetch(s.url + path)).status, path).toBe(404);
      expect((await fetch(`${s.url}/admin/actions`, { method: 'POST' })).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('on loopback with no identity provider: served, signed in as the policy’s admin', async () => {
    const s = await serve({ HOST: '127.0.0.1' });
    try {
      expect(webSurfaceOf(s.config, s.bot)).toEqual({ ok: true, demoPerson: 'olivia', secureCookies: false });
      expect((await fetch(`${s.url}/admin`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('PUBLIC_URL on https marks the session cookie Secure', async () => {
    const s = await serve({ HOST: '127.0.0.1', PUBLIC_URL: 'https://appwarden.example.org' });
    try {
      expect((await fetch(`${s.url}/admin`)).headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await s.close();
    }
  });

  it('a session cookie changed by the browser is refused: a new session is issued and its old CSRF token fails', async () => {
    const s = await serve({ HOST: '127.0.0.1' });
    try {
      const first = await fetch(`${s.url}/admin`);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const forged = cookie.replace(/\.[^.]+$/, '.AAAA');
      const again = await fetch(`${s.url}/admin`, { headers: { cookie: forged } });
      expect(again.headers.get('set-cookie')).toBeTruthy(); // not accepted: signed afresh
      const post = await fetch(`${s.url}/admin/actions`, {
        method: 'POST',
        headers: { cookie: forged, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=request.approve&value=EX-1&csrf=anything',
      });
      expect(post.status).toBe(403);
    } finally {
      await s.close();
    }
  });

  it('OIDC settings come all together or not at all', () => {
    const read = readConfig({ TEAMS_EMULATOR: '0', OIDC_ISSUER: 'https://login.example.org' });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems.join('\n')).toMatch(/OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and PUBLIC_URL go together/);
  });
});

describe('the compliance page of one rule', () => {
  it('downloads the CSV of `report compliance RULE --format csv`', async () => {
    const s = await serve({ HOST: '127.0.0.1' });
    try {
      const csv = await (await fetch(`${s.url}/admin/compliance/demo-tiktok.csv`)).text();
      const file = (await s.bot.run('report compliance demo-tiktok --format csv', 'olivia', 'web')).reply.blocks.find(
        (b) => b.type === 'file',
      );
      expect(csv).toBe(file && 'content' in file ? file.content : undefined);
    } finally {
      await s.close();
    }
  });
});

describe('the census page', () => {
  it("shows what `report census ID` says, and its CSV is the report's CSV", async () => {
    const s = await serve({ HOST: '127.0.0.1' });
    try {
      const started = await s.bot.run('census start line --due 2026-12-20 --units all', 'olivia', 'test');
      const id = /\b([A-Z]+-\d+|[A-Z0-9-]{3,})\b/.exec(JSON.stringify(started.data ?? {}))?.[1] ?? '';
      const chat = await s.bot.run(`report census ${id}`, 'olivia', 'web');
      expect(chat.ok, JSON.stringify(chat.reply)).toBe(true);
      const page = await (await fetch(`${s.url}/admin/census/${id}`)).text();
      for (const block of chat.reply.blocks)
        if (block.type === 'heading' || block.type === 'text') expect(page).toContain(escapeHtml(block.text));
      const csv = await (await fetch(`${s.url}/admin/census/${id}.csv`)).text();
      const file = (await s.bot.run(`report census ${id} --format csv`, 'olivia', 'web')).reply.blocks.find((b) => b.type === 'file');
      expect(csv).toBe(file && 'content' in file ? file.content : undefined);
      expect((await fetch(`${s.url}/admin/census?id=${encodeURIComponent('<x>')}`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('HTML of the web view', () => {
  it('escapes every interpolated value; JSON blocks cannot close their element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const typed = '<script>alert(1)</script>';
    expect(html`<p>${typed}</p>`.__html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html`<ul>${[html`<li>${typed}</li>`]}</ul>`.__html).toBe('<ul><li>&lt;script&gt;alert(1)&lt;/script&gt;</li></ul>');
    expect(jsonBlock('d', { t: '</script><script>x' }).__html).not.toContain('</script><script>');
  });
});
