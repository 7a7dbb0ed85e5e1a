import { TZDate } from '@date-fns/tz';
import { addDays, differenceInCalendarDays, format, isValid, parseISO } from 'date-fns';

/** A calendar date `YYYY-MM-DD`, read in a time zone. */
export type LocalDate = string;

/**
 * Where local days start, by `date|zone`. Time-zone arithmetic dominates a decision's cost, and
 * decisions ask about the same few policy dates again and again. Bounded: cleared when full.
 */
const dayStarts = new Map<string, number>();
const DAY_STARTS_MAX = 50_000;

/** The instant a local day starts in `timezone` (00:00 there, whatever the DST rules). */
export function startOfLocalDay(date: LocalDate, timezone: string): Date {
  return new Date(localDayStartMs(date, timezone));
}

/** `startOfLocalDay` as epoch milliseconds, for comparisons in hot paths. */
export function localDayStartMs(date: LocalDate, timezone: string): number {
  const key = `${date}|${timezone}`;
  let ms = dayStarts.get(key);
  if (ms === undefined) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    ms = new TZDate(y, m - 1, d, timezone).getTime();
    if (dayStarts.size >= DAY_STARTS_MAX) dayStarts.clear();
    dayStarts.set(key, ms);
  }
  return ms;
}

const dayEnds = new Map<string, number>();

/** The last millisecond of a local day in `timezone`: a deadline "15 March" means until then. */
export function endOfLocalDay(date: LocalDate, timezone: string): Date {
  const key = `${date}|${timezone}`;
  let ms = dayEnds.get(key);
  if (ms === undefined) {
    ms = localDayStartMs(addLocalDays(date, 1), timezone) - 1;
    if (dayEnds.size >= DAY_STARTS_MAX) dayEnds.clear();
    dayEnds.set(key, ms);
  }
  return new Date(ms);
}

export function localDate(instant: Date, timezone: string): LocalDate {
  return format(new TZDate(instant.getTime(), timezone), 'yyyy-MM-dd');
}

/**
 * `localDate` in one zone, for many instants (a report's every attestation): Intl's formatter, made
 * once, says a date in a fifth of the time a TZDate and `format` take. The same dates: instants
 * outside four-digit years, invalid ones and zones Intl refuses go to `localDate`.
 */
export function localDateIn(timezone: string): (instant: Date) => LocalDate {
  let formatter: Intl.DateTimeFormat | undefined;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    formatter = undefined;
  }
  return (instant) => {
    const ms = instant.getTime();
    if (formatter && ms >= FOUR_DIGIT_YEARS.from && ms < FOUR_DIGIT_YEARS.until) {
      let year = '';
      let month = '';
      let day = '';
      for (const part of formatter.formatToParts(ms)) {
        if (part.type === 'year') year = part.value;
        else if (part.type === 'month') month = part.value;
        else if (part.type === 'day') day = part.value;
      }
      if (year.length === 4 && month.length === 2 && day.length === 2) return `${year}-${month}-${day}`;
    }
    return localDate(instant, timezone);
  };
}

/** Instants whose local year has four digits in every zone (a day inside each end). */
const FOUR_DIGIT_YEARS = { from: Date.UTC(1000, 0, 2), until: Date.UTC(9999, 11, 31) };

export function addLocalDays(date: LocalDate, days: number): LocalDate {
  return format(addDays(parseISO(date), days), 'yyyy-MM-dd');
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function localDaysBetween(from: LocalDate, to: LocalDate): number {
  return differenceInCalendarDays(parseISO(to), parseISO(from));
}

/** `YYYY-MM-DD` naming a day that exists (not 2023-02-30). */
export function isRealDate(text: string): boolean {
  const d = parseISO(text);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isValid(d) && format(d, 'yyyy-MM-dd') === text;
}
