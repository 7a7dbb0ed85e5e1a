import { hostname } from 'node:os';
import { open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { storageError } from '../storage-errors.ts';
import { dataFiles } from './data-dir.ts';

/** The content of `appwarden.lock`. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

export interface DataDirLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** Directories (real paths) this process holds: opening one twice is refused though the pid is alive. */
const heldHere = new Map<string, LockOwner>();

/**
 * Takes the data directory for this process: creates the lock file with O_EXCL, holding who owns it.
 * An owner that is gone (its pid is dead on this host) is replaced at once — a crash must not need a
 * wait, which is why there is no staleness timeout. Refuses with `storage.locked` otherwise.
 *
 * Known limit: two processes taking over the same dead owner's lock at the same instant can both
 * succeed; starting two servers on one directory in the same millisecond after a crash is not covered.
 */
export async function lockDataDir(dir: string, now: () => Date, log: (line: string) => void): Promise<DataDirLock> {
  const path = await realpath(dir); // one key per directory, however it is reached
  const file = dataFiles(path).lock;
  const held = heldHere.get(path);
  if (held) {
    const problem = `is already open in this process (pid ${held.pid}, since ${held.started})`;
    throw locked(path, problem, 'open it once and share the store');
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), started: now().toISOString() };
  heldHere.set(path, me); // claimed before the first await, so a concurrent open in this process is refused
  try {
    await createLockFile(path, file, me, log);
  } catch (error) {
    heldHere.delete(path);
    throw error;
  }
  return { owner: me, release: () => release(path, file, me) };
}

async function createLockFile(dir: string, file: string, me: LockOwner, log: (line: string) => void): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(file, `${JSON.stringify(me)}\n`)) return;
    const owner = await readOwner(file);
    if (owner === 'gone') continue; // released meanwhile: try again
    if (owner === 'unreadable') {
      if (await isYoung(file)) throw locked(dir, 'is being opened by another process right now', STOP_IT);
    } else if (owner.host !== me.host) {
      throw locked(
        dir,
        `is in use by process ${owner.pid} on host ${owner.host} (started ${owner.started})`,
        `${STOP_IT} (if that host no longer runs AppWarden, delete ${file})`,
      );
    } else if (isAlive(owner.pid)) {
      throw locked(dir, `is in use by process ${owner.pid} (started ${owner.started})`, STOP_IT);
    }
    log(`${file}: took over the lock of ${describeOwner(owner)}, which is no longer running`);
    await rm(file, { force: true });
  }
  throw locked(dir, 'could not be locked: its lock kept changing hands', 'is another AppWarden starting on it?');
}

const STOP_IT = 'stop it or choose another data directory';

async function createExclusive(file: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(file: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.started === 'string') {
      return owner as LockOwner;
    }
  } catch {
    // fall through: a lock cut short by a crash between create and write
  }
  return 'unreadable';
}

function isAlive(pid: number): boolean {
  // Not held here, so our own pid in the file is a previous run's (containers reuse pids at restart).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but belongs to another user
  }
}

/** An unreadable lock file this young may be one another process is writing right now. */
async function isYoung(file: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs < UNREADABLE_LOCK_GRACE_MS;
  } catch {
    return false;
  }
}

async function release(path: string, file: string, me: LockOwner): Promise<void> {
  if (heldHere.get(path) !== me) return;
  heldHere.delete(path);
  const owner = await readOwner(file);
  // Remove only our own lock: never one that another process took over meanwhile.
  const isMine = typeof owner === 'object' && owner.pid === me.pid && owner.started === me.started;
  if (isMine) await rm(file, { force: true });
}

const describeOwner = (owner: LockOwner | 'unreadable'): string =>
  owner === 'unreadable'
    ? 'an unknown process (an unreadable lock file)'
    : `process ${owner.pid} (started ${owner.started})`;

const locked = (dir: string, problem: string, advice?: string) =>
  storageError('storage.locked', `DATA_DIR ${dir} ${problem}${advice ? `; ${advice}` : ''}`, { dir });
