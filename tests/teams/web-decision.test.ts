import { afterEach, describe, expect, it } from 'vitest';
import { APPROVALS, cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let running: TeamsBot | undefined;
afterEach(async () => running?.stop());

/** A form of the page, posted as the browser posts it, with the session cookie it was served with. */
async function postForm(url: string, cookie: string, form: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('a decision from /admin on a Teams deployment', () => {
  it('approving on the web updates the approvals card in Teams (PUT of its activity) and tells the requester, as a click in Teams does', async () => {
    const t = await startTeamsBot({}, {}, 'demo.yaml', '2026-11-22T09:00:00Z', {}, { person: 'akiko' });
    running = t;
    await t.install('pierre');
    await t.say('pierre', 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"');
    const posted = await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'POST'), 'the approvals card');
    expect(cardText(cardOf(posted.body))).toContain('Agency campaign');
    // Where the card is, kept once the connector has answered the post.
    const shared = await t.connector.until(() => t.store.operations.get('messages', 'teams:EX-1'), 'the card’s stored reference');
    expect(shared.ref.activity).toBeTruthy();

    const page = await fetch(`${t.webUrl}/admin/exceptions`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const html = await page.text();
    expect(html).toContain('name="value" value="EX-1"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;

    // Without the token: refused, and Teams hears nothing.
    expect((await postForm(`${t.webUrl}/admin/actions`, cookie, { action: 'request.approve', value: 'EX-1' })).status).toBe(403);
    await t.connector.idle();
    expect(t.connector.to(APPROVALS).filter((c) => c.method === 'PUT')).toEqual([]);

    const approved = await postForm(`${t.webUrl}/admin/actions`, cookie, { action: 'request.approve', value: 'EX-1', csrf });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('You approved EX-1');

    const put = await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'PUT'), 'the shared card update');
    expect(put.activity).toBe(shared.ref.activity);
    const card = cardOf(put.body) as Record<string, unknown>;
    expect(cardText(card)).toContain('approved by Akiko Sato');
    expect(card.actions).toBeUndefined(); // decided: no buttons left
    await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => cardText(c.body).includes('was approved by Akiko Sato')),
      'the message to the requester',
    );
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: 'akiko' });
    // One code path: the audit record says what a click in Teams would have (request.approved by Akiko).
    const actions: string[] = [];
    for await (const e of t.store.readAudit()) if (e.subject === 'EX-1') actions.push(`${e.actor} ${e.action}`);
    expect(actions).toEqual(['pierre request.filed', 'akiko request.approved']);
  });
});
