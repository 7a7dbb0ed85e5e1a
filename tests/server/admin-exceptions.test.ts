import { describe, expect, it } from 'vitest';
import { oidcBrowser } from '../support/admin-browser.ts';
import { serveWithOidc } from '../support/admin-server.ts';

/**
 * On 3 December: Pierre holds EX-1 (10 days: ends within 14), Sam EX-2 (60 days); EX-3, Pierre's
 * request for Twitter, was denied with a reason; EX-4 (Sam, Candy Crush) waits for Akiko, approver of the agency.
 */
const withRequests = (env: Record<string, string> = {}) =>
  serveWithOidc({
    env,
    before: async ({ say }) => {
      const filed = [
        await say('pierre', 'request instagram --purpose public-communications --days 10 --reason "campaign <b>posts</b>"'),
        await say('sam', 'request instagram --purpose public-communications --days 60 --reason "recruiting"'),
        await say('pierre', 'request twitter --purpose public-communications --days 30 --reason "press"'),
        await say('sam', 'request candy-crush --purpose public-communications --days 5 --reason "a game jam"'),
      ];
      for (const f of filed) expect(f.ok, f.text).toBe(true);
      expect((await say('akiko', 'approve EX-1')).ok).toBe(true);
      expect((await say('akiko', 'approve EX-2')).ok).toBe(true);
      expect((await say('akiko', 'deny EX-3 --reason "use the agency account"')).ok).toBe(true);
    },
  });

/** One section of the page: from its opening tag to the next section of the page (sections hold replies' own). */
const section = (page: string, id: string) => page.split('<section class="exceptions" id="').find((s) => s.startsWith(`${id}"`)) ?? '';
const rowIds = (html: string) => [...html.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);

describe('the exceptions page', () => {
  it('shows active, expiring within 14 days, denied with its reason, and pending with Approve / Deny for an approver; its CSV is the report’s', async () => {
    const { idp, url, bot } = await withRequests();
    idp.signInAs({ sub: 'akiko', 'https://slack.com/user_id': 'U0APPROVER' });
    const b = oidcBrowser(url);
    await b.visit('/admin'); // signs in
    const page = (await b.visit('/admin/exceptions')).text;
    expect(rowIds(section(page, 'active'))).toEqual(['EX-1', 'EX-2']);
    expect(rowIds(section(page, 'expiring'))).toEqual(['EX-1']);
    expect(section(page, 'expiring')).toContain('Expiring within 14 days (1)');
    // The requester's words are text, never markup.
    expect(section(page, 'active')).toContain('campaign &lt;b&gt;posts&lt;/b&gt;');
    const denied = section(page, 'denied');
    expect(rowIds(denied)).toEqual(['EX-3']);
    expect(denied).toContain('use the agency account');
    expect(denied).toContain('Akiko Sato');
    const pending = section(page, 'pending');
    expect(pending).toContain('Waiting for a decision (1)');
    expect(pending).toContain('name="value" value="EX-4"');
    expect(pending).toContain('value="request.deny"');
    expect(pending).not.toContain('value="EX-1"');

    const csv = await b.visit('/admin/exceptions.csv');
    expect(csv.res.headers.get('content-type')).toMatch(/^text\/csv/);
    const file = (await bot.run('report exceptions --format csv', 'akiko', 'test')).reply.blocks.find((x) => x.type === 'file');
    expect(csv.text).toBe(file && 'content' in file ? file.content : undefined);
    expect(csv.text).toContain('EX-3');
  });

  it('an admin who decides nothing sees the sections and an empty queue; a staff member gets 403 for the page and its CSV', async () => {
    const { idp, url } = await withRequests();
    idp.signInAs({ sub: 'olivia', 'https://slack.com/user_id': 'U0ADMIN' });
    const a = oidcBrowser(url);
    await a.visit('/admin');
    const admin = (await a.visit('/admin/exceptions')).text;
    expect(rowIds(section(admin, 'active'))).toEqual(['EX-1', 'EX-2']);
    expect(section(admin, 'pending')).toContain('Waiting for a decision (0)');
    expect(admin).not.toContain('value="request.approve"');

    idp.signInAs({ sub: 'pierre', 'https://slack.com/user_id': 'U0STAFF' });
    const staff = oidcBrowser(url);
    await staff.visit('/admin');
    expect((await staff.visit('/admin/exceptions')).res.status).toBe(403);
    expect((await staff.visit('/admin/exceptions.csv')).res.status).toBe(403);
  });
});
