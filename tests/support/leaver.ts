import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { cli, tempDir } from './cli.ts';

/** A leaver's data directory, for the tests of erasure and retention: Nora files, attests, is approved, and leaves. */
export const CSV_HEADER = 'id,name,email,unit,roles,locale,slack,teams,manager\n';
export const NORA_ROW = ',Nora Quist,Nora.Quist@agency.gov,demo/comms,,,U0NORA,,akiko@agency.gov\n';
export const OMAR_ROW = ',Omar Farah,omar@agency.gov,demo/it,approver,,,,\n';
export const NORAS_REASON = 'Quist family bakery account for the spring festival';
/** Everything that could identify Nora, as it would be grepped for in the data directory's bytes. */
export const TRACES = ['Nora', 'Quist', 'nora.quist@agency.gov', 'U0NORA', 'spring festival'];

/** Every file under the data directory, whole, as bytes read as Latin-1 (so nothing is lost to decoding). */
export async function allBytes(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

/** The demo pack with an HR export holding Nora and Omar; Nora files a request, attests, and is answered. */
export async function setUpLeaver(retention?: Record<string, number>) {
  const dir = await tempDir();
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  policy.directory = { every_minutes: 0, csv: 'people.csv' };
  if (retention) policy.retention = retention;
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  await writeFile(join(dir, 'people.csv'), CSV_HEADER + NORA_ROW + OMAR_ROW);
  const env = { POLICY_FILE: join(dir, 'policy.yaml'), DATA_DIR: join(dir, 'data') };
  const run = async (...args: string[]) => {
    const done = await cli(args, env);
    expect(done.code, `${args.join(' ')}: ${done.stderr}`).toBe(0);
    return done;
  };
  await run('directory', 'sync');
  await run('--as', 'nora.quist@agency.gov', 'request', 'instagram', '--purpose', 'public-communications', '--reason', NORAS_REASON);
  await run('--as', 'nora.quist@agency.gov', 'attest', 'tiktok');
  await run('--as', 'akiko', 'approve', 'EX-1');
  await run('--as', 'omar@agency.gov', 'attest', 'tiktok');
  // Nora leaves: the export no longer has her.
  await writeFile(join(dir, 'people.csv'), CSV_HEADER + OMAR_ROW);
  await run('directory', 'sync');
  return { dir, env, data: join(dir, 'data') };
}
