import { describe, expect, it } from 'vitest';
import { findApp } from '../../src/core/catalog.ts';
import { decide } from '../../src/core/decide.ts';
import { BoundedMap, MAX_NAME_LENGTH, nameKey, nameLength } from '../../src/core/names.ts';
import { policySchema, validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import { botOn, loadPack } from '../support/bot.ts';

// Issue 11, item 7: names that hide. Invisible characters inside a name, or letters from another
// script that look the same, must not turn a prohibited app into "unknown, allowed by default".

/** TikTok, written so that it looks (or nearly looks) like TikTok and is not those six letters. */
const HIDDEN: [string, string][] = [
  ['zero-width space', 'Tik\u200BTok'],
  ['soft hyphen', 'Tik\u00ADTok'],
  ['word joiner', 'Tik\u2060Tok'],
  ['NUL', 'Tik\u0000Tok'],
  ['zero-width joiner and non-joiner', 'T\u200Dik\u200CTok'],
  ['byte order mark', '\uFEFFTikTok'],
  ['bidi controls', '\u202ATik\u202ETok\u202C'],
  ['variation selector', 'Tik\uFE0FTok'],
  ['Cyrillic look-alikes (ТікТок)', '\u0422\u0456\u043A\u0422\u043E\u043A'],
  ['Cyrillic і and о among Latin letters', 't\u0456kt\u043Ek'],
  ['Cyrillic capitals (ТІКТОК)', '\u0422\u0406\u041A\u0422\u041E\u041A'],
  ['Latin dotless ı', 't\u0131ktok'],
  ['Cyrillic look-alikes and a zero-width space', '\u0422\u0456\u043A\u200B\u0422\u043E\u043A'],
];

const PACKS = [
  { pack: 'demo.yaml', at: '2026-11-20T09:00:00Z', person: 'pierre' },
  { pack: 'ec-2023-tiktok.yaml', at: '2023-04-03T08:00:00Z', person: 'U04EC7DIG1T' },
];

describe('names that hide: decide', () => {
  for (const { pack, at, person } of PACKS) {
    const policy = loadPack(pack);
    const asTyped = decide({ app: 'TikTok', person, device: 'corporate', at }, policy, { requests: [] });

    it(`${pack}: TikTok itself is prohibited (the baseline the disguises are held to)`, () => {
      expect(asTyped).toMatchObject({ verdict: 'prohibited', app: { id: 'tiktok' } });
    });

    it.each(HIDDEN)(`${pack}: %s is TikTok, prohibited, the same decision as for TikTok`, (_what, typed) => {
      const d = decide({ app: typed, person, device: 'corporate', at }, policy, { requests: [] });
      expect(d.query.app).toBe(typed);
      expect({ ...d, query: { ...d.query, app: 'TikTok' } }).toEqual(asTyped);
    });
  }
});

describe('names that hide: check, as people type it', () => {
  for (const { pack, at, person } of PACKS) {
    it.each(HIDDEN)(`${pack}: check %s answers that TikTok is prohibited, never "allowed by default"`, async (_what, typed) => {
      const { say } = botOn(pack, at);
      const r = await say(person, `check ${typed}`);
      expect(r.ok).toBe(true);
      expect(r.text).toMatch(/^TikTok is prohibited on a work device\./);
      expect(r.text).not.toMatch(/allowed by default|don't know/);
    });
  }
});

/** A catalogue with names in other scripts, look-alike pairs and names that differ by one ASCII letter. */
const world: Policy = (() => {
  const doc = {
    organization: { name: 'World', timezone: 'UTC', default_unit: 'org', unknown_apps: 'allow' },
    units: [{ id: 'org', name: 'Org' }],
    apps: [
      { id: 'tiktok', name: 'TikTok', aliases: ['tik tok', 'ティックトック'] },
      { id: 'line', name: 'LINE', aliases: ['ライン', 'らいん'] },
      { id: 'vk', name: 'ВКонтакте', aliases: ['VK'] },
      { id: 'karaoke', name: 'カラオケ' },
      { id: 'stearn', name: 'Stearn' },
      // Two apps whose names are confusables of each other: a third spelling that looks like both names neither.
      { id: 'kik', name: 'Kik' },
      { id: 'kik-cyrillic', name: '\u041A\u0456\u043A' },
    ],
    rules: [
      {
        id: 'ban',
        title: 'Banned',
        source: 'Test',
        unit: 'org',
        apps: ['tiktok', 'vk', 'line'],
        effect: 'prohibit',
        effective: '2020-01-01',
      },
    ],
  };
  // A policy file with confusable app names is refused (issue 13); the engine still copes with a catalogue
  // that has them and reaches it some other way (a policy built in code and handed to reloadPolicy).
  const r = validatePolicy(doc);
  if (r.ok || r.issues.map((i) => `${i.code} ${i.path}`).join() !== 'confusable_names apps[6].name') throw new Error(JSON.stringify(r));
  return policySchema.parse(doc);
})();

const appOf = (typed: string) => findApp(world, typed)?.id;

describe('confusables (UTS #39 skeletons) next to legitimate names in other scripts', () => {
  it('names in Japanese and Cyrillic still match themselves exactly', () => {
    expect(appOf('ティックトック')).toBe('tiktok');
    expect(appOf('ﾃｨｯｸﾄｯｸ')).toBe('tiktok');
    expect(appOf('ライン')).toBe('line');
    expect(appOf('らいん')).toBe('line');
    expect(appOf('カラオケ')).toBe('karaoke');
    expect(appOf('ВКонтакте')).toBe('vk');
    expect(appOf('вконтакте')).toBe('vk');
    expect(appOf('ВКОНТАКТЕ')).toBe('vk');
    expect(appOf('Kik')).toBe('kik');
    expect(appOf('\u041A\u0456\u043A')).toBe('kik-cyrillic');
  });

  it('look-alikes from another script are the app they imitate', () => {
    expect(appOf('\u0422\u0456\u043A\u0422\u043E\u043A')).toBe('tiktok'); // Cyrillic ТікТок
    expect(appOf('BKoнтaктe')).toBe('vk'); // Latin B, K, o, a, e inside a Cyrillic name
    expect(appOf('\u30E9\u4EBB\u30F3')).toBe('line'); // ラ亻ン: the CJK radical 亻 for katakana イ
    expect(appOf('\u529B\u30E9\u30AA\u30B1')).toBe('karaoke'); // 力ラオケ: the kanji 力 for katakana カ
  });

  it('two ASCII names are never look-alikes of each other: a typo is suggested, not matched', () => {
    expect(appOf('steam')).toBeUndefined(); // skeleton "stearn", but a different name
    expect(appOf('t1kt0k')).toBeUndefined();
  });

  it('a look-alike of two catalogue apps matches neither, suggests both first, and is to be reviewed, not allowed by default', () => {
    const typed = 'K\u0456k'; // Latin K and k around a Cyrillic і: looks like Kik and like Кік
    expect(appOf(typed)).toBeUndefined();
    const d = decide({ app: typed, person: 'someone', device: 'corporate', at: '2026-01-01T00:00:00Z' }, world, { requests: [] });
    expect(d.verdict).toBe('unknown-app');
    expect(d.unknown).toEqual({ posture: 'review', suggestions: ['Kik', 'Кік'] });
    expect(d.reasons).toEqual([{ code: 'unknown_app', data: { posture: 'review', lookalike: true } }]);
  });

  it('a name unlike any app keeps the organisation’s default posture', () => {
    const d = decide({ app: 'Signal', person: 'someone', device: 'corporate', at: '2026-01-01T00:00:00Z' }, world, { requests: [] });
    expect(d.unknown).toEqual({ posture: 'allow', suggestions: [] });
  });

  it('invisible format and control characters are not part of a name key', () => {
    expect(nameKey('Tik\u200BTok')).toBe('tiktok');
    expect(nameKey('\u0000T\u0007i\u001Fk\u007FT\u00ADo\u2060k\uFEFF\u2066')).toBe('tiktok');
    expect(nameKey('ティック\u200Bトック')).toBe(nameKey('ティックトック'));
  });
});

describe('bounded work per name (issue 11, item 5)', () => {
  const demo = loadPack('demo.yaml');
  const at = '2026-11-20T09:00:00Z';

  it('measures a name after NFKC, in code points', () => {
    expect(nameLength('TikTok')).toBe(6);
    expect(nameLength('\uFDFA')).toBe(18);
    expect(nameLength('ＴｉｋＴｏｋ')).toBe(6);
    expect(nameLength('😀😀')).toBe(2);
  });

  it('a name past the limit names no app and gets no suggestions, however long, and quickly', () => {
    const name = '\uFDFA'.repeat(19_980) + 'tiktok';
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const d = decide({ app: name + i, person: 'pierre', device: 'corporate', at }, demo, { requests: [] });
      expect(d.verdict).toBe('unknown-app');
      expect(d.unknown!.suggestions).toEqual([]);
    }
    // Was 0.2 s each (the key was normalised, then bigram-indexed for "did you mean"); now nothing is done with it.
    expect((performance.now() - started) / 20).toBeLessThan(20);
    expect(findApp(demo, 'tiktok'.padEnd(5 * MAX_NAME_LENGTH + 1, '\u200B'))).toBeUndefined();
  });

  it('a name at the limit is looked up; one character more is refused', async () => {
    const { say } = botOn('demo.yaml', at);
    expect((await say('pierre', `check ${'a'.repeat(MAX_NAME_LENGTH)}`)).text).toMatch(/I don't know an app called/);
    const over = await say('pierre', `check ${'a'.repeat(MAX_NAME_LENGTH + 1)}`);
    expect(over).toMatchObject({ ok: false, code: 'name_too_long', effects: [] });
    expect(over.text).toBe(
      `That name is 201 characters long (counted after Unicode normalisation, which spells out some characters, e.g. ﷺ as 18); app names and ids are at most 200.`,
    );
  });

  it('counts after NFKC: twelve ﷺ are 216 characters, refused in the person’s language, and nothing is stored', async () => {
    const { say, store } = botOn('jp-2021-line.yaml', '2021-03-22T09:00:00+09:00');
    const name = '\uFDFA'.repeat(12);
    for (const text of [
      `check ${name}`,
      `request ${name} --purpose public-communications --reason "x"`,
      `attest ${name}`,
      `accounts --app ${name}`,
    ]) {
      const r = await say('suzuki.kenta', text);
      expect(r, text).toMatchObject({ ok: false, code: 'name_too_long', effects: [] });
      expect(r.text, text).toBe(
        '名前が216文字あります（Unicode正規化後の文字数。ﷺ のように1文字が18文字に展開されるものがあります）。アプリ名やIDは200文字以内にしてください。',
      );
    }
    expect(store.list('requests')).toEqual([]);
    expect(store.list('attestations')).toEqual([]);
    expect((await say('emily.clark', `check ${name}`)).text).toMatch(/^That name is 216 characters long/);
  });

  it('caps the whole command text after NFKC too, with its own message', async () => {
    const { say } = botOn('demo.yaml', at);
    const r = await say('pierre', `check tiktok --device ${'\uFDFA'.repeat(1_200)}`);
    expect(r).toMatchObject({ ok: false, code: 'text_too_long' });
    expect(r.text).toMatch(
      /^That is 21,6\d\d characters long once Unicode normalisation spells it out \(e\.g\. ﷺ as 18\); keep it under 20,000\./,
    );
  });
});

describe('BoundedMap', () => {
  it('holds at most maxEntries entries: the older half goes whole when the newer half is full', () => {
    const m = new BoundedMap<string>(4, 1_000, (v) => v.length);
    for (const k of ['a', 'b', 'c', 'd', 'e']) m.set(k, k.toUpperCase());
    expect(m.size).toBeLessThanOrEqual(4);
    expect(m.chars).toBe(6);
    expect([m.get('a'), m.get('b'), m.get('c'), m.get('d'), m.get('e')]).toEqual([undefined, undefined, 'C', 'D', 'E']);
    expect(m.size).toBeLessThanOrEqual(4); // reading from the older half carries an entry over, within the bounds
  });

  it('holds at most maxChars characters of keys and values, and never an entry larger than half of that', () => {
    const m = new BoundedMap<string>(1_000, 16, (v) => v.length);
    for (const k of ['ab', 'cd', 'ef', 'gh', 'ij']) m.set(k, k.toUpperCase());
    expect(m.chars).toBeLessThanOrEqual(16);
    expect(m.get('ij')).toBe('IJ');
    m.set('x'.repeat(9), '');
    expect(m.get('x'.repeat(9))).toBeUndefined();
  });

  it('replacing a value counts it once', () => {
    const m = new BoundedMap<string>(10, 100, (v) => v.length);
    m.set('k', 'one');
    m.set('k', 'three');
    expect(m.size).toBe(1);
    expect(m.chars).toBe(6);
  });

  it('a flood of 200,000 distinct names leaves it within its bounds, and a name read now and then survives it', () => {
    const m = new BoundedMap<string | null>(50_000, 2_000_000, (v) => v?.length ?? 0);
    m.set('tiktok', 'tiktok');
    m.set('unknown', null);
    let most = 0;
    for (let i = 0; i < 200_000; i++) {
      m.set(`name ${i} `.padEnd(60, 'x'), 'k'.repeat(60));
      if (i % 2_000 === 0) expect([m.get('tiktok'), m.get('unknown')]).toEqual(['tiktok', null]);
      most = Math.max(most, m.chars);
      expect(m.size).toBeLessThanOrEqual(50_000);
    }
    expect(most).toBeLessThanOrEqual(2_000_000);
    expect(m.get('tiktok')).toBe('tiktok');
  });
});
