/**
 * `npm run screenshots`: each /admin page at desktop and phone width, into docs/screenshots/, from the
 * real server in loopback demo mode on the demo pack, with one request and one census to show. Needs
 * Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from '../tests/support/chromium.ts';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'docs/screenshots');
const data = mkdtempSync(join(tmpdir(), 'appwarden-screenshots-'));
// The demo pack with its admin also an approver of the whole agency, so the exceptions page shows Approve / Deny.
const policy = join(data, 'policy.yaml');
writeFileSync(
  policy,
  readFileSync(join(root, 'policies/demo.yaml'), 'utf8').replace(
    /unit: demo\/it\n(\s+)roles: \[admin, reporter\]/,
    'unit: demo\n$1roles: [admin, approver, reporter]',
  ),
);
const env = { PATH: process.env.PATH ?? '', DATA_DIR: data, POLICY_FILE: policy, HOST: '127.0.0.1', PORT: '0' };
const cli = (...args: string[]) => execFileSync(process.execPath, [join(root, 'bin/appwarden.js'), ...args], { env, encoding: 'utf8' });

cli('--as', 'pierre', 'request', 'instagram', '--purpose', 'public-communications', '--reason', 'Posting the open-day photos');
cli('--as', 'sam', 'attest', 'tiktok');
// An exception in force (ending within 14 days) and a denied request, for the exceptions page's sections.
cli('--as', 'sam', 'request', 'instagram', '--purpose', 'public-communications', '--days', '10', '--reason', 'Recruiting fair');
cli('--as', 'olivia', 'approve', 'EX-2');
cli('--as', 'pierre', 'request', 'twitter', '--purpose', 'public-communications', '--reason', 'Press statements');
cli('--as', 'olivia', 'deny', 'EX-3', '--reason', 'Use the agency account');
const census = /\b(C-?\d+|[A-Z]+-\d+)\b/.exec(
  cli('--as', 'olivia', 'census', 'start', 'line', '--due', '2026-12-20', '--units', 'all'),
)?.[1];

const server = spawn(process.execPath, [join(root, 'dist/server.mjs')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolvePort, reject) => {
  let text = '';
  server.stdout.on('data', (c) => {
    text += c;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
    if (m) resolvePort(Number(m[1]));
  });
  server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
});

const pages = [
  ['status', '/admin'],
  ['compliance', '/admin/compliance/demo-tiktok'],
  ['exceptions', '/admin/exceptions'],
  ['census', census ? `/admin/census/${census}` : '/admin/census'],
  ['compliance-ja', '/admin/compliance/demo-tiktok?lang=ja'],
  ['audit', '/admin/audit?verify=1'],
];
const widths = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
mkdirSync(out, { recursive: true });
const browser = await launchChromium();
try {
  for (const [device, viewport] of Object.entries(widths)) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const [name, path] of pages) {
      await page.goto(`http://127.0.0.1:${port}${path}`);
      // Every chart drawn before the picture is taken.
      await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((c) => c.getAttribute('data-rendered')));
      await page.screenshot({ path: join(out, `${name}-${device}.png`), fullPage: true });
      process.stdout.write(`docs/screenshots/${name}-${device}.png\n`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
