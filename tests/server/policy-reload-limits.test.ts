// A policy reload that fails, for whatever reason, leaves the running server and its policy as they
// were (issue 11, item 8): a 19.7 MB policy sent by SIGHUP used to block /healthz for 25 s and then
// kill the server (heap out of memory).
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_LIMITS } from '../../src/core/policy.ts';
import { ROOT, tempDir } from '../support/cli.ts';
import { startServer } from '../support/server-process.ts';

/** An 85,000-app policy, written as the packs write apps: about 19.7 MB. */
function hugePolicy(organization: string): string {
  const lines = [
    `organization: { name: ${organization}, timezone: Europe/Brussels, default_unit: org }`,
    'units: [ { id: org, name: Organisation } ]',
    'apps:',
  ];
  for (let i = 0; i < 85_000; i++)
    lines.push(
      `  - { id: app-${i}, name: Application number ${i}, vendor: Vendor ${i % 300}, categories: [category-${i % 50}], aliases: [alias-${i}, アプリ${i}, another alias ${i}], store_ids: ["${100_000_000 + i}"], bundle_ids: [com.vendor${i % 300}.app${i}] }`,
    );
  return `${lines.join('\n')}\n`;
}

describe('policy reload limits', () => {
  it('SIGHUP with an 85,000-app policy is refused by its size; /healthz answers and the old policy stays', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempDir();
    const policyFile = join(dir, 'policy.yaml');
    await copyFile(join(ROOT, 'policies/demo.yaml'), policyFile);
    const s = startServer({ PORT: '0', DATA_DIR: join(dir, 'data'), POLICY_FILE: policyFile });
    const port = await s.listening;
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<{ ok: boolean; organization: string }>;
    expect(await health()).toMatchObject({ ok: true, organization: 'Demo Agency' });

    await writeFile(policyFile, hugePolicy('Huge Ministry'));
    const { size } = await stat(policyFile);
    expect(size).toBeGreaterThan(19_000_000);
    s.child.kill('SIGHUP');
    await s.printed(/refused, the running policy stays/, 1);
    expect(s.out()).toContain(`✖ the file is ${size} bytes, at most ${POLICY_LIMITS.bytes} → at ${policyFile}`);
    expect(await health()).toMatchObject({ ok: true, organization: 'Demo Agency' });

    // Under the byte limit but over a count: refused by the count, before validation.
    const apps = Array.from({ length: POLICY_LIMITS.apps + 1 }, (_, i) => `  - { id: a${i}, name: a${i} }`).join('\n');
    await writeFile(
      policyFile,
      `organization: { name: Counted, timezone: Europe/Brussels, default_unit: org }\nunits: [ { id: org, name: Org } ]\napps:\n${apps}\n`,
    );
    s.child.kill('SIGHUP');
    await s.printed(/refused, the running policy stays/, 2);
    expect(s.out()).toContain(`✖ ${POLICY_LIMITS.apps + 1} entries, at most ${POLICY_LIMITS.apps} → at apps`);
    expect(await health()).toMatchObject({ ok: true, organization: 'Demo Agency' });

    // An alias bomb: a problem, not an exception.
    const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    await writeFile(
      policyFile,
      `${levels
        .map(
          (l, i) =>
            `${l}: &${l} [${Array(9)
              .fill(i ? `*${levels[i - 1]}` : 'lol')
              .join(', ')}]`,
        )
        .join('\n')}\n`,
    );
    s.child.kill('SIGHUP');
    await s.printed(/refused, the running policy stays/, 3);
    expect(s.out()).toContain('✖ aliases expand past 100 copies (an alias bomb)');
    expect(s.out()).not.toMatch(/reload failed/);
    expect(await health()).toMatchObject({ ok: true, organization: 'Demo Agency' });

    // And a good file after all that still reloads.
    await writeFile(
      policyFile,
      (await readFile(join(ROOT, 'policies/demo.yaml'), 'utf8')).replace('name: Demo Agency', 'name: Demo Agency (renamed)'),
    );
    s.child.kill('SIGHUP');
    await s.printed(/policy reloaded/, 1);
    expect(await health()).toMatchObject({ ok: true, organization: 'Demo Agency (renamed)' });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
