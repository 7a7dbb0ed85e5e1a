import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryFromLine } from '../../storage/audit-chain.ts';
import { openLowdbStore } from '../../storage/lowdb/index.ts';
import { cli, spawnCli, tempDir } from '../support/cli.ts';

const EC = 'policies/ec-2023-tiktok.yaml';
const FR = 'policies/fr-2023-recreational.yaml';
const JP = 'policies/jp-2021-line.yaml';

describe('appwarden CLI, as a new user tries it', () => {
  it('the binary explains the EC ban; --json gives the same as a Decision', async () => {
    const data = await tempDir();
    const human = await spawnCli(['--policy', EC, '--data', data, 'check', 'TikTok', '--device', 'personal-with-work-apps']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/TikTok is prohibited on a personal device with work apps/);
    expect(human.stdout).toMatch(/European Commission/);
    expect(human.stdout).toMatch(/Wednesday 15 March 2023 \(Central European Standard Time\)/);
    expect(human.stdout).toMatch(/lose access to Commission work apps/);
    expect(human.stdout).toMatch(/No exceptions are possible/);
    const json = await cli(['--policy', EC, '--data', data, '--json', 'check', 'TikTok', '--device', 'personal-with-work-apps']);
    const decision = JSON.parse(json.stdout);
    expect(decision).toMatchObject({
      verdict: 'prohibited',
      basis: 'rule',
      deadline: { date: '2023-03-15', at: '2023-03-15T22:59:59.999Z', timezone: 'Europe/Brussels' },
      exception: { possible: false, why: 'rule-allows-none' },
    });
    expect(decision.rules[0].source).toMatch(/European Commission/);
  });

  it('France, in French: request, refused to the requester, approved by the approver, allowed-by-exception for the requester only', async () => {
    const data = await tempDir();
    const as = (who: string, ...words: string[]) => cli(['--policy', FR, '--data', data, '--as', who, ...words]);
    const candy = await as('julien.moreau', '--json', 'check', 'Candy Crush');
    expect(JSON.parse(candy.stdout)).toMatchObject({
      verdict: 'prohibited',
      exception: { possible: true, purposes: ['public-communications'] },
    });
    const filed = await as(
      'julien.moreau',
      'request',
      'twitter',
      '--purpose',
      'public-communications',
      '--days',
      '90',
      '--reason',
      'Ministry announcements',
    );
    expect(filed.code).toBe(0);
    expect(filed.stdout).toMatch(/Demande EX-1 enregistrée/);
    const pending = await as('julien.moreau', '--json', 'check', 'twitter');
    expect(JSON.parse(pending.stdout).verdict).toBe('exception-pending');

    const own = await as('julien.moreau', 'approve', 'EX-1');
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/ne pouvez pas statuer sur votre propre demande EX-1/);
    const approved = await as('helene.lefebvre', 'approve', 'EX-1');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/Vous avez approuvé EX-1/);

    const mine = await as('julien.moreau', 'check', 'twitter');
    expect(mine.stdout).toMatch(/autorisée sur un appareil professionnel au titre de votre dérogation, jusqu’au/);
    const theirs = await as('camille.bernard', '--json', 'check', 'twitter');
    expect(JSON.parse(theirs.stdout).verdict).toBe('prohibited');
  });

  it('Japan: LINE is restricted; ライン for personal data is prohibited', async () => {
    const data = await tempDir();
    const line = await cli(['--policy', JP, '--data', data, '--as', 'suzuki.kenta', '--json', 'check', 'LINE']);
    expect(JSON.parse(line.stdout).verdict).toBe('restricted');
    const pd = await cli(['--policy', JP, '--data', data, '--as', 'suzuki.kenta', '--json', 'check', 'ライン', '--data', 'personal-data']);
    expect(JSON.parse(pd.stdout).verdict).toBe('prohibited');
  });

  it('every state change is in the audit log; one changed byte makes audit verify fail and name the entry', async () => {
    const data = await tempDir();
    const as = (who: string, ...words: string[]) => cli(['--policy', FR, '--data', data, '--as', who, ...words]);
    await as('julien.moreau', 'request', 'twitter', '--purpose', 'public-communications', '--reason', 'x');
    await as('helene.lefebvre', 'approve', 'EX-1');
    await as('camille.bernard', 'attest', 'tiktok');
    const verified = await cli(['--data', data, 'audit', 'verify']);
    expect(verified).toMatchObject({ code: 0, stdout: 'audit log verified: 3 entries, chain intact' });
    const file = join(data, 'audit.jsonl');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).action)).toEqual(['request.filed', 'request.approved', 'attestation.recorded']);
    lines[1] = lines[1]!.replace('"request.approved"', '"request.approvee"');
    await writeFile(file, `${lines.join('\n')}\n`);
    const broken = await cli(['--data', data, 'audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/FAILED verification at entry 2 \(line 2\): changed/);
  });

  it('policy validate lists every problem by path and exits 2; a bad policy changes nothing', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.yaml');
    const original = await readFile(FR, 'utf8');
    // Schema problems are all listed together…
    await writeFile(
      bad,
      original.replace('effective: 2023-03-24', 'effective: 2023-13-45').replace('timezone: Europe/Paris', 'timezone: Europe/Pariss'),
    );
    const schema = await cli(['policy', 'validate', bad]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/2 problem\(s\)/);
    expect(schema.stderr).toMatch(/not a date \(YYYY-MM-DD\) → at rules\[0\]\.effective/);
    expect(schema.stderr).toMatch(/not an IANA time zone \(e\.g\. Europe\/Brussels\) → at organization\.timezone/);
    // …and so are cross-reference problems, once the document has the right shape.
    await writeFile(
      bad,
      original
        .replace('apps: [tchap]', 'apps: [tchapp]')
        .replace('    effective: 2023-03-24\n', '    effective: 2023-03-24\n    deadline: 2023-01-01\n'),
    );
    const r = await cli(['policy', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 problem\(s\)/);
    expect(r.stderr).toMatch(/deadline 2023-01-01 is before effective 2023-03-24 → at rules\[0\]\.deadline/);
    expect(r.stderr).toMatch(/no app "tchapp" → at rules\[1\]\.apps\[0\]/);
    const data = join(dir, 'data');
    const refused = await cli(['--policy', bad, '--data', data, '--as', 'julien.moreau', 'attest', 'tiktok']);
    expect(refused.code).toBe(2);
    expect(existsSync(data)).toBe(false);
    expect(await cli(['policy', 'validate', FR])).toMatchObject({ code: 0, stdout: expect.stringMatching(/valid — Ministère/) });
  });

  it('a second process writing to a data directory in use is refused with a clear message; reading works', async () => {
    const data = await tempDir();
    const holder = await openLowdbStore({ dir: data });
    try {
      const r = await spawnCli(['--policy', FR, '--data', data, '--as', 'camille.bernard', 'attest', 'tiktok']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${data}.* is in use by process ${process.pid}`));
      const read = await cli(['--policy', FR, '--data', data, '--as', 'camille.bernard', 'check', 'twitter']);
      expect(read).toMatchObject({ code: 0, stdout: expect.stringMatching(/interdite/) });
    } finally {
      await holder.close();
    }
  });

  it('reading commands create nothing on a fresh machine', async () => {
    const data = join(await tempDir(), 'never-created');
    expect(await cli(['--data', data, 'help'])).toMatchObject({ code: 0 });
    expect(existsSync(data)).toBe(false);
  });

  it('bad usage exits 2 with the usage', async () => {
    const r = await cli(['--policy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--policy needs a value/);
  });
});

describe('appwarden maintenance commands', () => {
  it('audit verify takes --data after it, as the usage says; changes from the terminal record the OS user', async () => {
    const data = await tempDir();
    await cli([
      '--policy',
      FR,
      '--data',
      data,
      '--as',
      'julien.moreau',
      'request',
      'twitter',
      '--purpose',
      'public-communications',
      '--reason',
      'x',
    ]);
    expect(await cli(['audit', 'verify', '--data', data])).toMatchObject({
      code: 0,
      stdout: 'audit log verified: 1 entries, chain intact',
    });
    const entry = entryFromLine((await readFile(join(data, 'audit.jsonl'), 'utf8')).trim());
    expect(entry.detail).toMatchObject({ surface: 'cli', operator: expect.stringMatching(/.+@.+/) });
    expect(entry.actor).toBe('julien.moreau');
  });
});
