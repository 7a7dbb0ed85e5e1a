import { stringify } from 'csv-stringify/sync';

/**
 * Characters that make Excel or LibreOffice read a cell as a formula (OWASP "CSV injection"), and
 * their full-width forms, which Japanese Excel also accepts.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A text cell that cannot become a formula: a leading apostrophe makes spreadsheets show it as text. */
export const inertCell = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** Rows as CSV with a header; every text cell made inert, since reasons and names are typed by people. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return stringify(rows, { header: true, columns, cast: { string: inertCell } });
}
