import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.ts';
import { postgresAvailable, sql, testDatabases } from '../support/postgres.ts';
import { startServer } from '../support/server-process.ts';

const databases = testDatabases();

describe.skipIf(!postgresAvailable())('the terminal on PostgreSQL', () => {
  it('migrate --from DATA_DIR --to URL moves the whole record, verified on both sides; a second move is refused', async () => {
    const data = await tempDir();
    for (const [as, text] of [
      ['pierre', 'request instagram --purpose public-communications --days 30 --reason "the press account"'],
      ['akiko', 'approve EX-1'],
      ['sam', 'attest tiktok'],
    ] as const)
      expect((await cli(['--data', data, '--as', as, ...text.split(' ')])).code).toBe(0);
    const before = await cli(['--data', data, 'audit', 'verify']);
    const url = await databases.make();
    const moved = await cli(['migrate', '--from', data, '--to', url]);
    expect(moved.code, moved.stderr).toBe(0);
    const entries = Number(/verified: (\d+) entries/.exec(before.stdout)![1]);
    expect(moved.stdout).toMatch(
      new RegExp(
        `^moved ${entries} audit entries and \\d+ operational records from .*; the chain verifies on both sides \\(entry ${entries}, [0-9a-f]{12}…\\)`,
      ),
    );
    expect(Number((await sql<{ count: string }>(url, 'SELECT count(*) FROM appwarden_audit'))[0]!.count)).toBe(entries);
    // The moved deployment answers as the directory did.
    const status = await cli(['--as', 'pierre', 'status'], { DATABASE_URL: url });
    expect(status.stdout).toContain('EX-1');
    expect((await cli(['audit', 'verify'], { DATABASE_URL: url })).stdout).toBe(`audit log verified: ${entries} entries, chain intact`);
    const again = await cli(['migrate', '--from', data, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds \d+ audit entries: move into an empty database; nothing was moved/);
  });

  it('migrate refuses bad usage and a directory that does not verify, moving nothing', async () => {
    expect((await cli(['migrate', '--from', '/tmp'])).code).toBe(2);
    const notUrl = await cli(['migrate', '--from', '/tmp/x', '--to', 'mysql://db/x']);
    expect(notUrl.stderr).toContain('--to must be a PostgreSQL URL');
  });

  it('works while a server runs: the terminal writes and reads beside it, one chain, with no "stop the server first"', {
    timeout: 60_000,
  }, async () => {
    const url = await databases.make();
    const server = startServer({ PORT: '0', DATABASE_URL: url, TEAMS_EMULATOR: '1' });
    await server.listening;
    const attested = await cli(['--as', 'pierre', 'attest', 'tiktok'], { DATABASE_URL: url });
    expect(attested.code, attested.stderr).toBe(0);
    const report = await cli(['--as', 'olivia', 'report', 'compliance'], { DATABASE_URL: url });
    expect(report.code, report.stderr).toBe(0);
    const actions = (await sql<{ line: string }>(url, 'SELECT line FROM appwarden_audit ORDER BY seq')).map(
      (r) => JSON.parse(r.line).action,
    );
    expect(actions).toContain('policy.loaded');
    expect(actions).toContain('attestation.recorded');
    expect((await cli(['audit', 'verify'], { DATABASE_URL: url })).code).toBe(0);
    expect(server.child.exitCode).toBeNull();
  });
});
