import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.ts';
import { startFakeSlack } from '../support/fake-slack.ts';
import { startServer } from '../support/server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommand } from '../support/slack-requests.ts';

// Issue 11, item 5: one Slack user could crash the server. `check` with 19,980 × U+FDFA (18 characters
// each after NFKC) and a counter, 4 at a time, kept +1.2 MB of heap per command (the normalised key in
// three caches) at 0.3 s of CPU each, and ran out of memory after 831 requests.

/** The server as `npm start` runs it, plus the test-only heap probe (SIGUSR2: collect garbage, print `heapUsed=`). */
function startProbedServer(env: Record<string, string>) {
  const s = startServer(env, ['--expose-gc', '--import', join(ROOT, 'tests/support/heap-probe.mjs')]);
  /** The heap in use after a full collection. */
  const heapUsed = async (): Promise<number> => {
    const from = s.out().length;
    s.child.kill('SIGUSR2');
    for (let waited = 0; waited < 10_000; waited += 20) {
      const m = /heapUsed=(\d+)\n/.exec(s.out().slice(from));
      if (m) return Number(m[1]);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no heap figure from the server: ${s.err()}`);
  };
  return { ...s, heapUsed };
}

const MB = 1024 * 1024;
/** 19,980 × ﷺ and a counter: under the 20,000-character cap on command text as sent, 359,640 characters and more after NFKC. */
const flood = (i: number) => `check ${'\uFDFA'.repeat(19_980)}${i}`;
/** Ten ﷺ and a counter: within the 200-character cap on names after NFKC, so looked up (and remembered) as a name never seen. */
const nearCap = (i: number) => `check ${'\uFDFA'.repeat(10)}${i}`;

describe('a flood of distinct names (issue 11, item 5)', () => {
  it('1,000 checks with distinct 20,000-character names leave the heap flat, and check tiktok between them is answered as usual', async () => {
    const fake = await startFakeSlack();
    const s = startProbedServer({
      PORT: '0',
      DATA_DIR: await tempDir(),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
    });
    const url = `http://127.0.0.1:${await s.listening}/slack/events`;
    const send = (text: string) => postToSlackEndpoint(url, slashCommand(fake.url, 'U0STAFF', text));
    const checkTiktok = async () => {
      const started = performance.now();
      const res = await send('check tiktok');
      expect(res.status).toBe(200);
      expect(res.text).toContain('TikTok is prohibited on a work device');
      return performance.now() - started;
    };

    // Warm up (code compiled, caches and pools in their steady state) before the baseline.
    for (let i = 0; i < 40; i++) await send(flood(-1 - i));
    for (let i = 0; i < 20; i++) await checkTiktok();
    const baseline = await s.heapUsed();

    const slowest: number[] = [];
    for (let i = 0; i < 1_000; i += 4) {
      const batch = await Promise.all([i, i + 1, i + 2, i + 3].map((n) => send(flood(n))));
      for (const res of batch) {
        expect(res.status).toBe(200);
        expect(res.text).toMatch(/That name is 359,6\d\d characters long \(counted after Unicode normalisation/);
      }
      // A name under the cap (a new one each time) goes through the lookup and "did you mean".
      expect((await send(nearCap(i))).text).toMatch(/I don't know an app called/);
      if (i % 100 === 0) slowest.push(await checkTiktok());
    }
    const after = await s.heapUsed();

    expect((after - baseline) / MB, `heap ${(baseline / MB).toFixed(1)} MB → ${(after / MB).toFixed(1)} MB`).toBeLessThan(20);
    // Was 2.4 s at p99 once the flood had filled the heap; a generous bound, not a benchmark.
    expect(Math.max(...slowest)).toBeLessThan(2_000);
    s.child.kill('SIGTERM');
    await fake.close();
  }, 90_000);
});
