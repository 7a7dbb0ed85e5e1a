import IntlMessageFormat, { type Formatters } from 'intl-messageformat';
import type { DeviceClass, Locale } from '../../src/core/policy.ts';
import type { RequestStatus } from '../../src/core/records.ts';
import { LOCALE_WORDS, type LocaleWords } from './locales.ts';
import type { MessageKey, MessageParams } from './params.ts';

export type { MessageKey, MessageParams };

/** A message's parameters as `t` takes them: none for a message without any. */
export type ParamsOf<K extends MessageKey> = keyof MessageParams[K] extends never ? [] : [params: MessageParams[K]];

/** Every sentence AppWarden says, in one person's language. Values are plain text; renderers escape them. */
export interface Wording {
  readonly locale: Locale;
  /** The catalogue's message `key`, its named parameters filled in; a list parameter is joined the locale's way. */
  t<K extends MessageKey>(key: K, ...params: ParamsOf<K>): string;
  /** A calendar date `YYYY-MM-DD` in words, with its weekday. */
  day(date: string): string;
  /**
   * An IANA time zone by its long name in this language (`Europe/Paris` → heure normale d’Europe centrale),
   * as on `date` (a calendar day `YYYY-MM-DD`) or at an instant.
   */
  zone(timeZone: string, date?: string | Date): string;
  /**
   * Items joined the locale's way: `a, b` (`list.separator`); as alternatives, `a or b` (`list.or`); or as
   * groups whose items hold commas themselves, `a, b; c` (`list.groups`).
   */
  list(items: readonly string[], as?: 'and' | 'or' | 'groups'): string;
  device(device: DeviceClass): string;
  statusWord(status: RequestStatus): string;
}

/** The parser's options for every message: `<app>` in usage lines is text, not a tag. */
const PARSE = { ignoreTag: true } as const;

/**
 * Numbers as the messages always printed them (`#` and `{n}` ungrouped: `1000 messages`); a message asks
 * for the locale's grouping with a style (`{length, number, integer}`). Dates are calendar days in the
 * locale's words, not instants, so no time zone can move them.
 */
function formattersFor(words: LocaleWords): Formatters {
  const numberFormats = new Map<string, Intl.NumberFormat>();
  const plural = new Map<string, Intl.PluralRules>();
  return {
    getNumberFormat: (locales, style) => {
      if (!style) return { format: (n: number | bigint) => String(n) } as Intl.NumberFormat;
      const options = style as Intl.NumberFormatOptions;
      const key = JSON.stringify([locales, style]);
      let f = numberFormats.get(key);
      if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locales, options)));
      return f;
    },
    getDateTimeFormat: () => ({ format: (date: unknown) => words.day(String(date)) }) as Intl.DateTimeFormat,
    getPluralRules: (locales, options) => {
      const key = JSON.stringify([locales, options]);
      let r = plural.get(key);
      if (!r) plural.set(key, (r = new Intl.PluralRules(locales, options)));
      return r;
    },
  };
}

type Values = Record<string, string | number | boolean | readonly string[]>;

/** One locale's catalogue, each message compiled at its first use and kept: compiling is the slow part. */
class LocaleWording implements Wording {
  private readonly compiled = new Map<string, IntlMessageFormat>();
  private readonly formatters: Formatters;
  /** Days and zone names as said, by their inputs: every answer says them, and Intl makes them slowly. */
  private readonly said = new Map<string, string>();
  private readonly zoneFormats = new Map<string, Intl.DateTimeFormat | undefined>();
  constructor(
    readonly locale: Locale,
    private readonly words: LocaleWords,
  ) {
    this.formatters = formattersFor(words);
  }

  t<K extends MessageKey>(key: K, ...params: ParamsOf<K>): string {
    const message = this.compile(key);
    const values = params[0] as Values | undefined;
    if (!values) return message.format() as string;
    const filled: Record<string, string | number | boolean> = {};
    for (const [name, value] of Object.entries(values)) filled[name] = isList(value) ? this.list(value) : value;
    return message.format(filled) as string;
  }

  /** Compiles `key` once for this locale. Exported for the catalogue tests, which compile every key. */
  compile(key: string): IntlMessageFormat {
    let message = this.compiled.get(key);
    if (!message) {
      const text = this.words.catalogue[key];
      // The completeness tests make this unreachable for a released catalogue; a blank is never said.
      if (text === undefined) throw new Error(`wording.missing_key: ${this.locale} has no message ${key}`);
      message = new IntlMessageFormat(text, this.locale, undefined, { ...PARSE, formatters: this.formatters });
      this.compiled.set(key, message);
    }
    return message;
  }

  day(date: string): string {
    return this.remembered(`day ${date}`, () => this.words.day(date));
  }
  zone(timeZone: string, date?: string | Date): string {
    const name = () => zoneName(this.zoneFormat(timeZone), timeZone, date);
    return date instanceof Date ? name() : this.remembered(`zone ${timeZone} ${date ?? ''}`, name);
  }
  private remembered(key: string, make: () => string): string {
    let text = this.said.get(key);
    if (text === undefined) {
      text = make();
      if (this.said.size >= MAX_SAID) this.said.clear(); // a day and a zone are cheap to say again
      this.said.set(key, text);
    }
    return text;
  }
  /** A formatter of the zone's long name; none for a zone Intl does not know. */
  private zoneFormat(timeZone: string): Intl.DateTimeFormat | undefined {
    if (this.zoneFormats.has(timeZone)) return this.zoneFormats.get(timeZone);
    let format: Intl.DateTimeFormat | undefined;
    try {
      format = new Intl.DateTimeFormat(this.locale, { timeZone, timeZoneName: 'long' });
    } catch {
      format = undefined;
    }
    if (this.zoneFormats.size < MAX_ZONES) this.zoneFormats.set(timeZone, format);
    return format;
  }
  list(items: readonly string[], as: 'and' | 'or' | 'groups' = 'and'): string {
    return items.join(this.t(as === 'or' ? 'list.or' : as === 'groups' ? 'list.groups' : 'list.separator'));
  }
  device(device: DeviceClass): string {
    return this.t(`device.${device}`);
  }
  statusWord(status: RequestStatus): string {
    return this.t(`requestStatus.${status}`);
  }
}

const isList = (value: unknown): value is readonly string[] => Array.isArray(value);

/**
 * The zone's long name in `locale` (CLDR, through Intl): standard or summer time as in force at the
 * instant, or at noon UTC on a calendar day (the day a deadline falls on). A zone Intl does not name (or
 * cannot parse) is shown as its id.
 */
function zoneName(format: Intl.DateTimeFormat | undefined, timeZone: string, date?: string | Date): string {
  const at = date instanceof Date ? date : date ? new Date(`${date}T12:00:00Z`) : new Date(0);
  if (!format || Number.isNaN(at.getTime())) return timeZone;
  const name = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  return name && !/^GMT[+-]/.test(name) ? name : timeZone;
}

/** Days and zone names kept per locale; IANA has some 600 zones. */
const MAX_SAID = 2_000;
const MAX_ZONES = 1_000;

const cache = new Map<Locale, LocaleWording>();

/** The wording of `locale`, made at its first use and shared from then on. */
export function wording(locale: Locale): Wording {
  let w = cache.get(locale);
  if (!w) cache.set(locale, (w = new LocaleWording(locale, LOCALE_WORDS[locale])));
  return w;
}

/** For the catalogue tests: compile one message of one locale as `t` would. */
export const compileMessage = (locale: Locale, key: string) => (wording(locale) as LocaleWording).compile(key);
