import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
beforeEach(async () => (t = await startTeamsBot()));
afterEach(async () => t.stop());

describe('Teams messages', () => {
  it('check tiktok --device corporate in a personal chat gets a card with the explained decision', async () => {
    const res = await t.say('pierre', 'check tiktok --device corporate');
    expect(res.status).toBe(200);
    const reply = await t.connector.until(() => t.connector.to(t.personalId('pierre')).find((c) => c.method === 'POST'), 'the reply');
    expect(reply.activity).toBeDefined(); // a reply to the message, not a new thread
    const card = cardOf(reply.body) as { version: string; fallbackText: string };
    expect(card.version).toBe('1.5');
    expect(cardText(card)).toContain('TikTok is prohibited on a work device.');
    expect(card.fallbackText).toContain('Deadline: remove it by the end of 15 December 2026 (Europe/Brussels time).');
  });

  it('<at>AppWarden</at> check line in a channel works, mention stripped; a leading "apps" is optional', async () => {
    await t.sayInChannel('sam', '19:general@thread.tacv2', 'check line');
    const reply = await t.connector.until(() => t.connector.to('19:general@thread.tacv2')[0], 'the channel reply');
    expect(cardText(cardOf(reply.body))).toContain('LINE is restricted on a work device');
    await t.say('sam', 'apps check line --data personal-data');
    const second = await t.connector.until(() => t.connector.to(t.personalId('sam'))[0], 'the reply');
    expect(cardText(cardOf(second.body))).toContain('LINE is prohibited on a work device');
  });

  it('text typed into a request cannot inject card markdown links', async () => {
    await t.install('pierre');
    await t.say('pierre', 'request instagram --purpose public-communications --reason "see [your bank](http://evil.example) **now**"');
    const post = await t.connector.until(() => t.connector.to('19:approvals@thread.tacv2')[0], 'the approvals post');
    const text = cardText((cardOf(post.body) as { body: unknown }).body); // what Teams renders as markdown
    expect(text).not.toContain('[your bank](http://evil.example)');
    expect(text).toContain('\\\\[your bank\\\\]\\\\(http://evil.example\\\\)');
  });

  it('a body that is not an activity gets 400; malformed JSON gets 400; neither is processed', async () => {
    expect((await t.post({ text: 'check tiktok' })).status).toBe(400);
    const bad = await fetch(t.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('not JSON');
    await t.connector.idle();
    expect(t.connector.calls).toEqual([]);
  });
});
