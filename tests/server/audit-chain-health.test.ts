import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
import { tempDir } from '../support/cli.ts';
import { startServer } from '../support/server-process.ts';

describe('the full audit chain check, as npm start runs it', () => {
  it('reports in /healthz a byte flipped before the snapshot (which start does not read), naming the line, and keeps serving', async () => {
    const data = await tempDir();
    const store = await openLowdbStore({ dir: data, log: () => undefined, compactEvery: 5, checkChain: false });
    for (let i = 0; i < 12; i++)
      await store.commit(
        { at: new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString(), actor: 'akiko', action: 'test.entry', subject: `E-${i}` },
        [],
      );
    await store.close();
    expect(existsSync(join(data, 'state.json'))).toBe(true);
    const audit = join(data, 'audit.jsonl');
    const lines = (await readFile(audit, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace(':akiko"', ':akikO"'); // one byte of the actor kept beside the entry, which the snapshot covers
    await writeFile(audit, lines.join('\n'));

    const s = startServer({ PORT: '0', DATA_DIR: data });
    const port = await s.listening;
    let health: { ok: boolean; auditChain?: { state: string; line?: number } } = { ok: false };
    for (let i = 0; i < 250 && health.auditChain?.state !== 'failed'; i++) {
      health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      if (health.auditChain?.state !== 'failed') await new Promise((r) => setTimeout(r, 20));
    }
    expect(health).toMatchObject({ ok: true, auditChain: { state: 'failed', line: 2 } });
    await s.waitForOutput(/line 2/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
