import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { allBytes, setUpLeaver, TRACES } from '../support/leaver.ts';

describe('appwarden erase', () => {
  it('leaves no byte of a leaver in any file of the data directory, and the chain still verifies', { timeout: 60_000 }, async () => {
    const { env, data } = await setUpLeaver();
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
    const { env } = await setUpLeaver();
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
    const { env, data } = await setUpLeaver();
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
    const { env, data } = await setUpLeaver({ leavers_days: 0, free_text_days: 30 });
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
    const { env } = await setUpLeaver();
    expect(await cli(['retention', 'apply'], env)).toMatchObject({
      code: 1,
      stderr: 'the policy has no retention: section; nothing is due',
    });
  });
});
