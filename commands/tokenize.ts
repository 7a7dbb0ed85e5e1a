import { ok, refuse, type Outcome } from '../src/core/result.ts';

/** Quote pairs people actually type, including what phones auto-correct to and Japanese brackets. */
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」', '『': '』', '„': '“' };

/**
 * Split command text into words, keeping quoted values whole. Phones turn `--` into an em or en dash,
 * so a word starting with one is read as `--`.
 */
export function tokenize(text: string): Outcome<string[]> {
  const words: string[] = [];
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
    let quoted = false;
    while (i < s.length && !isSpace(s[i]!)) {
      const ch = s[i]!;
      // A quote opens a value only at the start of a word or after `=`: McDonald's and it's stay words.
      const opens = run < i ? s[i - 1] === '=' : word === '' || word.endsWith('=');
      const close = opens ? QUOTES[ch] : undefined;
      if (close) {
        const end = s.indexOf(close, i + 1);
        if (end < 0) return refuse('unclosed_quote');
        word += s.slice(run, i) + s.slice(i + 1, end);
        quoted = true;
        i = run = end + 1;
      } else {
        i++;
      }
    }
    word += s.slice(run, i);
    words.push(quoted ? word : word.replace(/^[—–]/, '--'));
  }
  return ok(words);
}

const isSpace = (c: string) => /\s/.test(c);
