import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.ts';

/** `appwarden backup`, `restore`, `audit head` and `audit export` as an operator runs them, on data directories on disk. */
async function withRecord() {
  const dir = await tempDir();
  const env = { DATA_DIR: join(dir, 'data') };
  for (const [who, text] of [
    ['pierre', 'attest tiktok'],
    ['sam', 'attest tiktok'],
    ['pierre', 'request instagram --purpose public-communications --reason "press office"'],
  ] as const)
    expect((await cli(['--as', who, ...text.match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, ''))], env)).code).toBe(0);
  return { dir, env };
}

describe('backup and restore from the terminal', () => {
  it('backs up, restores into a new directory that verifies and answers as the original', async () => {
    const { dir, env } = await withRecord();
    const file = join(dir, 'appwarden.backup');
    const backup = await cli(['backup', file], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^backup written to .*appwarden\.backup: \d+ entries, chain verified, head \d+ [0-9a-f]{64}$/);
    const head = await cli(['audit', 'head'], env);
    expect(backup.stdout).toContain(head.stdout.split(' ').slice(0, 2).join(' '));

    const restoredEnv = { DATA_DIR: join(dir, 'restored') };
    const restore = await cli(['restore', file], restoredEnv);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ entries into .*restored; chain verified/);
    expect((await cli(['audit', 'verify'], restoredEnv)).stdout).toMatch(/audit log verified/);
    expect((await cli(['audit', 'head'], restoredEnv)).stdout).toBe(head.stdout);
    expect((await cli(['--as', 'pierre', 'status'], restoredEnv)).stdout).toContain('EX-1');
    // Not over a directory in use.
    expect((await cli(['restore', file], env)).stderr).toMatch(/is not empty/);
  });

  it('refuses a tampered backup, exit 1, naming the entry', async () => {
    const { dir, env } = await withRecord();
    const file = join(dir, 'b');
    await cli(['backup', file], env);
    await writeFile(file, (await readFile(file, 'utf8')).replace(':press office"', ':press officer"'));
    const restore = await cli(['restore', file], { DATA_DIR: join(dir, 'restored') });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(
      /was not restored: the audit chain in the backup does not verify at entry \d+ \(line \d+ of the file\): changed/,
    );
  });
});

describe('audit export and head from the terminal', () => {
  it('exports between two dates as JSON lines or CSV, with the chain’s verification on stderr', async () => {
    const { env } = await withRecord();
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const all = await cli(['audit', 'export', '--from', today, '--to', tomorrow], env);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.action)).toEqual(expect.arrayContaining(['attestation.recorded', 'request.filed']));
    expect(all.stderr).toMatch(new RegExp(`^${lines.length} entries exported \\(1–${lines.length}\\); the whole chain verifies`));
    const none = await cli(['audit', 'export', '--to', today], env);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^0 entries exported; the whole chain verifies/);
    const csv = await cli(['audit', 'export', '--format', 'csv'], env);
    expect(csv.stdout.split('\n')[0]).toBe('seq,at,actor,action,subject,detail,changes,prev,hash');
    expect((await cli(['audit', 'export', '--from', 'yesterday'], env)).code).toBe(2);
    expect((await cli(['audit', 'export', '--format', 'xml'], env)).code).toBe(2);
  });
});
