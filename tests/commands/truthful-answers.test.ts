// Issue 13, "Answers that mislead": each answer a tester found misleading, replaced by a true one, in
// English (demo and the other packs) and in Japanese (policies/jp-2021-line.yaml, jp-2020-tiktok-accounts).
import { describe, expect, it } from 'vitest';
import { attestFromReminder } from '../../commands/compliance/attest.ts';
import { applyTransition, refusalFor } from '../../commands/requests/decide-request.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import { decide } from '../../src/core/decide.ts';
import { describeDecision } from '../../commands/checking/decision-words.ts';
import { wording } from '../../commands/wording/wording.ts';
import type { Policy } from '../../src/core/policy.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import type { Store } from '../../src/core/store.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { botOn, loadPack, testClock } from '../support/bot.ts';
import { cli, tempDir } from '../support/cli.ts';

const DEMO_AT = '2026-10-05T08:00:00Z';
const JP_AT = '2021-03-22T01:00:00Z';
const SAITAMA_AT = '2020-08-03T01:00:00Z';
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9faf]/;
/** What zod writes when a schema was left without our words. */
const VALIDATOR_TEXT = /Invalid input|expected (string|number)|received (undefined|Infinity|NaN)|Too (big|small)/;

/** A bot on a pack changed by `edit` (a clone: the pack itself is untouched). */
function botWith(pack: string, at: string, edit: (p: Policy) => void, store: Store = createMemoryStore()) {
  const policy = structuredClone(loadPack(pack));
  edit(policy);
  const clock = testClock(at);
  const bot = createAppWarden({ policy, store, now: clock.now, log: () => {} });
  const say = async (person: string, text: string) => {
    const result = await bot.run(text, person, 'test');
    return { ...result, text: replyText(result.reply) };
  };
  return { bot, clock, store, say };
}

async function auditCount(store: Store) {
  let n = 0;
  for await (const _ of store.readAudit()) n++;
  return n;
}

/** The LINE rule of a pack, to change its terms. */
const lineRule = (p: Policy) => p.rules.find((r) => r.apps?.includes('line') && r.data)!;

describe('a data class or purpose the policy does not know is refused, with the known ones listed', () => {
  it.each([
    [
      'demo.yaml',
      DEMO_AT,
      'pierre',
      'check LINE --data pii',
      /“pii” is not a data class this policy knows\. Known: personal data \(personal-data\), public information \(public\)\./,
    ],
    [
      'demo.yaml',
      DEMO_AT,
      'pierre',
      'check LINE --purpose outreach',
      /“outreach” is not a purpose this policy knows\. Known: public communications \(public-communications\)\./,
    ],
    [
      'us-omb-m-23-13.yaml',
      '2023-03-01T15:00:00Z',
      'tyler.brooks',
      'check TikTok --purpose fun',
      /“fun” is not a purpose this policy knows\. Known: law enforcement \(law-enforcement\), national security \(national-security\), security research \(security-research\)\./,
    ],
    [
      'jp-2021-line.yaml',
      JP_AT,
      'suzuki.kenta',
      'check LINE --data pii',
      /「pii」はこのポリシーにない情報区分です。指定できる区分：個人情報（personal-data）、公開情報（public-information）/,
    ],
    [
      'jp-2021-line.yaml',
      JP_AT,
      'suzuki.kenta',
      'check LINE --purpose 広報',
      /「広報」はこのポリシーにない目的です。指定できる目的：広報（public-communications）/,
    ],
  ])('%s: %s', async (pack, at, person, text, message) => {
    const { say } = botOn(pack, at);
    const r = await say(person, text);
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(message);
    expect(r.text).not.toMatch(/allowed|No rule|利用できます/);
  });

  it('the engine itself never reads an unknown data class as "outside the rule": the restriction stands, and it says the class is unknown', () => {
    const demo = loadPack('demo.yaml');
    const d = decide({ app: 'LINE', person: 'pierre', device: 'corporate', data: 'pii', at: DEMO_AT }, demo, { requests: [] });
    expect(d.verdict).toBe('restricted');
    expect(d.rules.map((r) => r.id)).toEqual(['demo-line-personal-data']);
    expect(d.reasons).toContainEqual({ code: 'unknown_data_class', data: { data: 'pii', known: ['personal-data', 'public'] } });
    const x = describeDecision(d, demo.organization, wording('en'));
    expect(x.headline).toBe('LINE is restricted on a work device: allowed, but not for personal-data.');
    expect(x.reasons).toContain(
      '“pii” is not a data class this policy knows (it knows: personal-data, public), so every data restriction is shown.',
    );
    expect(x.reasons).not.toContain('No rule of your organisation covers it.');
    const jp = loadPack('jp-2021-line.yaml');
    const j = describeDecision(
      decide({ app: 'LINE', person: 'suzuki.kenta', device: 'corporate', data: 'pii', at: JP_AT }, jp, { requests: [] }),
      jp.organization,
      wording('ja'),
    );
    expect(j.headline).toMatch(/LINEは業務用端末での利用に制限があります/);
    expect(j.reasons.join('\n')).toMatch(/「pii」はこのポリシーにない情報区分のため/);
  });
});

