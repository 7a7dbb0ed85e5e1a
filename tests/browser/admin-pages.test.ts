import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import { serveWithOidc, serveWithoutIdp } from '../support/admin-server.ts';
import { hasChromium, launchChromium } from '../support/chromium.ts';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { serverWithFiledRequest } from '../support/filed-request-server.ts';
import { startServer } from '../support/server-process.ts';

let browser: Browser;
let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());

describe.skipIf(!hasChromium)('/admin in headless Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('signs in through the OIDC provider and shows the signed-in person', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const page = await browser.newPage();
    await page.goto(`${url}/admin`);
    expect(page.url()).toBe(`${url}/admin`);
    expect(await page.textContent('.who')).toContain('Signed in as Olivia Admin');
    expect(idp.tokenRequests).toHaveLength(1);
    await page.close();
  });

  it('a staff member cannot open another person’s page', async () => {
    const { idp, url } = await serveWithOidc();
    idp.signInAs({ sub: 'slack-pierre', 'https://slack.com/user_id': 'U0STAFF' });
    const page = await browser.newPage();
    expect((await page.goto(`${url}/admin/people/pierre`))!.status()).toBe(200);
    expect((await page.goto(`${url}/admin/people/sam`))!.status()).toBe(404);
    expect((await page.goto(`${url}/admin/compliance`))!.status()).toBe(403);
    await page.close();
  });

  it('draws the compliance charts with the report’s counts (read from the uPlot instances), under the strict CSP, with no script error', async () => {
    const { url, bot } = await serveWithoutIdp('127.0.0.1', '2026-12-20T10:00:00Z', async ({ say, clock }) => {
      clock.set('2026-12-01T09:00:00Z');
      expect((await say('pierre', 'attest tiktok')).ok).toBe(true);
      clock.set('2026-12-20T10:00:00Z');
    });
    const chat = await bot.run('report compliance demo-tiktok', 'olivia', 'test');
    expect(chat.reply.blocks.some((b) => b.type === 'text' && b.text === '1 of 4 people have attested.')).toBe(true);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
    await page.goto(`${url}/admin/compliance/demo-tiktok`);
    await page.waitForSelector('[data-chart="chart-progress-demo-tiktok"][data-rendered="true"] canvas');
    const drawn = await page.evaluate(() =>
      (
        window as unknown as { appwardenCharts: { id: string; plot: { data: (number | null)[][]; series: { label?: string }[] } }[] }
      ).appwardenCharts.map((c) => ({ id: c.id, data: c.plot.data, labels: c.plot.series.map((s) => s.label) })),
    );
    const progress = drawn.find((c) => c.id === 'chart-progress-demo-tiktok')!;
    expect(progress.labels).toEqual(['Date', 'Attested', 'Attested or excepted', 'Everyone']);
    // Attested: 0 from 1 October, 1 from 1 December (Pierre), still 1 today; everyone: 4.
    expect(progress.data[1]).toEqual([0, 1, 1]);
    expect(progress.data[3]).toEqual([4, 4, 4]);
    const units = drawn.find((c) => c.id === 'chart-units-demo-tiktok')!;
    expect(units.labels).toEqual(['Unit', 'Attested', 'Exception', 'Not yet']);
    // Per unit, most still open first: IT and Security (0 of 2), Demo Agency (0 of 1), Communications (1 of 1).
    expect(units.data.slice(1)).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [2, 1, 0],
    ]);
    const box = await page.locator('[data-chart="chart-progress-demo-tiktok"] canvas').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the census chart: per unit, uses and those handling personal data, as `report census` counts them', async () => {
    let id = '';
    const { url, bot } = await serveWithoutIdp('127.0.0.1', '2026-12-03T10:00:00Z', async ({ say, bot }) => {
      const started = await say('olivia', 'census start line --due 2026-12-20 --units all');
      expect(started.ok, started.text).toBe(true);
      id = (started.data as { id: string }).id;
      // Olivia, IT and Security's reporter, answers for her unit: two uses, one with personal data.
      const answered = await handle(
        {
          kind: 'form',
          form: 'census',
          meta: { census: id, unit: 'demo/it' },
          values: {
            uses_app: 'yes',
            use1_purpose: 'recruiting',
            use1_personal: 'yes',
            use1_people: '12',
            use2_purpose: 'press',
            use2_personal: 'no',
            use2_people: '3',
          },
        },
        bot.contextFor('olivia', 'test'),
      );
      expect(answered.ok, JSON.stringify(answered.reply)).toBe(true);
    });
    const rollup = (await bot.run(`report census ${id}`, 'olivia', 'test')).figures as { units: { uses: number; personalData: number }[] };
    const page = await browser.newPage();
    await page.goto(`${url}/admin/census/${id}`);
    await page.waitForSelector('[data-chart="chart-census"][data-rendered="true"] canvas');
    const drawn = await page.evaluate(() =>
      (
        window as unknown as { appwardenCharts: { id: string; plot: { data: number[][]; series: { label?: string }[] } }[] }
      ).appwardenCharts.map((c) => ({ id: c.id, data: c.plot.data, labels: c.plot.series.map((s) => s.label) })),
    );
    expect(drawn.map((c) => c.id)).toEqual(['chart-census']);
    expect(drawn[0]!.labels).toEqual(['Unit', 'Uses', 'Handling personal data']);
    expect(drawn[0]!.data.slice(1)).toEqual([rollup.units.map((u) => u.uses), rollup.units.map((u) => u.personalData)]);
    expect(drawn[0]!.data.slice(1)).toEqual([
      [0, 0, 2],
      [0, 0, 1],
    ]); // a bar per unit asked: Demo Agency and Communications silent, IT and Security 2 uses, 1 with personal data
    await page.close();
  });

  it('/admin is not served for a non-loopback HOST without an identity provider', async () => {
    const { url } = await serveWithoutIdp('0.0.0.0');
    const page = await browser.newPage();
    expect((await page.goto(`${url}/admin`))!.status()).toBe(404);
    expect((await page.goto(`${url}/admin/compliance`))!.status()).toBe(404);
    await page.close();
  });

  it('downloads the compliance CSV, equal to `report compliance --format csv`', async () => {
    const data = await tempDir();
    const s = startServer({ PORT: '0', DATA_DIR: data });
    const port = await s.listening;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/admin/compliance`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    const csv = await readFile((await download.path())!, 'utf8');
    await page.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const chat = await spawnCli(['--as', 'olivia', 'report', 'compliance', '--format', 'csv'], { DATA_DIR: data });
    expect(csv.trim()).toBe(chat.stdout.trim());
  });

  it('approving from the web updates the Slack post and DMs the requester; a form without its CSRF token gets 403', async () => {
    fake = await startFakeSlack();
    const { server: s, base } = await serverWithFiledRequest(fake, 'posting');
    const page = await browser.newPage();
    await page.goto(`${base}/admin/exceptions`);

    // The token taken out of the form, as a forged cross-site form would lack it.
    await page.evaluate(() => document.querySelectorAll('input[name="csrf"]').forEach((i) => i.remove()));
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/actions')),
      page.click('form.action:has(input[value="request.approve"]) button'),
    ]);
    expect(refused.status()).toBe(403);
    expect(fake.of('chat.update')).toEqual([]);

    await page.goto(`${base}/admin/exceptions`);
    const [approved] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/actions')),
      page.click('form.action:has(input[value="request.approve"]) button'),
    ]);
    expect(approved.status()).toBe(200);
    const update = await fake.until(() => fake!.of('chat.update')[0], 'the updated approvals message');
    expect(update.body).toMatchObject({ channel: 'C0APPROVALS' });
    expect(String(update.body.blocks)).toContain('Olivia Admin');
    const dm = await fake.until(() => fake!.of('chat.postMessage').find((c) => c.body.channel === 'U0STAFF'), 'the DM to the requester');
    expect(String(dm.body.blocks)).toContain('approved');
    await page.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
