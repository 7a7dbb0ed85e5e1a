import { createHash, randomBytes } from 'node:crypto';
import { readdir, realpath, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { storageError } from '../storage-errors.ts';
import { dataFiles } from './data-dir.ts';
import { createExclusive, isAlive, isYoung, ownerText, readHolder, readText, type LockOwner } from './lock-files.ts';

export type { LockOwner } from './lock-files.ts';

export interface DataDirLock {
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/** Claims on claims (a taker that died while taking over) are followed this deep, then refused. */
const MAX_CLAIM_DEPTH = 2;

/** Directories (real paths) this process holds: opening one twice is refused though the pid is alive. */
const heldHere = new Map<string, LockOwner>();

/**
 * Takes the data directory for this process, or refuses with `storage.locked`: held by a live process
 * on this host, or by one on another host (whether it lives cannot be told from here).
 *
 * `appwarden.lock` holds its owner (pid, host, start). A free directory is taken by creating it with
 * O_EXCL: of several creators exactly one succeeds. A lock whose owner is gone (its pid is dead on
 * this host) is taken over at once — a crash must not need a wait, so there is no staleness timeout —
 * and exactly one of several processes taking it over at the same instant gets it:
 *
 *   1. read the lock's text T and find its owner dead;
 *   2. create the claim `appwarden.lock.claim-<sha256 of T>` with O_EXCL: one claimant per text wins,
 *      the others find the claim held by a live process and are refused;
 *   3. holding the claim, read the lock again: if it is no longer T, another taker replaced it before
 *      we claimed (and has since dropped its claim): drop ours and start over, which meets the new owner;
 *   4. still T: write our own lock to a new file and rename it over the lock (rename replaces atomically;
 *      no moment without a lock), then drop the claim.
 *
 * Only the holder of T's claim replaces a lock, only after reading T there while holding it, and no
 * two owners ever write the same text (each has its own pid or start), so no two takers can both get
 * one lock and none can replace a lock another just took. (Removing the dead lock and creating a new
 * one, as this did before, let two takers both do it: the second removed the first's new lock.) A
 * claim left by a taker that died in steps 2-4 is taken over by the same steps, one level up.
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
    await takeLock(path, file, me, log);
  } catch (error) {
    heldHere.delete(path);
    throw error;
  }
  await sweepLeftovers(path, file);
  return { owner: me, release: () => release(path, file, me) };
}

async function takeLock(dir: string, file: string, me: LockOwner, log: (line: string) => void): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(file, ownerText(me))) return;
    const found = await readHolder(file);
    if (found === 'gone') continue; // released meanwhile: try again
    if (found.owner === 'unreadable') {
      if (await isYoung(file)) throw locked(dir, 'is being opened by another process right now', STOP_IT);
    } else if (found.owner.host !== me.host) {
      throw locked(
        dir,
        `is in use by process ${found.owner.pid} on host ${found.owner.host} (started ${found.owner.started})`,
        `${STOP_IT} (if that host no longer runs AppWarden, delete ${file})`,
      );
    } else if (isAlive(found.owner.pid)) {
      throw locked(dir, `is in use by process ${found.owner.pid} (started ${found.owner.started})`, STOP_IT);
    }
    if (await replaceDead(dir, file, found.text, me, 0)) {
      log(`${file}: took over the lock of ${describeOwner(found.owner)}, which is no longer running`);
      return;
    }
  }
  throw locked(dir, 'could not be locked: its lock kept changing hands', 'is another AppWarden starting on it?');
}

/**
 * Steps 2-4: replaces `file`, which held `text` (a dead holder's), by our own if we are the one taker
 * to do so. False if it no longer holds `text` (another taker was first); `storage.locked` if another
 * live process is taking it over right now.
 */
async function replaceDead(dir: string, file: string, text: string, me: LockOwner, depth: number): Promise<boolean> {
  const claim = claimPath(file, text);
  await takeClaim(dir, claim, me, depth);
  try {
    if ((await readText(file)) !== text) return false;
    const fresh = `${file}.new-${process.pid}-${randomBytes(6).toString('hex')}`;
    if (!(await createExclusive(fresh, ownerText(me)))) throw new Error(`${fresh} exists`); // random: never
    try {
      await rename(fresh, file);
    } catch (error) {
      await rm(fresh, { force: true });
      throw error;
    }
    return true;
  } finally {
    await rm(claim, { force: true }); // ours: no one takes over a claim of a live process
  }
}

async function takeClaim(dir: string, claim: string, me: LockOwner, depth: number): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(claim, ownerText(me))) return;
    const found = await readHolder(claim);
    if (found === 'gone') continue; // its taker finished meanwhile: claiming again shows what it did
    const { owner } = found;
    const taker = owner === 'unreadable' ? 'another process' : `process ${owner.pid}`;
    const busy = () => locked(dir, `is being taken over by ${taker} right now`, STOP_IT);
    if (owner === 'unreadable' ? await isYoung(claim) : owner.host !== me.host || isAlive(owner.pid)) throw busy();
    if (depth >= MAX_CLAIM_DEPTH) throw locked(dir, `has a leftover ${claim}`, 'delete it if no AppWarden is starting');
    if (await replaceDead(dir, claim, found.text, me, depth + 1)) return;
  }
  throw locked(dir, 'could not be locked: its lock kept changing hands', 'is another AppWarden starting on it?');
}

const STOP_IT = 'stop it or choose another data directory';

/** Step 2's claim on a lock (or claim) file that holds `text`. */
export const claimPath = (file: string, text: string): string =>
  `${file}.claim-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;

/**
 * Removes claims and new-lock files that takers which died between two steps left behind. Safe once we
 * own the lock: whoever might still be taking over an older lock finds it is no longer that lock.
 */
async function sweepLeftovers(dir: string, file: string): Promise<void> {
  const leftover = [`${basename(file)}.claim-`, `${basename(file)}.new-`];
  try {
    const names = await readdir(dir);
    for (const name of names.filter((entry) => leftover.some((prefix) => entry.startsWith(prefix)))) {
      const path = join(dir, name);
      const found = await readHolder(path);
      if (found === 'gone') continue;
      const { owner } = found;
      const dead = owner === 'unreadable' ? !(await isYoung(path)) : owner.host === hostname() && !isAlive(owner.pid);
      if (dead) await rm(path, { force: true });
    }
  } catch {
    // Housekeeping only: a leftover that cannot be removed now harms nothing (claims are per lock text).
  }
}

async function release(path: string, file: string, me: LockOwner): Promise<void> {
  if (heldHere.get(path) !== me) return;
  heldHere.delete(path);
  // Remove only our own lock: never one that another process took over meanwhile.
  if ((await readText(file)) === ownerText(me)) await rm(file, { force: true });
}

const describeOwner = (owner: LockOwner | 'unreadable'): string =>
  owner === 'unreadable' ? 'an unknown process (an unreadable lock file)' : `process ${owner.pid} (started ${owner.started})`;

const locked = (dir: string, problem: string, advice?: string) =>
  storageError('storage.locked', `DATA_DIR ${dir} ${problem}${advice ? `; ${advice}` : ''}`, { dir });