describe('a data-use rule (rules[].data) never asks to remove the app or to attest', () => {
  // LINE, not for personal data, with no exceptions and a deadline: the answer that used to say "attest LINE".
  const closed = (p: Policy) => {
    const rule = lineRule(p);
    rule.exceptions = 'none';
    rule.deadline = rule.effective;
  };

  it('English (demo): the headline, the deadline and the next step are about not using it for personal data', async () => {
    const { say } = botWith('demo.yaml', DEMO_AT, closed);
    const r = await say('pierre', 'check LINE --data personal-data');
    expect(r.ok).toBe(true);
    expect(r.text).toMatch(
      /^LINE is prohibited on a work device for personal data: it may stay installed, but must not be used for that\./,
    );
    expect(r.text).toMatch(
      /Since the end of Thursday 1 October 2026 \(Central European Summer Time\), it must not be used for personal data\./,
    );
    expect(r.text).toMatch(/Do not use LINE for personal data\. Nothing needs to be removed, and there is nothing to attest\.$/);
    expect(r.text).not.toMatch(/attest LINE|Once it is removed|remove it by/);
    const restricted = await say('pierre', 'check LINE');
    expect(restricted.text).toMatch(/^LINE is restricted on a work device: allowed, but not for personal data\./);
    expect(restricted.text).not.toMatch(/attest LINE|Once it is removed|remove it by/);
    // And what the answer points to agrees: there is nothing to attest.
    expect((await say('pierre', 'attest LINE')).text).toBe('No rule asks you to remove LINE, so there is nothing to attest.');
  });

  it('English (demo), with its exception open: it points to a request, never to attest', async () => {
    const { say } = botOn('demo.yaml', DEMO_AT);
    const r = await say('pierre', 'check LINE --data personal-data');
    expect(r.text).toMatch(/^LINE is prohibited on a work device for personal data: it may stay installed/);
    expect(r.text).toMatch(/To ask for an exception: request LINE --purpose public-communications --reason "…"$/);
    expect(r.text).not.toMatch(/attest/);
  });

  it('Japanese (jp-2021-line)', async () => {
    const { say } = botWith('jp-2021-line.yaml', JP_AT, closed);
    const r = await say('suzuki.kenta', 'check LINE --data personal-data');
    expect(r.text).toMatch(/^LINEは、業務用端末では個人情報を取り扱う業務には使用できません（アプリを入れておくことはできます）。/);
    expect(r.text).toMatch(/2021年3月19日（金）中（日本標準時）の期限を過ぎたため、個人情報を取り扱う業務には使用できません。/);
    expect(r.text).toMatch(/個人情報を取り扱う業務にはLINEを使用しないでください。アプリを削除する必要はなく、削除の報告も不要です。$/);
    expect(r.text).not.toMatch(/attest LINE|削除してください|利用が禁止されています/);
    expect((await say('suzuki.kenta', 'attest LINE')).text).toBe('LINEの削除を求めるルールはないため、報告は不要です。');
  });

  it('a removal rule still asks for the attestation (EC pack)', async () => {
    const { say } = botOn('ec-2023-tiktok.yaml', '2023-03-01T09:00:00Z');
    const r = await say('pierre.dubois', 'check TikTok');
    expect(r.text).toMatch(/Once it is removed, say so: attest TikTok/);
  });
});

