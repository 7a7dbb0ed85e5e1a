import { TZDate } from '@date-fns/tz';
import { addDays, differenceInCalendarDays, format, isValid, parseISO } from 'date-fns';

/** A calendar date `YYYY-MM-DD`, read in a time zone. */
export type LocalDate = string;

/** The instant a local day starts in `timezone` (00:00 there, whatever the DST rules). */
export function startOfLocalDay(date: LocalDate, timezone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, timezone).getTime());
}

/** The last millisecond of a local day in `timezone`: a deadline "15 March" means until then. */
export function endOfLocalDay(date: LocalDate, timezone: string): Date {
  return new Date(startOfLocalDay(addLocalDays(date, 1), timezone).getTime() - 1);
}

export function localDate(instant: Date, timezone: string): LocalDate {
  return format(new TZDate(instant.getTime(), timezone), 'yyyy-MM-dd');
}

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
