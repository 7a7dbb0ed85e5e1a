import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Attestation, ExceptionRequest, IdempotencyKey } from '../../src/core/records.ts';
import type { AuditEntry, AuditEvent, Store } from '../../src/core/store.ts';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const FIXTURES = resolve(fileURLToPath(import.meta.url), '../fixtures');

/** Temp directories made by a test file, removed together at its end. */
export function tempDirs() {
  const made: string[] = [];
  return {
    async make(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'appwarden-store-'));
      made.push(dir);
      return dir;
    },
    async removeAll(): Promise<void> {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export const AT = '2023-03-01T09:00:00.000Z';

export const event = (action = 'request.filed', patch: Partial<AuditEvent> = {}): AuditEvent => ({
  at: AT,
  actor: 'pierre',
  action,
  ...patch,
});

export const request = (id: string, person = 'pierre', patch: Partial<ExceptionRequest> = {}): ExceptionRequest => ({
  id,
  person,
  unit: 'ec/dg-connect',
  app: 'tiktok',
  rules: ['ec-2023-tiktok'],
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: 'the press office account',
  status: 'requested',
  requestedAt: AT,
  ...patch,
});

export const attestation = (id: string, person = 'pierre'): Attestation => ({
  id,
  person,
  rule: 'ec-2023-tiktok',
  app: 'tiktok',
  at: AT,
  statement: 'removed',
});

export const idempotencyKey = (id: string): IdempotencyKey => ({ id, at: AT, result: `done ${id}` });

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export const readAll = (store: Store, fromSeq?: number): Promise<AuditEntry[]> => collect(store.readAudit(fromSeq));

/** Runs a script of tests/storage/fixtures in a child node with tsx, as the server would run. */
export function spawnFixture(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a fixture to its end; resolves with what it printed. */
export function runFixture(script: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawnFixture(script, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done({ code, stdout }) : fail(new Error(`${script} failed: ${stderr}`))));
  });
}

/** The pid of a process that has exited: a dead owner for a lock file. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn node');
  await new Promise((done) => child.on('exit', done));
  return pid;
}

/** Whether a promise has settled, once everything already queued has run (I/O callbacks included). */
export async function settledState(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  const pending = new Promise<'pending'>((done) => setImmediate(() => done('pending')));
  return Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    pending,
  ]);
}

/**
 * Bundles a script of tests/storage/fixtures into one .mjs file in `outDir`, which plain node runs
 * without tsx's start-up cost: for tests that start many processes. Resolves with its path.
 */
export async function bundleFixture(script: string, outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(outDir, script.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(FIXTURES, script)], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  return outfile;
}

/** Opens stores for the tests of one describe block, and closes every one after each test. */
export function closedAfterEach(makeStore: () => Store | Promise<Store>): () => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  return async () => {
    const store = await makeStore();
    open.push(store);
    return store;
  };
}
