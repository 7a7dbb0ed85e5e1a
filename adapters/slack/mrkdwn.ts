/**
 * Look-alikes for Slack's markup characters. Slack mrkdwn has no backslash escape, so a character
 * that could open or close `*bold*`, `_italic_`, `~strike~` or `` `code` `` is swapped for one that
 * reads the same and that Slack does not treat as markup.
 */
const LOOKALIKE: Record<string, string> = { '*': '\u2217', '~': '\u223C', '`': '\u02CB', _: '\uFF3F' };

/**
 * Text people typed, made inert for Slack mrkdwn: `<!channel>`, `<@U123>`, `<!date^…>` and
 * `<http://evil|bank>` show as the characters typed (Slack's own escaping: & < >), and `*✅ Approved*`,
 * `_x_`, `~x~`, `` `x` `` and a leading `>` cannot format. Slack never formats an underscore inside a
 * word, so `max_days` and `snake_case` ids keep theirs; every `*`, `~` and backtick is swapped.
 */
export function escapeMrkdwn(text: string): string {
  return escapeCode(text)
    .replace(/[*~]/g, (c) => LOOKALIKE[c]!)
    .replace(/_/g, (c, at: number, all: string) => (isWordChar(all[at - 1]) && isWordChar(all[at + 1]) ? c : LOOKALIKE[c]!))
    .replace(/^(\s*)&gt;/gm, '$1\uFF1E');
}

/** Text inside our own ``` block: formatting is off there, but a backtick could still end the block. */
export function escapeCode(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, LOOKALIKE['`']!);
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Cut to Slack's limit for a field, marking the cut: after the last whole word or line that fits (a
 * word of text without spaces, as Japanese is, ends at any character), never inside a UTF-16 pair.
 */
export function fit(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.search(/\s\S*$/);
  return `${space > 0 && space >= head.length * 0.6 ? head.slice(0, space).trimEnd() : head}…`;
}
