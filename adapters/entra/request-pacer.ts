/**
 * Intune allows 2,000 requests per 20 s per app and tenant. Half of that per client leaves room for a
 * second process on the same app registration (a CLI sync beside the server) and for Graph's retries.
 */
export const PACE_REQUESTS = 1_000;
export const PACE_WINDOW_MS = 20_000;

export interface PacerOptions {
  /** Requests allowed in any window; default PACE_REQUESTS. */
  limit?: number;
  /** The window's length in ms; default PACE_WINDOW_MS. */
  windowMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * A sliding window over the last `limit` requests: the returned `pace()` resolves at once while fewer
 * than `limit` went out in the last `windowMs`, else when the oldest of them leaves the window. Each
 * call reserves its send time before it waits, so callers never loop on a clock that did not move
 * (a test's sleep) and two callers at once cannot both take the same place.
 */
export function requestPacer(options: PacerOptions): () => Promise<void> {
  const limit = options.limit ?? PACE_REQUESTS;
  const windowMs = options.windowMs ?? PACE_WINDOW_MS;
  /** Send times of the last `limit` requests, a ring: `oldest` is the next to leave the window. */
  const sent: number[] = [];
  let oldest = 0;
  return async () => {
    const now = options.now();
    if (sent.length < limit) {
      sent.push(now);
      return;
    }
    const leaves = (sent[oldest] ?? now) + windowMs;
    sent[oldest] = Math.max(now, leaves);
    oldest = (oldest + 1) % limit;
    if (leaves > now) await options.sleep(leaves - now);
  };
}
