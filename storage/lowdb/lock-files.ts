// The files `lockDataDir` takes a data directory with (see its scheme there): reading and creating them.
import { open, readFile, stat } from 'node:fs/promises';

/** The content of `appwarden.lock`. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** The text of a lock (or claim) file naming `owner`. */
export const ownerText = (owner: LockOwner): string => `${JSON.stringify(owner)}\n`;

/** Creates the file with O_EXCL and writes it; false if it exists (of several creators, one gets true). */
export async function createExclusive(file: string, content: string): Promise<boolean> {
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

/** The file's text, or undefined if it does not exist. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export type Holder = { text: string; owner: LockOwner | 'unreadable' };

/** Who holds a lock or claim file; 'unreadable' for one cut short by a crash between create and write. */
export async function readHolder(file: string): Promise<Holder | 'gone'> {
  const text = await readText(file);
  if (text === undefined) return 'gone';
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.started === 'string') {
      return { text, owner: owner as LockOwner };
    }
  } catch {
    // fall through
  }
  return { text, owner: 'unreadable' };
}

export function isAlive(pid: number): boolean {
  // Called only for files this process does not hold, so our own pid in the file is a previous run's (containers reuse pids at restart).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but belongs to another user
  }
}

/** An unreadable lock file this young may be one another process is writing right now. */
export async function isYoung(file: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs < UNREADABLE_LOCK_GRACE_MS;
  } catch {
    return false;
  }
}
