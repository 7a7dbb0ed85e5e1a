/**
 * Waiting on a fake platform server: the bot's platform calls run after its HTTP answer, so tests
 * wait for them to arrive (or for quiet, before asserting "nothing more").
 */
export function waiting(name: string, describeCalls: () => string, lastActivity: () => number) {
  return {
    /** Resolves with `check`'s value once it holds (a check may be asynchronous: it is awaited). */
    async until<T>(
      check: () => T | undefined | false | Promise<T | undefined | false>,
      what = 'condition',
      timeoutMs = 10_000,
    ): Promise<T> {
      const start = Date.now();
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() - start > timeoutMs) throw new Error(`${name}: timed out waiting for ${what}; calls: ${describeCalls()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    /** Resolves when no call has arrived for `quietMs`. */
    async idle(quietMs = 150) {
      while (Date.now() - lastActivity() < quietMs) await new Promise((r) => setTimeout(r, quietMs / 3));
    },
  };
}
