/** The URL as it may be printed: without its password. (Apart from the client, so naming the store loads no `pg`.) */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL given';
  }
}
