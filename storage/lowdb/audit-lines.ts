import { open, type FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

export interface AuditLine {
  /** The line's bytes, without its newline. */
  bytes: Buffer;
  /** Byte offsets of the line in the file; `end` is just after its newline. */
  start: number;
  end: number;
  /** False for a last line with no newline: a write cut short. */
  complete: boolean;
}

/**
 * The lines of the audit log between two byte offsets (`end` undefined: to the end of the file), with
 * their offsets, which replay needs to cut a torn tail and to resume after a snapshot.
 */
export async function* readAuditLines(handle: FileHandle, start: number, end = Infinity): AsyncGenerator<AuditLine> {
  let pending: Buffer[] = [];
  let lineStart = start;
  let position = start;
  while (position < end) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, end - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    const bytes = chunk.subarray(0, bytesRead);
    let from = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, from)) {
      pending.push(bytes.subarray(from, newline));
      const lineEnd = position + newline + 1;
      yield { bytes: Buffer.concat(pending), start: lineStart, end: lineEnd, complete: true };
      pending = [];
      lineStart = lineEnd;
      from = newline + 1;
    }
    if (from < bytesRead) pending.push(bytes.subarray(from));
    position += bytesRead;
  }
  if (pending.length > 0) yield { bytes: Buffer.concat(pending), start: lineStart, end: position, complete: false };
}

/**
 * The line that ends at byte `end`: the one whose newline is the byte just before it, or, with
 * `terminated` false, the one cut off there without its newline. Undefined if `end` is not such an end.
 */
export async function readLineEndingAt(handle: FileHandle, end: number, terminated = true): Promise<Buffer | undefined> {
  for (let window = 4096; ; window *= 4) {
    const from = Math.max(0, end - window);
    const bytes = Buffer.alloc(end - from);
    await handle.read(bytes, 0, bytes.length, from);
    if ((bytes.at(-1) === NEWLINE) !== terminated) return undefined;
    const line = terminated ? bytes.subarray(0, bytes.length - 1) : bytes;
    const previous = line.lastIndexOf(NEWLINE);
    if (previous !== -1) return line.subarray(previous + 1);
    if (from === 0) return line;
  }
}

// fatal: a byte that is not UTF-8 must not decode to U+FFFD and match a legitimate U+FFFD.
// ignoreBOM: keep a stray BOM in the text, so that the line fails to parse.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A complete line as text, or null if it is cut short or not UTF-8 (unreadable, either way). */
export function lineText(line: AuditLine): string | null {
  return line.complete ? decodeLine(line.bytes) : null;
}

/** A line's bytes as text, whether or not its newline was written; null if they are not UTF-8. */
export function decodeLine(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The file open for reading, or undefined if it does not exist (yet). */
export async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
