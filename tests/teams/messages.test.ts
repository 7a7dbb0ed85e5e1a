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
    expect(card.fallbackText).toContain('Deadline: remove it by the end of Tuesday 15 December 2026 (Central European Standard Time).');
  });

  it('<at>AppWarden</at> check line in a channel works, mention stripped, answered in a personal chat; a leading "apps" is optional', async () => {
    await t.sayInChannel('sam', '19:general@thread.tacv2', 'check line');
    const pointer = await t.connector.until(() => t.connector.to('19:general@thread.tacv2')[0], 'the channel reply');
    expect(cardText(cardOf(pointer.body))).toContain('I have answered you in your personal chat');
    const created = t.connector.calls.find((c) => c.method === 'CREATE')!;
    expect(created.body).toMatchObject({ members: [{ id: '29:sam' }], tenantId: 'tenant-1' });
    const reply = await t.connector.until(
      () => t.connector.calls.find((c) => c.conversation.startsWith('a:personal-created-')),
      'the private answer',
    );
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

  it('a typed {{DATE(…)}} reaches the approvals card as the characters typed, not as a date Teams would evaluate', async () => {
    await t.install('pierre');
    await t.say(
      'pierre',
      'request instagram --purpose public-communications --reason "from {{DATE(2030-01-01T00:00:00Z)}} and {{TIME(2030-01-01T00:00:00Z)}}"',
    );
    const post = await t.connector.until(() => t.connector.to('19:approvals@thread.tacv2')[0], 'the approvals post');
    const body = JSON.stringify((cardOf(post.body) as { body: unknown }).body);
    expect(body).toContain('DATE');
    expect(body).not.toMatch(/\{\{\s*(DATE|TIME)/);
    const dm = await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => JSON.stringify(c.body).includes('EX-1')),
      'the answer',
    );
    expect(JSON.stringify(cardOf(dm.body))).not.toMatch(/\{\{\s*(DATE|TIME)/);
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
