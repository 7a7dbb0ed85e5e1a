import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/store.ts';
import { oidcBrowser } from '../support/admin-browser.ts';
import { serveWithOidc, serveWithoutIdp } from '../support/admin-server.ts';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startServer } from '../support/server-process.ts';

/** Pierre attests on 1 December; Sam files EX-1 on the 2nd; Akiko approves it on the 3rd (the server's today). */
const withHistory = () =>
  serveWithoutIdp('127.0.0.1', '2026-12-03T10:00:00Z', async ({ say, clock }) => {
    clock.set('2026-12-01T09:00:00Z');
    expect((await say('pierre', 'attest tiktok')).ok).toBe(true);
    clock.set('2026-12-02T09:00:00Z');
    expect((await say('sam', 'request instagram --purpose public-communications --reason "recruiting"')).ok).toBe(true);
    clock.set('2026-12-03T09:00:00Z');
    expect((await say('akiko', 'approve EX-1')).ok).toBe(true);
  });

const actions = (page: string) =>
  [...page.matchAll(/<tr data-seq="\d+"><td>\d+<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => `${m[1]}: ${m[2]}`);

describe('the audit page (admins only)', () => {
  it('searches by person, rule, action and date range; newest first', async () => {
    const { url } = await withHistory();
    const get = async (q: string) => (await fetch(`${url}/admin/audit?${q}`)).text();
    expect(actions(await get('person=pierre'))).toEqual(['Pierre Martin: attestation.recorded']);
    // Sam's request: filed by him, decided by Akiko, about him.
    expect(actions(await get('person=sam'))).toEqual(['Akiko Sato: request.approved', 'Sam Lee: request.filed']);
    // By platform id too: the person it names.
    expect(actions(await get('person=U0STAFF2'))).toEqual(['Akiko Sato: request.approved', 'Sam Lee: request.filed']);
    expect(actions(await get('rule=demo-tiktok'))).toEqual(['Pierre Martin: attestation.recorded']);
    // TikTok is also a recreational app: Pierre's attestation answers demo-recreational too.
    expect(actions(await get('rule=demo-recreational'))).toEqual([
      'Akiko Sato: request.approved',
      'Sam Lee: request.filed',
      'Pierre Martin: attestation.recorded',
    ]);
    expect(actions(await get('action=request'))).toEqual(['Akiko Sato: request.approved', 'Sam Lee: request.filed']);
    expect(actions(await get('action=request.filed'))).toEqual(['Sam Lee: request.filed']);
    expect(actions(await get('from=2026-12-02&to=2026-12-02'))).toEqual(['Sam Lee: request.filed']);
    expect(actions(await get('person=sam&from=2026-12-03'))).toEqual(['Akiko Sato: request.approved']);
    const page = await get('action=request');
    expect(page).toContain('2 entries found');
    expect(page).toContain('value="request"'); // the form keeps what was asked
    const bad = await fetch(`${url}/admin/audit?from=2026-13-40`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Dates are YYYY-MM-DD.');
    expect((await fetch(`${url}/admin/audit.jsonl?to=yesterday`)).status).toBe(400);
  });

  it('exports the entries found as JSON lines, oldest first, exactly as stored', async () => {
    const { url, bot } = await withHistory();
    const res = await fetch(`${url}/admin/audit.jsonl?action=request`);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?audit\.jsonl"?$/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    const stored: AuditEntry[] = [];
    for await (const e of bot.store.readAudit()) if (e.action.startsWith('request.')) stored.push(e);
    expect(lines).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(lines.map((e) => e.action)).toEqual(['request.filed', 'request.approved']);
  });

  it('a staff member and an approver are refused the page and the export (403)', async () => {
    const server = await serveWithOidc();
    for (const [sub, slack] of [
      ['pierre', 'U0STAFF'],
      ['akiko', 'U0APPROVER'],
    ] as const) {
      server.idp.signInAs({ sub, 'https://slack.com/user_id': slack });
      const b = oidcBrowser(server.url);
      await b.visit('/admin');
      expect((await b.visit('/admin/audit')).res.status, sub).toBe(403);
      expect((await b.visit('/admin/audit?verify=1')).res.status, sub).toBe(403);
      const exported = await b.visit('/admin/audit.jsonl');
      expect(exported.res.status, sub).toBe(403);
      expect(exported.text).not.toContain('"seq"');
    }
  });

  it('verify gives what `appwarden audit verify` gives, on the real server; a changed entry fails it', { timeout: 60_000 }, async () => {
    const data = await tempDir();
    const s = startServer({ PORT: '0', DATA_DIR: data });
    const port = await s.listening;
    const base = `http://127.0.0.1:${port}`;
    const verifiedCount = async () => {
      const page = await (await fetch(`${base}/admin/audit?verify=1`)).text();
      return Number(/Audit log verified: (\d+) entries, chain intact\./.exec(page)?.[1]);
    };
    // The server records its start-up's work as it goes: compare once two verifications agree and `audit verify`
    // (which reads DATA_DIR without the lock, while the server runs) falls between them.
    let sound: { before: number; cli: string; after: number } | undefined;
    for (let i = 0; i < 20 && !sound; i++) {
      const before = await verifiedCount();
      const cli = (await spawnCli(['audit', 'verify'], { DATA_DIR: data })).stdout.trim();
      const after = await verifiedCount();
      if (before === after) sound = { before, cli, after };
    }
    expect(sound!.before).toBeGreaterThan(0);
    expect(sound!.cli).toBe(`audit log verified: ${sound!.after} entries, chain intact`);

    // An entry changed on disk behind the server's back: the next verification says where.
    const file = join(data, 'audit.jsonl');
    const text = await readFile(file, 'utf8');
    const first = text.split('\n')[0]!;
    await writeFile(file, text.replace(first, first.replace(/"actor":"([^"]*)"/, '"actor":"mallory"')));
    const failed = await (await fetch(`${base}/admin/audit?verify=1`)).text();
    expect(failed).toMatch(/Audit log FAILED verification at entry 1: /);
    s.child.kill('SIGTERM');
    await s.exited;
    const cli = await spawnCli(['audit', 'verify'], { DATA_DIR: data });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/audit log FAILED verification at entry 1 /);
  });
});
