import { refuse, ok, type Outcome } from '../../src/core/result.ts';
import { tokenizeQuoted } from './tokenize.ts';

/** `strings`: a flag that may be given more than once (`--use a --use b`), every value kept in order. */
export type FlagSpec = Record<string, 'string' | 'boolean' | 'strings'>;

export interface ParsedArgs {
  /** Every word that is not a flag or a flag's value, in order. */
  words: string[];
  flags: Record<string, string | true | string[]>;
}

/**
 * `check Candy Crush --device personal` → words [Candy, Crush], flags {device: personal}. `--days=30`
 * works too. A flag given twice is refused (`--days 10 --days 20` would silently file one of them),
 * unless it is of kind `strings`. A quoted word is never a flag, so a quoted value may start with `--`.
 */
export function parseArgs(text: string, spec: FlagSpec): Outcome<ParsedArgs> {
  const tokens = tokenizeQuoted(text);
  if (!tokens.ok) return tokens;
  const words: string[] = [];
  const flags: Record<string, string | true | string[]> = {};
  const list = tokens.value;
  for (let i = 0; i < list.length; i++) {
    const token = list[i]!;
    if (!isFlag(token)) {
      words.push(token.text);
      continue;
    }
    const text = token.text;
    const eq = token.bare.indexOf('=');
    const name = (eq > 0 ? text.slice(2, eq) : text.slice(2)).toLowerCase();
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) return refuse('unknown_flag', name, { flag: eq > 0 ? text.slice(0, eq) : text, known: Object.keys(spec) });
    if (kind !== 'strings' && Object.hasOwn(flags, name)) return refuse('repeated_flag', name, { flag: name });
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = text.slice(eq + 1);
    else {
      const next = list[i + 1];
      // The next word is the value unless it starts with `--` as typed (`--reason --days 3` forgot the reason).
      if (next && !next.bare.startsWith('--')) value = (i++, next.text);
    }
    if (value === undefined || value === '') return refuse('missing_value', name);
    const earlier = flags[name];
    flags[name] = kind === 'strings' ? [...(Array.isArray(earlier) ? earlier : []), value] : value;
  }
  return ok({ words, flags });
}

/** `--name` or `--name=value`, typed bare: a quoted `"--x"` is a word, and `--` alone is too. */
const isFlag = (token: { text: string; bare: string }) => token.bare.startsWith('--') && token.text !== '--';
