import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { cachedPolicy, rememberPolicy } from '../../src/runtime/policy-cache.ts';
import { loadPolicyFile } from '../../src/runtime/policy-file.ts';
import { tempDir } from '../support/cli.ts';
import { packFiles, POLICIES_DIR } from './helpers.ts';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

async function setUp() {
  const dir = await tempDir('appwarden-policy-cache-');
  const cache = join(dir, 'cache');
  const file = join(dir, 'policy.yaml');
  await writeFile(file, await readFile(join(POLICIES_DIR, 'demo.yaml')));
  return { dir, cache, file, done: () => rm(dir, { recursive: true, force: true }) };
}

describe('the CLI remembers the policies it validated', () => {
  it.each(packFiles())('%s comes back from the cache equal to the policy parsed', async (pack) => {
    const { cache, file, done } = await setUp();
    await writeFile(file, await readFile(join(POLICIES_DIR, pack)));
    const parsed = parsePolicyText(await readFile(file, 'utf8'));
    expect(parsed.ok).toBe(true);
    const first = await loadPolicyFile(file, { cacheDir: cache });
    const second = await loadPolicyFile(file, { cacheDir: cache });
    expect(first.ok && second.ok).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    if (parsed.ok && second.ok) expect(second.value).toStrictEqual(parsed.value);
    await done();
  });

  it('reads a remembered policy instead of parsing the file again, and parses again once the bytes change', async () => {
    const { cache, file, done } = await setUp();
    const loaded = await loadPolicyFile(file, { cacheDir: cache });
    if (!loaded.ok) throw new Error('the demo policy does not load');
    expect(await readdir(cache)).toHaveLength(1);
    // What the cache holds for these bytes is what comes back: the file is not read as YAML again.
    const marked = { ...loaded.value, organization: { ...loaded.value.organization, name: 'From the cache' } };
    await rememberPolicy(cache, loaded.sha256!, marked);
    const again = await loadPolicyFile(file, { cacheDir: cache });
    expect(again.ok && again.value.organization.name).toBe('From the cache');

    await writeFile(file, (await readFile(file, 'utf8')).replace(/name: Demo Agency\n/, 'name: Demo Agency (edited)\n'));
    const edited = await loadPolicyFile(file, { cacheDir: cache });
    expect(edited.ok && edited.value.organization.name).toBe('Demo Agency (edited)');
    expect(await readdir(cache)).toHaveLength(2);
    await done();
  });

  it('keeps no policy with problems, and answers with the problems each time', async () => {
    const { cache, file, done } = await setUp();
    await writeFile(file, (await readFile(file, 'utf8')).replace(/timezone: .*/, 'timezone: Mars/Olympus'));
    for (const _ of [1, 2]) {
      const loaded = await loadPolicyFile(file, { cacheDir: cache });
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.issues.map((i) => i.path)).toContain('organization.timezone');
    }
    expect(await readdir(cache).catch(() => [])).toEqual([]);
    await done();
  });

  it('a damaged or unwritable cache is a cache miss, never a failure', async () => {
    const { dir, cache, file, done } = await setUp();
    const loaded = await loadPolicyFile(file, { cacheDir: cache });
    if (!loaded.ok) throw new Error('the demo policy does not load');
    const [entry] = await readdir(cache);
    await writeFile(join(cache, entry!), 'not a serialised policy');
    expect(await cachedPolicy(cache, loaded.sha256!)).toBeUndefined();
    const reparsed = await loadPolicyFile(file, { cacheDir: cache });
    expect(reparsed.ok && reparsed.value).toStrictEqual(loaded.value);

    // A cache where a file stands (a read-only install is the same to it): nothing can be kept, the file still loads.
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, '');
    const fromBlocked = await loadPolicyFile(file, { cacheDir: join(blocked, 'cache') });
    expect(fromBlocked.ok && fromBlocked.value).toStrictEqual(loaded.value);
    await done();
  });

  it('holds at most eight policies, the newest', async () => {
    const { cache, file, done } = await setUp();
    const text = await readFile(file, 'utf8');
    const hashes: string[] = [];
    for (let i = 0; i < 11; i++) {
      const variant = text.replace(/name: Demo Agency\n/, `name: Demo Agency ${i}\n`);
      await writeFile(file, variant);
      hashes.push(sha256(variant));
      expect((await loadPolicyFile(file, { cacheDir: cache })).ok).toBe(true);
    }
    const kept = await readdir(cache);
    expect(kept).toHaveLength(8);
    expect(hashes.slice(3).every((h) => kept.some((f) => f.startsWith(h)))).toBe(true);
    await done();
  });
});
