import { refuse, ok, type Outcome } from '../src/core/result.ts';
import { tokenize } from './tokenize.ts';

/** `strings`: a flag that may be given more than once (`--use a --use b`), every value kept in order. */
export type FlagSpec = Record<string, 'string' | 'boolean' | 'strings'>;

export interface ParsedArgs {
  /** Every word that is not a flag or a flag's value, in order. */
  words: string[];
  flags: Record<string, string | true | string[]>;
}

/** `check Candy Crush --device personal` → words [Candy, Crush], flags {device: personal}. `--days=30` works too. */
export function parseArgs(text: string, spec: FlagSpec): Outcome<ParsedArgs> {
  const tokens = tokenize(text);
  if (!tokens.ok) return tokens;
  const words: string[] = [];
  const flags: Record<string, string | true | string[]> = {};
  const list = tokens.value;
  for (let i = 0; i < list.length; i++) {
    const token = list[i]!;
    if (!token.startsWith('--') || token === '--') {
      words.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = (eq > 0 ? token.slice(2, eq) : token.slice(2)).toLowerCase();
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) return refuse('unknown_flag', name, { flag: token.split('=')[0]!, known: Object.keys(spec) });
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = eq > 0 ? token.slice(eq + 1) : list[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) return refuse('missing_value', name);
    const earlier = flags[name];
    flags[name] = kind === 'strings' ? [...(Array.isArray(earlier) ? earlier : []), value] : value;
  }
  return ok({ words, flags });
}
