// Every refusal code has words in every locale: none falls through to showing the code itself, and no
// validator's own (zod's, English) text reaches a person. The list is closed (REFUSAL_CODES), and every
// code the commands and the core refuse with is on it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inputFields, validate } from '../../commands/entry/inputs.ts';
import { describeRefusal, REFUSAL_CODES, type RefusalCode } from '../../commands/shared/refusals.ts';
import { wording, type Wording } from '../../commands/wording/wording.ts';
import { LOCALES } from '../../src/core/policy.ts';
import { botOn, loadPack } from '../support/bot.ts';
import { ROOT as ROOT_DIR } from '../support/cli.ts';

const AT: Record<string, string> = {
  'demo.yaml': '2026-10-05T08:00:00Z',
  'jp-2021-line.yaml': '2021-03-22T01:00:00Z',
  'jp-2020-tiktok-accounts.yaml': '2020-08-03T01:00:00Z',
};

/** The data each refusal comes with where it is made (the rest of the sentence). */
const dataFor = (m: Wording): Partial<Record<RefusalCode, Record<string, unknown>>> => ({
  unknown_command: { word: 'chek', commands: ['check', 'request'], suggestions: ['check'] },
  unknown_flag: { flag: '--colour', known: ['device', 'data'] },
  missing_value: { flag: 'days' },
  repeated_flag: { flag: 'days' },
  text_too_long: { max: 20000 },
  name_too_long: { length: 300, max: 200 },
  unexpected_text: { text: 'extra words' },
  invalid_input: { messages: [m.t('errors.badDays', { value: 'soon' })] },
  invalid_answer: { messages: [m.t('errors.badYesNo', { value: 'maybe' })] },
  missing_purpose: { purposes: ['public-communications'] },
  bad_date: { value: '2026-02-30' },
  bad_statement: { statement: 'removed-work-apps', rules: ['omb-m-23-13'] },
  bad_report_kind: { value: 'everything' },
  bad_census_verb: { value: 'begin' },
  bad_account_change: { value: 'delete x' },
  too_many_uses: { given: 6, max: 5 },
  which_unit: { units: ['demo/comms', 'demo/it'] },
  not_admin: { command: 'census start' },
  not_account_approver: { account: 'saitama-kanko-tiktok' },
  not_a_reporter: { anyUnit: true, census: 'CN-1', ownUnit: 'Communications', censusUnit: 'Communications', reporters: ['Akiko Sato'] },
  not_subject: { rule: 'demo-tiktok' },
  unknown_app: { suggestions: ['TikTok'] },
  unknown_rule: { rule: 'no-such-rule' },
  unknown_census: { census: 'CN-9' },
  unknown_account: { account: 'no-such-account' },
  unknown_units: { units: ['demo/nowhere'] },
  unit_not_in_census: { unit: 'demo/it', unitName: 'IT and Security', census: 'CN-1' },
  already_requested: { request: 'EX-1', status: 'requested' },
  no_exceptions: { rules: ['demo-tiktok'] },
  purpose_not_allowed: { purpose: 'outreach', purposes: ['public-communications'] },
  days_too_few: { days: '0' },
  over_max_days: { days: 365, max: 180 },
  reason_too_long: { length: 10240, max: 1000 },
  already_decided: { status: 'approved', by: 'Akiko Sato', at: '2026-10-05 10:00 (Central European Summer Time)' },
  rules_changed: { rule: 'demo-recreational' },
  not_active: { status: 'withdrawn' },
  nothing_to_attest: { app: 'LINE' },
  account_status: { account: 'saitama-pr-tiktok', status: 'suspended', statusWord: 'suspended' },
  due_in_past: { due: '2021-03-01' },
  census_closed: { due: '2021-03-26' },
});
const SUBJECT = { command: 'request', app: 'TikTok', id: 'EX-1', purpose: 'outreach' };
const ZOD_TEXT =
  /Invalid input|expected (string|number|one of)|received (undefined|Infinity|NaN|number|object)|Too (big|small)|Invalid (string|option)/;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9faf]/;