describe('"I removed the work apps instead" counts only under a rule that offers it, on every path', () => {
  it('English (US OMB: TikTok, no such way out): the typed command is refused and nothing is recorded', async () => {
    const { say, store } = botOn('us-omb-m-23-13.yaml', '2023-03-01T15:00:00Z');
    const r = await say('tyler.brooks', 'attest TikTok --statement removed-work-apps');
    expect(r.ok).toBe(false);
    expect(r.code).toBe('bad_statement');
    expect(r.text).toMatch(
      /^“removed-work-apps” does not count under omb-m-23-13: the rule does not offer removing the work apps instead\. Remove the app and say: --statement removed \(or never-installed\)\.$/,
    );
    expect(store.count('attestations')).toBe(0);
    expect(await auditCount(store)).toBe(0);
    // What reports count is what was recorded: nothing, so the person is still not attested.
    expect((await say('tyler.brooks', 'attest TikTok')).ok).toBe(true);
    expect(store.list('attestations').map((a) => a.statement)).toEqual(['removed']);
  });

  it('the reminder button and the typed command give the same refusal (demo: the recreational ban offers no such way out)', async () => {
    const { bot, say, store } = botOn('demo.yaml', DEMO_AT);
    const typed = await say('pierre', 'attest Candy Crush --statement removed-work-apps');
    const button = await attestFromReminder('demo-recreational', 'removed-work-apps', bot.contextFor('pierre', 'test'));
    expect([typed.code, button.code]).toEqual(['bad_statement', 'bad_statement']);
    expect(replyText(button.reply)).toBe(typed.text);
    expect(store.count('attestations')).toBe(0);
    // TikTok is under the TikTok ban, which offers it, and the recreational ban, which does not: refused, naming the latter.
    expect((await say('pierre', 'attest TikTok --statement removed-work-apps')).text).toMatch(
      /^“removed-work-apps” does not count under demo-recreational:/,
    );
    expect(store.count('attestations')).toBe(0);
  });

  it("where every rule offers it (the Commission's TikTok ban), it is recorded", async () => {
    const { say, store } = botOn('ec-2023-tiktok.yaml', '2023-03-01T09:00:00Z');
    expect((await say('pierre.dubois', 'attest TikTok --statement removed-work-apps')).ok).toBe(true);
    expect(store.list('attestations').map((a) => [a.rule, a.statement])).toEqual([['ec-2023-tiktok', 'removed-work-apps']]);
  });

  it('Japanese (Saitama: the TikTok suspension offers no such way out)', async () => {
    const { say, store } = botOn('jp-2020-tiktok-accounts.yaml', SAITAMA_AT);
    const r = await say('kobayashi.mai', 'attest TikTok --statement removed-work-apps');
    expect(r.ok).toBe(false);
    expect(r.text).toMatch(
      /^saitama-2020-tiktok-suspendedでは「removed-work-apps」は認められません（業務アプリの削除で代えることはできません）。/,
    );
    expect(store.count('attestations')).toBe(0);
  });
});

describe('a rule with no exceptions says so, whatever purpose is typed', () => {
  it.each([
    'request TikTok --purpose outreach --reason x',
    'request TikTok --purpose public-communications --reason x',
    'request TikTok',
    'request TikTok --purpose outreach --days 0',
  ])('English (demo): %s', async (text) => {
    const { say, store } = botOn('demo.yaml', DEMO_AT);
    const r = await say('pierre', text);
    expect(r.code).toBe('no_exceptions');
    expect(r.text).toBe('TikTok allows no exceptions (demo-tiktok).');
    expect(store.count('requests')).toBe(0);
  });

  it.each(['request LINE --purpose outreach --reason 広報', 'request LINE --purpose public-communications --reason 広報', 'request LINE'])(
    'Japanese (LINE closed to exceptions): %s',
    async (text) => {
      const { say, store } = botWith('jp-2021-line.yaml', JP_AT, (p) => void (lineRule(p).exceptions = 'none'));
      const r = await say('suzuki.kenta', text);
      expect(r.code).toBe('no_exceptions');
      expect(r.text).toBe('LINEについては例外は認められていません（jp-2021-line-personal-data）。');
      expect(store.count('requests')).toBe(0);
    },
  );

  it('an app that needs no exception says so before a bad purpose (demo: Signal is allowed)', async () => {
    const { say } = botOn('demo.yaml', DEMO_AT);
    expect((await say('pierre', 'request Signal --purpose outreach --reason x')).text).toBe(
      'Signal is not prohibited for you, so no exception is needed.',
    );
  });
});

