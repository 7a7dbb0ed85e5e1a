import { runCommand } from '../../commands/entry/run-command.ts';
import { createAppWarden } from '../../src/app.ts';
import type { Store } from '../../src/core/store.ts';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { loadPolicyFile } from '../../src/runtime/policy-file.ts';

/** The demo pack's TikTok rules are in force then, whatever today's date. */
const NOW = new Date('2026-11-22T10:00:00.000Z');
const loaded = await loadPolicyFile(DEMO_POLICY_FILE);
if (!loaded.ok) throw new Error('the demo pack does not load');
const policy = loaded.value;

export interface CellLimits {
  /** How long a cell runs, at least `minOps` attests and at most `maxOps`. */
  ms: number;
  minOps?: number;
  maxOps?: number;
}

/**
 * `attest tiktok` through the command layer, as a Slack slash command runs it (two attestations and
 * the delivery's idempotency key in one commit), as a new person each time, `inFlight` at once, for
 * about `limits.ms`: each one's latency and the seconds it all took.
 */
export async function measureAttests(store: Store, tag: string, inFlight: number, limits: CellLimits) {
  const { ms, minOps = 5, maxOps = 20_000 } = limits;
  const bot = createAppWarden({ policy, store, now: () => NOW, log: () => {} });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const more = () => latencies.length + inFlight <= maxOps && (performance.now() - started < ms || next < minOps);
  const worker = async () => {
    while (more()) {
      const n = next++;
      const user = `U${tag}${n}`;
      const t0 = performance.now();
      const result = await runCommand('attest tiktok', { ...bot.contextFor(user, 'slack'), idempotencyKey: `slack:command:${tag}-${n}` });
      latencies.push(performance.now() - t0);
      if (!result.ok) throw new Error(`attest refused: ${result.code}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}
