// Issue 22: what the policy supplies, in the person's language. A rule's title, source, consequence and
// conditions may be given per locale beside a plain string; data classes and purposes have labels
// (built in for the packs' ids, overridable in the policy). The France pack reads in French.
import { describe, expect, it } from 'vitest';
import { policyWords } from '../../commands/wording/policy-words.ts';
import { wording } from '../../commands/wording/wording.ts';
import { createAppWarden } from '../../src/app.ts';
import { type Policy, validatePolicy } from '../../src/core/policy-schema.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { loadPack, testClock } from '../support/bot.ts';

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
