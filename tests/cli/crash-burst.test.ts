import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
import { ROOT, tempDir } from '../support/cli.ts';

/** Run the burst until `acks` requests were reported successful, then SIGKILL it. Returns what was acknowledged. */
function burstThenKill(dir: string, prefix: string, acks: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tests/cli/fixtures/request-burst.ts'), dir, join(ROOT, 'policies/fr-2023-recreational.yaml'), prefix],
      { cwd: ROOT },
    );
    const acked = new Map<string, string>();
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [, id, person] = line.split(' ');
        acked.set(id!, person!);
      }
      if (acked.size >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`burst ended on its own: ${stderr}`))));
  });
}

describe('SIGKILL in the middle of a burst of requests', () => {
  it('loses no request that had been reported successful, three kills in a row', async () => {
    const dir = await tempDir();
    const all = new Map<string, string>();
    for (const round of ['a', 'b', 'c']) {
      const acked = await burstThenKill(dir, round, 150);
      expect(acked.size).toBeGreaterThanOrEqual(150);
      for (const [id, person] of acked) all.set(id, person);
      const store = await openLowdbStore({ dir, log: () => undefined });
      try {
        for (const [id, person] of all) expect(store.get('requests', id)?.person, id).toBe(person);
        expect(await store.verifyAudit()).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
    }
  });
});
