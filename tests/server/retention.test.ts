import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { allBytes, setUpLeaver, TRACES } from '../support/leaver.ts';
import { startServer } from '../support/server-process.ts';

describe('npm start with retention:', () => {
  it('erases whoever left longer ago than leavers_days once started, audits it, and keeps serving', { timeout: 60_000 }, async () => {
    const { env, data } = await setUpLeaver({ leavers_days: 0 });
    const s = startServer({ PORT: '0', POLICY_FILE: env.POLICY_FILE, DATA_DIR: env.DATA_DIR });
    const port = await s.listening;
    await s.waitForOutput(/retention: 1 leaver\(s\) erased \(erased-[0-9a-f]{8}\), 0 free-text value\(s\) dropped/);
    expect((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).ok).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const after = (await allBytes(data)).toLowerCase();
    for (const trace of TRACES) expect(after, trace).not.toContain(trace.toLowerCase());
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
    const last = (await cli(['audit', 'export'], env)).stdout.split('\n').map((line) => JSON.parse(line));
    expect(last.find((e) => e.action === 'person.erased')?.detail).toMatchObject({
      operator: 'retention',
      reason: expect.stringMatching(/^retention: left /),
    });
  });
});
