// Issue 22: what the policy supplies, in the person's language. A rule's title, source, consequence and
// conditions may be given per locale beside a plain string; data classes and purposes have labels
// (built in for the packs' ids, overridable in the policy). The France pack reads in French.
import { describe, expect, it } from 'vitest';
import { requestModal } from '../../adapters/slack/modals.ts';
import { requestForm } from '../../commands/requests/request.ts';
import { purposesToType, requestFormView } from '../../commands/shared/form.ts';
import { describeRefusal } from '../../commands/shared/refusals.ts';
import { policyWords } from '../../commands/wording/policy-words.ts';
import { wording } from '../../commands/wording/wording.ts';
import { createAppWarden } from '../../src/app.ts';
import { type Policy, validatePolicy } from '../../src/core/policy-schema.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { loadPack, testClock } from '../support/bot.ts';
import { packFiles } from '../policies/helpers.ts';

const FR_AT = '2023-04-03T08:00:00Z';

function botFor(policy: Policy, at: string) {
  const clock = testClock(at);
  const bot = createAppWarden({ policy, store: createMemoryStore(), now: clock.now, log: () => {} });
  return async (person: string, text: string) => replyText((await bot.run(text, person, 'test')).reply);
}

describe('the France pack in French', () => {
  it('check Candy Crush: the verdict, the rule’s French title, source, consequence and conditions', async () => {
    const say = botFor(loadPack('fr-2023-recreational.yaml'), FR_AT);
    const text = await say('camille.bernard', 'check Candy Crush');
    expect(text).toMatch(/^L’utilisation de Candy Crush Saga est interdite sur un appareil professionnel\./);
    expect(text).toContain('Interdiction des applications récréatives sur les téléphones professionnels des agents.');
    expect(text).toMatch(/Fondement\u202f: Déclaration de Stanislas Guerini.*24 mars 2023.*en vigueur depuis le vendredi 24 mars 2023\./);
    expect(text).toMatch(/À défaut\u202f: Le respect de la mesure est contrôlé par l’ANSSI/);
    // The purpose by its label, with the id to type after --purpose.
    expect(text).toMatch(/Une dérogation peut être demandée pour\u202f: communication publique \(public-communications\)/);
    expect(text).not.toMatch(/Recreational apps banned|Statement by|Compliance is monitored/);
  });

  it('a person whose locale is English reads the English the rule gives, in the same French organisation', async () => {
    const policy = structuredClone(loadPack('fr-2023-recreational.yaml'));
    for (const p of policy.people) if (p.id === 'camille.bernard') p.locale = 'en';
    const text = await botFor(policy, FR_AT)('camille.bernard', 'check Candy Crush');
    expect(text).toMatch(/^Candy Crush Saga is prohibited on a work device\./);
    expect(text).toContain("Recreational apps banned on officials' work phones. Source: Statement by Stanislas Guerini");
    expect(text).toContain('If not: Compliance is monitored by ANSSI');
  });

  it('a Japanese reader, for whom the rule gives no Japanese, gets the organisation’s French', async () => {
    const policy = structuredClone(loadPack('fr-2023-recreational.yaml'));
    for (const p of policy.people) if (p.id === 'camille.bernard') p.locale = 'ja';
    const text = await botFor(policy, FR_AT)('camille.bernard', 'check Candy Crush');
    expect(text).toContain('Interdiction des applications récréatives');
    expect(text).toMatch(/業務用端末/);
  });
});

describe('data classes and purposes by their labels', () => {
  it('Japanese check LINE --data personal-data (jp-2021-line): 個人情報を取り扱う業務には使用できません', async () => {
    const say = botFor(loadPack('jp-2021-line.yaml'), '2021-04-01T01:00:00Z');
    const text = await say('suzuki.kenta', 'check LINE --data personal-data');
    expect(text).toMatch(/個人情報を取り扱う業務には使用できません/);
    expect(text).not.toMatch(/personal-dataの/);
  });

  it('built-in labels in each language, a policy’s own label first, an unknown id as itself', () => {
    const demo = loadPack('demo.yaml');
    expect(policyWords(demo, wording('en')).dataClass('personal-data')).toBe('personal data');
    expect(policyWords(demo, wording('ja')).dataClass('personal-data')).toBe('個人情報');
    expect(policyWords(demo, wording('fr')).dataClass('personal-data')).toBe('données personnelles');
    expect(policyWords(demo, wording('fr')).purpose('public-communications')).toBe('communication publique');
    const own = { ...demo, labels: { data_classes: { 'personal-data': { en: 'PII', ja: '個人データ' }, secret: 'secret data' } } };
    expect(policyWords(own, wording('ja')).dataClass('personal-data')).toBe('個人データ');
    expect(policyWords(own, wording('fr')).dataClass('personal-data')).toBe('PII'); // fr not given: the organisation's (en)
    expect(policyWords(own, wording('fr')).dataClass('secret')).toBe('secret data');
    expect(policyWords(own, wording('fr')).dataClass('pii')).toBe('pii');
  });
});

