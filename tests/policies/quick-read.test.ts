// The quick reader (src/core/quick-yaml.ts) reads valid policies; the careful one (policy-text.ts)
// every file with a problem. Whatever the quick one reads, the careful one reads alike; whatever it
// declines, or whatever fails validation, gets the careful reader's answer, line and column included.
import { describe, expect, it } from 'vitest';
import { parseEvents } from 'js-yaml';
import { Lexer, stringify } from 'yaml';
import { generatedPolicy } from '../../bench/lib/policy-gen.ts';
import { POLICY_LIMITS } from '../../src/core/policy.ts';
import { formatIssues, parsePolicyText, parsePolicyTextCarefully, readYaml } from '../../src/core/policy-text.ts';
import { QUICK_DEPTH, quickRead, tokenBound } from '../../src/core/quick-yaml.ts';
import { packFiles, readPack } from './helpers.ts';

const ORG = 'organization: { name: Quick, timezone: Europe/Brussels, default_unit: org }\nunits: [ { id: org, name: Organisation } ]\n';

/** Problem lines of a document that is refused, as `policy validate` prints them. */
function problems(text: string): string {
  const r = parsePolicyText(text);
  if (r.ok) throw new Error('the document was accepted');
  return formatIssues(r.issues);
}

/** The careful reader's plain data for a document it reads without a problem. */
function carefulValue(text: string): unknown {
  const r = readYaml(text);
  if (!r.ok || r.value.problems.length) throw new Error(`the careful reader found problems: ${JSON.stringify(r)}`);
  return r.value.value;
}

/**
 * Both ways, for a document the quick reader reads: the same data, to the key and the type. And the
 * bound the quick reader counts tokens by is never under the careful reader's count.
 */
function readsAlike(text: string): unknown {
  const quick = quickRead(text);
  if (!quick.ok) throw new Error(`declined: ${quick.declined}`);
  expect(quick.value).toStrictEqual(carefulValue(text));
  let tokens = 0;
  for (const _ of new Lexer().lex(text)) tokens++;
  expect(tokenBound(text, parseEvents(text, {}))).toBeGreaterThanOrEqual(tokens);
  return quick.value;
}

