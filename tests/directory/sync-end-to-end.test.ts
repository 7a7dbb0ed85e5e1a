import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { openLowdbStoreReadOnly } from '../../storage/lowdb/index.ts';
import { cli, tempDir } from '../support/cli.ts';
import { startFakeGraph, type FakeGraph, type GraphUser } from '../support/fake-graph.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';

/**
 * `appwarden directory sync` as an administrator runs it: the real Entra reader (MSAL, Graph delta)
 * against the fake Microsoft Graph over HTTPS, the real Slack reader against the fake Slack, the
 * embedded store on disk.
 */
let graph: FakeGraph | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await graph?.close();
  await slack?.close();
});

const GROUP_APPROVERS = '7d1e0000-0000-4000-8000-000000000001';

const staff = (n: number): GraphUser[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `e-${i}`,
    displayName: `Person ${i}`,
    mail: `person.${i}@agency.gov`,
    userPrincipalName: `person.${i}@agency.onmicrosoft.com`,
    department: i % 2 ? 'Communications' : 'IT Security',
    preferredLanguage: i % 3 ? 'en-GB' : 'ja-JP',
    accountEnabled: true,
  }));

async function setUp(users: GraphUser[], adjust: (policy: { rules: { id: string; exceptions: unknown }[] }) => void = () => {}) {
  graph = await startFakeGraph({ tenant: 'agency-tenant', clientId: 'app-1', clientSecret: 's3cret-value', pageSize: 100 });
  graph.setUsers(users);
  graph.setGroup(GROUP_APPROVERS, ['e-1']);
  slack = await startFakeSlack();
  // Person 2 on Slack, joined by email; and Pierre (listed in the policy by his Slack id) with his email.
  slack.addUsers(
    { id: 'U0PERSON2', profile: { real_name: 'P2', display_name: 'p2', email: 'Person.2@agency.gov' } },
    { id: 'U0STAFF', profile: { real_name: 'Pierre', display_name: 'pierre', email: 'pierre.martin@agency.gov' } },
  );
  const dir = await tempDir();
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  policy.directory = {
    every_minutes: 0,
    slack: true,
    entra: {
      units_by_department: { Communications: 'demo/comms', 'IT Security': 'demo/it' },
      roles_by_group: { [GROUP_APPROVERS]: ['approver'] },
    },
  };
  adjust(policy);
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  users.push({
    id: 'e-pierre',
    displayName: 'P. Martin',
    mail: 'pierre.martin@agency.gov',
    department: 'IT Security',
    accountEnabled: true,
  });
  graph.addUser(users.at(-1)!);
  const env = {
    POLICY_FILE: join(dir, 'policy.yaml'),
    DATA_DIR: join(dir, 'data'),
    AZURE_TENANT_ID: 'agency-tenant',
    AZURE_CLIENT_ID: 'app-1',
    AZURE_CLIENT_SECRET: 's3cret-value',
    AZURE_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_API_URL: graph.graphUrl,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  };
  return { env, dir };
}

const sync = async (env: Record<string, string>) => {
  const run = await cli(['--json', 'directory', 'sync'], env);
  return { ...run, done: run.code === 0 ? JSON.parse(run.stdout) : undefined };
};