describe('app categories by their labels (issue 22: no bare `recreational`)', () => {
  it('built in for every category the shipped packs use, in each language', () => {
    const ids = new Set(
      packFiles()
        .map(loadPack)
        .flatMap((p) => [
          ...p.categories.map((c) => c.id),
          ...p.apps.flatMap((a) => a.categories),
          ...p.rules.flatMap((r) => r.categories ?? []),
        ]),
    );
    expect(ids.size).toBeGreaterThanOrEqual(7);
    const demo = loadPack('demo.yaml');
    for (const id of ids)
      for (const locale of ['en', 'ja', 'fr'] as const)
        expect(policyWords(demo, wording(locale)).category(id), `${locale} ${id}`).not.toBe(id);
    expect(policyWords(demo, wording('en')).category('recreational')).toBe('recreational apps');
    expect(policyWords(demo, wording('ja')).category('recreational')).toBe('娯楽アプリ');
    expect(policyWords(demo, wording('fr')).category('recreational')).toBe('applications récréatives');
    expect(policyWords(demo, wording('ja')).category('social-media')).toBe('SNS');
    expect(policyWords(demo, wording('fr')).category('social-media')).toBe('réseaux sociaux');
  });

  it('the policy’s labels first, then the built-in one, then the name its categories list gives, then the id', () => {
    const demo = loadPack('demo.yaml');
    const own: Policy = {
      ...demo,
      categories: [...demo.categories, { id: 'ai-assistants', name: 'AI assistants' }, { id: 'bare' }],
      labels: { categories: { recreational: { fr: 'loisirs', ja: '娯楽系' }, game: 'jeux vidéo' } },
    };
    expect(policyWords(own, wording('fr')).category('recreational')).toBe('loisirs');
    expect(policyWords(own, wording('ja')).category('recreational')).toBe('娯楽系');
    // As for data classes: a label the policy gives in other languages only is still the policy's (any given).
    expect(policyWords(own, wording('en')).category('recreational')).toBe('loisirs');
    expect(policyWords(own, wording('en')).category('social-media')).toBe('social media');
    expect(policyWords(own, wording('ja')).category('game')).toBe('jeux vidéo');
    expect(policyWords(own, wording('ja')).category('ai-assistants')).toBe('AI assistants');
    expect(policyWords(own, wording('ja')).category('bare')).toBe('bare');
  });

  it('labels.categories is part of the policy file, one text or one per language', () => {
    const text = `
organization: { name: Org, timezone: Europe/Paris, locale: fr, default_unit: org }
units: [{ id: org, name: Org }]
apps: [{ id: tiktok, name: TikTok, categories: [social-media] }]
labels: { categories: { social-media: { fr: médias sociaux, en: social networks }, other: autre } }
`;
    const r = parsePolicyText(text);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.value.labels?.categories).toEqual({ 'social-media': { fr: 'médias sociaux', en: 'social networks' }, other: 'autre' });
    expect(parsePolicyText(text.replace('other: autre', 'other: { de: andere }')).ok).toBe(false);
  });

  it.each([
    [
      'fr',
      'camille.bernard',
      'fr-2023-recreational.yaml',
      '2023-04-03T08:00:00Z',
      'check Candy Crush',
      'la catégorie «\u202fapplications récréatives\u202f»',
    ],
    [
      'fr',
      'camille.bernard',
      'fr-2023-recreational.yaml',
      '2023-04-03T08:00:00Z',
      'policy fr-2023-recreational',
      'S’applique à\u202f: la catégorie «\u202fapplications récréatives\u202f»',
    ],
    ['ja', 'pierre', 'demo.yaml', '2026-10-05T08:00:00Z', 'check Candy Crush', 'このアプリは「娯楽アプリ」カテゴリに該当するため'],
    ['ja', 'pierre', 'demo.yaml', '2026-10-05T08:00:00Z', 'policy demo-recreational', '対象：カテゴリ「娯楽アプリ」'],
    [
      'en',
      'pierre',
      'demo.yaml',
      '2026-10-05T08:00:00Z',
      'check Candy Crush',
      'It applies because the app is in the “recreational apps” category.',
    ],
    ['en', 'pierre', 'demo.yaml', '2026-10-05T08:00:00Z', 'policy demo-recreational', 'Applies to: the “recreational apps” category'],
  ] as const)('%s, %s: %s names the category by its label', async (locale, person, pack, at, command, shown) => {
    const policy = structuredClone(loadPack(pack));
    for (const p of policy.people) p.locale = locale;
    const text = await botFor(policy, at)(person, command);
    expect(text).toContain(shown);
    expect(text).not.toMatch(/[«“「]\s?recreational\s?[»”」]|category recreational|catégorie recreational/);
  });

  it('policy <rule> offers the exception purposes by their label, with the id to type', async () => {
    const policy = structuredClone(loadPack('demo.yaml'));
    for (const p of policy.people) p.locale = 'ja';
    const text = await botFor(policy, '2026-10-05T08:00:00Z')('pierre', 'policy demo-recreational');
    expect(text).toContain('次の目的であれば例外を申請できます（最長90日）：広報（public-communications）');
  });
});

