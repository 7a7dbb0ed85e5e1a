import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Policy } from '../core/policy.ts';

/**
 * Policies already validated, by the SHA-256 of their file's bytes, so that a CLI run on an unchanged
 * policy skips the YAML reader and the schema (half a `check`'s time). The CLI keeps it inside its own
 * build (`dist/cli/<build>/policies/`): a new build — another schema — starts empty. The key also names
 * the Node version and its time-zone data, which the schema's zone check reads.
 *
 * Best effort throughout: a cache that cannot be read or written is a cache miss, never a failure.
 */
const KEPT = 8;
const SUFFIX = '.policy.v8';

const keyOf = (sha256: string) => `${sha256}-${process.versions.node}-${process.versions.tz ?? 'tz'}${SUFFIX}`;

export async function cachedPolicy(dir: string, sha256: string): Promise<Policy | undefined> {
  try {
    const value = deserialize(await readFile(join(dir, keyOf(sha256)))) as { policy?: Policy };
    return value && typeof value === 'object' && value.policy && typeof value.policy === 'object' ? value.policy : undefined;
  } catch {
    return undefined;
  }
}

/** Written aside and renamed into place, so a reader sees a whole entry or none; the oldest past KEPT go. */
export async function rememberPolicy(dir: string, sha256: string, policy: Policy): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const file = join(dir, keyOf(sha256));
    const aside = `${file}.${process.pid}.tmp`;
    await writeFile(aside, serialize({ policy }));
    await rename(aside, file);
    const entries = (await readdir(dir)).filter((f) => f.endsWith(SUFFIX));
    if (entries.length <= KEPT) return;
    const dated = await Promise.all(entries.map(async (f) => ({ f, at: (await stat(join(dir, f)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.at - a.at);
    await Promise.all(dated.slice(KEPT).map(({ f }) => rm(join(dir, f), { force: true })));
  } catch {
    // A read-only install, a full disk: the next run reads the file again.
  }
}
