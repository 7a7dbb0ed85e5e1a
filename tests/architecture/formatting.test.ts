import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// Issue 14 item 7: one formatter (Biome, biome.json), checked here so a change cannot land unformatted.
describe('formatting', () => {
  it('every source file is as `npx biome format --write .` leaves it', () => {
    const run = spawnSync(process.execPath, [resolve(root, 'node_modules/@biomejs/biome/bin/biome'), 'format', '.'], {
      cwd: root,
      encoding: 'utf8',
    });
    const unformatted = [...`${run.stdout}${run.stderr}`.matchAll(/^(\S+\.(?:ts|js|mjs|json)) format /gm)].map((m) => m[1]);
    expect({ status: run.status, unformatted }, run.stdout + run.stderr).toEqual({ status: 0, unformatted: [] });
  });
});
