import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { openLowdbStoreReadOnly } from '../../storage/lowdb/index.ts';
import { cli, spawnCli, tempDir } from '../support/cli.ts';

/**
 * A request nobody decides: the approver is reminded, then it escalates, then it expires — each notice
 * once, though every `appwarden remind --at` is a new process (a restart between every tick).
 */
async function setUp() {
  const dir = await tempDir();
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  const rule = policy.rules.find((r: { id: string }) => r.id === 'demo-recreational');
  Object.assign(rule.exceptions, { remind_after_hours: 24, escalate_after_hours: 72, escalate_to: ['olivia'], expire_after_days: 14 });
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  return { POLICY_FILE: join(dir, 'policy.yaml'), DATA_DIR: join(dir, 'data') };
}

const HOUR = 3_600_000;

/** A request as the data directory holds it, read as another process would. */
async function stored(dir: string, id: string) {
  const store = await openLowdbStoreReadOnly({ dir, log: () => {} });
  try {
    return store.get('requests', id);
  } finally {
    await store.close();
  }
}

describe('a request left waiting never stalls', () => {
  it('reminds the approvers, escalates, then expires it — each once, across restarts', { timeout: 120_000 }, async () => {
    const env = await setUp();
    const filed = await cli(
      ['--as', 'pierre', '--json', 'request', 'instagram', '--purpose', 'public-communications', '--reason', 'press office'],
      env,
    );
    expect(filed.code, filed.stderr).toBe(0);
    const at = (hours: number) => new Date(Date.parse(JSON.parse(filed.stdout).requestedAt) + hours * HOUR).toISOString();
    const tick = async (hours: number) => {
      const run = await spawnCli(['--json', 'remind', '--at', at(hours)], env);
      expect(run.code, run.stderr).toBe(0);
      // Only what is about the request: the demo pack's deadline reminders come and go with the real date.
      return (JSON.parse(run.stdout) as { queued: { key: string }[] }).queued.map((q) => q.key).filter((k) => k.includes(':EX-1'));
    };

    expect(await tick(23)).toEqual([]);
    expect(await tick(25)).toEqual(['waiting:EX-1:akiko']);
    expect(await tick(26)).toEqual([]); // once, though another process ticks again

    expect(await tick(73)).toEqual(['escalated:EX-1:olivia']);
    expect(await tick(74)).toEqual([]);
    // Escalated to Olivia (an admin, not an approver of Communications): she may decide it now.
    expect(await stored(env.DATA_DIR, 'EX-1')).toMatchObject({
      status: 'requested',
      escalatedTo: ['olivia'],
      notified: ['akiko', 'olivia'],
    });

    expect(await tick(15 * 24)).toEqual(['unanswered:EX-1']);
    expect(await tick(15 * 24 + 1)).toEqual([]);
    expect(await stored(env.DATA_DIR, 'EX-1')).toMatchObject({ status: 'expired', endedBy: 'system', endedBecause: 'unanswered' });
    const outbox = JSON.parse((await cli(['--json', 'outbox'], env)).stdout) as { waiting: { id: string; what: string }[] };
    const told = outbox.waiting.find((w) => w.id === 'unanswered:EX-1');
    expect(told?.what).toMatch(/pierre/);
  });

  it('an escalation approver decides; an approver reminded after a decision is not', { timeout: 60_000 }, async () => {
    const env = await setUp();
    const filed = await cli(
      ['--as', 'pierre', '--json', 'request', 'instagram', '--purpose', 'public-communications', '--reason', 'press office'],
      env,
    );
    const at = (hours: number) => new Date(Date.parse(JSON.parse(filed.stdout).requestedAt) + hours * HOUR).toISOString();
    expect((await cli(['--as', 'olivia', 'approve', 'EX-1'], env)).code).toBe(1); // not before it escalates
    await spawnCli(['remind', '--at', at(73)], env);
    const approved = await cli(['--as', 'olivia', 'approve', 'EX-1'], env);
    expect(approved.code, approved.stderr).toBe(0);
    const later = await spawnCli(['--json', 'remind', '--at', at(100)], env);
    expect((JSON.parse(later.stdout).queued as { key: string }[]).filter((q) => q.key.includes(':EX-1'))).toEqual([]);
  });
});
