import { readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { put } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';
import { fileSink, type AppendSink } from '../../storage/lowdb/group-commit.ts';
import { openLowdbStore, type LowdbStoreOptions } from '../../storage/lowdb/index.ts';
import { attestation, event, idempotencyKey, request } from './helpers.ts';

/**
 * Opens a LowdbStore, keeping what it logs. Without the background chain check unless asked for
 * (`checkChain: true`), so that what is logged is only what the open itself did, whenever it is read.
 */
export async function openWithLog(dir: string, options: Partial<LowdbStoreOptions> = {}) {
  const logged: string[] = [];
  const store = await openLowdbStore({ dir, log: (line) => logged.push(line), checkChain: false, ...options });
  return { store, logged };
}

export const auditPath = (dir: string) => join(dir, 'audit.jsonl');
export const snapshotPath = (dir: string) => join(dir, 'state.json');
export const lockPath = (dir: string) => join(dir, 'appwarden.lock');
export const operationsPath = (dir: string) => join(dir, 'operations.jsonl');

/** The lines of operations.jsonl, each parsed. */
export const operationsFileLines = async (dir: string): Promise<Record<string, unknown>[]> =>
  (await readFile(operationsPath(dir), 'utf8'))
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

export const auditFileLines = async (dir: string): Promise<string[]> => (await readFile(auditPath(dir), 'utf8')).split('\n').slice(0, -1);

export const writeAuditFileLines = (dir: string, lines: string[]) => writeFile(auditPath(dir), lines.map((line) => `${line}\n`).join(''));

export async function readSnapshotSeq(dir: string): Promise<number> {
  return (JSON.parse(await readFile(snapshotPath(dir), 'utf8')) as { seq: number }).seq;
}

/** Commit n of a varied history: puts, updates and removals across collections. */
export function commitNumber(store: Store, n: number) {
  const person = n % 2 === 0 ? 'pierre' : 'akiko';
  if (n % 5 === 4) {
    const approved = request(`EX-${n - 1}`, person, { status: 'approved' });
    return store.commit(event('request.approved'), [put('requests', approved)]);
  }
  if (n % 7 === 6) {
    return store.commit(event('key.expired'), [{ collection: 'keys', id: `K-${n - 2}`, value: null }]);
  }
  return store.commit(event('request.filed', { subject: `EX-${n}`, detail: { n, app: 'ティックトック' } }), [
    put('requests', request(`EX-${n}`, person)),
    put('attestations', attestation(`AT-${n}`, person)),
    put('keys', idempotencyKey(`K-${n}`)),
  ]);
}

/** Everything a store answers, to compare one store with its reopened self. */
export function visibleState(store: Store) {
  return {
    requests: store.list('requests'),
    attestations: store.list('attestations'),
    keys: store.list('keys'),
    messages: store.list('messages'),
    counts: [store.count('requests'), store.count('attestations'), store.count('keys')],
    pierre: store.listByPerson('requests', 'pierre'),
    akiko: store.listByPerson('attestations', 'akiko'),
  };
}

/** A sink around the real audit file whose sync waits for the test's word (then syncs, or fails as told). */
export function gatedSink() {
  let open = () => {};
  const gate = new Promise<void>((done) => (open = done));
  let syncStarted = () => {};
  const started = new Promise<void>((done) => (syncStarted = done));
  let failure: Error | undefined;
  return {
    sink: (handle: FileHandle): AppendSink => {
      const real = fileSink(handle);
      return {
        write: (data) => real.write(data),
        async sync() {
          syncStarted();
          await gate;
          if (failure) throw failure;
          await real.sync();
        },
      };
    },
    /** Resolves once a sync has begun: the entry is written, not yet durable. */
    syncStarted: started,
    release: () => open(),
    fail(error: Error) {
      failure = error;
      open();
    },
  };
}
