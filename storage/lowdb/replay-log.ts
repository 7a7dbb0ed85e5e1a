import type { FileHandle } from 'node:fs/promises';
import type { AuditEntry } from '../../src/core/store.ts';
import { checkEntryLine, GENESIS, type ChainProblem } from '../audit-chain.ts';
import { RecordIndex } from '../record-index.ts';
import { storageError } from '../storage-errors.ts';
import { StoreState } from '../store-state.ts';
import { decodeLine, readAuditLines, readLineEndingAt } from './audit-lines.ts';
import { emptySnapshot, readSnapshot, type Snapshot } from './snapshot.ts';

/**
 * How the log ends, when not on a sound entry and its newline. Only a last line WITHOUT its newline
 * can be a write cut short by a crash: a commit's line and its newline go out in one write, and the
 * commit is acknowledged only once that write is fdatasync'ed, so an acknowledged entry always ends
 * with its newline. A newline-terminated line that is not a sound entry is damage (a flipped byte, an
 * edit), never a tear, even when it is the last line: it refuses the open, and nothing is moved or cut.
 * - `unterminated`: a sound last entry without its newline (a crash between the two, or a hand edit);
 *   it is applied like any other, as it is evidence that must not be lost
 * - `torn`: a last line without its newline that is not a sound entry: a write cut short; not applied
 */
export type LogTail = { kind: 'unterminated'; seq: number } | { kind: 'torn'; start: number };

/** The audit log to replay: open (or absent: an empty log), its path for messages, its length. */
export interface AuditLog {
  handle: FileHandle | undefined;
  path: string;
  size: number;
}

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
 * Rebuilds the state from the snapshot and the entries after it up to byte `log.size`, each checked
 * against the chain from the snapshot's head. Reads only; any damage other than a torn tail refuses
 * with `storage.corrupt`. The snapshot's records and the entries before it are trusted here, for a
 * fast open: the store's background chain check (see `checkChain`) and `verifyAudit` check them.
 */
export async function replayLog(log: AuditLog, snapshot: Snapshot): Promise<ReplayedLog> {
  const endsOnSnapshot = await checkSnapshotMatchesLog(log, snapshot);
  const head = { seq: snapshot.seq, hash: snapshot.hash };
  const state = new StoreState(RecordIndex.fromArrays(snapshot.collections), head);
  if (endsOnSnapshot === 'unterminated') return { state, tail: { kind: 'unterminated', seq: snapshot.seq } };
  const tail = log.handle ? await replay(log, snapshot.offset, state) : undefined;
  return tail ? { state, tail } : { state };
}

/**
 * The snapshot must end exactly on the entry it names, in this log; otherwise the two are not a pair.
 * That entry is checked whole too (it is where the chain checked at open starts), so a changed byte in
 * it refuses the open as damage. `unterminated`: that entry is the log's last and lacks only its
 * newline (which `offset` counts).
 */
async function checkSnapshotMatchesLog(log: AuditLog, snapshot: Snapshot): Promise<'whole' | 'unterminated'> {
  const { handle, size } = log;
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
  const line = handle ? await readLineEndingAt(handle, end, !unterminated) : undefined;
  const notIt = () => mismatch(`the entry ending at byte ${snapshot.offset} is not seq ${snapshot.seq} with the snapshot's hash`);
  if (line === undefined) throw notIt();
  const text = decodeLine(line);
  const claimed = text === null ? undefined : parseLoosely(text);
  const here = { line: snapshot.seq, start: end - line.length };
  const why = 'it is the entry state.json was taken at';
  if (text === null || claimed === undefined) throw corruptLine(log.path, { ...here, problem: 'unreadable' }, why);
  if (claimed.seq !== snapshot.seq || claimed.hash !== snapshot.hash) throw notIt();
  // Its seq and hash are the snapshot's: what is left to check is that the line is that entry, unchanged.
  const check = checkEntryLine(text, { seq: snapshot.seq - 1, hash: String(claimed.prev) });
  if (!check.ok) throw corruptLine(log.path, { ...here, problem: 'changed' }, why);
  return unterminated ? 'unterminated' : 'whole';
}

function parseLoosely(text: string): Partial<AuditEntry> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Partial<AuditEntry>) : undefined;
  } catch {
    return undefined;
  }
}

interface BadLine {
  /** 1-based; in a sound log line n holds seq n, so this is also the seq it should hold. */
  line: number;
  start: number;
  problem: ChainProblem;
}

/** Applies the entries from `start` on; returns how the log ends if not on a sound, whole line. */
async function replay(log: AuditLog, start: number, state: StoreState): Promise<LogTail | undefined> {
  if (!log.handle) return undefined;
  for await (const line of readAuditLines(log.handle, start, log.size)) {
    const text = decodeLine(line.bytes);
    const check = text === null ? ({ ok: false, problem: 'unreadable' } as const) : checkEntryLine(text, state.head);
    if (check.ok) {
      state.replay(check.entry);
      // Only the last line can lack its newline: this is the end.
      if (!line.complete) return { kind: 'unterminated', seq: check.entry.seq };
      continue;
    }
    // Without its newline, the last line is a write cut short (see LogTail); with it, damage.
    if (!line.complete) return { kind: 'torn', start: line.start };
    const problem = check.problem === 'skipped' ? 'removed' : check.problem;
    const bad = { line: state.head.seq + 1, start: line.start, problem };
    const why = line.end < log.size ? 'it is not the last line' : 'it ends with its newline, as only a whole write does';
    throw corruptLine(log.path, bad, why);
  }
  return undefined;
}

const PROBLEMS: Record<ChainProblem, string> = {
  unreadable: 'unreadable',
  changed: 'changed since it was written',
  removed: 'not linked to the entry before it (entries are missing)',
  reordered: 'out of order',
};

/** `why`: why this is damage rather than a write cut short by a crash. One line: a server prints it as is. */
function corruptLine(path: string, bad: BadLine, why: string) {
  const seq = bad.line;
  return storageError(
    'storage.corrupt',
    `${path} line ${bad.line} (seq ${seq}) is ${PROBLEMS[bad.problem]}, and ${why}, so it is damage rather ` +
      'than a write cut short by a crash; nothing was changed. AppWarden will not start on a damaged audit ' +
      'log: check it with `appwarden audit verify` and restore the data directory from a backup',
    { path, line: bad.line, seq, problem: bad.problem, offset: bad.start },
  );
}
