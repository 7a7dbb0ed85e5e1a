import { chmod, cp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli, spawnLauncher, tempDir } from '../support/cli.ts';
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

const SNAPSHOT = /appwarden launch: snapshot of dist\/cli\/(b-[^/]+)\/cli\.mjs/;

describe('bin/appwarden starts the build from its start-up snapshot', () => {
  it.each([
    ['check tiktok', ['check', 'tiktok']],
    ['report compliance, an option before the command', ['--as', 'olivia', 'report', 'compliance']],
    ['check with a flag', ['check', 'LINE', '--data', 'personal-data']],
    ['a policy problem', ['--policy', 'package.json', 'check', 'tiktok']],
    ['help', ['help']],
  ])('%s: the same answer, exit code and messages as the modules give', async (_, args) => {
    const data = await tempDir();
    await spawnCli(['help'], { DATA_DIR: data }); // builds, if a source changed since the last build
    const fromModules = await spawnCli(args, { DATA_DIR: data });
    const fromSnapshot = await spawnLauncher(args, { DATA_DIR: data, ...TRACE });
    const build = /dist\/cli\/(b-[^/]+)\//.exec((await spawnCli(['help'], { DATA_DIR: data, ...TRACE })).stderr)?.[1];
    expect(SNAPSHOT.exec(fromSnapshot.stderr)?.[1]).toBe(build);
    expect(fromSnapshot.stdout).toBe(fromModules.stdout);
    expect(fromSnapshot.stderr.replace(/^appwarden launch: .*\n/m, '')).toBe(fromModules.stderr);
    expect(fromSnapshot.code).toBe(fromModules.code);
    await rm(data, { recursive: true, force: true });
  });

  it('changes the record from the snapshot: an attestation, then the status that shows it', async () => {
    const data = await tempDir();
    const attest = await spawnLauncher(['--as', 'pierre', 'attest', 'tiktok'], { DATA_DIR: data, ...TRACE });
    expect(attest.code, attest.stderr).toBe(0);
    expect(attest.stderr).toMatch(SNAPSHOT);
    const status = await spawnLauncher(['--as', 'pierre', 'status'], { DATA_DIR: data });
    expect(status.stdout).toBe((await spawnCli(['--as', 'pierre', 'status'], { DATA_DIR: data })).stdout);
    expect(status.stdout).toMatch(/TikTok/);
    expect((await spawnCli(['audit', 'verify'], { DATA_DIR: data })).stdout).toMatch(/audit log verified: \d+ entries, chain intact/);
    await rm(data, { recursive: true, force: true });
  });

  it('runs bin/appwarden.js instead when the Node on PATH is not the one that made the snapshot', async () => {
    const data = await tempDir();
    await spawnCli(['help'], { DATA_DIR: data });
    // Another binary first on PATH (here a wrapper of this one): a snapshot starts only in the Node that made it.
    const bin = await tempDir('appwarden-path-');
    await writeFile(join(bin, 'node'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
    await chmod(join(bin, 'node'), 0o755);
    const otherNode = await spawnLauncher(['check', 'tiktok'], { DATA_DIR: data, ...TRACE, PATH: `${bin}:${process.env.PATH}` });
    expect(otherNode.code).toBe(0);
    expect(otherNode.stdout).toMatch(/TikTok is prohibited on a work device/);
    expect(otherNode.stderr).toMatch(/appwarden launch: built dist\/cli\/b-/);
    expect(otherNode.stderr).not.toMatch(SNAPSHOT);
    await rm(bin, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  });

  it('a build whose snapshot another Node made gets one of this Node on its next run', async () => {
    const data = await tempDir();
    const trace = (await spawnCli(['help'], { DATA_DIR: data, ...TRACE })).stderr;
    const build = /dist\/cli\/(b-[^/]+)\//.exec(trace)?.[1];
    const identity = join(ROOT, 'dist/cli', build!, 'cli.node');
    const ours = await readFile(identity, 'utf8');
    await writeFile(identity, '1234:5678\n'); // as Node 24 would leave it, after a run of Node 20
    // Three runs at once each make one (as test files starting together do): none undoes another's.
    const runs = await Promise.all([1, 2, 3].map(() => spawnLauncher(['check', 'tiktok'], { DATA_DIR: data, ...TRACE })));
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/appwarden launch: made the start-up snapshot for this Node in \d+ ms/);
    }
    expect(await readFile(identity, 'utf8')).toBe(ours);
    expect((await spawnLauncher(['check', 'tiktok'], { DATA_DIR: data, ...TRACE })).stderr).toMatch(SNAPSHOT);
    await rm(data, { recursive: true, force: true });
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

  it('the snapshot loads pg when a command needs it', async () => {
    const url = await databases.make();
    const attest = await spawnLauncher(['--as', 'pierre', 'attest', 'tiktok'], { DATABASE_URL: url, ...TRACE });
    expect(attest.code, attest.stderr).toBe(0);
    expect(attest.stderr).toMatch(SNAPSHOT);
    const status = await spawnLauncher(['--as', 'pierre', 'status'], { DATABASE_URL: url });
    expect(status.stdout).toBe((await spawnCli(['--as', 'pierre', 'status'], { DATABASE_URL: url })).stdout);
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
    const snapshot = await spawnLauncher(['check', 'tiktok'], env, copy);
    expect(SNAPSHOT.exec(snapshot.stderr)?.[1]).toBe(build);
    expect(snapshot.stdout).toBe(fresh.stdout);

    const catalogue = join(copy, 'commands/wording/en.json');
    await writeFile(
      catalogue,
      (await readFile(catalogue, 'utf8')).replace('"{app} is prohibited on {device}."', '"{app} is banned on {device}."'),
    );
    // The launcher's snapshot is of the build before the change: it hands over to bin/appwarden.js, which rebuilds.
    const changed = await spawnLauncher(['check', 'tiktok'], env, copy);
    expect(changed.stdout).toMatch(/TikTok is banned on a work device/);
    expect(changed.stderr).toMatch(
      new RegExp(`appwarden launch: snapshot of dist/cli/${build}/cli.mjs, no longer the current build: handing over to bin/appwarden.js`),
    );
    const [, howNow, buildNow] = LAUNCH.exec(changed.stderr) ?? [];
    expect(howNow).toBe('rebuilt');
    expect(buildNow).not.toBe(build);
    // …and the next run starts from the new build's snapshot.
    const next = await spawnLauncher(['check', 'tiktok'], env, copy);
    expect(SNAPSHOT.exec(next.stderr)?.[1]).toBe(buildNow);
    expect(next.stdout).toBe(changed.stdout);
    // A build without a snapshot (a Node that could not make one): the launcher runs the modules.
    await rm(join(copy, 'dist/cli', buildNow!, 'cli.blob'));
    const noSnapshot = await spawnLauncher(['check', 'tiktok'], env, copy);
    expect(LAUNCH.exec(noSnapshot.stderr)?.slice(1)).toEqual(['built', buildNow]);
    expect(noSnapshot.stdout).toBe(changed.stdout);

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
