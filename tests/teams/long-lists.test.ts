import { afterEach, describe, expect, it } from 'vitest';
import { generatedPolicy } from '../../bench/lib/policy-gen.ts';
import { activityBytes, MAX_ACTIVITY_BYTES } from '../support/fake-connector.ts';
import { attestEveryFifth, largeOrg as largeOrgOf, type LargeOrgOptions } from '../support/large-org.ts';
import { cardOf, startTeamsBot, TEAMS, type TeamsBot } from '../support/teams-bot.ts';

const largeOrg = (o: Omit<LargeOrgOptions, 'identity'>) =>
  largeOrgOf({
    ...o,
    identity: (who): Record<string, string> => (who === 'chief' ? { teams: TEAMS.akiko } : who === 1 ? { teams: TEAMS.pierre } : {}),
  });

let t: TeamsBot;
afterEach(async () => t?.stop());

/** A message to the bot in a personal chat; the card Teams took in answer (Teams refuses oversized ones with 413). */
async function answer(who: 'akiko' | 'pierre', text: string): Promise<string[]> {
  const conversation = t.personalId(who);
  const before = t.connector.to(conversation).length;
  await t.say(who, text);
  const reply = await t.connector.until(() => t.connector.to(conversation)[before] ?? t.connector.refused[0], `the answer to ${text}`);
  expect(t.connector.refused.map((r) => `${r.status} ${activityBytes(r.body)} bytes`)).toEqual([]);
  expect(activityBytes(reply.body)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
  const card = cardOf(reply.body) as { body: { text?: string }[] };
  return card.body.map((b) => b.text ?? '').map((x) => x.replace(/\\(.)/g, '$1'));
}

describe('long answers on Teams stay under the ~28 KB (UTF-16) message limit and say what they leave out', () => {
  it('report compliance for 2,064 people: per unit, then 40 names and "1,611 more — …"', async () => {
    t = await startTeamsBot({}, {}, largeOrg({ people: 2064, units: 60 }));
    await attestEveryFifth(t.store, 2063);
    const lines = await answer('akiko', 'report compliance ban');
    expect(lines).toContain('413 of 2064 people have attested.');
    expect(lines).toContain('50 more — report compliance ban --page 2 shows the next ones, report compliance ban --format csv all of them'); // the units
    expect(lines.filter((l) => /^• (Person \d+ Example|Chief Officer)$/.test(l))).toHaveLength(40);
    expect(lines).toContain(
      '1,611 more — report compliance ban --page 2 shows the next ones, report compliance ban --format csv all of them',
    );
  });

  it('census status for 60 units and status with 58 requests, with the right counts', async () => {
    t = await startTeamsBot({}, {}, largeOrg({ people: 200, units: 60, apps: 58 }));
    await t.bot.run('census start tiktok --due 2026-12-01 --units all', 'chief', 'test');
    for (let i = 0; i < 35; i++)
      await t.bot.run(`census answer CN-1 --unit ${i === 0 ? 'org' : `u${i}`} --use "Posting | no | ${i + 1}"`, `p${i}`, 'test');
    const census = await answer('akiko', 'census status CN-1');
    const versions = census.filter((l) => / — version 1, by /.test(l)).length;
    expect(census).toContain('35 of 60 units have answered.');
    expect(census).toContain(`${35 - versions} more — census status CN-1 --page 2 shows the next ones`);
    expect(census).toContain('5 more — census status CN-1 --page 2 shows the next ones');

    for (let i = 0; i < 58; i++) await t.bot.run(`request app-${i} --purpose public-communications --reason "Posting"`, 'p1', 'test');
    const status = await answer('pierre', 'status');
    expect(status.filter((l) => /^• EX-\d+ · /.test(l))).toHaveLength(20);
    expect(status).toContain('38 more — status --page 2 shows the next ones');
  });

  it('policy with 1,200 rules: 40 rules and the count of the others', async () => {
    const policy = generatedPolicy({ units: 60, apps: 400, rules: 1200, people: 50, categories: 20 });
    t = await startTeamsBot({}, {}, policy);
    const inForce = (await t.bot.run('policy', 'p1', 'test')).data as string[];
    const lines = await answer('pierre', 'policy');
    expect(lines.filter((l) => /^• rule-\d+: /.test(l))).toHaveLength(40);
    expect(lines).toContain(`${(inForce.length - 40).toLocaleString('en')} more — policy --page 2 shows the next ones`);
  });

  it('a list no command cut (150 requests waiting) is cut by the card renderer in whole items, with the count of the rest', async () => {
    t = await startTeamsBot({}, {}, largeOrg({ people: 200, units: 2, apps: 1 }));
    for (let i = 0; i < 150; i++)
      await t.bot.run(
        `request app-0 --purpose public-communications --reason "${'A long reason for this request. '.repeat(3)}${i}"`,
        `p${i}`,
        'test',
      );
    const lines = await answer('akiko', 'pending');
    const items = lines.filter((l) => l.startsWith('• EX-'));
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) expect(item).toMatch(/A long reason for this request\. \d+”$/);
    expect(lines).toContain(`+${150 - items.length} …`);
  });
});

describe('a crafted invoke', () => {
  it('with a reason that is not text is refused plainly (not a 5xx), and changes nothing', async () => {
    t = await startTeamsBot();
    await t.bot.run('request instagram --purpose public-communications --reason "Campaign"', 'pierre', 'test');
    for (const reason of [42, { text: 'x' }, ['a'], true]) {
      const res = await t.invoke('akiko', 'request.deny', { value: 'EX-1', reason });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'The reason must be text. Nothing was changed.',
      });
    }
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ status: 'requested' });
    const denied = await t.invoke('akiko', 'request.deny', { value: 'EX-1', reason: 'Use the agency account' });
    expect(denied.status).toBe(200);
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decisionReason: 'Use the agency account' });
  });
});