describe('a denial needs a reason unless the rule says deny_reason: optional', () => {
  const filed = async (say: (p: string, t: string) => Promise<{ ok: boolean; text: string }>, person: string, text: string) => {
    const r = await say(person, text);
    expect(r.ok, r.text).toBe(true);
  };

  it('English (demo): deny without a reason is refused and changes nothing; with one it is denied', async () => {
    const { say, store } = botOn('demo.yaml', DEMO_AT);
    await filed(say, 'pierre', 'request Candy Crush --purpose public-communications --reason "press office"');
    const before = await auditCount(store);
    const r = await say('akiko', 'deny EX-1');
    expect(r.ok).toBe(false);
    expect(r.code).toBe('reason_missing');
    expect(r.text).toBe('Denying EX-1 needs a reason, which the requester will see: deny EX-1 --reason "…"');
    expect(r.effects).toEqual([]);
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
    expect(await auditCount(store)).toBe(before);
    const denied = await say('akiko', 'deny EX-1 --reason "Use the agency account"');
    expect(denied.ok).toBe(true);
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decisionReason: 'Use the agency account' });
  });

  it('every path agrees: a card or form submitted without a reason is refused by the same check, and the Deny button still opens its form', async () => {
    const { bot, say, store } = botOn('demo.yaml', DEMO_AT);
    await filed(say, 'pierre', 'request Candy Crush --purpose public-communications --reason "press office"');
    const ctx = bot.contextFor('akiko', 'test');
    expect(refusalFor('deny', 'EX-1', ctx)).toBeUndefined();
    for (const reason of [undefined, '', '   ']) {
      const r = await applyTransition('deny', 'EX-1', reason, ctx);
      expect(r.code).toBe('reason_missing');
    }
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
    // Who may comes first: a non-approver is told that, not that a reason is missing.
    expect((await applyTransition('deny', 'EX-1', undefined, bot.contextFor('sam', 'test'))).code).toBe('not_an_approver');
  });

  it('deny_reason: optional lets a denial go without one (told to the requester as such)', async () => {
    const { say, store } = botWith('demo.yaml', DEMO_AT, (p) => {
      const rule = p.rules.find((r) => r.id === 'demo-recreational')!;
      if (rule.exceptions !== 'none') rule.exceptions.deny_reason = 'optional';
    });
    await filed(say, 'pierre', 'request Candy Crush --purpose public-communications --reason "press office"');
    const r = await say('akiko', 'deny EX-1');
    expect(r.ok).toBe(true);
    expect(store.get('requests', 'EX-1')?.status).toBe('denied');
  });

  it('the policy file takes deny_reason: required | optional, and nothing else', () => {
    const text = (value: string) => `organization: { name: T, timezone: UTC, default_unit: t }
units: [ { id: t, name: T } ]
apps: [ { id: a, name: A } ]
rules:
  - { id: r, title: R, source: S, unit: t, apps: [a], effect: prohibit, effective: 2026-01-01,
      exceptions: { purposes: [p], max_days: 10, deny_reason: ${value} } }
`;
    for (const ok of ['required', 'optional']) expect(parsePolicyText(text(ok)).ok).toBe(true);
    const bad = parsePolicyText(text('sometimes'));
    expect(bad.ok).toBe(false);
  });

  it('Japanese (jp-2021-line)', async () => {
    const { say, store } = botOn('jp-2021-line.yaml', JP_AT);
    await filed(say, 'suzuki.kenta', 'request LINE --purpose public-communications --reason "広報の一斉配信"');
    const r = await say('sato.akiko', 'deny EX-1');
    expect(r.ok).toBe(false);
    expect(r.text).toBe('EX-1を却下するには理由が必要です（申請者に表示されます）：deny EX-1 --reason "…"');
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
  });
});

