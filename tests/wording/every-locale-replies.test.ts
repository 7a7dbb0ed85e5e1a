// Issue 22: the whole command set, run by people whose locale is en, ja and fr, answers each in their
// own words: no reply carries a fixed fragment of another locale's catalogue (no catalogue falls back
// silently), a Japanese reply holds no English sentence, and no validator's own text reaches anyone.
import { describe, expect, it } from 'vitest';
import { replyText } from '../../commands/shared/reply.ts';
import { argumentsOf } from '../../commands/wording/arguments.ts';
import { LOCALE_WORDS } from '../../commands/wording/locales.ts';
import { wording } from '../../commands/wording/wording.ts';
import { createAppWarden } from '../../src/app.ts';
import { LOCALES, type Locale, type Policy } from '../../src/core/policy.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from '../support/bot.ts';
import { ASCII_COLON_AFTER_JAPANESE, FRENCH_MARK_WITHOUT_NBSP } from '../support/punctuation.ts';

const AT = '2026-10-05T08:00:00Z';
const VALIDATOR_TEXT = /Invalid input|expected (string|number)|received (undefined|Infinity|NaN)|Too (big|small)/;

/** A catalogue's fixed text: what is left between its parameters, pieces of 12 characters or more. */
function fixedFragments(catalogue: Readonly<Record<string, string>>): string[] {
  const pieces = Object.values(catalogue).flatMap((m) => m.split(/[{}]/));
  return [...new Set(pieces.map((p) => p.trim()).filter((p) => p.length >= 12 && !/^\w+, (plural|select|number|date)/.test(p)))];
}

/** Every string the policy supplies (titles, sources, names…): shown as written, whatever the locale. */
function policyStrings(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string' && value.length >= 3) out.add(value);
  else if (Array.isArray(value)) for (const v of value) policyStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) policyStrings(v, out);
  return out;
}

/** The demo pack with everyone speaking `locale` (the organisation's own locale stays English). */
function demoIn(locale: Locale): Policy {
  const policy = structuredClone(loadPack('demo.yaml'));
  for (const person of policy.people) person.locale = locale;
  return policy;
}

/** Who says what, in order, on one store: the command set the command tests exercise one by one. */
const SCRIPT: [person: string, text: string][] = [
  ['pierre', 'help'],
  ['pierre', 'check TikTok'],
  ['pierre', 'check TikTok --device personal'],
  ['pierre', 'check LINE --data personal-data'],
  ['pierre', 'check LINE --data pii'],
  ['pierre', 'check Candy Crush'],
  ['pierre', 'check Signal'],
  ['pierre', 'check Tiktk'],
  ['pierre', 'check Zork'],
  ['pierre', 'check TikTok --device phone'],
  ['pierre', 'check'],
  ['pierre', 'chek TikTok'],
  ['pierre', 'check TikTok --colour red'],
  ['pierre', 'policy'],
  ['pierre', 'policy demo-tiktok'],
  ['pierre', 'policy no-such-rule'],
  ['pierre', 'request TikTok --purpose public-communications --reason "press"'],
  ['pierre', 'request Candy Crush --purpose public-communications --days soon --reason "x"'],
  ['pierre', 'request Candy Crush --purpose public-communications --days 400 --reason "x"'],
  ['pierre', 'request Candy Crush --purpose outreach --reason "x"'],
  ['pierre', 'request Candy Crush --purpose public-communications'],
  ['pierre', 'request Candy Crush --purpose public-communications --days 10 --reason "press office"'],
  ['pierre', 'request Candy Crush --purpose public-communications --days 10 --reason "again"'],
  ['pierre', 'request Signal --purpose public-communications --reason "x"'],
  ['pierre', 'status'],
  ['pierre', 'pending'],
  ['akiko', 'pending'],
  ['pierre', 'approve EX-1'],
  ['akiko', 'approve EX-9'],
  ['akiko', 'approve EX-1'],
  ['akiko', 'approve EX-1'],
  ['pierre', 'withdraw EX-1'],
  ['pierre', 'request LINE --purpose public-communications --days 5 --reason "residents"'],
  ['akiko', 'deny EX-2'],
  ['akiko', 'deny EX-2 --reason "use the web form"'],
  ['pierre', 'check Candy Crush'],
  ['pierre', 'attest TikTok'],
  ['pierre', 'attest TikTok'],
  ['pierre', 'attest Signal'],
  ['pierre', 'attest TikTok --statement gone'],
  ['pierre', 'status'],
  ['akiko', 'report compliance'],
  ['akiko', 'report compliance demo-tiktok'],
  ['akiko', 'report exceptions'],
  ['akiko', 'report everything'],
  ['pierre', 'report compliance'],
  ['olivia', 'census start LINE --due 2026-10-20 --units all'],
  ['olivia', 'census start LINE --due 2020-01-01'],
  ['olivia', 'census status CN-1'],
  ['olivia', 'census answer CN-1 --unit demo/it --uses none'],
  ['olivia', 'census answer CN-1 --unit demo/it --use "press | yes | 12 | @demo"'],
  ['pierre', 'census answer CN-1 --unit demo/comms --uses none'],
  ['olivia', 'report census CN-1'],
  ['olivia', 'census begin'],
  ['akiko', 'delegate --to sam --until 2026-10-20'],
  ['akiko', 'delegate'],
  ['akiko', 'delegate --to nobody --until 2026-10-20'],
  ['akiko', 'delegate --to akiko --until 2026-10-20'],
  ['akiko', 'delegate --off'],
  ['akiko', 'delegate --off --to sam'],
  ['pierre', 'accounts'],
  ['pierre', 'check TikTok --data "unclosed'],
];

