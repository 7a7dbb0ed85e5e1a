import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { SourcePerson, SourceSnapshot } from '../core/directory.ts';
import { ROLES } from '../core/policy.ts';
import type { DirectoryReader } from './directory-sync.ts';

/** The export's columns (DESIGN.md, "Directory"); `id` or `email` must be filled on every row. */
export const CSV_COLUMNS = ['id', 'name', 'email', 'unit', 'roles', 'locale', 'slack', 'teams', 'manager'] as const;
/** An HR export of a large agency is a few MB; a file far past that is not one. */
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_ROWS = 500_000;
/** Problems named in the message: enough to fix the file, not a wall of text. */
const SHOWN = 10;

/**
 * The CSV export as a source: read whole each time (it has no cursor). A row that names a unit or a
 * role the policy lacks, or has neither an id nor an email, fails the read with every such row named
 * (up to ten), so the sync changes nothing until the file is fixed.
 */
export function csvDirectory(path: string, units: ReadonlySet<string>): DirectoryReader {
  return {
    source: 'csv',
    async read(): Promise<SourceSnapshot> {
      const handle = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
        throw new Error(`cannot open ${path} (${e.code ?? e.message})`);
      });
      let text: string;
      try {
        const { size } = await handle.stat();
        if (size > MAX_BYTES) throw new Error(`${path} is ${size} bytes, more than an export can be (${MAX_BYTES})`);
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
      return { source: 'csv', complete: true, people: parseDirectoryCsv(text, path, units), removed: [] };
    },
  };
}

/** The rows of an export as people; throws one message naming each bad row (by its line number). */
export function parseDirectoryCsv(text: string, path: string, units: ReadonlySet<string>): SourcePerson[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      to: MAX_ROWS + 1,
    });
  } catch (e) {
    throw new Error(`${path} is not CSV the directory can read: ${(e as Error).message}`);
  }
  if (rows.length > MAX_ROWS) throw new Error(`${path} has more than ${MAX_ROWS} rows`);
  const header = Object.keys(rows[0] ?? {});
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new Error(`${path}: unknown column(s) ${unknown.join(', ')}; the columns are ${CSV_COLUMNS.join(',')}`);
  if (rows.length && !header.includes('id') && !header.includes('email')) throw new Error(`${path}: needs an id or an email column`);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const people = rows.map((row, i): SourcePerson => {
    const line = i + 2; // the header is line 1
    const key = (row.email || row.id || '').toLowerCase();
    if (!key) problems.push(`line ${line}: neither id nor email`);
    else if (seen.has(key)) problems.push(`line ${line}: ${key} is also on line ${seen.get(key)}`);
    else seen.set(key, line);
    if (row.email && !/^[^@\s]+@[^@\s]+$/.test(row.email)) problems.push(`line ${line}: "${row.email}" is not an email`);
    if (row.unit && !units.has(row.unit)) problems.push(`line ${line}: no unit "${row.unit}" in the policy`);
    const roles = (row.roles ?? '').split(/[\s;|]+/).filter(Boolean);
    for (const role of roles)
      if (!(ROLES as readonly string[]).includes(role)) problems.push(`line ${line}: no role "${role}" (roles are ${ROLES.join(', ')})`);
    const person: SourcePerson = { key };
    for (const field of ['email', 'name', 'unit', 'locale', 'slack', 'teams', 'manager'] as const)
      if (row[field]) person[field] = row[field];
    if (person.email) person.email = person.email.toLowerCase();
    if (roles.length) person.roles = roles;
    return person;
  });
  if (problems.length)
    throw new Error(
      `${path}: ${problems.length} problem(s), nothing was changed:\n${problems.slice(0, SHOWN).join('\n')}${problems.length > SHOWN ? `\n… and ${problems.length - SHOWN} more` : ''}`,
    );
  return people;
}