describe('withdraw after approval points to revoke, without nested brackets', () => {
  const nested = /[(（][^)）]*[(（]/;

  it('English (demo)', async () => {
    const { say } = botOn('demo.yaml', DEMO_AT);
    await say('pierre', 'request Candy Crush --purpose public-communications --reason "press office"');
    await say('akiko', 'approve EX-1');
    const r = await say('pierre', 'withdraw EX-1');
    expect(r.ok).toBe(false);
    expect(r.text).toBe(
      'EX-1 was approved by Akiko Sato, 2026-10-05 10:00 (Central European Summer Time), so it can no longer be withdrawn. To end the exception early, ask an approver: revoke EX-1',
    );
    expect(r.text).not.toMatch(nested);
    // A second decision on it is told who decided, without nested brackets either.
    expect((await say('akiko', 'approve EX-1')).text).toBe(
      'EX-1 was already approved by Akiko Sato, 2026-10-05 10:00 (Central European Summer Time).',
    );
  });

  it('Japanese (jp-2021-line)', async () => {
    const { say } = botOn('jp-2021-line.yaml', JP_AT);
    await say('suzuki.kenta', 'request LINE --purpose public-communications --reason "広報"');
    await say('sato.akiko', 'approve EX-1');
    const r = await say('suzuki.kenta', 'withdraw EX-1');
    expect(r.text).toBe(
      'EX-1は2021-03-22 10:00（日本標準時）に佐藤 明子さんが承認済みのため、取り下げできません。例外承認を早めに終わらせるには、承認者に取り消しを依頼してください：revoke EX-1',
    );
    expect(r.text).not.toMatch(nested);
    expect((await say('sato.akiko', 'approve EX-1')).text).not.toMatch(nested);
  });
});

describe('report refused to staff names everyone who may use it', () => {
  it('English and Japanese; an admin may', async () => {
    const demo = botOn('demo.yaml', DEMO_AT);
    expect((await demo.say('pierre', 'report compliance')).text).toBe('Only approvers and admins can use report.');
    expect((await demo.say('olivia', 'report exceptions')).ok).toBe(true); // olivia is an admin, not an approver
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    expect((await jp.say('suzuki.kenta', 'report compliance')).text).toBe('report は承認者と管理者のみ使用できます。');
  });
});

describe("account suspend: who may comes first, then a specific message, never the validator's", () => {
  it('Japanese (Saitama): staff without --reason are told they may not; an admin without --reason is asked for one', async () => {
    const { say, store } = botOn('jp-2020-tiktok-accounts.yaml', SAITAMA_AT);
    const staff = await say('kobayashi.mai', 'account suspend saitama-kanko-tiktok');
    expect(staff.code).toBe('not_account_approver');
    expect(staff.text).toBe(
      'saitama-kanko-tiktokを変更する権限がありません。変更できるのは、管理者と、アカウントの所属部署（またはその上位部署）の承認者です。',
    );
    const admin = await say('ito.takeshi', 'account suspend saitama-kanko-tiktok');
    expect(admin.text).toBe('理由を入力してください：--reason "…"');
    for (const r of [staff, admin]) expect(r.text).not.toMatch(VALIDATOR_TEXT);
    expect(await auditCount(store)).toBe(0);
  });

  it('English (the same pack, in English)', async () => {
    const { say } = botWith('jp-2020-tiktok-accounts.yaml', SAITAMA_AT, (p) => void (p.organization.locale = 'en'));
    expect((await say('kobayashi.mai', 'account suspend saitama-kanko-tiktok')).text).toBe(
      "You can't change saitama-kanko-tiktok: admins and approvers over its unit can.",
    );
    expect((await say('ito.takeshi', 'account suspend saitama-kanko-tiktok')).text).toBe('Please give a reason: --reason "…"');
  });
});

describe('--days: a number too big, full-width digits, and a repeated flag', () => {
  const huge = '9'.repeat(400);

  it('400 digits get a sentence, not "expected number, received Infinity" (en, ja)', async () => {
    const en = await botOn('demo.yaml', DEMO_AT).say(
      'pierre',
      `request Candy Crush --purpose public-communications --days ${huge} --reason x`,
    );
    expect(en.text).toBe(
      '--days 99999999999999999999… is more than any exception allows: at most 3650 days, and each rule sets its own maximum.',
    );
    const ja = await botOn('jp-2021-line.yaml', JP_AT).say(
      'suzuki.kenta',
      `request LINE --purpose public-communications --days ${huge} --reason 広報`,
    );
    expect(ja.text).toMatch(/^--days 99999999999999999999… は、どの例外でも認められる日数を超えています。上限は3650日/);
    for (const r of [en, ja]) expect(r.text).not.toMatch(VALIDATOR_TEXT);
  });

  it('full-width digits, as a Japanese IME types them, are read (ja, en)', async () => {
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    const r = await jp.say('suzuki.kenta', 'request LINE --purpose public-communications --days ３０ --reason 広報');
    expect(r.ok, r.text).toBe(true);
    expect(jp.store.get('requests', 'EX-1')?.days).toBe(30);
    const demo = botOn('demo.yaml', DEMO_AT);
    expect((await demo.say('pierre', 'request Candy Crush --purpose public-communications --days ９０ --reason x')).ok).toBe(true);
    expect(demo.store.get('requests', 'EX-1')?.days).toBe(90);
  });

  it('a flag given twice is refused, nothing filed (en, ja); a repeatable one (census --use) keeps every value', async () => {
    const demo = botOn('demo.yaml', DEMO_AT);
    const en = await demo.say('pierre', 'request Candy Crush --purpose public-communications --days 10 --days 20 --reason x');
    expect(en.code).toBe('repeated_flag');
    expect(en.text).toBe('--days is given more than once; give it once.');
    expect((await demo.say('pierre', 'check TikTok --device=personal --device corporate')).text).toBe(
      '--device is given more than once; give it once.',
    );
    expect(demo.store.count('requests')).toBe(0);
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    expect((await jp.say('suzuki.kenta', 'request LINE --purpose public-communications --reason a --reason b')).text).toBe(
      '--reason が複数回指定されています。1回だけ指定してください。',
    );
    expect(jp.store.count('requests')).toBe(0);
    await jp.say('tanaka.hiroshi', 'census start LINE --due 2021-03-26 --units soumu/jichi/chiba/ichikawa');
    const answered = await jp.say('inoue.saki', 'census answer CN-1 --use "市政情報 | no | 100" --use "防災 | no | 200"');
    expect(answered.ok, answered.text).toBe(true);
    expect(jp.store.get('census_answers', 'CN-1/soumu/jichi/chiba/ichikawa')?.uses.map((u) => u.purpose)).toEqual(['市政情報', '防災']);
  });
});

describe('a quoted value may begin with --', () => {
  it('English and Japanese: the reason is kept as typed; an unquoted -- word is still no value', async () => {
    const demo = botOn('demo.yaml', DEMO_AT);
    const r = await demo.say('pierre', 'request Candy Crush --purpose public-communications --reason "--urgent: the press office"');
    expect(r.ok, r.text).toBe(true);
    expect(demo.store.get('requests', 'EX-1')?.reason).toBe('--urgent: the press office');
    expect((await demo.say('pierre', 'request Instagram --purpose public-communications --reason --days 3')).text).toBe(
      '--reason needs a value.',
    );
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    expect((await jp.say('suzuki.kenta', 'request LINE --purpose public-communications --reason 「--至急：広報」')).ok).toBe(true);
    expect(jp.store.get('requests', 'EX-1')?.reason).toBe('--至急：広報');
  });
});

describe('census answers and status', () => {
  it('census status with no answers says so (en, ja)', async () => {
    const demo = botOn('demo.yaml', DEMO_AT);
    await demo.say('olivia', 'census start LINE --due 2026-10-20');
    const en = await demo.say('olivia', 'census status CN-1');
    expect(en.text).not.toMatch(/Answered:\s*$/m);
    expect(en.text).toMatch(/Communications/);
    expect(wording('en').t('census.noneAnswered')).toBe('No unit has answered yet.');
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    await jp.say('tanaka.hiroshi', 'census start LINE --due 2021-03-26 --units soumu/jichi/chiba/ichikawa,soumu/jichi/chiba/funabashi');
    const ja = await jp.say('tanaka.hiroshi', 'census status CN-1');
    expect(ja.text).not.toMatch(/回答済み：\s*$/m);
    expect(ja.text).toMatch(/船橋市/);
    expect(wording('ja').t('census.noneAnswered')).toBe('まだどの部署も回答していません。');
  });

  it('a non-reporter is told about their own unit and who answers for it, not every unit of the census (ja, en)', async () => {
    const jp = botOn('jp-2021-line.yaml', JP_AT);
    await jp.say('tanaka.hiroshi', 'census start LINE --due 2021-03-26 --units soumu/jichi/chiba/ichikawa,soumu/jichi/chiba/funabashi');
    const ja = await jp.say('suzuki.kenta', 'census answer CN-1 --uses none');
    expect(ja.ok).toBe(false);
    expect(ja.text).toBe(
      '利用状況調査CN-1で回答できる部署はありません。あなたの部署（市川市 市民課）が属する市川市の回答者は井上 咲さんです。',
    );
    expect(ja.text).not.toMatch(/船橋市/);
    const demo = botOn('demo.yaml', DEMO_AT);
    await demo.say('olivia', 'census start LINE --due 2026-10-20 --units demo/comms');
    const en = await demo.say('sam', 'census answer CN-1 --uses none');
    expect(en.text).toBe('You do not answer for any unit in census CN-1. Your unit, IT and Security, is not asked in it.');
    const pierre = await demo.say('pierre', 'census answer CN-1 --uses none');
    expect(pierre.text).toBe('You do not answer for any unit in census CN-1. Your unit, Communications, is answered for by Akiko Sato.');
  });
});

describe('a mistyped command gets a "did you mean"', () => {
  it('English and Japanese', async () => {
    expect((await botOn('demo.yaml', DEMO_AT).say('pierre', 'chek tiktok')).text).toMatch(
      /^I don't know the command “chek”\. Did you mean check\? Commands: check, request/,
    );
    expect((await botOn('jp-2021-line.yaml', JP_AT).say('suzuki.kenta', 'chek LINE')).text).toMatch(
      /^「chek」というコマンドはありません。check のことですか。使えるコマンド：/,
    );
    expect((await botOn('demo.yaml', DEMO_AT).say('pierre', 'xyzzy')).text).not.toMatch(/Did you mean/);
  });
});

describe("help lists census answer, and at the terminal the operators' commands", () => {
  const OPERATOR = ['appwarden policy validate', 'appwarden audit verify', 'appwarden remind', 'appwarden outbox'];

  it('in chat: census answer, and no terminal-only commands (en, ja)', async () => {
    const en = await botOn('demo.yaml', DEMO_AT).say('pierre', 'help');
    expect(en.text).toMatch(/census answer <id> \[--unit U\] --uses none/);
    const ja = await botOn('jp-2021-line.yaml', JP_AT).say('suzuki.kenta', 'help');
    expect(ja.text).toMatch(/census answer <調査ID>.*利用状況調査にコマンドで回答します/);
    for (const r of [en, ja]) for (const c of OPERATOR) expect(r.text).not.toContain(c);
  });

  it('at the terminal: every operator command too', async () => {
    const data = await tempDir();
    const en = await cli(['--policy', 'policies/demo.yaml', '--data', data, '--as', 'pierre', 'help']);
    for (const c of OPERATOR) expect(en.stdout).toContain(c);
    const ja = await cli(['--policy', 'policies/jp-2021-line.yaml', '--data', data, '--as', 'suzuki.kenta', 'help']);
    expect(ja.stdout).toMatch(/ターミナルのみ（運用担当者）/);
    for (const c of OPERATOR) expect(ja.stdout).toContain(c);
  });
});

describe("the terminal says what it queued for the server to deliver, in the person's language", () => {
  it('English and Japanese', async () => {
    const en = await cli([
      '--policy',
      'policies/demo.yaml',
      '--data',
      await tempDir(),
      '--as',
      'pierre',
      'request',
      'Candy Crush',
      '--purpose',
      'public-communications',
      '--reason',
      'press office',
    ]);
    expect(en.code).toBe(0);
    expect(en.stderr.split('\n')).toEqual([
      'Queued for the server to deliver (appwarden outbox lists it): a post in the approvals channel',
      // Akiko, who may decide, gets her own copy of the request.
      'Queued for the server to deliver (appwarden outbox lists it): a direct message to akiko',
    ]);
    const ja = await cli([
      '--policy',
      'policies/jp-2021-line.yaml',
      '--data',
      await tempDir(),
      '--as',
      'suzuki.kenta',
      'request',
      'LINE',
      '--purpose',
      'public-communications',
      '--reason',
      '広報',
    ]);
    expect(ja.code).toBe(0);
    expect(ja.stderr.split('\n')).toEqual([
      'サーバーからの配信待ちに登録しました（appwarden outbox で確認できます）：承認チャンネルへの投稿',
      'サーバーからの配信待ちに登録しました（appwarden outbox で確認できます）：sato.akiko さんへのダイレクトメッセージ',
    ]);
    for (const r of [en, ja]) expect(r.stderr).not.toMatch(/not sent from the terminal/);
  });
});
