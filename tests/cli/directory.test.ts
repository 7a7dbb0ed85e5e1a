import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { cli, spawnCli, tempDir } from '../support/cli.ts';
import { startConnectProxy } from '../support/connect-proxy.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';

let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());

const CSV = `id,name,email,unit,roles,locale,slack,teams,manager
,Nora Quist,Nora@Agency.gov,demo/comms,,ja,,,akiko@agency.gov
,Omar Farah,omar@agency.gov,demo/it,approver,,,,
`;

/** The demo pack with a directory: the HR export beside it, and Slack joined by email. */
async function setUp(csv = CSV) {
  const dir = await tempDir();
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  policy.directory = { every_minutes: 0, slack: true, csv: 'people.csv' };
  policy.people.find((p: { id: string }) => p.id === 'pierre').email = 'pierre.martin@agency.gov';
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  await writeFile(join(dir, 'people.csv'), csv);
  fake = await startFakeSlack();
  fake.addUsers(
    { id: 'U0NORA', profile: { real_name: 'Nora Q.', display_name: 'nora', email: 'nora@agency.gov' } },
    // Pierre is listed by Slack id and email already; a guest and a deactivated account are not people of ours.
    { id: 'U0STAFF', profile: { real_name: 'Pierre', display_name: 'pierre', email: 'pierre.martin@agency.gov' } },
    { id: 'U0GUEST', is_restricted: true, profile: { real_name: 'Guest', display_name: 'guest', email: 'guest@partner.example' } },
    { id: 'U0GONE', deleted: true, profile: { real_name: 'Gone', display_name: 'gone', email: 'gone@agency.gov' } },
  );
  const env = {
    POLICY_FILE: join(dir, 'policy.yaml'),
    DATA_DIR: join(dir, 'data'),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
  };
  return { dir, env };
}

describe('appwarden directory', () => {
  it('sync reads the export and Slack: one person per human, counted; a second sync changes nothing', async () => {
    const { env } = await setUp();
    const first = await cli(['--json', 'directory', 'sync'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: 3, changed: 0, left: 0, total: 3 });
    expect(fake!.calls.filter((c) => c.method === 'users.list').length).toBeGreaterThan(0);
    const again = await cli(['directory', 'sync'], env);
    expect(again.stdout).toBe('Directory synced: 0 added, 0 changed, 0 left, 0 returned; 3 people in all.');
  });

  it('show says where each fact came from; --as takes an email', async () => {
    const { env } = await setUp();
    await cli(['directory', 'sync'], env);
    const nora = await cli(['directory', 'show', 'NORA@agency.gov'], env);
    expect(nora.code, nora.stderr).toBe(0);
    expect(nora.stdout).toContain('nora@agency.gov');
    expect(nora.stdout).toMatch(/unit\s+demo\/comms\s+← csv/);
    expect(nora.stdout).toMatch(/slack\s+U0NORA\s+← slack/);
    expect(nora.stdout).toMatch(/locale\s+ja\s+← csv/);
    expect(nora.stdout).toMatch(/sources\s+slack, csv/);
    const pierre = await cli(['directory', 'show', 'pierre'], env);
    expect(pierre.stdout).toMatch(/pierre \(listed in the policy\)/);
    expect(pierre.stdout).toMatch(/unit\s+demo\/comms\s+← policy/);
    const unknown = await cli(['directory', 'show', 'who@agency.gov'], env);
    expect(unknown).toMatchObject({ code: 1, stderr: 'No one is known as "who@agency.gov": not in the policy, and not in the directory' });

    const asOmar = await cli(['--as', 'Omar@Agency.gov', '--json', 'check', 'tiktok'], env);
    expect(asOmar.code, asOmar.stderr).toBe(0);
    expect(JSON.parse(asOmar.stdout)).toMatchObject({ verdict: 'prohibited' });
    // Omar is an approver by the export: the compliance report is his to run, and it counts the directory's people.
    const own = await cli(['--as', 'omar@agency.gov', 'report', 'compliance'], env);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toMatch(/Omar Farah/); // his unit, demo/it
    const all = await cli(['--as', 'akiko', 'report', 'compliance'], env);
    expect(all.stdout).toMatch(/0 of 6 people have attested/);
    expect(all.stdout).toMatch(/Nora Quist/);
  });

  it('a bad export changes nothing and names each bad row', async () => {
    const { env } = await setUp(`id,name,email,unit,roles\n,A,a@agency.gov,demo/nowhere,\n,B,not-an-email,demo,boss\n`);
    const synced = await cli(['directory', 'sync'], env);
    expect(synced.code).toBe(1);
    expect(synced.stderr).toContain('people.csv: 3 problem(s), nothing was changed');
    expect(synced.stderr).toContain('line 2: no unit "demo/nowhere" in the policy');
    expect(synced.stderr).toContain('line 3: "not-an-email" is not an email');
    expect(synced.stderr).toContain('line 3: no role "boss"');
    expect((await cli(['directory', 'show', 'nora@agency.gov'], env)).code).toBe(1);
  });

  it('reaches Slack through the outbound proxy (HTTP(S)_PROXY), and past it for hosts NO_PROXY names', async () => {
    const { env } = await setUp();
    const proxy = await startConnectProxy();
    try {
      const through = await spawnCli(['--json', 'directory', 'sync'], { ...env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
      expect(through.code, through.stderr).toBe(0);
      expect(JSON.parse(through.stdout)).toMatchObject({ total: 3 });
      const slackHost = new URL(env.SLACK_API_URL).host;
      expect(proxy.tunnels.filter((t) => t === slackHost).length).toBeGreaterThan(0);
      const tunnelled = proxy.tunnels.length;
      const past = await spawnCli(['directory', 'sync'], { ...env, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      expect(past.code, past.stderr).toBe(0);
      expect(proxy.tunnels).toHaveLength(tunnelled);
    } finally {
      await proxy.close();
    }
  });

  it('refuses bad usage', async () => {
    const { env } = await setUp();
    for (const words of [['directory'], ['directory', 'show'], ['directory', 'sync', 'now'], ['directory', 'list']])
      expect((await cli(words, env)).code, words.join(' ')).toBe(2);
  });
});
