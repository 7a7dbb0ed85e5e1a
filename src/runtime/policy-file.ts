import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { POLICY_LIMITS, type Policy } from '../core/policy.ts';
import { policyIndex } from '../core/policy-index.ts';
import type { Result } from '../core/result.ts';
import { cachedPolicy, rememberPolicy } from './policy-cache.ts';

/**
 * Read, parse and validate a policy file, and build its lookup tables, so that a policy handed back is
 * ready to serve. Never throws: whatever goes wrong (no file, too big, bad YAML, bad policy, a fault
 * while building) comes back as problems, and a running server keeps the policy it has.
 *
 * With `cacheDir`, a file whose bytes were validated before is not parsed again (policy-cache.ts). The
 * YAML reader and the schema are imported only when a file is parsed: most of what a CLI run loaded.
 */
export async function loadPolicyFile(file: string, options: { cacheDir?: string } = {}): Promise<Result<Policy> & { sha256?: string }> {
  const problem = (code: string, message: string): Result<Policy> => ({
    ok: false,
    code: `policy.${code}`,
    issues: [{ path: file, code, message }],
  });
  let bytes: Buffer;
  try {
    const read = await readBounded(file, POLICY_LIMITS.bytes);
    if (!read.ok) return problem(read.code, read.message);
    bytes = read.bytes;
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return problem('unreadable', `cannot read the policy file: ${reason}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return problem('unreadable', 'cannot read the policy file: not UTF-8 text');
  }
  // The hash of the bytes parsed, for the audit log: not of a second read that may see a newer file.
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const cached = options.cacheDir && (await cachedPolicy(options.cacheDir, sha256));
    if (cached) return (policyIndex(cached), { ok: true, value: cached, sha256 });
    const { parsePolicyText } = await import('../core/policy-text.ts');
    const result = parsePolicyText(text);
    if (result.ok) {
      policyIndex(result.value);
      if (options.cacheDir) await rememberPolicy(options.cacheDir, sha256, result.value);
    }
    return { ...result, sha256 };
  } catch (e) {
    // A fault, not the file's; still no reason to stop a server that has a policy already.
    return problem('fault', `could not load the policy: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

type Read = { ok: true; bytes: Buffer } | { ok: false; code: string; message: string };

/** The file's bytes if it is a file of at most `max` bytes: sized before it is opened (a FIFO would block the open). */
async function readBounded(file: string, max: number): Promise<Read> {
  const info = await stat(file);
  if (!info.isFile()) return { ok: false, code: 'unreadable', message: 'cannot read the policy file: not a file' };
  if (info.size > max) return { ok: false, code: 'too_large', message: `the file is ${info.size} bytes, at most ${max}` };
  const handle = await open(file, 'r');
  try {
    // Up to one byte past the limit, whatever the stat said: the file may have grown since.
    const buffer = Buffer.allocUnsafe(max + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > max) return { ok: false, code: 'too_large', message: `the file is over ${max} bytes` };
    return { ok: true, bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}
