import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, tornTailPath } from './data-dir.ts';
import type { LogTail } from './replay-log.ts';

/**
 * Makes the log end on a whole line again before anything is appended, destroying nothing: a sound
 * entry that lacks only its newline gets it; a torn line (a last line without its newline that is not
 * a sound entry: never acknowledged, see `LogTail`) is copied to a side file, made durable, and only
 * then cut from the log. Each is logged once. Returns where the log now ends. A newline-terminated
 * line never comes here: replay refuses it as damage.
 */
export async function settleTail(
  audit: { handle: FileHandle; path: string; size: number },
  tail: LogTail,
  now: () => Date,
  log: (line: string) => void,
): Promise<number> {
  const { handle, path, size } = audit;
  if (tail.kind === 'unterminated') {
    await handle.write('\n'); // opened for appending: this lands at the end
    await handle.sync();
    log(`${path}: the last entry (seq ${tail.seq}) was whole but had no newline; kept it and added the newline`);
    return size + 1;
  }
  const bytes = await readRange(handle, tail.start, size);
  const aside = await writeAside(tornTailPath(dirname(path), now()), bytes);
  await handle.truncate(tail.start);
  await handle.sync();
  log(`${path}: moved a torn last line (${bytes.length} bytes) left by a crash to ${aside}`);
  return tail.start;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const bytes = Buffer.alloc(end - start);
  for (let done = 0; done < bytes.length; ) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
    if (bytesRead === 0) return bytes.subarray(0, done);
    done += bytesRead;
  }
  return bytes;
}

/** Writes a new file (never over another: a second tear in the same millisecond gets `-2`), durably. */
async function writeAside(path: string, bytes: Buffer): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const candidate = attempt === 1 ? path : path.replace(/\.jsonl$/, `-${attempt}.jsonl`);
    let file: FileHandle;
    try {
      file = await open(candidate, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await fsyncDir(dirname(candidate));
    return candidate;
  }
}
