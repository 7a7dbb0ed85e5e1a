import { describe, expect, it } from 'vitest';
import { botOn } from '../support/bot.ts';

const AT = '2023-04-03T08:00:00Z';

async function auditCount(store: { readAudit(): AsyncIterable<unknown> }) {
  let n = 0;
  for await (const _ of store.readAudit()) n++;
  return n;
}

// Each bad input gets its own specific message, privately, and nothing is stored.
describe('bad input, in English (France pack)', () => {
  const cases: [string, string, RegExp, string?][] = [
    ['unknown command', 'install tiktok', /I don't know the command “install”\. Commands: check, request/],
    ['unknown flag', 'check tiktok --colour red', /“--colour” is not an option of check\. Its options: --device, --data, --purpose/],
    ['flag without value', 'check tiktok --device', /--device needs a value/],
    [
      'bad device',
      'check tiktok --device laptop',
      /“laptop” is not a device class\. Use one of: corporate, personal-with-work-apps, personal/,
    ],
    [
      'bad data class',
      'check tiktok --data secrets',
      /“secrets” is not a data class this policy knows\. Known: personal data \(personal-data\)/,
    ],
    [
      'bad purpose',
      'request twitter --purpose fun --reason "x"',
      /“fun” is not a purpose this policy knows\. Known: public communications \(public-communications\)/,
    ],
    [
      'days of 0',
      'request twitter --purpose public-communications --days 0 --reason "x"',
      /--days must be a whole number of days, at least 1/,
    ],
    ['days not a number', 'request twitter --purpose public-communications --days soon --reason "x"', /not “soon”/],
    [
      'days past max_days',
      'request twitter --purpose public-communications --days 365 --reason "x"',
      /--days 365 is more than the 180 days this exception allows/,
    ],
    ['empty app', 'check', /Which app\? For example: check TikTok/],
    ['empty app on request', 'request --purpose public-communications', /Which app\?/],
    [
      'missing purpose',
      'request twitter --reason "x"',
      /Which purpose\? Add --purpose with one of: public communications \(public-communications\)/,
    ],
    ['missing reason', 'request twitter --purpose public-communications', /Please give a reason/],
    [
      '10 kB reason',
      `request twitter --purpose public-communications --reason "${'a'.repeat(10_240)}"`,
      /The reason is 10240 characters long; keep it to 1000/,
    ],
    ['unclosed quote', 'request twitter --purpose public-communications --reason "oops', /A quote is not closed/],
    [
      'unknown app on request',
      'request tiktk --purpose public-communications --reason "x"',
      /I don't know an app called “tiktk”\.\s+Did you mean: TikTok/,
    ],
    [
      'app that needs no exception',
      'request tchap --purpose public-communications --reason "x"',
      /not prohibited for you, so no exception is needed/,
    ],
    ['unknown request id', 'approve EX-99', /There is no request “EX-99”/],
    ['approve without id', 'approve', /Which request\? For example: approve EX-1/],
    ['staff asking for reports', 'report compliance', /Only approvers and admins can use report\./],
    ['unknown rule', 'policy no-such-rule', /There is no rule “no-such-rule”/],
    ['bad report kind', 'report everything', /Report what\? Use: report compliance or report exceptions/, 'helene.lefebvre'],
    ['bad report format', 'report exceptions --format pdf', /“pdf” is not a format\. Use: text or csv/, 'helene.lefebvre'],
  ];
  it.each(cases)('%s', async (_name, text, message, person = 'julien.moreau') => {
    const { say, store } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    const r = await say(person, text);
    expect(r.ok).toBe(false);
    expect(r.reply.visibility).toBe('private');
    expect(r.text).toMatch(message);
    expect(r.effects).toEqual([]);
    expect(store.count('requests')).toBe(0);
    expect(await auditCount(store)).toBe(0);
  });
});

describe('bad input, in Japanese (Japan LINE pack, locale ja)', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown command', 'インストール LINE', /「インストール」/],
    ['bad device', 'check LINE --device laptop', /「laptop」/],
    ['days of 0', 'request LINE --purpose public-communications --days 0 --reason "広報"', /--days/],
    ['10 kB reason', `request LINE --purpose public-communications --reason "${'あ'.repeat(10_240)}"`, /10240/],
    ['empty app', 'check', /check TikTok/],
  ];
  it.each(cases)('%s', async (_name, text, message) => {
    const { say, store } = botOn('jp-2021-line.yaml', '2021-04-01T01:00:00Z');
    const r = await say('suzuki.kenta', text);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(message);
    expect(r.text).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/); // written in Japanese
    expect(store.count('requests')).toBe(0);
    expect(await auditCount(store)).toBe(0);
  });
});

describe('the text grammar', () => {
  it("keeps apostrophes inside words (McDonald's, it's)", async () => {
    const { say, store } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    expect((await say('julien.moreau', "check McDonald's")).text).toMatch(/I don't know an app called “McDonald's”/);
    const quoted = await say('julien.moreau', `request twitter --purpose public-communications --reason "it's for the ministry's account"`);
    expect(quoted.ok).toBe(true);
    expect(store.get('requests', 'EX-1')?.reason).toBe("it's for the ministry's account");
  });

  it('does not take object prototype names for flags', async () => {
    const { say } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    expect((await say('julien.moreau', 'check tiktok --constructor foo')).text).toMatch(/“--constructor” is not an option of check/);
    expect((await say('julien.moreau', 'status --__proto__')).text).toMatch(
      /^“--__proto__” is not an option of status\. Its options: --page\.$/,
    );
  });

  it('answers an absurd number of days in the person’s language', async () => {
    const { say } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    const text = (await say('julien.moreau', 'request twitter --purpose public-communications --days 999999999999999999999 --reason x'))
      .text;
    expect(text).toMatch(/^--days 9{21} is more than any exception allows: at most 3650 days, and each rule sets its own maximum\.$/);
    expect(text).not.toMatch(/Invalid input|expected|received|Infinity/);
  });
});
