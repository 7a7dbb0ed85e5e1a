// Issue 13, "Validation that hides problems": the README promises every problem, by path. A tester
// writing a policy for a US agency from the README alone found `policy validate` reporting 4 of 8
// mistakes (shape first, cross-references only once the shape was right), and checks that were
// missing: legacy time zones, blank names, dates before `effective`, colliding platform ids, the
// chat platforms' limits, overlong and look-alike app names.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.ts';
import { PLATFORM_LIMITS } from '../../src/core/policy.ts';
import { formatIssues, parsePolicyText } from '../../src/core/policy-text.ts';
import { cli, spawnCli, tempDir } from '../support/cli.ts';
import { readPack, unwrap } from './helpers.ts';

const ORG = 'organization: { name: Agency, timezone: America/New_York, default_unit: org }\nunits: [ { id: org, name: Agency } ]\n';
const APP = 'apps: [ { id: tiktok, name: TikTok } ]\n';
const rule = (fields: string) =>
  `{ id: r, title: T, source: S, unit: org, apps: [tiktok], effect: prohibit, effective: 2024-03-01${fields ? `, ${fields}` : ''} }`;

/** Problem lines as `policy validate` prints them, for a document given as text. */
function problems(text: string): string {
  const r = parsePolicyText(text);
  if (r.ok) throw new Error('the document was accepted');
  return formatIssues(r.issues);
}

const accepted = (text: string) => {
  const r = parsePolicyText(text);
  return r.ok ? 'accepted' : formatIssues(r.issues);
};

/** The OMB pack as the tester adapted it for an agency: ten mistakes, shape and cross-reference, spread over four entries. */
function agencyPolicy(): string {
  const omb = readPack('us-omb-m-23-13.yaml');
  const edits: [string, string][] = [
    ['timezone: America/New_York', 'timezone: EST'],
    ['    unit: fed/dhs/cisa\n', '    unit: fed/dhs/cisaa\n'],
    ['    deadline: 2023-03-29\n', '    deadine: 2023-03-29\n'],
  ];
  let text = omb;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return `${text}
  - id: omb-successor-apps
    title: Successor apps by ByteDance
    source: OMB M-23-13, section 3
    unit: fed/dhs
    apps: [tiktok, capcut]
    categories: [bytedanse]
    effect: prohibit
    effective: 2023-02-27
    deadline: 2023-02-01
    exceptions:
      purposes: [law-enforcement]
      approvers: [dana.whitfeld]
      max_days: 365
  - id: omb-personal-devices
    title: TikTok on personal devices used for work
    source: OMB M-23-13, section 4
    unit: fed/state
    apps: [tiktok]
    devices: [government]
    effect: prohibit
    effective: 2023-13-01
`;
}

