import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { ROOT } from './cli.ts';
import { npmStartCommand } from './npm-start.ts';

let command: ReturnType<typeof npmStartCommand> | undefined;
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

/**
 * What `npm start` runs (the bundle it builds, with its node flags) in a child process with only the
 * given environment (HOST defaults to loopback: tests never listen beyond this machine). `listening`
 * resolves with the address and port of the start line.
 */
export function startServer(env: Record<string, string>, extraNodeArgs: string[] = []) {
  command ??= npmStartCommand();
  const child = spawn(process.execPath, [...command.nodeArgs, ...extraNodeArgs, command.script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOST: '127.0.0.1', ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const started = new Promise<{ host: string; port: number }>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/(\S+):(\d+) /.exec(stdout);
      if (m) resolve({ host: m[1]!, port: Number(m[2]) });
    });
    void exited.then((code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  const listening = started.then((s) => s.port);
  started.catch(() => undefined); // a test that expects a refusal awaits `exited` instead
  listening.catch(() => undefined);
  /** Waits for the server to print `re` for the `n`th time; generous, because a loaded CI machine is slow to schedule it. */
  const printed = async (re: RegExp, n = 1) => {
    const count = () => stdout.match(new RegExp(re.source, 'g'))?.length ?? 0;
    for (let i = 0; i < 1500 && count() < n && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
    if (count() < n) throw new Error(`the server printed ${re} ${count()} times, not ${n}:\n${stdout}\n${stderr}`);
  };
  return {
    child,
    started,
    listening,
    exited,
    waitForOutput: (re: RegExp) => printed(re, 1),
    printed,
    out: () => stdout,
    err: () => stderr,
  };
}