describe('the quick reader', () => {
  it.each(packFiles())('reads %s as the careful reader does, and the policy validates alike', (file) => {
    const text = readPack(file);
    readsAlike(text);
    expect(parsePolicyText(text)).toStrictEqual(parsePolicyTextCarefully(text));
    // The same pack as JSON (YAML's subset), and in flow style on one line per entry.
    const value = carefulValue(text);
    expect(readsAlike(JSON.stringify(value, null, 2))).toStrictEqual(value);
  });

  it.each([
    ['PLAIN', 'block'],
    ['QUOTE_DOUBLE', 'flow'],
    ['QUOTE_SINGLE', 'block'],
    ['BLOCK_LITERAL', 'block'],
    ['BLOCK_FOLDED', 'flow'],
  ] as const)('reads a generated catalogue written with %s strings in %s style as the careful reader does', (strings, style) => {
    const policy = generatedPolicy({ units: 40, apps: 300, rules: 60, people: 100, categories: 12 });
    const text = stringify(policy, {
      defaultStringType: strings,
      defaultKeyType: 'PLAIN',
      collectionStyle: style,
      lineWidth: 60,
      aliasDuplicateObjects: false,
    });
    readsAlike(text);
    expect(parsePolicyText(text)).toStrictEqual(parsePolicyTextCarefully(text));
  });

  it('resolves plain scalars by the core schema, and reads every other style as the careful reader does', () => {
    const value = readsAlike(
      [
        'ints: [0, -12, +7, 0o17, 0x1F, 007, 1_000]',
        'floats: [1.5, -.5, 1e3, 2.5E-2, .inf, -.Inf, +.INF]',
        'nulls: [~, null, Null, NULL, ]',
        'empty:',
        'bools: [true, True, TRUE, false, False, FALSE, yes, no, on, off]',
        'dates: [2026-03-15, 2026-03-15T09:00:00Z]',
        'quoted: ["tab\\there", "\\u00e9\\x41", \'it\'\'s\', "multi',
        '  line"]',
        'plain: this is',
        '  folded  over',
        '',
        '  two lines',
        'literal: |',
        '  keep',
        '    indented',
        '',
        'folded: >-',
        '  one',
        '  two',
        '',
        '  three',
        'kept: |+',
        '  end',
        '',
        '"quoted key": 1',
        '1: one',
        'true: yes',
        '~: nothing',
        '? explicit',
        ': key',
        'toString: own property',
        'hasOwnProperty: too',
        'japanese: ティックトック',
        'url: https://example.org/a#b',
        'comment: value # a comment',
        'flow: { a: [1, { b: c }], "d": e, f: }',
        'colon: a:b',
        '',
      ].join('\n'),
    );
    expect(value).toMatchObject({
      ints: [0, -12, 7, 15, 31, 7, '1_000'],
      bools: [true, true, true, false, false, false, 'yes', 'no', 'on', 'off'],
    });
    expect(Object.hasOwn(value as object, 'toString')).toBe(true);
    // Windows line ends and a byte-order mark read alike too.
    readsAlike(`\uFEFF${ORG.replaceAll('\n', '\r\n')}`);
  });

  it('declines what the careful reader refuses or could read otherwise, which then answers with its line and column', () => {
    const keys = Array.from({ length: POLICY_LIMITS.keysPerMap + 1 }, (_, i) => `  k${i}: 1`).join('\n');
    const nested = (depth: number) => `${ORG}x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const cases: [string, string][] = [
      [`${ORG}x: &a 1\ny: *a\n`, 'an anchor or a tag'],
      [`${ORG}x: *nowhere\n`, 'an alias'],
      [`${ORG}apps: [ { id: a, name: !!str 835599320 } ]\n`, 'an anchor or a tag'],
      [`%YAML 1.2\n---\n${ORG}`, 'directives'],
      [`${ORG}---\nfoo: 1\n`, 'more than one document'],
      [ORG.replace('name: Quick,', 'name: Quick, name: Twice,'), 'a duplicate key'],
      [`${ORG}x:\n${keys}\n`, 'too many keys'],
      [`${ORG}[a]: b\n`, 'a collection as a key'],
      [`${ORG}${'k'.repeat(1_100)}: v\n`, 'a long key'],
      [nested(QUICK_DEPTH + 1), 'not plain YAML'],
      [`${ORG}x: [\n`, 'not plain YAML'],
      [`${ORG}dash: - not a list\n`, 'not plain YAML'],
      ['# nothing but a comment\n', 'no document'],
    ];
    for (const [text, why] of cases) {
      expect(quickRead(text), text.slice(0, 200)).toEqual({ ok: false, declined: why });
      expect(parsePolicyText(text)).toStrictEqual(parsePolicyTextCarefully(text));
    }
    expect(problems(cases[5]![0])).toBe('✖ duplicate key "name" → at line 1, column 30');
    // As deep as the quick reader goes, the careful parser is far inside its own limit.
    expect(quickRead(nested(QUICK_DEPTH - 1)).ok).toBe(true);
    expect(readYaml(nested(QUICK_DEPTH - 1))).toMatchObject({ ok: true, value: { problems: [] } });
  });

  it('counts tokens as the careful reader does: a file past the limit is refused, not read', () => {
    const many = `${ORG}x: [${'a,'.repeat(POLICY_LIMITS.yamlTokens / 3)}a]\n`;
    expect(quickRead(many)).toEqual({ ok: false, declined: 'too many tokens' });
    expect(problems(many)).toMatch(/^✖ more than 1000000 YAML tokens → at line 3/);
  });

  it('a policy the quick reader reads but that does not validate gets the careful answer: the same problems, by path', () => {
    const pack = readPack('ec-2023-tiktok.yaml');
    const broken = pack.replace(/deadline: 2023-03-15/, 'deadline: 2023-02-30').replace(/effect: prohibit/, 'effect: forbid');
    expect(quickRead(broken).ok).toBe(true);
    const r = parsePolicyText(broken);
    expect(r.ok).toBe(false);
    expect(r).toStrictEqual(parsePolicyTextCarefully(broken));
    expect(formatIssues(r.ok ? [] : r.issues)).toMatch(/→ at rules\[0\]\.effect/);
  });
});
