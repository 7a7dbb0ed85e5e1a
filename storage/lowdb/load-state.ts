import { open, type FileHandle } from 'node:fs/promises';
import type { AuditEntry } from '../../src/core/store.ts';
import { checkEntryLine, type ChainProblem } from '../audit-chain.ts';
import { RecordIndex } from '../record-index.ts';
import { storageError } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { lineText, readAuditLines, readLineEndingAt } from './audit-lines.ts';
import { dataFiles, fsyncDir } from './data-dir.ts';
import { emptySnapshot, readSnapshot, type Snapshot } from './snapshot.ts';

export interface LoadedState {
  state: StoreState;
  /** audit.jsonl, open for reading and appending. */
  audit: FileHandle;
  /** Its length: where the next entry goes. */
  auditEnd: number;
  /** How many entries the log holds beyond the snapshot: what the next open would replay. */
  entriesSinceSnapshot: number;
}

/**
 * Rebuilds the state of a data directory: the snapshot, then the audit entries after it, each checked
 * against the chain. A torn last line (a crash in mid-append: never acknowledged) is cut off and
 * logged; any other damage refuses with `storage.corrupt`.
 */
export async function loadState(dir: string, log: (line: string) => void): Promise<LoadedState> {
  const files = dataFiles(dir);
  const snapshot = await usableSnapshot(files.snapshot, log);
  const audit = await open(files.audit, 'a+');
  try {
    await fsyncDir(dir); // the log may have just been created: make its name durable too
    const size = (await audit.stat()).size;
    await checkSnapshotMatchesLog(audit, size, snapshot);
    const head = { seq: snapshot.seq, hash: snapshot.hash };
    const state = new StoreState(RecordIndex.fromArrays(snapshot.collections), head);
    const torn = await replay(audit, snapshot.offset, size, state);
    const entriesSinceSnapshot = state.head.seq - snapshot.seq;
    if (!torn) return { state, audit, auditEnd: size, entriesSinceSnapshot };
    await audit.truncate(torn.start);
    await audit.sync();
    log(`${files.audit}: dropped a torn last line (${size - torn.start} bytes) left by a crash`);
    return { state, audit, auditEnd: torn.start, entriesSinceSnapshot };
  } catch (error) {
    await audit.close();
    throw error;
  }
}

/** The snapshot to start from: a damaged one is set aside, since the full log rebuilds the same state. */
async function usableSnapshot(path: string, log: (line: string) => void): Promise<Snapshot> {
  const read = await readSnapshot(path);
  if (!read.found) return emptySnapshot();
  if ('snapshot' in read) return read.snapshot;
  log(`${path}: unusable (${read.problem}); rebuilding the state from the whole audit log`);
  return emptySnapshot();
}

/** The snapshot must end exactly on the entry it names, in this log; otherwise the two are not a pair. */
async function checkSnapshotMatchesLog(audit: FileHandle, size: number, snapshot: Snapshot): Promise<void> {
  if (snapshot.offset === 0 && snapshot.seq === 0) return;
  const mismatch = (why: string) =>
    storageError(
      'storage.corrupt',
      `state.json does not belong to audit.jsonl: ${why}. The audit log may have been replaced or cut; ` +
        'check it with `appwarden audit verify`, then delete state.json to rebuild the state from the log',
      { seq: snapshot.seq, offset: snapshot.offset },
    );
  if (snapshot.offset > size) throw mismatch(`the snapshot ends at byte ${snapshot.offset}, the log at ${size}`);
  const line = await readLineEndingAt(audit, snapshot.offset);
  let entry: Partial<AuditEntry> | undefined;
  try {
    entry = line ? (JSON.parse(line.toString('utf8')) as Partial<AuditEntry>) : undefined;
  } catch {
    entry = undefined;
  }
  if (entry?.seq !== snapshot.seq || entry.hash !== snapshot.hash) {
    throw mismatch(`the entry ending at byte ${snapshot.offset} is not seq ${snapshot.seq} with the snapshot's hash`);
  }
}

interface BadLine {
  /** 1-based; in a sound log line n holds seq n, so this is also the seq it should hold. */
  line: number;
  start: number;
  problem: ChainProblem;
}

/** Applies the entries from `start` on; returns the torn last line, if that is all that is wrong. */
async function replay(audit: FileHandle, start: number, end: number, state: StoreState): Promise<BadLine | undefined> {
  let bad: BadLine | undefined;
  for await (const line of readAuditLines(audit, start, end)) {
    if (bad) throw corruptLine(bad, 'it is not the last line'); // so not a torn tail
    const text = lineText(line);
    const check = text === null ? ({ ok: false, problem: 'unreadable' } as const) : checkEntryLine(text, state.head);
    if (check.ok) state.replay(check.entry);
    else {
      const problem = check.problem === 'skipped' ? 'removed' : check.problem;
      bad = { line: state.head.seq + 1, start: line.start, problem };
    }
  }
  if (bad && bad.problem !== 'unreadable') throw corruptLine(bad, 'it is whole');
  return bad;
}

const PROBLEMS: Record<ChainProblem, string> = {
  unreadable: 'unreadable',
  changed: 'changed since it was written',
  removed: 'not linked to the entry before it (entries are missing)',
  reordered: 'out of order',
};

/** `why`: why this is damage rather than a write cut short by a crash. */
function corruptLine(bad: BadLine, why: string) {
  const seq = bad.line;
  return storageError(
    'storage.corrupt',
    `audit.jsonl line ${bad.line} (seq ${seq}) is ${PROBLEMS[bad.problem]}, and ${why}, so it is damage rather ` +
      'than a write cut short by a crash. AppWarden will not start on a damaged audit log: check it with ' +
      '`appwarden audit verify` and restore the data directory from a backup',
    { line: bad.line, seq, problem: bad.problem },
  );
}