async function runAll(locale: Locale) {
  return runScript(demoIn(locale), SCRIPT, AT, false);
}

/**
 * Each line of `script` said to a bot on `policy`, with what each command sends to people in their
 * language (notifications, approvers' copies of cards) and, with `channels`, to the channels too (in the
 * organisation's language: the packs' own runs, where it is the language under test).
 */
async function runScript(policy: Policy, script: readonly [string, string][], at: string, channels: boolean) {
  const bot = createAppWarden({ policy, store: createMemoryStore(), now: testClock(at).now, log: () => {} });
  const replies: { said: string; text: string }[] = [];
  for (const [person, text] of script) {
    const result = await bot.run(text, person, 'test');
    replies.push({ said: `${person}: ${text}`, text: replyText(result.reply) });
    for (const e of result.effects)
      if (e.kind === 'notify' || (e.kind === 'update' && e.for) || channels)
        replies.push({
          said: `${person}: ${text} (sent to ${e.kind === 'notify' ? e.person : e.kind === 'update' ? (e.for ?? e.subject) : e.channel})`,
          text: replyText(e.message),
        });
  }
  return { policy, replies };
}

/** What is found in `replies` that belongs to another locale's catalogue, or is a validator's own text. */
function foreignText(locale: Locale, policy: Policy, replies: { said: string; text: string }[]): string[] {
  const own = Object.values(LOCALE_WORDS[locale].catalogue).join('\n');
  const foreign = LOCALES.filter((l) => l !== locale).flatMap((l) =>
    fixedFragments(LOCALE_WORDS[l].catalogue)
      .filter((f) => !own.includes(f))
      .map((f) => ({ l, f })),
  );
  const found: string[] = [];
  for (const { said, text } of replies) {
    const rest = ownWords(text, said, policy);
    for (const { l, f } of foreign) if (rest.includes(f)) found.push(`${said} → ${l}: “${f}”`);
    if (VALIDATOR_TEXT.test(rest)) found.push(`${said} → validator text: ${text}`);
  }
  return found;
}