describe('the per-language form in a policy file', () => {
  const base = (rule: string) => `
organization: { name: Org, timezone: Europe/Paris, locale: fr, default_unit: org }
units: [{ id: org, name: Org }]
apps: [{ id: tiktok, name: TikTok }]
rules:
  - id: r1
${rule}
    unit: org
    apps: [tiktok]
    effect: prohibit
    effective: 2023-03-24
`;

  it('a plain string stays valid; a mapping of locales is read as the organisation’s text, every language kept', () => {
    expect(parsePolicyText(base('    title: Banned\n    source: Notice')).ok).toBe(true);
    const r = parsePolicyText(base('    title: { fr: Interdite, en: Banned, ja: 禁止 }\n    source: { en: Notice }'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rules[0]).toMatchObject({
      title: 'Interdite',
      source: 'Notice',
      texts: { title: { fr: 'Interdite', en: 'Banned', ja: '禁止' }, source: { en: 'Notice' } },
    });
  });

  it('a language AppWarden does not speak, or an empty mapping, is a problem with its path', () => {
    const de = parsePolicyText(base('    title: { de: Verboten }\n    source: Notice'));
    expect(de.ok).toBe(false);
    if (!de.ok) expect(JSON.stringify(de.issues)).toMatch(/rules\[0\]\.title|rules.0.title/);
    expect(validatePolicy({ organization: {}, units: [], rules: [{ title: {} }] }).ok).toBe(false);
  });
});

describe('the request form offers purposes by their label, and sends the id', () => {
  it.each([
    ['ja', '広報', '広報（public-communications）'],
    ['fr', 'communication publique', 'communication publique (public-communications)'],
    ['en', 'public communications', 'public communications (public-communications)'],
  ] as const)('%s: Slack’s dropdown and the form every surface renders', (locale, label, toType) => {
    const policy = structuredClone(loadPack('demo.yaml'));
    for (const p of policy.people) p.locale = locale;
    const bot = createAppWarden({ policy, store: createMemoryStore(), now: testClock('2026-10-05T08:00:00Z').now, log: () => {} });
    const ctx = bot.contextFor('pierre', 'test');
    const made = requestForm('Candy Crush', 'corporate', ctx);
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const view = requestFormView(made.form, ctx.m);
    expect(view.fields.find((f) => f.id === 'purpose')?.options).toEqual([{ value: 'public-communications', label }]);
    const modal = JSON.stringify(requestModal(made.form, view, ctx.m));
    expect(modal).toContain(`{"text":{"type":"plain_text","text":"${label}"},"value":"public-communications"}`);
    // Past Slack's 100 options or Teams' card size the purpose is typed: the hint offers label and id.
    expect(purposesToType(made.form, made.form.purposes, ctx.m)).toEqual([toType]);
  });
});

describe('a refusal that names purposes names them by label, with the id to type', () => {
  it.each([
    ['ja', '広報（public-communications）'],
    ['fr', 'communication publique (public-communications)'],
  ] as const)('%s: request without --purpose', async (locale, offered) => {
    const policy = structuredClone(loadPack('demo.yaml'));
    for (const p of policy.people) p.locale = locale;
    const text = await botFor(policy, '2026-10-05T08:00:00Z')('pierre', 'request Candy Crush --reason "x"');
    expect(text).toContain(offered);
  });

  it('a purpose the rule does not allow: the allowed ones by label (describeRefusal with the policy’s words)', () => {
    const m = wording('ja');
    const words = policyWords(loadPack('demo.yaml'), m);
    const [line] = describeRefusal(
      { code: 'purpose_not_allowed', data: { purpose: 'security-research', purposes: ['public-communications'] } },
      m,
      { command: 'request', purpose: 'security-research', words },
    );
    expect(line).toContain('広報（public-communications）');
  });
});
