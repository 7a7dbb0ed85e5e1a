import { describe, expect, it } from 'vitest';
import { PACE_REQUESTS, PACE_WINDOW_MS, requestPacer } from '../../adapters/entra/request-pacer.ts';

/** A clock that moves only when the pacer sleeps, or the test says so; every sleep is recorded. */
function virtualTime(start = 1_000_000) {
  let at = start;
  const slept: number[] = [];
  return {
    now: () => at,
    sleep: async (ms: number) => {
      slept.push(ms);
      at += ms;
    },
    advance: (ms: number) => void (at += ms),
    slept,
  };
}

/** Sends `n` requests through the pacer, `gapMs` apart on the clock, and gives each one's send time. */
async function send(pace: () => Promise<void>, time: ReturnType<typeof virtualTime>, n: number, gapMs = 0): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    await pace();
    at.push(time.now());
    time.advance(gapMs);
  }
  return at;
}

/** The most requests sent in any window of `windowMs` (half-open: a request at t + windowMs is in the next one). */
function busiestWindow(sentAt: number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < sentAt.length; last++) {
    while ((sentAt[last] ?? 0) - (sentAt[first] ?? 0) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('requestPacer: a sliding window of 1,000 requests per 20 s', () => {
  it('is half of Intune’s 2,000 per 20 s', () => {
    expect([PACE_REQUESTS, PACE_WINDOW_MS]).toEqual([1_000, 20_000]);
  });

  it('an ordinary read never waits: 1,000 requests at once go out at once', async () => {
    const time = virtualTime();
    await send(requestPacer(time), time, PACE_REQUESTS);
    expect(time.slept).toEqual([]);
  });

  it('the 1,001st request of a burst waits until the first leaves the window, then the next go as each earlier one leaves', async () => {
    const time = virtualTime();
    const pace = requestPacer(time);
    await send(pace, time, PACE_REQUESTS, 5); // 1,000 requests over 5 s
    const later = await send(pace, time, 3);
    // The first went out at 1,000,000: the 1,001st goes 20 s after it, the next two as their elders leave.
    expect(later).toEqual([1_020_000, 1_020_005, 1_020_010]);
    expect(time.slept).toEqual([20_000 - 5_000, 5, 5]);
  });

  it('requests spread out by the caller never wait, however many', async () => {
    const time = virtualTime();
    await send(requestPacer(time), time, 5_000, 25); // 800 per 20 s
    expect(time.slept).toEqual([]);
  });

  it('2,500 requests in a burst: never more than 1,000 in any 20 s, and no longer than the window needs', async () => {
    const time = virtualTime();
    const sentAt = await send(requestPacer(time), time, 2_500);
    expect(busiestWindow(sentAt, PACE_WINDOW_MS)).toBe(1_000);
    expect((sentAt.at(-1) ?? 0) - (sentAt[0] ?? 0)).toBe(2 * PACE_WINDOW_MS);
    expect(time.slept).toEqual([20_000, 20_000]);
  });

  it('a clock that does not move while it sleeps (a test’s no-op sleep) still lets each request through', async () => {
    let slept = 0;
    const pace = requestPacer({ now: () => 0, sleep: async () => void (slept += 1), limit: 2, windowMs: 1_000 });
    for (let i = 0; i < 6; i++) await pace();
    expect(slept).toBe(4);
  });

  it('two callers at once do not take the same place in the window', async () => {
    const time = virtualTime(0);
    const waits: number[] = [];
    const pace = requestPacer({ now: time.now, sleep: async (ms) => void waits.push(ms), limit: 2, windowMs: 1_000 });
    await Promise.all([pace(), pace(), pace(), pace()]);
    // Two go now; the third and fourth both wait for the window, the fourth a whole window after the second.
    expect(waits).toEqual([1_000, 1_000]);
    await pace();
    expect(waits.at(-1)).toBe(2_000);
  });
});