/** A reply with the policy's own strings and what the person typed taken out. */
function ownWords(text: string, said: string, policy: Policy): string {
  let rest = text;
  const supplied = [...policyStrings(policy)].sort((a, b) => b.length - a.length);
  for (const s of supplied) rest = rest.split(s).join(' ');
  for (const typed of said.split(/"/).filter((_, i) => i % 2 === 1)) rest = rest.split(typed).join(' ');
  return rest;
}

describe.each([...LOCALES])('the whole command set in %s', (locale) => {
  it('answers every command, and no reply carries another catalogue’s fixed text', async () => {
    const { policy, replies } = await runAll(locale);
    const own = Object.values(LOCALE_WORDS[locale].catalogue).join('\n');
    const foreign = LOCALES.filter((l) => l !== locale).flatMap((l) =>
      fixedFragments(LOCALE_WORDS[l].catalogue)
        .filter((f) => !own.includes(f))
        .map((f) => ({ l, f })),
    );
    expect(foreign.length).toBeGreaterThan(300);
    expect(replies.filter((r) => r.said.includes('(sent to ')).length).toBeGreaterThanOrEqual(10);
    const found: string[] = [];
    for (const { said, text } of replies) {
      expect(text.trim(), said).not.toBe('');
      const rest = ownWords(text, said, policy);
      for (const { l, f } of foreign) if (rest.includes(f)) found.push(`${said} → ${l}: “${f}”`);
      if (VALIDATOR_TEXT.test(rest)) found.push(`${said} → validator text: ${text}`);
    }
    expect(found).toEqual([]);
  });
});

describe('Japanese replies', () => {
  it('hold no English sentence: every run of ASCII words is a command, an id or the policy’s own text', async () => {
    const { policy, replies } = await runAll('ja');
    const ja = Object.values(LOCALE_WORDS.ja.catalogue).join('\n');
    const found: string[] = [];
    for (const { said, text } of replies) {
      const rest = ownWords(text, said, policy);
      for (const [run] of rest.matchAll(/[A-Za-z][A-Za-z,'’]*(?: [A-Za-z][A-Za-z,'’]*){3,}/g))
        if (!ja.includes(run)) found.push(`${said} → “${run}”`);
    }
    expect(found).toEqual([]);
  });
});

/** The packs of the measures, each run in its organisation's own language, channel posts included. */
const PACK_RUNS: [pack: string, locale: Locale, at: string, script: [string, string][]][] = [
  [
    'fr-2023-recreational.yaml',
    'fr',
    '2023-04-03T08:00:00Z',
    [
      ['camille.bernard', 'help'],
      ['camille.bernard', 'check Candy Crush'],
      ['camille.bernard', 'check Tinder --device personal'],
      ['camille.bernard', 'check Tchap'],
      ['camille.bernard', 'check Netflix --purpose public-communications'],
      ['camille.bernard', 'policy'],
      ['camille.bernard', 'policy fr-2023-recreational'],
      ['julien.moreau', 'request Instagram --purpose public-communications --days 30 --reason "compte officiel du ministère"'],
      ['julien.moreau', 'request Twitter --reason "x"'],
      ['julien.moreau', 'status'],
      ['helene.lefebvre', 'pending'],
      ['helene.lefebvre', 'approve EX-1'],
      ['julien.moreau', 'request Twitter --purpose public-communications --days 10 --reason "veille"'],
      ['helene.lefebvre', 'deny EX-2 --reason "utilisez le compte du service"'],
      ['camille.bernard', 'attest Candy Crush'],
      ['nicolas.garnier', 'report compliance'],
      ['nicolas.garnier', 'report exceptions'],
    ],
  ],
  [
    'jp-2021-line.yaml',
    'ja',
    '2021-03-22T01:00:00Z',
    [
      ['suzuki.kenta', 'help'],
      ['suzuki.kenta', 'check LINE'],
      ['suzuki.kenta', 'check LINE --data personal-data'],
      ['suzuki.kenta', 'check LINE WORKS'],
      ['suzuki.kenta', 'policy'],
      ['suzuki.kenta', 'policy jp-2021-line-personal-data'],
      ['suzuki.kenta', 'request LINE --purpose public-communications --days 30 --reason "市民向けのお知らせ"'],
      ['suzuki.kenta', 'status'],
      ['sato.akiko', 'pending'],
      ['sato.akiko', 'approve EX-1'],
      ['suzuki.kenta', 'withdraw EX-1'],
      ['tanaka.hiroshi', 'census start LINE --due 2021-03-26 --units all'],
      ['tanaka.hiroshi', 'census status CN-1'],
      ['tanaka.hiroshi', 'report census CN-1'],
      ['tanaka.hiroshi', 'report exceptions'],
    ],
  ],
];

describe.each(PACK_RUNS)('%s in its own language (%s)', (pack, locale, at, script) => {
  it('every reply, notification and channel post is in that language alone', async () => {
    const { policy, replies } = await runScript(loadPack(pack), script, at, true);
    expect(replies.length).toBeGreaterThan(script.length);
    for (const { said, text } of replies) expect(text.trim(), said).not.toBe('');
    expect(foreignText(locale, policy, replies)).toEqual([]);
    const marks = locale === 'ja' ? ASCII_COLON_AFTER_JAPANESE : FRENCH_MARK_WITHOUT_NBSP;
    const badlyPunctuated = replies.flatMap(({ said, text }) =>
      ownWords(text, said, policy)
        .replace(/https?:\/\/\S+/g, ' ')
        .split('\n')
        .filter((line) => marks.test(line))
        .map((line) => `${said} → ${line}`),
    );
    expect(badlyPunctuated).toEqual([]);
  });
});

describe('every reply punctuates as its language does', () => {
  /** A reply's own words, URLs and what the person typed aside (a command they may copy keeps its ASCII). */
  const punctuated = (text: string, said: string, policy: Policy) => ownWords(text, said, policy).replace(/https?:\/\/\S+/g, ' ');

  /** Every line of every reply in `locale` that `wrong` finds, with what was said to get it. */
  const linesWhere = async (locale: Locale, wrong: RegExp) => {
    const { policy, replies } = await runAll(locale);
    return replies.flatMap(({ said, text }) =>
      punctuated(text, said, policy)
        .split('\n')
        .filter((line) => wrong.test(line))
        .map((line) => `${said} → ${line}`),
    );
  };

  it('Japanese: no ASCII colon after Japanese text (「理由：」, never 「理由: 」)', async () => {
    expect(await linesWhere('ja', ASCII_COLON_AFTER_JAPANESE)).toEqual([]);
  });

  it('French: a narrow no-break space before every colon, semicolon, question and exclamation mark', async () => {
    expect(await linesWhere('fr', FRENCH_MARK_WITHOUT_NBSP)).toEqual([]);
  });
});

describe('no catalogue falls back silently', () => {
  /** A message the same in every language: only parameters and punctuation, no words of its own. */
  const hasWords = (message: string) => /\p{L}{2,}/u.test(message.replace(/\{[^{}]*\}/g, ''));

  it.each(LOCALES.filter((l) => l !== 'en'))('%s copies no English message that has words', (locale) => {
    const english = LOCALE_WORDS.en.catalogue;
    const copied = Object.entries(LOCALE_WORDS[locale].catalogue).filter(([k, m]) => m === english[k] && hasWords(m));
    expect(copied.map(([k]) => k)).toEqual([]);
  });

  it('the reply check finds English left in a French reply (the check itself works)', () => {
    const fr = Object.values(LOCALE_WORDS.fr.catalogue).join('\n');
    const english = fixedFragments(LOCALE_WORDS.en.catalogue).filter((f) => !fr.includes(f));
    const reply = `L’utilisation de TikTok est interdite. ${LOCALE_WORDS.en.catalogue['explain.exceptionNone']}`;
    expect(english.filter((f) => reply.includes(f))).toEqual(['No exceptions are possible under this rule.']);
  });
});

describe('every message renders for sample data in every locale', () => {
  const SAMPLE = { number: [0, 1, 2, 1000], date: ['2026-12-31'], boolean: [true, false], text: ['EX-7'] } as const;

  it.each([...LOCALES])('%s: each key, with each count 0, 1, 2 and 1000, gives text with no brace or blank left', (locale) => {
    const w = wording(locale);
    const failed: string[] = [];
    for (const [key, message] of Object.entries(LOCALE_WORDS.en.catalogue)) {
      const args = [...argumentsOf(message, 'en')];
      for (let i = 0; i < 4; i++) {
        const values = Object.fromEntries(args.map(([name, kind]) => [name, SAMPLE[kind][i % SAMPLE[kind].length]]));
        try {
          const text = (w.t as (k: string, v: object) => string)(key, values);
          if (/[{}]/.test(text.replace('{count}', '')) || (!text.trim() && !key.startsWith('list.'))) failed.push(`${key}: ${text}`);
        } catch (e) {
          failed.push(`${key}: ${(e as Error).message}`);
        }
      }
    }
    expect(failed).toEqual([]);
  });

  it('French counts 0 and 1 as singular, Japanese has no plural, English 1 only', () => {
    expect(wording('fr').t('reminders.unanswered', { id: 'EX-1', app: 'TikTok', days: 0 })).toMatch(/0 jour\s;/);
    expect(wording('fr').t('reminders.unanswered', { id: 'EX-1', app: 'TikTok', days: 1 })).toMatch(/1 jour\s;/);
    expect(wording('fr').t('reminders.unanswered', { id: 'EX-1', app: 'TikTok', days: 2 })).toMatch(/2 jours\s;/);
    expect(wording('en').t('reminders.unanswered', { id: 'EX-1', app: 'TikTok', days: 0 })).toMatch(/0 days,/);
    expect(wording('ja').t('reminders.unanswered', { id: 'EX-1', app: 'TikTok', days: 2 })).toMatch(/2 日以内/);
  });
});
