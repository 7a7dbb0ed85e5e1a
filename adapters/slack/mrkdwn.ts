/**
 * Text people typed, made inert for Slack mrkdwn: `<!channel>`, `<@U123>` and `<http://evil|bank>`
 * show as the characters typed. Slack's own escaping rule is exactly these three.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to Slack's limit for a field, on a character (not a UTF-16 half) boundary, marking the cut. */
export function fit(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