describe('policy validate reports every problem in one run', () => {
  it('the tester’s agency file: ten mistakes in four entries, shape and cross-reference together, each with its path (the real binary)', async () => {
    const file = join(await tempDir(), 'agency.yaml');
    await writeFile(file, agencyPolicy());
    const r = await spawnCli(['policy', 'validate', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${file}: 10 problem(s)`,
      '✖ "EST" is a fixed offset with no daylight saving, not a place: deadlines are days in a place, so name the region instead, e.g. America/New_York → at organization.timezone',
      '✖ no unit "fed/dhs/cisaa" → at people[3].unit',
      '✖ unknown key "deadine"; did you mean "deadline"? → at rules[0]',
      '✖ no app "capcut" → at rules[1].apps[1]',
      '✖ no app or category list has "bytedanse" → at rules[1].categories[0]',
      '✖ deadline 2023-02-01 is before effective 2023-02-27 → at rules[1].deadline',
      '✖ no person "dana.whitfeld" → at rules[1].exceptions.approvers[0]',
      '✖ Invalid option: expected one of "corporate"|"personal-with-work-apps"|"personal" → at rules[2].devices[0]',
      '✖ not a date (YYYY-MM-DD) → at rules[2].effective',
      '✖ no unit "fed/state" → at rules[2].unit',
    ]);
  });

  it('a broken entry hides nothing of its own: references are checked field by field, and a mapping under a union is read as one', () => {
    // A bad effect and an unknown app in the same rule; `exceptions` missing max_days names that key, not "Invalid input".
    const doc =
      `${ORG}${APP}people: [ { id: dana } ]\nrules:\n  - ${rule('effect: forbid, apps: [tiktokk], exceptions: { purposes: [research], approvers: [dan] }')}\n`.replace(
        'apps: [tiktok], effect: prohibit, ',
        '',
      );
    expect(problems(doc)).toBe(
      [
        '✖ Invalid option: expected one of "prohibit"|"allow" → at rules[0].effect',
        '✖ Invalid input: expected number, received undefined → at rules[0].exceptions.max_days',
        '✖ no app "tiktokk" → at rules[0].apps[0]',
        '✖ no person "dan" → at rules[0].exceptions.approvers[0]',
      ].join('\n'),
    );
    // A list that is no list at all is one problem: references into it are not guessed at.
    expect(problems(`${ORG}apps: nope\npeople: [ { id: p, unit: nowhere } ]\nrules: [ ${rule('')} ]\n`)).toBe(
      ['✖ Invalid input: expected array, received string → at apps', '✖ no unit "nowhere" → at people[0].unit'].join('\n'),
    );
  });

  it('a duplicate YAML key is reported with the policy’s own problems, not instead of them', () => {
    const doc = `${ORG.replace('default_unit: org', 'default_unit: org, name: Twice')}${APP}rules: [ ${rule('apps: [tiktokk]').replace('apps: [tiktok], ', '')} ]\n`;
    expect(problems(doc)).toBe(['✖ duplicate key "name" → at line 1, column 78', '✖ no app "tiktokk" → at rules[0].apps[0]'].join('\n'));
  });
});

describe('categories', () => {
  it('may be plain ids, as the README lists them, or { id, name }, or both; a rule targets them either way', () => {
    const doc = `${ORG}categories: [recreational, social-media, { id: dating, name: Dating }]\nrules: [ ${rule('categories: [recreational]').replace('apps: [tiktok], ', '')} ]\napps: [ { id: tiktok, name: TikTok, categories: [recreational] } ]\n`;
    const policy = unwrap(parsePolicyText(doc));
    expect(policy.categories).toEqual([{ id: 'recreational' }, { id: 'social-media' }, { id: 'dating', name: 'Dating' }]);
    const d = decide({ app: 'TikTok', person: 'someone', device: 'corporate', at: '2024-06-01T12:00:00Z' }, policy, { requests: [] });
    expect(d.verdict).toBe('prohibited');
    // The French pack with its categories written as plain ids still validates.
    const fr = readPack('fr-2023-recreational.yaml').replace(
      /^categories:\n(?: {2}- .*\n)+/m,
      'categories: [recreational, social-media, streaming, game, dating, messaging]\n',
    );
    expect(fr).toContain('categories: [recreational, social-media,');
    expect(accepted(fr)).toBe('accepted');
  });

  it('an entry that is neither is named with its path', () => {
    expect(problems(`${ORG}categories: [recreational, "social media", 5, { id: x, nam: X }]\n`)).toBe(
      [
        '✖ an id is letters, digits and . _ / - (no spaces) → at categories[1]',
        '✖ a category is an id (recreational) or { id, name } → at categories[2]',
        '✖ unknown key "nam"; did you mean "name"? → at categories[3]',
      ].join('\n'),
    );
  });
});

describe('unknown keys', () => {
  it('are named with the nearest known key, one line per key, wherever they are', () => {
    expect(problems(`${ORG}${APP}rules:\n  - ${rule('deadine: 2024-04-01')}\n`)).toBe(
      '✖ unknown key "deadine"; did you mean "deadline"? → at rules[0]',
    );
    expect(problems(`${ORG}${APP}rule: []\n`)).toBe('✖ unknown key "rule"; did you mean "rules"?');
    expect(
      problems(`${ORG}${APP}rules:\n  - ${rule('exceptions: { purposes: [x], max_days: 30, aprovers: [a], defualt_days: 10 }')}\n`),
    ).toBe(
      [
        '✖ unknown key "aprovers"; did you mean "approvers"? → at rules[0].exceptions',
        '✖ unknown key "defualt_days"; did you mean "default_days"? → at rules[0].exceptions',
      ].join('\n'),
    );
    // Nothing close: the keys that are known there.
    expect(problems(`${ORG}apps: [ { id: a, name: A, colour: red } ]\n`)).toBe(
      '✖ unknown key "colour"; the keys here are id, name, vendor, categories, aliases, store_ids, bundle_ids → at apps[0]',
    );
  });
});

describe('time zones', () => {
  it('EST (no daylight saving) is refused, with the region zone to use', () => {
    expect(problems(ORG.replace('America/New_York', 'EST'))).toBe(
      '✖ "EST" is a fixed offset with no daylight saving, not a place: deadlines are days in a place, so name the region instead, e.g. America/New_York → at organization.timezone',
    );
  });

  it.each([
    ['MST', /fixed offset .* e\.g\. America\/Denver/],
    ['HST', /fixed offset .* e\.g\. Pacific\/Honolulu/],
    ['EST5EDT', /legacy zone name, .* e\.g\. America\/New_York/],
    ['Etc/GMT+5', /fixed offset .* \(Area\/City, as America\/New_York is\)/],
    ['US/Eastern', /legacy zone name, .* e\.g\. America\/New_York/],
  ])('%s is refused with its path', (tz, message) => {
    const lines = problems(ORG.replace('America/New_York', tz)).split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/ → at organization\.timezone$/);
  });

  it.each(['UTC', 'Etc/UTC', 'America/New_York', 'Europe/Brussels', 'Asia/Tokyo', 'America/Argentina/Buenos_Aires'])('%s is fine', (tz) => {
    expect(accepted(ORG.replace('America/New_York', tz))).toBe('accepted');
  });
});

describe('checks that were missing, each refused with its path', () => {
  it('a whitespace-only organisation name (and other names of only spaces or invisible characters)', () => {
    expect(problems(ORG.replace('name: Agency,', 'name: "   ",'))).toBe('✖ empty (or only spaces) → at organization.name');
    expect(
      problems(
        `${ORG.replace('{ id: org, name: Agency }', '{ id: org, name: "\\u200B\\u3000" }')}apps: [ { id: a, name: " " } ]\nrules: [ ${rule('title: "\\t"').replace('title: T, ', '').replace('apps: [tiktok]', 'apps: [a]')} ]\n`,
      ),
    ).toBe(
      [
        '✖ empty (or only spaces) → at units[0].name',
        '✖ empty (or only spaces) → at apps[0].name',
        '✖ empty (or only spaces) → at rules[0].title',
      ].join('\n'),
    );
  });

  it('review, deadline and lifted before effective, each in the same run as a shape problem elsewhere', () => {
    const doc = `${ORG}${APP}rules:\n  - ${rule('review: 2024-01-15')}\n  - ${rule('deadline: 2024-02-01, lifted: 2024-02-15').replace('id: r,', 'id: r2,')}\n  - ${rule('devices: [tablet]').replace('id: r,', 'id: r3,')}\n`;
    expect(problems(doc)).toBe(
      [
        '✖ review 2024-01-15 is before effective 2024-03-01 → at rules[0].review',
        '✖ deadline 2024-02-01 is before effective 2024-03-01 → at rules[1].deadline',
        '✖ lifted 2024-02-15 is before effective 2024-03-01 → at rules[1].lifted',
        '✖ Invalid option: expected one of "corporate"|"personal-with-work-apps"|"personal" → at rules[2].devices[0]',
      ].join('\n'),
    );
    expect(accepted(`${ORG}${APP}rules:\n  - ${rule('review: 2024-03-01, deadline: 2024-03-01, lifted: 2025-01-01')}\n`)).toBe('accepted');
  });

  it('platform ids: another person’s id, or another person’s Slack or Teams id on either platform', () => {
    const people = [
      '{ id: dana, slack: U0DANA0001, teams: 18bb234a-4a16-44b7-b2fc-03e58d03579d }',
      '{ id: lee, slack: dana }', // a Slack id that is Dana's person id: `--as dana` would mean either
      '{ id: kim, teams: lee }', // the same with a Teams id
      '{ id: sam, slack: U0DANA0001 }', // Dana's Slack id
      '{ id: ana, teams: U0DANA0001 }', // Dana's Slack id, as a Teams id: one lookup holds both platforms
      '{ id: bo, slack: 18bb234a-4a16-44b7-b2fc-03e58d03579d }', // Dana's Teams id, as a Slack id
    ];
    expect(problems(`${ORG}people:\n${people.map((p) => `  - ${p}`).join('\n')}\n`)).toBe(
      [
        '✖ slack id "dana" is also the id of person "dana" → at people[1].slack',
        '✖ teams id "lee" is also the id of person "lee" → at people[2].teams',
        '✖ slack id "U0DANA0001" is also dana\'s → at people[3].slack',
        '✖ teams id "U0DANA0001" is also dana\'s slack id → at people[4].teams',
        '✖ slack id "18bb234a-4a16-44b7-b2fc-03e58d03579d" is also dana\'s teams id → at people[5].slack',
      ].join('\n'),
    );
    // One person may use the same id on both platforms, or a platform id equal to their own person id.
    expect(accepted(`${ORG}people: [ { id: U0DANA0001, slack: U0DANA0001, teams: U0DANA0001 } ]\n`)).toBe('accepted');
  });

  it('Slack’s limits: more than 100 purposes (one select), a purpose over 75 characters (an option’s text)', () => {
    expect(PLATFORM_LIMITS).toEqual({ selectOptions: 100, optionText: 75, optionValue: 150 });
    const purposes = (n: number) => Array.from({ length: n }, (_, i) => `purpose-${i}`).join(', ');
    const withPurposes = (list: string) => `${ORG}${APP}rules:\n  - ${rule(`exceptions: { purposes: [${list}], max_days: 30 }`)}\n`;
    expect(problems(withPurposes(purposes(101)))).toBe(
      '✖ at most 100 purposes (the options of one Slack select) → at rules[0].exceptions.purposes',
    );
    expect(problems(withPurposes(`law-enforcement, ${'p'.repeat(76)}`))).toBe(
      '✖ a purpose is at most 75 characters (the text of a Slack option) → at rules[0].exceptions.purposes[1]',
    );
    expect(accepted(withPurposes(purposes(100)))).toBe('accepted');
    expect(accepted(withPurposes('p'.repeat(75)))).toBe('accepted');
  });

  it('an app name or alias over 200 characters (the longest name a command looks up)', () => {
    expect(
      problems(`${ORG}apps: [ { id: a, name: "${'x'.repeat(201)}" }, { id: b, name: B, aliases: [ok, "${'ｘ'.repeat(201)}"] } ]\n`),
    ).toBe(
      [
        '✖ longer than 200 characters: no command looks up a name that long → at apps[0].name',
        '✖ longer than 200 characters: no command looks up a name that long → at apps[1].aliases[1]',
      ].join('\n'),
    );
    expect(accepted(`${ORG}apps: [ { id: a, name: "${'x'.repeat(200)}" } ]\n`)).toBe('accepted');
  });

  it('two apps whose names or aliases are confusables of each other, naming both', () => {
    const kik = `${ORG}apps:\n  - { id: kik, name: Kik }\n  - { id: kik-cyrillic, name: "\\u041A\\u0456\\u043A" }\n`;
    expect(problems(kik)).toBe(
      '✖ "Кік" (app "kik-cyrillic") looks like "Kik" (app "kik"): a name typed with look-alike letters could mean either → at apps[1].name',
    );
    const alias = `${ORG}apps:\n  - { id: tiktok, name: TikTok }\n  - { id: other, name: Other, aliases: ["\\u0422\\u0456\\u043A\\u0422\\u043E\\u043A"] }\n`;
    expect(problems(alias)).toBe(
      '✖ "ТікТок" (app "other") looks like "TikTok" (app "tiktok"): a name typed with look-alike letters could mean either → at apps[1].aliases[0]',
    );
    // The same name twice is still named as such, with its path; two ASCII names are never look-alikes of each other.
    expect(problems(`${ORG}apps: [ { id: a, name: Signal }, { id: b, name: B, aliases: [signal] } ]\n`)).toBe(
      '✖ "signal" also names app "a" → at apps[1].aliases[0]',
    );
    expect(
      accepted(`${ORG}apps: [ { id: steam, name: Steam }, { id: stearn, name: Stearn }, { id: line, name: LINE, aliases: [ライン] } ]\n`),
    ).toBe('accepted');
  });
});

describe('what already worked still works', () => {
  it('the limits still come first, alone', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `p${i}`).join(', ');
    expect(
      problems(`${ORG.replace('America/New_York', 'EST')}${APP}rules:\n  - ${rule(`exceptions: { purposes: [${many}], max_days: 30 }`)}\n`),
    ).toBe('✖ 1001 entries, at most 1000 → at rules[0].exceptions.purposes');
    expect(await cli(['policy', 'validate', join(import.meta.dirname, '../../policies/us-omb-m-23-13.yaml')])).toMatchObject({ code: 0 });
  });
});
