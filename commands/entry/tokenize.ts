import { ok, refuse, type Outcome } from '../../src/core/result.ts';

/** Quote pairs people actually type, including what phones auto-correct to and Japanese brackets. */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」', '『': '』', '„': '“' };

/**
 * A word of command text. `bare` is its part before any quote: only a word whose bare part starts with
 * `--` is a flag (`--reason="…"` is one; `"--x"` is a value that happens to start with dashes).
 */
export interface Token {
  text: string;
  bare: string;
}

/**
 * Split command text into words, keeping quoted values whole. Phones turn `--` into an em or en dash,
 * so a word starting with one is read as `--`.
 */
export function tokenize(text: string): Outcome<string[]> {
  const tokens = tokenizeQuoted(text);
  return tokens.ok ? ok(tokens.value.map((t) => t.text)) : tokens;
}

/** `tokenize`, keeping each word's unquoted start: in `--reason "--not a flag"` the second word is a value. */
export function tokenizeQuoted(text: string): Outcome<Token[]> {
  const words: Token[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (isSpace(s[i]!)) {
      i++;
      continue;
    }
    // The word is `word` and then s[run, i): plain text is sliced once per run, not added a character at
    // a time (which, with the test below, made a 20,000-character word cost 65 ms).
    let word = '';
    let run = i;
    let bare: number | undefined;
    while (i < s.length && !isSpace(s[i]!)) {
      const ch = s[i]!;
      // A quote opens a value only at the start of a word or after `=`: McDonald's and it's stay words.
      const opens = run < i ? s[i - 1] === '=' : word === '' || word.endsWith('=');
      const close = opens ? QUOTES[ch] : undefined;
      if (close) {
        const end = s.indexOf(close, i + 1);
        if (end < 0) return refuse('unclosed_quote');
        word += s.slice(run, i);
        bare ??= word.length;
        word += s.slice(i + 1, end);
        i = run = end + 1;
      } else {
        i++;
      }
    }
    word += s.slice(run, i);
    // A dash a phone made of `--` counts only in the unquoted part, where a flag's name is.
    const dashed = (t: string) => t.replace(/^[—–]/, '--');
    const bareText = dashed(bare === undefined ? word : word.slice(0, bare));
    words.push({ text: bare === undefined ? bareText : bareText + word.slice(bare), bare: bareText });
  }
  return ok(words);
}

const isSpace = (c: string) => /\s/.test(c);
