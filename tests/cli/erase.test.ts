import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { cli, tempDir } from '../support/cli.ts';

const CSV_HEADER = 'id,name,email,unit,roles,locale,slack,teams,manager\n';
const NORA_ROW = ',Nora Quist,Nora.Quist@agency.gov,demo/comms,,,U0NORA,,akiko@agency.gov\n';
const OMAR_ROW = ',Omar Farah,omar@agency.gov,demo/it,approver,,,,\n';
const NORAS_REASON = 'Quist family bakery account for the spring festival';
/** Everything that could identify Nora, as it would be grepped for in the data directory's bytes. */
const TRACES = ['Nora', 'Quist', 'nora.quist@agency.gov', 'U0NORA', 'spring festival'];

/** Every file under the data directory, whole, as bytes read as Latin-1 (so nothing is lost to decoding). */
async function allBytes(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

/** The demo pack with an HR export holding Nora and Omar; Nora files a request, attests, and is answered. */
async function setUp(retention?: Record<string, number>) {
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

describe('appwarden erase', () => {
  it('leaves no byte of a leaver in any file of the data directory, and the chain still verifies', { timeout: 60_000 }, async () => {
    const { env, data } = await setUp();
    const before = await allBytes(data);
    for (const trace of TRACES) expect(before.toLowerCase()).toContain(trace.toLowerCase());

    const erased = await cli(['erase', 'nora.quist@agency.gov', '--reason', 'GDPR art. 17 request 2026-118'], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toMatch(
      /^erased: \d+ personal value\(s\) of nora\.quist@agency\.gov now read "erased-[0-9a-f]{8}" or "\[erased\]"/,
    );
    expect(erased.stdout).toContain('The audit chain still verifies');

    const after = (await allBytes(data)).toLowerCase();
    for (const trace of TRACES) expect(after, trace).not.toContain(trace.toLowerCase());
    expect(await cli(['audit', 'verify'], env)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^audit log verified: \d+ entries, chain intact$/),
    });

    // The record goes on: the erasure is an entry of its own, Omar is untouched, the request still counts.
    const exported = await cli(['audit', 'export'], env);
    const entries = exported.stdout.split('\n').map((line) => JSON.parse(line));
    expect(entries.at(-1)).toMatchObject({
      action: 'person.erased',
      actor: 'system',
      detail: { reason: 'GDPR art. 17 request 2026-118', surface: 'cli' },
    });
    expect(entries.some((e) => e.actor === 'omar@agency.gov')).toBe(true);
    const status = await cli(['--as', 'akiko', 'report', 'exceptions', '--format', 'csv'], env);
    expect(status.stdout).toMatch(/EX-1,erased-[0-9a-f]{8},/);
    expect(status.stdout.toLowerCase()).not.toContain('nora');
  });

  it('refuses, changing nothing, someone still in the directory or listed in the policy, someone unknown, or no reason', {
    timeout: 60_000,
  }, async () => {
    const { env } = await setUp();
    const head = (await cli(['audit', 'head'], env)).stdout;
    const refused = async (args: string[], code: number, message: RegExp) => {
      const done = await cli(args, env);
      expect({ code: done.code, stderr: done.stderr }).toMatchObject({ code, stderr: expect.stringMatching(message) });
    };
    await refused(
      ['erase', 'omar@agency.gov', '--reason', 'asked'],
      1,
      /still in the directory \(csv\): erasure is for people who have left.*nothing was erased/,
    );
    await refused(['erase', 'pierre', '--reason', 'asked'], 1, /listed in the policy file \(people: pierre\)/);
    await refused(['erase', 'nobody@agency.gov', '--reason', 'asked'], 1, /No one is known as "nobody@agency.gov"/);
    await refused(['erase', 'nora.quist@agency.gov'], 2, /erase takes PERSON --reason "why"/);
    await refused(['erase', 'nora.quist@agency.gov', '--reason', '  '], 1, /erase needs --reason/);
    expect((await cli(['audit', 'head'], env)).stdout).toBe(head);
  });

  it('a value erased by hand, not by an audited erasure, fails verification', { timeout: 60_000 }, async () => {
    const { env, data } = await setUp();
    await cli(['erase', 'nora.quist@agency.gov', '--reason', 'GDPR art. 17'], env);
    const path = join(data, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    const erasing = JSON.parse(lines.at(-2)!).seq as number;
    // Mark one more of Omar's values as erased by that entry (as long as it was, so the snapshot still
    // lines up): the count the erasure declared no longer matches.
    const index = lines.findIndex((l) => l.includes(':omar@agency.gov"'));
    lines[index] = lines[index]!.replace(
      /"v:[0-9a-f]{32}:omar@agency\.gov"/,
      (kept) => `"e:${erasing}:`.padEnd(kept.length - 1, 'x') + '"',
    );
    await writeFile(path, lines.join('\n'));
    await rm(join(data, 'state.json')); // else the snapshot, which no longer matches the replay, is what fails first
    const verified = await cli(['audit', 'verify'], env);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(
      new RegExp(
        `FAILED verification at entry ${erasing} .*changed — entry ${erasing} erased \\d+ personal value\\(s\\), but \\d+ are marked as erased by it`,
      ),
    );
  });

  it('retention apply erases whoever left longer ago than leavers_days, and commits nothing when no free text is old enough', {
    timeout: 60_000,
  }, async () => {
    const { env, data } = await setUp({ leavers_days: 0, free_text_days: 30 });
    const head = Number((await cli(['audit', 'head'], env)).stdout.split(' ')[0]);
    const applied = await cli(['retention', 'apply'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^retention: 1 leaver\(s\) erased \(erased-[0-9a-f]{8}\), 0 free-text value\(s\) dropped$/);
    expect(Number((await cli(['audit', 'head'], env)).stdout.split(' ')[0])).toBe(head + 1); // the erasure, and no retention entry
    const after = (await allBytes(data)).toLowerCase();
    for (const trace of TRACES) expect(after, trace).not.toContain(trace.toLowerCase());
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
    // Run again: nothing is due.
    expect((await cli(['retention', 'apply'], env)).stdout).toBe('retention: 0 leaver(s) erased, 0 free-text value(s) dropped');
  });

  it('retention apply without a retention: section says so', async () => {
    const { env } = await setUp();
    expect(await cli(['retention', 'apply'], env)).toMatchObject({
      code: 1,
      stderr: 'the policy has no retention: section; nothing is due',
    });
  });
});
