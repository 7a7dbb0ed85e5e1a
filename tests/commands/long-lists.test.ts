import { describe, expect, it } from 'vitest';
import { generatedPolicy } from '../../bench/lib/policy-gen.ts';
import { moreLine, replyText, type Block, type Reply } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import type { Policy } from '../../src/core/policy.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { attestEveryFifth, largeOrg } from '../support/large-org.ts';

function botOnPolicy(policy: Policy, at = '2026-11-22T09:00:00Z', store = createMemoryStore()) {
  const now = new Date(at);
  const bot = createAppWarden({ policy, store, now: () => now });
  const say = async (person: string, text: string) => {
    const result = await bot.run(text, person, 'test');
    return { ...result, text: replyText(result.reply) };
  };
  return { bot, say, store };
}

const lists = (r: Reply) => r.blocks.filter((b): b is Extract<Block, { type: 'list' }> => b.type === 'list');

describe('long lists are cut by the command, in whole items, and say how many are left out', () => {
  it('report compliance for 2,064 people: counts, then per unit (most missing first), then 40 names and "1,611 more" with the way to all of them', async () => {
    const { say, store } = botOnPolicy(largeOrg({ people: 2064, units: 60 }));
    await attestEveryFifth(store, 2063);
    const r = await say('chief', 'report compliance ban');
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toMatch(/^Compliance with ban\n413 of 2064 people have attested\.\nPage 1 of 42\nBy unit, most missing first:\n/);
    const [units, names] = lists(r.reply);
    expect(units!.items).toHaveLength(10);
    for (const line of units!.items) expect(line).toMatch(/^(Organisation|Unit \d+): \d+\/\d+ attested$/);
    expect(units!.more).toMatchObject({ count: 50 });
    expect(r.text).toContain('Not yet attested (1651):');
    expect(names!.items).toHaveLength(40);
    for (const name of names!.items) expect(name).toMatch(/^(Person \d+ Example|Chief Officer)$/);
    expect(moreLine(names!.more!)).toBe(
      '1,611 more — report compliance ban --page 2 shows the next ones, report compliance ban --format csv all of them',
    );
    expect((await say('chief', 'report compliance ban --page 43')).text).toBe(
      'There are only 42 pages; the last one: report compliance ban --page 42',
    );
  });

  it('report compliance --page: page 2 starts where page 1 ended; every page together is every name, once', async () => {
    const { say, store } = botOnPolicy(largeOrg({ people: 301, units: 12 }));
    await attestEveryFifth(store, 300);
    const seen: string[] = [];
    for (let page = 1; page <= 7; page++)
      seen.push(
        ...(lists((await say('chief', `report compliance ban --page ${page}`)).reply).find((l) => /Person|Chief/.test(l.items[0] ?? ''))
          ?.items ?? []),
      );
    expect(seen).toHaveLength(241);
    expect(new Set(seen).size).toBe(241);
    expect((await say('chief', 'report compliance ban --page 8')).ok).toBe(false);
  });

  it('report compliance over several rules: one line of counts per rule, and where the names are', async () => {
    const { say } = botOnPolicy(largeOrg({ people: 300, units: 10, apps: 3 }));
    await say('p1', 'attest tiktok');
    const r = await say('chief', 'report compliance');
    expect(r.text).toBe(
      [
        'Compliance with the rules that have a deadline',
        '• ban: 1 of 300 attested, 299 not yet',
        '• social-ban: 1 of 300 attested, 299 not yet',
        'Who has not attested, for one rule: report compliance <rule-id>',
      ].join('\n'),
    );
  });

  it('census status with 60 units: counts first, then the versions and the silent units a page at a time', async () => {
    const { say } = botOnPolicy(largeOrg({ people: 200, units: 60 }));
    expect((await say('chief', 'census start tiktok --due 2026-12-01 --units all')).ok).toBe(true);
    for (let i = 0; i < 35; i++)
      expect((await say(`p${i}`, `census answer CN-1 --unit ${i === 0 ? 'org' : `u${i}`} --use "Posting | no | ${i + 1}"`)).ok).toBe(true);
    const r = await say('chief', 'census status CN-1');
    expect(r.text).toContain('35 of 60 units have answered.');
    const [versions, silent] = lists(r.reply);
    expect(versions!.items.length + versions!.more!.count).toBe(35);
    for (const line of versions!.items)
      expect(line).toMatch(
        /^(Organisation|Unit \d+) — version 1, by Person \d+ Example, 2026-11-22 10:00 \(Central European Standard Time\): 1 use, 0 with personal data$/,
      );
    expect(moreLine(versions!.more!)).toBe(`${versions!.more!.count} more — census status CN-1 --page 2 shows the next ones`);
    expect(r.text).toContain('Not yet answered (25):');
    expect(silent!.items).toEqual(Array.from({ length: 20 }, (_, i) => `Unit ${35 + i}`));
    expect(silent!.more!.count).toBe(5);
    const second = await say('chief', 'census status CN-1 --page 2');
    expect(lists(second.reply).flatMap((l) => l.items)).toContain('Unit 59');
  });

  it('status with 58 requests: 20 and "38 more — status --page 2", never 20 silently; the deadlines too', async () => {
    const { say } = botOnPolicy(largeOrg({ people: 5, units: 1, apps: 58 }));
    for (let i = 0; i < 58; i++)
      expect((await say('p1', `request app-${i} --purpose public-communications --reason "Posting for the agency"`)).ok).toBe(true);
    const r = await say('p1', 'status');
    const [requests, deadlines] = lists(r.reply);
    expect(requests!.items).toHaveLength(20);
    expect(moreLine(requests!.more!)).toBe('38 more — status --page 2 shows the next ones');
    expect(deadlines!.items.length + deadlines!.more!.count).toBe(60); // TikTok under both rules, and the 58 apps
    expect(r.text).toContain('Page 1 of 3');
    const ids: string[] = [];
    for (const page of [1, 2, 3])
      ids.push(...lists((await say('p1', `status --page ${page}`)).reply)[0]!.items.map((l) => l.split(' · ')[0]!));
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 58 }, (_, i) => `EX-${i + 1}`)));
    expect((await say('p1', 'status --page 0')).text).toBe('--page must be a page number, 1 or more (not “0”).');
  });

  it('policy with 1,200 rules: 40 to a page and the count of the rest; policy --page N turns them; none lost', async () => {
    const policy = generatedPolicy({ units: 60, apps: 400, rules: 1200, people: 50, categories: 20 });
    const { say } = botOnPolicy(policy);
    const first = await say('p1', 'policy');
    const inForce = first.data as string[];
    const [rules] = lists(first.reply);
    expect(rules!.items).toHaveLength(40);
    expect(rules!.more!.count).toBe(inForce.length - 40);
    expect(moreLine(rules!.more!)).toBe(`${(inForce.length - 40).toLocaleString('en')} more — policy --page 2 shows the next ones`);
    const pages = Math.ceil(inForce.length / 40);
    const shown: string[] = [];
    for (let page = 1; page <= pages; page++)
      shown.push(...lists((await say('p1', `policy --page ${page}`)).reply)[0]!.items.map((l) => l.split(':')[0]!));
    expect(shown).toEqual(inForce);
    expect(lists((await say('p1', `policy --page ${pages}`)).reply)[0]!.more).toBeUndefined();
  });

  it('a rule with 120 purposes lists them a page at a time in policy <rule>', async () => {
    const purposes = Array.from({ length: 120 }, (_, i) => `purpose-${i}`);
    const { say } = botOnPolicy(largeOrg({ people: 3, units: 1, purposes }));
    const r = await say('p1', 'policy social-ban');
    expect(r.text).toContain('An exception can be requested for 120 purposes (up to 90 days):');
    const [, list] = lists(r.reply);
    expect(list!.items).toEqual(purposes.slice(0, 30));
    expect(moreLine(list!.more!)).toBe('90 more — policy social-ban --page 2 shows the next ones');
    expect(lists((await say('p1', 'policy social-ban --page 4')).reply)[0]!.items).toEqual(purposes.slice(90));
  });
});
