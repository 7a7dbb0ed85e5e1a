import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const tempDir = (prefix = 'appwarden-') => mkdtemp(join(tmpdir(), prefix));

/** The CLI's own entry point, in this process: same code as the binary, without a process start each time. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { ...env }, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The real `appwarden` binary in a child process (of this checkout, or of a copy of it at `root`). */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  root = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawned(process.execPath, [join(root, 'bin/appwarden.js'), ...args], env, root);
}

/**
 * `bin/appwarden` as a person types it: the shell launcher, which starts the build's start-up snapshot
 * where it can. PATH is the test's unless `env` names one.
 */
export function spawnLauncher(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  root = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawned(join(root, 'bin/appwarden'), args, env, root);
}

function spawned(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
