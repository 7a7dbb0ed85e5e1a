import { spawn, type ChildProcess } from 'node:child_process';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SIGNING_SECRET } from '../../tests/support/slack-requests.ts';
import { REPO_ROOT, summarize, type Summary } from './report.ts';

export interface Running {
  child: ChildProcess;
  port: number;
  /** Every line it printed (stdout and stderr), for when something goes wrong. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx <script>` from the repository root (so the server finds the demo pack, as
 * `npm start` does), on loopback, and waits for its `listening on http://127.0.0.1:PORT` line.
 */
export async function startListening(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  timeoutMs = 60_000,
): Promise<Running> {
  // A .js/.mjs file (e.g. the server bundled ahead) runs on plain node; TypeScript goes through tsx, as `npm start` does.
  const loader = /\.m?js$/.test(script) ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const found = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`${script} exited (${code ?? signal}) before listening:\n${output.join('\n')}`)),
    );
  });
  return { child, port, output, exited };
}

/** A process's resident memory in MB, from /proc (what the kernel charges it, heap and all). */
export async function rssMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples. */
export function sampleRss(pid: number, everyMs = 250) {
  const samples: number[] = [];
  const timer = setInterval(() => void rssMb(pid).then((mb) => mb !== undefined && samples.push(mb)), everyMs);
  return () => {
    clearInterval(timer);
    return samples;
  };
}

/**
 * Starts a child that prints one JSON document last on stdout: `result` resolves with it once the child
 * exits, `stop` asks it to finish early (SIGTERM) and resolves likewise.
 */
export function spawnForJson<T>(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const result = new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    }),
  );
  return {
    child,
    result,
    stop() {
      child.kill('SIGTERM');
      return result;
    },
  };
}

/** Runs a child to completion and parses the one JSON document it prints last on stdout. */
export const runForJson = <T>(script: string, args: string[]): Promise<T> => spawnForJson<T>(script, args).result;

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

async function ticksOf(pid: number | 'self', withChildren = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): utime is the 14th field, stime 15th, cutime 16th, cstime 17th.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return utime + stime + (withChildren ? cutime + cstime : 0);
}

async function busyTicks(): Promise<number> {
  const cpu = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return user + nice + system + irq + softirq + steal;
}

/** The pids of the processes whose command name is `name` (e.g. PostgreSQL's server and backends). */
async function pidsNamed(name: string): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((entry) => /^\d+$/.test(entry));
  const named = await Promise.all(
    pids.map(async (pid) => ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === name ? Number(pid) : 0)),
  );
  return named.filter(Boolean);
}

/**
 * CPU used while a measurement ran, in cores: by the servers `pids`, by the processes named
 * `database` (PostgreSQL's, when it serves them), and by everything else on the machine — its whole
 * busy time minus those, this process and the children it has reaped (the load generator). On a
 * shared machine, a figure taken while others were busy says so.
 */
export async function cpuDuring(pids: number | readonly number[] = [], database?: string) {
  const servers = typeof pids === 'number' ? [pids] : pids;
  const sum = async (of: readonly number[]) => (await Promise.all(of.map((pid) => ticksOf(pid)))).reduce((a, b) => a + b, 0);
  // Processes of the database that start during the measurement (new connections) count from zero.
  const databaseTicks = async (): Promise<Map<number, number>> => {
    if (!database) return new Map();
    const of = await pidsNamed(database);
    return new Map(await Promise.all(of.map(async (pid) => [pid, await ticksOf(pid)] as const)));
  };
  const start = {
    busy: await busyTicks(),
    self: await ticksOf('self', true),
    server: await sum(servers),
    database: await databaseTicks(),
    at: performance.now(),
  };
  return async () => {
    const seconds = (performance.now() - start.at) / 1000;
    const busy = (await busyTicks()) - start.busy;
    const self = (await ticksOf('self', true)) - start.self;
    const server = (await sum(servers)) - start.server;
    const database = [...(await databaseTicks())].reduce((total, [pid, ticks]) => total + ticks - (start.database.get(pid) ?? 0), 0);
    const cores = (ticks: number) => ticks / CLOCK_TICKS_PER_SECOND / seconds;
    return { serverCores: cores(server), databaseCores: cores(database), otherCores: cores(Math.max(0, busy - self - server - database)) };
  };
}

/**
 * How long fdatasync takes on the disk under `dir`, alone: appends a line and syncs, every 5 ms, for
 * `ms`. A commit waits for one, so its tail is part of every acknowledged write's latency.
 */
export async function syncLatency(dir: string, ms = 3000): Promise<Summary> {
  const file = join(dir, 'sync-latency.probe');
  const handle = await open(file, 'a');
  const times: number[] = [];
  try {
    for (const until = performance.now() + ms; performance.now() < until; ) {
      const started = performance.now();
      await handle.write(`${'x'.repeat(600)}\n`);
      await handle.datasync();
      times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
  return summarize(times);
}

/**
 * Waits until a server has settled after start: /healthz answers, the background check of the whole
 * audit chain (lowdb's, which reads every entry once) has finished and Slack's workspace is listed, so
 * that a measurement sees the steady state rather than the first seconds after a restart. Answers how
 * long that took, in ms.
 */
export async function settled(port: number, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const health = (await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((res) => res.json())
      .catch(() => undefined)) as { ok?: boolean; auditChain?: { state: string }; slack?: { roster: { state: string } } } | undefined;
    if (health?.ok && health.auditChain?.state !== 'running' && health.slack?.roster.state !== 'listing')
      return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the server on port ${port} did not settle in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The same for a store opened in-process: until its background chain check (if any) has finished. */
export async function storeSettled(store: { readonly chainCheck?: { state: string } }): Promise<void> {
  while (store.chainCheck?.state === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
}

/** What a benchmark's server is started with: the demo pack, Slack against the fake, the data directory given. */
export function benchServerEnv(slackApiUrl: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    POLICY_FILE: 'policies/demo.yaml',
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApiUrl,
    DATA_DIR: dataDir,
    ...extra,
  };
}
