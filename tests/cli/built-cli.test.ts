import { cp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli, tempDir } from '../support/cli.ts';
import { postgresAvailable, testDatabases } from '../support/postgres.ts';

const TRACE = { APPWARDEN_LAUNCH_TRACE: '1' };
const LAUNCH = /appwarden launch: (built|rebuilt) dist\/cli\/(b-[^/]+)\/cli\.mjs/;
/** What only some commands may load: the chat platforms' SDKs, the Microsoft and HTTP clients, pg, and tsx. */
const NOT_FOR_EVERY_COMMAND = /\/node_modules\/(@slack\/|botbuilder|botframework-|express\/|@azure\/msal-node\/|pg\/|undici\/|tsx\/)/;

/** Runs the binary with the module hook of tests/support/record-imports.mjs: its result, and every module it loaded. */
async function recordingImports(args: string[], env: NodeJS.ProcessEnv) {
  const dir = await tempDir();
  const file = join(dir, 'imports.txt');
  const run = await spawnCli(args, {
    ...env,
    ...TRACE,
    NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'tests/support/record-imports.mjs')).href}`,
    RECORD_IMPORTS_TO: file,
  });
  const loaded = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  await rm(dir, { recursive: true, force: true });
  return { ...run, loaded };
}

describe('bin/appwarden.js runs the built CLI', () => {
  it.each([
    ['check tiktok', ['check', 'tiktok']],
    ['report compliance', ['--as', 'olivia', 'report', 'compliance']],
    ['status', ['--as', 'pierre', 'status']],
    ['attest', ['--as', 'pierre', 'attest', 'tiktok']],
    ['policy validate', ['policy', 'validate', 'policies/demo.yaml']],
    ['help', ['help']],
  ])('%s: from the build, without tsx, loading no chat SDK, directory or MDM client, nor pg', async (_, args) => {
    const data = await tempDir();
    await spawnCli(['help'], { DATA_DIR: data }); // builds, if a source changed since the last build
    const run = await recordingImports(args, { DATA_DIR: data });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/appwarden launch: built dist\/cli\/b-/);
    expect(run.loaded.some((url) => url.includes('/dist/cli/b-'))).toBe(true);
    expect(run.loaded.filter((url) => NOT_FOR_EVERY_COMMAND.test(url))).toEqual([]);
  });
});

describe.skipIf(!postgresAvailable())('bin/appwarden.js on PostgreSQL', () => {
  const databases = testDatabases();
  it('loads pg from the build when DATABASE_URL names the store, and still no chat SDK', async () => {
    const run = await recordingImports(['--as', 'pierre', 'attest', 'tiktok'], { DATABASE_URL: await databases.make() });
    expect(run.code, run.stderr).toBe(0);
    const packages = new Set(
      run.loaded.filter((url) => NOT_FOR_EVERY_COMMAND.test(url)).map((url) => NOT_FOR_EVERY_COMMAND.exec(url)?.[1]),
    );
    expect([...packages]).toEqual(['pg/']);
  });
});

describe('the build follows the sources', () => {
  it('builds when there is none, not again while fresh, again after a source changed; falls back to tsx when it cannot', async () => {
    // A copy of the checkout: the worktree's own sources and build stay as they are.
    const copy = await tempDir('appwarden-copy-');
    for (const part of ['src', 'commands', 'adapters', 'storage', 'bin', 'policies', 'package.json'])
      await cp(join(ROOT, part), join(copy, part), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const env = { ...TRACE, DATA_DIR: join(copy, 'data') };
    const check = () => spawnCli(['check', 'tiktok'], env, copy);

    // Three first runs at once: each builds, each answers, and the build they leave is whole.
    const first = await Promise.all([check(), check(), check()]);
    for (const run of first) {
      expect(run.stdout).toMatch(/TikTok is prohibited on a work device/);
      expect(LAUNCH.exec(run.stderr)?.[1]).toBe('rebuilt');
    }
    const fresh = await check();
    const [, how, build] = LAUNCH.exec(fresh.stderr) ?? [];
    expect(how).toBe('built');
    expect(first.map((run) => LAUNCH.exec(run.stderr)?.[2])).toContain(build);
    expect(fresh.stdout).toBe(first[0]!.stdout);
    expect(LAUNCH.exec((await check()).stderr)?.slice(1)).toEqual(['built', build]);

    const catalogue = join(copy, 'commands/wording/en.json');
    await writeFile(
      catalogue,
      (await readFile(catalogue, 'utf8')).replace('"{app} is prohibited on {device}."', '"{app} is banned on {device}."'),
    );
    const changed = await check();
    expect(changed.stdout).toMatch(/TikTok is banned on a work device/);
    const [, howNow, buildNow] = LAUNCH.exec(changed.stderr) ?? [];
    expect(howNow).toBe('rebuilt');
    expect(buildNow).not.toBe(build);

    // dist/cli a file: nowhere to build.
    await rm(join(copy, 'dist/cli'), { recursive: true });
    await writeFile(join(copy, 'dist/cli'), '');
    const fallback = await spawnCli(['check', 'tiktok'], { DATA_DIR: env.DATA_DIR }, copy);
    expect(fallback.code).toBe(0);
    expect(fallback.stdout).toMatch(/TikTok is banned on a work device/);
    expect(fallback.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^appwarden: could not build the CLI \(.+\); running the TypeScript sources through tsx$/),
    ]);
    await rm(copy, { recursive: true, force: true });
  }, 90_000);
});
