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
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let word = '';
    let quoted = false;
    while (i < s.length && !/\s/.test(s[i]!)) {
      const ch = s[i]!;
      // A quote opens a value only at the start of a word or after `=`: McDonald's and it's stay words.
      const close = word === '' || word.endsWith('=') ? QUOTES[ch] : undefined;
      if (close) {
        const end = s.indexOf(close, i + 1);
        if (end < 0) return refuse('unclosed_quote');
        word += s.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else {
        word += ch;
        i++;
      }
    }
    words.push(quoted ? word : word.replace(/^[—–]/, '--'));
  }
  return ok(words);
}
