// Writes commands/wording/params.ts from the English catalogue: `npm run wording:types`.
// A test fails while the file is out of date, so a key added to en.json is typed before it is used.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { argumentsOf, type ArgumentKind } from '../commands/wording/arguments.ts';

const TYPES: Record<ArgumentKind, string> = { number: 'number', date: 'IsoDay', boolean: 'boolean', text: 'Text' };

export const CATALOGUE = fileURLToPath(new URL('../commands/wording/en.json', import.meta.url));
export const PARAMS_FILE = fileURLToPath(new URL('../commands/wording/params.ts', import.meta.url));

/** The source of params.ts for `catalogue`: each key with its parameters' names and types. */
export function paramsSource(catalogue: Record<string, string>): string {
  const lines = Object.entries(catalogue).map(([key, message]) => {
    const params = [...argumentsOf(message)].map(([name, kind]) => `${name}: ${TYPES[kind]}`);
    return `  '${key}': {${params.length ? ` ${params.join('; ')} ` : ''}};`;
  });
  return [
    '// Generated from en.json by `npm run wording:types`; do not edit (a test checks it is current).',
    '',
    '/** A calendar date `YYYY-MM-DD`; the message writes it in words (`{until, date}`). */',
    'export type IsoDay = string;',
    '/** Text, a number as typed, or a list the locale joins (`a, b` / `a、b`). */',
    'export type Text = string | number | readonly string[];',
    '',
    '/** Every message key, with the named parameters its English text uses (every locale uses the same). */',
    'export interface MessageParams {',
    ...lines,
    '}',
    'export type MessageKey = keyof MessageParams;',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  writeFileSync(PARAMS_FILE, paramsSource(JSON.parse(readFileSync(CATALOGUE, 'utf8'))));
