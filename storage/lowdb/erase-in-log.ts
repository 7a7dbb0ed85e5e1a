import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ErasureRun } from '../erasure-run.ts';
import { storageError } from '../storage-errors.ts';
import { decodeLine, readAuditLines } from './audit-lines.ts';
import { fsyncDir } from './data-dir.ts';

/** Lines written to the new log per write. */
const BATCH = 1000;

/**
 * Rewrites audit.jsonl up to byte `end` with the run's erasures, then the erasing entry's line
 * (`last`, called once every line is rewritten), into a temp file that replaces the log. state.json
 * is removed first: its records hold the erased values, and a crash before the caller writes the new
 * one leaves a log with no snapshot, which opening replays whole. Answers the new log's length.
 */
export async function eraseInLog(
  path: string,
  snapshotPath: string,
  end: number,
  run: ErasureRun,
  last: () => string,
  beforeReplace: () => Promise<void>,
  /** Each line of the new log, in order, the erasing entry's last: the caller replays them. */
  written: (line: string) => void,
): Promise<number | undefined> {
  const lines = async function* () {
    const handle = await open(path, 'r');
    try {
      for await (const line of readAuditLines(handle, 0, end)) {
        const text = decodeLine(line.bytes);
        if (text === null) throw storageError('storage.corrupt', `${path}: a line before byte ${line.end} is not text; nothing was erased`);
        yield text;
      }
    } finally {
      await handle.close();
    }
  };
  for await (const text of lines()) run.collect(text);
  const temp = join(dirname(path), `.${basename(path)}.erasing`);
  const out = await open(temp, 'w');
  let bytes = 0;
  try {
    let batch: string[] = [];
    const flush = async () => {
      const text = batch.join('');
      batch = [];
      await out.write(text);
      bytes += Buffer.byteLength(text);
    };
    for await (const text of lines()) {
      const line = run.rewrite(text);
      written(line);
      batch.push(`${line}\n`);
      if (batch.length >= BATCH) await flush();
    }
    if (run.isIdle) {
      await out.close();
      await rm(temp, { force: true });
      return undefined;
    }
    const erasing = last();
    written(erasing);
    batch.push(`${erasing}\n`);
    await flush();
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(temp, { force: true });
    throw error;
  }
  await out.close();
  await beforeReplace();
  await rm(snapshotPath, { force: true });
  await fsyncDir(dirname(path));
  await rename(temp, path);
  await fsyncDir(dirname(path));
  return bytes;
}
