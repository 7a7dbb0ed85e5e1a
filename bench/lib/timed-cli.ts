import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './report.ts';

export interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakMb: number;
}

/** Runs the CLI as a person types it (`bin/appwarden`, the package's binary) to its end; its output, seconds and peak RSS. */
export function timedCli(args: string[], env: Record<string, string>): Promise<TimedRun> {
  return timed(join(REPO_ROOT, 'bin/appwarden'), args, env);
}

/** The same for any `node …` (`['-e', '0']`: the floor a CLI run cannot go below). */
export function timedNode(nodeArgs: string[], env: Record<string, string>): Promise<TimedRun> {
  return timed(process.execPath, nodeArgs, env);
}

function timed(command: string, args: string[], env: Record<string, string>): Promise<TimedRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    // VmHWM is the kernel's own high-water mark of the process's resident memory.
    const sample = setInterval(() => {
      const status = (() => {
        try {
          return readFileSync(`/proc/${child.pid}/status`, 'utf8');
        } catch {
          return '';
        }
      })();
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    }, 10);
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, peakMb: peakKb / 1024 });
    });
  });
}
