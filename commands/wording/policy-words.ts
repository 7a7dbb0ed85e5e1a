import type { ByLocale, Locale, Policy } from '../../src/core/policy.ts';
import { LOCALE_WORDS } from './locales.ts';
import type { Wording } from './wording.ts';

/** What the policy supplies, in the person's language: rule texts given per language, and labels of ids. */
export interface PolicyWords {
  /** A rule's title, source, consequence or conditions as the policy gives it in this language (else as written). */
  text(written: string): string;
  /** A data class's label (`personal-data` → personal data / 個人情報 / données personnelles), else its id. */
  dataClass(id: string): string;
  purpose(id: string): string;
  /**
   * An app category's label (`recreational` → recreational apps / 娯楽アプリ / applications récréatives):
   * the policy's `labels.categories`, else the built-in label, else the name its `categories:` list gives, else its id.
   */
  category(id: string): string;
  /** A purpose as offered to someone who must type it: its label with the id to type (`public communications (public-communications)`). */
  purposeToType(id: string): string;
  /** A data class as offered to someone who must type it: `personal data (personal-data)`. */
  dataClassToType(id: string): string;
}

/** The text for `locale`, else the organisation's language, else English, else any given. */
function pick(texts: ByLocale, locale: Locale, org: Locale): string | undefined {
  return texts[locale] ?? texts[org] ?? texts.en ?? Object.values(texts).find(Boolean);
}

/** Every rule text the policy gives per language, by each of its versions (the one a Decision carries is one). */
const byVersion = new WeakMap<Policy, Map<string, ByLocale>>();
function versionsOf(policy: Policy): Map<string, ByLocale> {
  let found = byVersion.get(policy);
  if (!found) {
    found = new Map();
    for (const rule of policy.rules)
      for (const texts of Object.values(rule.texts ?? {}))
        if (texts) for (const version of Object.values(texts)) if (version) found.set(version, texts);
    byVersion.set(policy, found);
  }
  return found;
}

/** The built-in label of an id, if the catalogue has one (`dataClass.personal-data`, `purpose.public-communications`). */
const builtIn = (locale: Locale, key: string): string | undefined => LOCALE_WORDS[locale].catalogue[key];

export function policyWords(policy: Policy, m: Wording): PolicyWords {
  const org = policy.organization.locale;
  const label = (given: string | ByLocale | undefined, key: string, id: string) =>
    (typeof given === 'string' ? given : given && pick(given, m.locale, org)) ?? builtIn(m.locale, key) ?? id;
  const toType = (shown: string, id: string) => (shown === id ? id : m.t('labels.withId', { label: shown, id }));
  return {
    text: (written) => {
      const texts = versionsOf(policy).get(written);
      return (texts && pick(texts, m.locale, org)) ?? written;
    },
    dataClass: (id) => label(policy.labels?.data_classes?.[id], `dataClass.${id}`, id),
    purpose: (id) => label(policy.labels?.purposes?.[id], `purpose.${id}`, id),
    category: (id) =>
      label(policy.labels?.categories?.[id], `category.${id}`, '') || policy.categories.find((c) => c.id === id)?.name || id,
    purposeToType: (id) => toType(label(policy.labels?.purposes?.[id], `purpose.${id}`, id), id),
    dataClassToType: (id) => toType(label(policy.labels?.data_classes?.[id], `dataClass.${id}`, id), id),
  };
}
