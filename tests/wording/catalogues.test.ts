// Every catalogue is complete and well-formed: the same keys as English, each message valid ICU
// MessageFormat in its locale, with the same named parameters as English; the types are current.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, PARAMS_FILE, paramsSource } from '../../bin/wording-types.ts';
import { argumentsOf } from '../../commands/wording/arguments.ts';
import { LOCALE_WORDS } from '../../commands/wording/locales.ts';
import { compileMessage, wording } from '../../commands/wording/wording.ts';
import { LOCALES } from '../../src/core/policy.ts';
import { ROOT } from '../support/cli.ts';

const FOLDER = join(ROOT, 'commands/wording');
const english = LOCALE_WORDS.en.catalogue;
const names = (message: string, locale: string) => [...argumentsOf(message, locale).keys()].sort();

describe('one catalogue per locale', () => {
  it('every locale has its catalogue file, and every catalogue file is a locale', () => {
    const files = readdirSync(FOLDER).filter((f) => f.endsWith('.json'));
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...LOCALES].sort());
    for (const locale of LOCALES)
      expect(LOCALE_WORDS[locale].catalogue, locale).toEqual(JSON.parse(readFileSync(join(FOLDER, `${locale}.json`), 'utf8')));
  });

  it.each([...LOCALES])('%s has every key English has, and none English lacks', (locale) => {
    const keys = Object.keys(LOCALE_WORDS[locale].catalogue);
    expect(Object.keys(english).filter((k) => !keys.includes(k))).toEqual([]);
    expect(keys.filter((k) => !(k in english))).toEqual([]);
  });

  it.each([...LOCALES])('%s: every message is text, not blank (a list separator may be only punctuation)', (locale) => {
    for (const [key, message] of Object.entries(LOCALE_WORDS[locale].catalogue)) {
      expect(typeof message, key).toBe('string');
      expect(message.trim() || key.startsWith('list.'), `${locale} ${key}`).toBeTruthy();
    }
  });

  it.each([...LOCALES])('%s: every message compiles as ICU MessageFormat', (locale) => {
    const failed: string[] = [];
    for (const key of Object.keys(LOCALE_WORDS[locale].catalogue))
      try {
        compileMessage(locale, key);
      } catch (e) {
        failed.push(`${key}: ${(e as Error).message}`);
      }
    expect(failed).toEqual([]);
  });

  it.each([...LOCALES])('%s uses, for every key, the parameter names English uses', (locale) => {
    const differ = Object.entries(LOCALE_WORDS[locale].catalogue).flatMap(([key, message]) => {
      const want = names(english[key] ?? '', 'en');
      const got = names(message, locale);
      return JSON.stringify(want) === JSON.stringify(got) ? [] : [`${key}: ${got.join(',')} (English: ${want.join(',')})`];
    });
    expect(differ).toEqual([]);
  });

  it('params.ts is what `npm run wording:types` makes of en.json (keys and parameters are typed from it)', () => {
    expect(readFileSync(PARAMS_FILE, 'utf8')).toBe(paramsSource(JSON.parse(readFileSync(CATALOGUE, 'utf8'))));
  });
});

// Refusal codes × locales: tests/commands/refusal-messages.test.ts (each code, with its data, has its own words).

describe('rendering', () => {
  it('names parameters, joins lists the locale way, writes days in its words, counts ungrouped', () => {
    const en = wording('en');
    const ja = wording('ja');
    expect(en.t('verdict.prohibited', { app: 'TikTok', device: en.device('corporate') })).toBe('TikTok is prohibited on a work device.');
    expect(ja.t('verdict.prohibited', { app: 'TikTok', device: ja.device('corporate') })).toBe(
      'TikTokは業務用端末での利用が禁止されています。',
    );
    expect(en.t('explain.restrictedData', { data: ['personal-data', 'public'] })).toBe('Not to be used for: personal-data, public.');
    expect(ja.t('explain.restrictedData', { data: ['個人情報', '公開'] })).toBe('次の情報を取り扱う業務には使用できません：個人情報、公開');
    expect(en.t('explain.review', { date: '2023-09-01' })).toBe('The measure is due for review on Friday 1 September 2023.');
    expect(ja.t('explain.review', { date: '2023-09-01' })).toMatch(/2023年9月1日/);
    expect(en.t('outbox.digestTitle', { n: 1 })).toBe('1 message could not be delivered');
    expect(en.t('outbox.digestTitle', { n: 1000 })).toBe('1000 messages could not be delivered');
    expect(en.t('errors.nameTooLong', { length: 1234, max: 200 })).toMatch(/^That name is 1,234 characters/);
    expect(en.list(['check', 'status'], 'or')).toBe('check or status');
    expect(en.t('lists.more', { how: 'policy --page 2' })).toBe('{count} more — policy --page 2');
  });

  it('compiles each message once per locale and reuses it', () => {
    expect(compileMessage('en', 'verdict.allowed')).toBe(compileMessage('en', 'verdict.allowed'));
    expect(compileMessage('ja', 'verdict.allowed')).not.toBe(compileMessage('en', 'verdict.allowed'));
    expect(wording('en')).toBe(wording('en'));
  });

  it('a wrong key or parameter does not compile', () => {
    const en = wording('en');
    // @ts-expect-error: no such key
    expect(() => en.t('verdict.forbidden', { app: 'x', device: 'y' })).toThrow(/wording.missing_key/);
    // Checked by tsc, never run: the type of each key's parameters comes from en.json (params.ts).
    const typeOnly = () => {
      // @ts-expect-error: `application` is not a parameter of verdict.allowed (it takes app and device)
      en.t('verdict.allowed', { application: 'x', device: 'y' });
      // @ts-expect-error: a count must be a number
      en.t('outbox.digestTitle', { n: 'three' });
      // @ts-expect-error: verdict.allowed needs its parameters
      en.t('verdict.allowed');
    };
    expect(typeOnly).toBeTypeOf('function');
    // A parameter left out at run time (through a cast) is an error, never a blank in the sentence.
    expect(() => (en.t as (key: string, params: object) => string)('verdict.allowed', { device: 'y' })).toThrow(/app/);
  });
});
