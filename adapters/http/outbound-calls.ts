/**
 * What every outbound HTTP client of ours shares (the Graph client, the Jamf reader): the back-off
 * between tries, `Retry-After` read as the HTTP spec allows it, a body that may not be JSON, and a
 * failed call said in a few words. No platform's knowledge: each client keeps its own errors.
 */

const BACKOFF_CAP_MS = 30_000;

/** 1 s, 2 s, 4 s… for attempt 1, 2, 3…, capped. */
export const backoffMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), BACKOFF_CAP_MS);

/** Retry-After as milliseconds from `now`: seconds, or an HTTP date; `undefined` when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** A URL as messages show it: no query (skip tokens and delta tokens are long and say nothing to a reader). */
export const where = (url: string): string => (URL.canParse(url) ? `${new URL(url).origin}${new URL(url).pathname}` : 'an unparseable URL');

/** A body as JSON, or `undefined` when it is not (a proxy's HTML page, a truncated answer). */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Why a network call failed, in a few words: its timeout, or the cause undici names. */
export function networkCause(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}