describe('directory sync from Entra ID and Slack', () => {
  it('pages through the directory, joins an Entra user and a Slack member into one, and keeps the policy-listed person', async () => {
    const { env } = await setUp(staff(250));
    const first = await sync(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.done).toMatchObject({ added: 251, left: 0, total: 251 }); // 250, and Pierre (listed, and now joined)
    expect(graph!.callsTo(/users\/delta/).length).toBe(3); // 100 + 100 + 51
    const shown = await cli(['directory', 'show', 'person.2@agency.gov'], env);
    expect(shown.stdout).toMatch(/teams\s+e-2\s+← entra object id/);
    expect(shown.stdout).toMatch(/slack\s+U0PERSON2\s+← slack/);
    expect(shown.stdout).toMatch(/sources\s+entra, slack/);
    const approver = await cli(['directory', 'show', 'person.1@agency.gov'], env);
    expect(approver.stdout).toMatch(/roles\s+approver\s+← entra groups/);
    const pierre = await cli(['directory', 'show', 'pierre'], env);
    expect(pierre.stdout).toMatch(/unit\s+demo\/comms\s+← policy/); // not Entra's IT Security
    expect(pierre.stdout).toMatch(/email\s+pierre.martin@agency.gov\s+← entra/);
    // Person 3's language is Japanese by Entra, so the bot answers them in Japanese.
    const check = await cli(['--as', 'person.3@agency.gov', 'check', 'tiktok'], env);
    expect(check.stdout).toMatch(/TikTokは業務用端末での利用が禁止されています/);
  });

  it('a second sync uses the delta link: one changed department and one leaver', async () => {
    const { env } = await setUp(staff(250));
    await sync(env);
    const deltaLink = (await stored(env)).directory_sources.entra!.cursor as string;
    expect(deltaLink).toMatch(/users\/delta\?.*deltatoken/);
    graph!.updateUser('e-4', { department: 'Communications' });
    graph!.updateUser('e-7', { accountEnabled: false });
    const second = await sync(env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.done).toMatchObject({ added: 0, changed: 1, left: 1, total: 250 });
    expect(graph!.callsTo(/users\/delta/).at(-1)!.url).toBe(deltaLink.replace(graph!.graphUrl, ''));
    expect((await cli(['directory', 'show', 'person.4@agency.gov'], env)).stdout).toMatch(/unit\s+demo\/comms/);
    expect((await cli(['directory', 'show', 'person.7@agency.gov'], env)).stdout).toMatch(/left 20/);
  });

  it('managers come from Entra: shown resolved to people of ours, asked by a manager stage, and unassigned by a delta', async () => {
    const users = staff(6).map((u, i) => (i === 5 ? { ...u, manager: 'e-pierre' } : u));
    const { env } = await setUp(users, (policy) => {
      const rule = policy.rules.find((r) => r.id === 'demo-recreational')!;
      rule.exceptions = { ...(rule.exceptions as object), stages: [{ approvers: 'manager' }] };
    });
    graph!.updateUser('e-pierre', { manager: 'e-1' });
    expect((await sync(env)).code).toBe(0);
    // Pierre is listed with his own Teams id: his Entra object id still names him as a manager.
    expect((await cli(['directory', 'show', 'person.5@agency.gov'], env)).stdout).toMatch(/manager\s+pierre\s+← entra/);
    expect((await cli(['directory', 'show', 'pierre'], env)).stdout).toMatch(/manager\s+person\.1@agency\.gov\s+← entra/);

    const filed = await cli(
      ['--as', 'pierre', 'request', 'instagram', '--purpose', 'public-communications', '--reason', 'press office'],
      env,
    );
    expect(filed.code, filed.stderr).toBe(0);
    expect((await stored(env)).requests[0]).toMatchObject({ person: 'pierre', notified: ['person.1@agency.gov'] });

    graph!.updateUser('e-5', { manager: null });
    expect((await sync(env)).done).toMatchObject({ changed: 1 });
    expect((await cli(['directory', 'show', 'person.5@agency.gov'], env)).stdout).not.toMatch(/manager/);
  });

  it('an expired delta token: a full resync, and nobody is mistaken for a leaver', async () => {
    const { env } = await setUp(staff(120));
    await sync(env);
    graph!.expireDeltaTokens();
    const again = await sync(env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.done).toMatchObject({
      added: 0,
      left: 0,
      total: 121,
      sources: expect.arrayContaining([{ source: 'entra', complete: true, people: 121 }]),
    });
  });

  it('a fault mid-sync (page 2 refused) changes nothing: no entry, the cursor kept, the reason said', async () => {
    const { env } = await setUp(staff(250));
    await sync(env);
    const before = await stored(env);
    graph!.expireDeltaTokens(); // the next sync is a full one, over several pages
    graph!.fail({ path: /skiptoken/, status: 403, times: 5 });
    const failed = await sync(env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/entra could not be read, nothing was changed/);
    expect(failed.stderr).toMatch(/User\.Read\.All/);
    expect(failed.stderr).not.toContain('s3cret-value');
    const after = await stored(env);
    expect(after.seq).toBe(before.seq);
    expect(after.directory_sources).toEqual(before.directory_sources);
  });
});

/** What the data directory holds now, read as another process would. */
async function stored(env: Record<string, string>) {
  const store = await openLowdbStoreReadOnly({ dir: env.DATA_DIR!, log: () => {} });
  try {
    return {
      seq: store.seq,
      requests: store.list('requests'),
      directory_sources: Object.fromEntries(store.list('directory_sources').map((s) => [s.id, s])) as Record<string, { cursor?: string }>,
    };
  } finally {
    await store.close();
  }
}
