import { describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import type { ComplianceFigures } from '../../src/core/compliance-figures.ts';
import type { ChartData, ProgressChart } from '../../adapters/web/chart-data.ts';
import { serveWithoutIdp } from '../support/admin-server.ts';
import { textOf } from '../support/bot.ts';

/** The JSON block a chart element names, as the page carries it. */
function chartData(page: string, id: string): ChartData {
  const block = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(page)?.[1];
  expect(block, id).toBeTruthy();
  return JSON.parse(block!) as ChartData;
}

/** Five days after demo-tiktok's deadline (15 December), Pierre having attested on 1 December and Sam on the 10th. */
const afterDeadline = () =>
  serveWithoutIdp('127.0.0.1', '2026-12-20T10:00:00Z', async ({ say, clock }) => {
    clock.set('2026-12-01T09:00:00Z');
    expect((await say('pierre', 'attest tiktok')).ok).toBe(true);
    clock.set('2026-12-10T09:00:00Z');
    expect((await say('sam', 'attest tiktok')).ok).toBe(true);
    clock.set('2026-12-20T10:00:00Z');
  });

describe('the compliance page’s charts and tables', () => {
  it('carry the figures of `report compliance RULE`: the same counts as the chat reply, per unit, and who is late by how many days', async () => {
    const { url, bot } = await afterDeadline();
    const chat = await bot.run('report compliance demo-tiktok', 'olivia', 'test');
    const figures = (chat.figures as ComplianceFigures[])[0]!;
    expect(textOf(chat)).toContain(`${figures.attested} of ${figures.total} people have attested.`);
    expect(figures).toMatchObject({ attested: 2, total: 4, open: 2 });

    const page = await (await fetch(`${url}/admin/compliance/demo-tiktok`)).text();
    const progress = chartData(page, 'chart-progress-demo-tiktok') as ProgressChart;
    expect(progress).toMatchObject({ kind: 'progress', deadline: '2026-12-15', total: 4 });
    expect(progress.points).toEqual(figures.progress);
    expect(progress.points.map((p) => [p.date, p.attested])).toEqual([
      ['2026-10-01', 0],
      ['2026-12-01', 1],
      ['2026-12-10', 2],
      ['2026-12-20', 2],
    ]);
    expect(page).toContain('data-chart="chart-progress-demo-tiktok" data-total="4" data-attested="2" data-excepted="0" data-open="2"');
    const units = chartData(page, 'chart-units-demo-tiktok');
    expect(units).toMatchObject({
      kind: 'bars',
      categories: figures.units.map((u) => bot.policy.units.find((x) => x.id === u.unit)!.name),
    });
    // Without JavaScript, the same figures as tables: by unit, and the overdue list with units and days late.
    expect(page).toMatch(/<tr data-unit="demo\/it"><td>IT and Security<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>2<\/td><\/tr>/);
    expect(page).toContain('Overdue: 2');
    expect(page).toMatch(/<tr data-person="akiko"><td>Akiko Sato<\/td><td>Demo Agency<\/td><td>5<\/td><\/tr>/);
    expect(page).toMatch(/<tr data-person="olivia"><td>Olivia Admin<\/td><td>IT and Security<\/td><td>5<\/td><\/tr>/);
    expect(page).not.toContain('data-person="pierre"');

    // The overview page has a chart per deadline rule, from `report compliance`'s figures.
    const all = await (await fetch(`${url}/admin/compliance`)).text();
    const every = (await bot.run('report compliance', 'olivia', 'test')).figures as ComplianceFigures[];
    for (const f of every) expect((chartData(all, `chart-progress-${f.rule}`) as ProgressChart).points).toEqual(f.progress);
  });

  it('serves the chart script and its styles from /admin/assets, built from the TypeScript source at start', async () => {
    const { url } = await serveWithoutIdp('127.0.0.1');
    const js = await fetch(`${url}/admin/assets/charts.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('content-security-policy')).toContain("script-src 'self'");
    const code = await js.text();
    expect(code).toContain('appwardenCharts');
    expect(code).toContain('uplot'); // uPlot's own class names, bundled
    const css = await fetch(`${url}/admin/assets/charts.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.uplot');
  });

  it('the census page draws its roll-up: per unit answered or silent, with its uses', async () => {
    let id = '';
    const { url } = await serveWithoutIdp('127.0.0.1', '2026-12-03T10:00:00Z', async ({ say }) => {
      const started = await say('olivia', 'census start line --due 2026-12-20 --units all');
      expect(started.ok, started.text).toBe(true);
      id = (started.data as { id: string }).id;
    });
    const page = await (await fetch(`${url}/admin/census/${id}`)).text();
    const bars = chartData(page, 'chart-census');
    expect(bars).toMatchObject({ kind: 'bars', categories: ['Demo Agency', 'Communications', 'IT and Security'] });
    expect(page).toContain('data-answered="0" data-silent="3"');
    expect(page).toMatch(/<tr data-unit="demo\/comms"><td>Communications<\/td><td>Silent<\/td><td>0<\/td><td>0<\/td><\/tr>/);
  });
});

describe('with a device inventory', () => {
  it('the chart carries today’s verified figure, the report’s own (devices checked clean)', async () => {
    const { url, bot } = await serveWithoutIdp('127.0.0.1', '2026-12-03T10:00:00Z', async ({ bot, say }) => {
      const policy = bot.filePolicy;
      bot.reloadPolicy({
        ...policy,
        people: policy.people.map((p) => ({ ...p, email: `${p.id}@agency.gov` })),
        inventory: { every_minutes: 240, stale_after_days: 7, intune: true, jamf: false },
      });
      const phone = (id: string, apps: { app: string; reported: string; version: string }[]) => ({
        id: `intune:${id}`,
        source: 'intune' as const,
        name: `iPhone ${id}`,
        os: 'iOS',
        owner: 'corporate' as const,
        users: [`${id}@agency.gov`],
        lastSync: '2026-12-03T08:00:00.000Z',
        apps,
      });
      const synced = await handle(
        {
          kind: 'inventory',
          snapshots: [
            {
              source: 'intune',
              devices: [phone('pierre', [{ app: 'tiktok', reported: 'TikTok', version: '34.1' }]), phone('sam', [])],
              requests: 1,
            },
          ],
          at: bot.now(),
        },
        bot.systemContext(),
      );
      expect(synced.ok, JSON.stringify(synced.reply)).toBe(true);
      expect((await say('sam', 'attest tiktok')).ok).toBe(true);
    });
    const chat = await bot.run('report compliance demo-tiktok', 'olivia', 'test');
    const figures = (chat.figures as ComplianceFigures[])[0]!;
    expect(figures.verified).toBe(1); // Sam's phone has no TikTok; Pierre's still has it
    expect(textOf(chat)).toMatch(/1 verified clean/);
    const page = await (await fetch(`${url}/admin/compliance/demo-tiktok`)).text();
    expect(chartData(page, 'chart-progress-demo-tiktok')).toMatchObject({
      verified: 1,
      labels: { verified: 'Verified by inventory (today)' },
    });
    expect(page).toContain('data-verified="1"');
  });
});
