import { format, parseISO } from 'date-fns';
import { enGB } from 'date-fns/locale/en-GB';
import { fr as frLocale } from 'date-fns/locale/fr';
import { ja as jaLocale } from 'date-fns/locale/ja';
import type { Locale } from '../../src/core/policy.ts';
import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };

/** What a locale needs besides its catalogue: how it writes a calendar day, weekday first (date-fns locales). */
export interface LocaleWords {
  /** The locale's catalogue: message key → ICU MessageFormat text. */
  catalogue: Readonly<Record<string, string>>;
  /** A calendar date `YYYY-MM-DD` in words (`{until, date}` in a message). */
  day: (date: string) => string;
}

/** One line per locale. Adding one: its catalogue file next to en.json, and a line here (and in LOCALES). */
export const LOCALE_WORDS: Record<Locale, LocaleWords> = {
  en: { catalogue: en, day: (d) => format(parseISO(d), 'EEEE d MMMM yyyy', { locale: enGB }) },
  ja: { catalogue: ja, day: (d) => format(parseISO(d), 'yyyy年M月d日（E）', { locale: jaLocale }) },
  fr: { catalogue: fr, day: (d) => format(parseISO(d), 'EEEE d MMMM yyyy', { locale: frLocale }) },
};