describe('every refusal code has words, in every locale', () => {
  it('the list is closed and has no duplicates', () => {
    expect(new Set(REFUSAL_CODES).size).toBe(REFUSAL_CODES.length);
  });

  for (const locale of LOCALES) {
    it.each([...REFUSAL_CODES])(`${locale}: %s`, (code) => {
      const lines = describeRefusal({ code, data: dataFor(wording(locale))[code] ?? {} }, wording(locale), SUBJECT);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.trim()).not.toBe('');
        expect(line).not.toBe(code);
        // A listed code has words of its own in this catalogue, not the words for a code no one listed.
        expect(line).not.toBe(wording(locale).t('errors.refusedOther'));
        expect(line).not.toMatch(new RegExp(`^${code}$|\\b${code}\\b`));
        expect(line).not.toMatch(ZOD_TEXT);
        expect(line).not.toMatch(/undefined|NaN|\[object/);
        if (locale === 'ja') expect(line).toMatch(JAPANESE);
      }
    });
  }

  it('a code no one listed still gets a sentence, never the code', () => {
    for (const locale of LOCALES)
      expect(describeRefusal({ code: 'not_a_real_code' }, wording(locale), SUBJECT).join('')).not.toMatch(/not_a_real_code/);
  });

  it('every code the commands and the core refuse with is on the list', () => {
    const found = new Set<string>();
    // In the core every refusal is made by refuse('code', …); in the commands also by refused('code', …)
    // and by a refusal value { code: '…' } handed to refusal().
    const pattern = { core: /\brefuse\(\s*'([a-z_]+)'/g, commands: /\b(?:refuse|refused)\(\s*'([a-z_]+)'|\{ code: '([a-z_]+)'/g };
    const walk = (dir: string, re: RegExp) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path, re);
        else if (entry.name.endsWith('.ts')) for (const match of readFileSync(path, 'utf8').matchAll(re)) found.add(match[1] ?? match[2]!);
      }
    };
    walk(join(ROOT_DIR, 'commands'), pattern.commands);
    walk(join(ROOT_DIR, 'src/core'), pattern.core);
    found.delete('duplicate'); // a delivery handled before: an ok outcome, not a refusal
    found.delete('custom'); // zod's own issue code, inside a field's schema (its message is ours)
    const listed: readonly string[] = REFUSAL_CODES;
    expect([...found].filter((c) => !listed.includes(c)).sort()).toEqual([]);
    expect(found.size).toBeGreaterThan(40);
  });
});

describe('no validator text reaches a person', () => {
  it("every typed field, given nothing, a number, an object, Infinity or 400 digits, answers in the person's words", () => {
    for (const locale of LOCALES) {
      const m = wording(locale);
      const fields = inputFields(loadPack('demo.yaml'), m);
      for (const [name, schema] of Object.entries(fields)) {
        for (const value of [undefined, 42, {}, [], Infinity, '9'.repeat(400), '', '   ', 'nonsense']) {
          const r = validate(z.object({ [name]: schema }), { [name]: value }, m);
          if (r.ok) continue;
          for (const line of describeRefusal(r, m, SUBJECT)) {
            expect(line, `${locale} ${name}=${String(value)}`).not.toMatch(ZOD_TEXT);
            if (locale === 'ja') expect(line).toMatch(JAPANESE);
          }
        }
      }
    }
  });

  it.each([
    ['demo.yaml', 'pierre', 'request Candy Crush --purpose public-communications --days 1e3 --reason x'],
    ['demo.yaml', 'pierre', 'request Candy Crush --purpose public-communications --days -5 --reason x'],
    ['jp-2020-tiktok-accounts.yaml', 'ito.takeshi', 'account suspend saitama-kanko-tiktok'],
    ['jp-2021-line.yaml', 'suzuki.kenta', `request LINE --purpose public-communications --days ${'9'.repeat(400)} --reason 広報`],
    ['jp-2021-line.yaml', 'suzuki.kenta', 'attest LINE --statement gone'],
    ['jp-2021-line.yaml', 'sato.akiko', 'deny EX-1 --reason "   "'],
  ])('%s: %s', async (pack, person, text) => {
    const { say } = botOn(pack, AT[pack]!);
    const r = await say(person, text);
    expect(r.ok).toBe(false);
    expect(r.text).not.toMatch(ZOD_TEXT);
    expect(r.text).not.toBe(r.code);
  });
});
