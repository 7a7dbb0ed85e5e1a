import type { FileHandle } from 'node:fs/promises';
import type { AuditEntry } from '../../src/core/store.ts';
import { checkEntryLine, GENESIS, type ChainProblem } from '../audit-chain.ts';
import { RecordIndex } from '../record-index.ts';
import { storageError } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { decodeLine, readAuditLines, readLineEndingAt } from './audit-lines.ts';
import { emptySnapshot, readSnapshot, type Snapshot } from './snapshot.ts';

/**
 * How the log ends, when not on a sound entry and its newline:
 * - `unterminated`: a sound last entry without its newline (a crash between the two, or a hand edit);
 *   it is applied like any other, as it is evidence that must not be lost
 * - `torn`: a last line that is not a sound entry and looks like a write cut short; not applied
 */
export type LogTail = { kind: 'unterminated'; seq: number } | { kind: 'torn'; start: number };

export interface ReplayedLog {
  state: StoreState;
  tail?: LogTail;
}

/** The snapshot to start from: a damaged one is set aside, since the full log rebuilds the same state. */
export async function usableSnapshot(path: string, log: (line: string) => void): Promise<Snapshot> {
  const read = await readSnapshot(path);
  if (!read.found) return emptySnapshot();
  if ('snapshot' in read) return read.snapshot;
  log(`${path}: unusable (${read.problem}); rebuilding the state from the whole audit log`);
  return emptySnapshot();
}

/**
 * Rebuilds the state from the snapshot and the entries after it up to byte `size` (the audit log
 * `audit`, or none: an empty log), each checked against the chain. Reads only; any damage other than
 * the tail refuses with `storage.corrupt`. The snapshot's records are trusted here, for a fast open:
 * `verifyAudit` is what checks them against the whole log.
 */
export async function replayLog(audit: FileHandle | undefined, size: number, snapshot: Snapshot): Promise<ReplayedLog> {
  const endsOnSnapshot = await checkSnapshotMatchesLog(audit, size, snapshot);
  const head = { seq: snapshot.seq, hash: snapshot.hash };
  const state = new StoreState(RecordIndex.fromArrays(snapshot.collections), head);
  if (endsOnSnapshot === 'unterminated') return { state, tail: { kind: 'unterminated', seq: snapshot.seq } };
  const tail = audit ? await replay(audit, snapshot.offset, size, state) : undefined;
  return tail ? { state, tail } : { state };
}

/**
 * The snapshot must end exactly on the entry it names, in this log; otherwise the two are not a pair.
 * `unterminated`: that entry is the log's last and lacks only its newline (which `offset` counts).
 */
async function checkSnapshotMatchesLog(
  audit: FileHandle | undefined,
  size: number,
  snapshot: Snapshot,
): Promise<'whole' | 'unterminated'> {
  const mismatch = (why: string) =>
    storageError(
      'storage.corrupt',
      `state.json does not belong to audit.jsonl: ${why}. The audit log may have been replaced or cut; ` +
        'check it with `appwarden audit verify`, then delete state.json to rebuild the state from the log',
      { seq: snapshot.seq, offset: snapshot.offset },
    );
  if (snapshot.offset === 0 && snapshot.seq === 0) {
    // Else the next entry would chain from a hash that no entry has.
    if (snapshot.hash !== GENESIS) throw mismatch('a snapshot taken before any entry must have the genesis hash');
    return 'whole';
  }
  const unterminated = snapshot.offset === size + 1;
  if (snapshot.offset > size && !unterminated) {
    throw mismatch(`the snapshot ends at byte ${snapshot.offset}, the log at ${size}`);
  }
  const end = unterminated ? size : snapshot.offset;
  const line = audit ? await readLineEndingAt(audit, end, !unterminated) : undefined;
  let entry: Partial<AuditEntry> | undefined;
  try {
    entry = line ? (JSON.parse(line.toString('utf8')) as Partial<AuditEntry>) : undefined;
  } catch {
    entry = undefined;
  }
  if (entry?.seq !== snapshot.seq || entry.hash !== snapshot.hash) {
    throw mismatch(`the entry ending at byte ${snapshot.offset} is not seq ${snapshot.seq} with the snapshot's hash`);
  }
  return unterminated ? 'unterminated' : 'whole';
}

interface BadLine {
  /** 1-based; in a sound log line n holds seq n, so this is also the seq it should hold. */
  line: number;
  start: number;
  complete: boolean;
  problem: ChainProblem;
}

/** Applies the entries from `start` on; returns how the log ends if not on a sound, whole line. */
async function replay(audit: FileHandle, start: number, end: number, state: StoreState): Promise<LogTail | undefined> {
  let bad: BadLine | undefined;
  for await (const line of readAuditLines(audit, start, end)) {
    if (bad) throw corruptLine(bad, 'it is not the last line'); // so not a torn tail
    const text = decodeLine(line.bytes);
    const check = text === null ? ({ ok: false, problem: 'unreadable' } as const) : checkEntryLine(text, state.head);
    if (check.ok) {
      state.replay(check.entry);
      // Only the last line can lack its newline: this is the end.
      if (!line.complete) return { kind: 'unterminated', seq: check.entry.seq };
    } else {
      const problem = check.problem === 'skipped' ? 'removed' : check.problem;
      bad = { line: state.head.seq + 1, start: line.start, complete: line.complete, problem };
    }
  }
  if (!bad) return undefined;
  // A write cut short ends without its newline, or (blocks allocated before the data landed) holds
  // bytes that are not JSON. A whole line that parses but is wrong was written so, or edited: damage.
  if (bad.complete && bad.problem !== 'unreadable') throw corruptLine(bad, 'it is whole');
  return { kind: 'torn', start: bad.start };
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
