import { stringify } from 'csv-stringify/sync';
import { inertCell } from '../../src/core/inert-cell.ts';

export { inertCell };

/** Rows as CSV with a header; every text cell made inert, since reasons and names are typed by people. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return stringify(rows, { header: true, columns, cast: { string: inertCell } });
}
