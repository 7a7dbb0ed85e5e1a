import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readBackup, type BackupCheck } from '../backup-file.ts';
import { storageError } from '../storage-errors.ts';
import { dataFiles } from './data-dir.ts';
import { openLowdbStore } from './open-lowdb-store.ts';

/**
 * A backup restored into an empty data directory: its entries verified as they are read and written
 * as the directory's audit log, then the directory opened once (which replays the log into state and
 * proves it sound) and closed. A backup that does not verify leaves the directory empty.
 */
export async function restoreBackup(file: string, dir: string): Promise<Extract<BackupCheck, { ok: true }>> {
  const target = resolve(dir);
  await mkdir(target, { recursive: true });
  const present = await readdir(target);
  if (present.length)
    throw storageError(
      'storage.open_failed',
      `${target} is not empty (${present.slice(0, 3).join(', ')}…): restore only into a new, empty data directory`,
    );
  const files = dataFiles(target);
  const partial = join(target, 'audit.restoring.jsonl');
  const out = await open(partial, 'wx');
  let check: BackupCheck;
  try {
    const chunks: string[] = [];
    check = await readBackup(file, async (line) => {
      chunks.push(`${line}\n`);
      if (chunks.length >= 1000) await out.write(chunks.splice(0).join(''));
    });
    if (chunks.length) await out.write(chunks.join(''));
    await out.sync();
  } finally {
    await out.close();
  }
  if (!check.ok) {
    await rm(partial, { force: true });
    throw storageError('storage.corrupt', `${file} was not restored: ${check.problem}`);
  }
  await rename(partial, files.audit);
  const store = await openLowdbStore({ dir: target, checkChain: false, log: () => {} });
  const seq = store.seq;
  await store.close();
  if (seq !== check.head.seq) throw storageError('storage.corrupt', `the restored directory opens at entry ${seq}, not ${check.head.seq}`);
  return check;
}
