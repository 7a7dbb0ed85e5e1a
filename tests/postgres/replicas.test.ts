import { readFile, writeFile } from 'node:fs/promises';
import { entryFromLine } from '../../storage/audit-chain.ts';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { spawnCli, tempDir } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { postgresAvailable, sql, testDatabases } from '../support/postgres.ts';
import { startServer } from '../support/server-process.ts';
import { buttonClick, postToSlackEndpoint, SIGNING_SECRET, slashCommand, viewSubmission } from '../support/slack-requests.ts';

/**
 * Several replicas — real server processes, `npm start`'s entry — on one PostgreSQL database, behind
 * no load balancer but the test itself, which sends each request to the replica it chooses.
 */
const databases = testDatabases();
let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());

const STAFF = 'U0STAFF';
const AKIKO = 'U0APPROVER';
const BRUNO = 'U0APPROVER2';

/** The demo pack with a second approver, so two people may decide the same request. */
async function policyWithTwoApprovers(tiktokDeadline?: string): Promise<string> {
  const policy = parse(await readFile(DEMO_POLICY_FILE, 'utf8'));
  if (tiktokDeadline) policy.rules.find((r: { id: string }) => r.id === 'demo-tiktok').deadline = tiktokDeadline;
  policy.people.push({ id: 'bruno', name: 'Bruno Costa', unit: 'demo', roles: ['approver'], slack: BRUNO });
  const file = join(await tempDir(), 'policy.yaml');
  await writeFile(file, stringify(policy));
  return file;
}

async function startReplicas(n: number, extra: Record<string, string> = {}, tiktokDeadline?: string) {
  fake = await startFakeSlack();
  fake.addUsers({ id: BRUNO });
  const url = await databases.make();
  const env = {
    PORT: '0',
    DATABASE_URL: url,
    POLICY_FILE: await policyWithTwoApprovers(tiktokDeadline),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    ...extra,
  };
  // One after another: the first migrates; starting them at once is the schema test's.
  const replicas = [];
  for (let i = 0; i < n; i++) {
    const server = startServer(env);
    replicas.push({ server, endpoint: `http://127.0.0.1:${await server.listening}/slack/events` });
  }
  return { url, env, replicas, fake };
}

/** The actions of the audit log, in order, read from the database itself. */
const actions = async (url: string): Promise<string[]> =>
  (await sql<{ line: string }>(url, 'SELECT line FROM appwarden_audit ORDER BY seq')).map((r) => JSON.parse(r.line).action);

const postsTo = (f: FakeSlack, channel: string) => f.of('chat.postMessage').filter((c) => c.body.channel === channel);

describe.skipIf(!postgresAvailable())('several replicas on one PostgreSQL database', () => {
  it('an approval on one replica and a denial on another at the same moment: one decision, the other told who decided', {
    timeout: 90_000,
  }, async () => {
    const { url, replicas, fake } = await startReplicas(2);
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const filed = await postToSlackEndpoint(
      a.endpoint,
      slashCommand(fake.url, STAFF, 'request instagram --purpose public-communications --days 30 --reason "the press account"'),
    );
    expect(filed.text).toContain('EX-1');
    await fake.until(() => postsTo(fake, 'C0APPROVALS')[0], 'the approvals post');
    // Bruno opens the deny form on b; then both decide at once, each on their own replica.
    await postToSlackEndpoint(b.endpoint, buttonClick(fake.url, BRUNO, 'request.deny', 'EX-1'));
    const modal = JSON.parse(String((await fake.until(() => fake.of('views.open')[0], 'the deny form')).body.view));
    const [approved, denied] = await Promise.all([
      postToSlackEndpoint(a.endpoint, buttonClick(fake.url, AKIKO, 'request.approve', 'EX-1')),
      postToSlackEndpoint(
        b.endpoint,
        viewSubmission(BRUNO, modal.callback_id, modal.private_metadata, {
          reason: { value: { type: 'plain_text_input', value: 'not on a personal phone' } },
        }),
      ),
    ]);
    expect([approved.status, denied.status]).toEqual([200, 200]);
    const decisions = (await actions(url)).filter((x) => x === 'request.approved' || x === 'request.denied');
    expect(decisions).toHaveLength(1);
    // The one who lost is told, privately, who decided first.
    const loser = decisions[0] === 'request.approved' ? 'Bruno' : 'Akiko';
    const winnerName = decisions[0] === 'request.approved' ? 'Akiko Sato' : 'Bruno Costa';
    const told = await fake.until(() => {
      const said = [denied.text, ...fake.of(`respond/action-${loser === 'Akiko' ? AKIKO : BRUNO}`).map((c) => JSON.stringify(c.body))].join(
        ' ',
      );
      return said.includes(winnerName) && said.includes('already') ? said : undefined;
    }, 'the loser told who decided');
    expect(told).toContain(winnerName);
  });

  it('the same signed slash command retried to the other replica is recognised: one request', { timeout: 90_000 }, async () => {
    const { url, replicas, fake } = await startReplicas(2);
    const body = slashCommand(
      fake.url,
      STAFF,
      'request instagram --purpose public-communications --days 30 --reason "once only"',
      'trig-retried',
    );
    const first = await postToSlackEndpoint(replicas[0]!.endpoint, body);
    const retry = await postToSlackEndpoint(replicas[1]!.endpoint, body, { retryNum: 1 });
    expect(first.text).toContain('EX-1');
    expect(retry.status).toBe(200);
    expect(retry.text).not.toContain('EX-2');
    expect((await actions(url)).filter((x) => x === 'request.filed')).toHaveLength(1);
  });

  it('every replica ticking the same minute: each reminder sent once', { timeout: 120_000 }, async () => {
    // The servers tick on the real clock: a deadline 20 days from today leaves them no stage to queue
    // (the first is 14 days before), and the chosen instant, 5 days before it, owes the 7-day stage
    // (direct reminders start at 3). A fixed deadline would let the servers' ticks reach it first.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const { url, env, fake } = await startReplicas(3, {}, day(20));
    // Besides the servers' own ticks, three ticks at one chosen instant, at once, as three replicas would.
    const at = `${day(15)}T09:00:00+01:00`;
    const ticks = await Promise.all([0, 1, 2].map(() => spawnCli(['remind', '--at', at], env)));
    for (const t of ticks) expect(t.code, t.stderr).toBe(0);
    const queued = ticks.map((t) => Number(/(\d+) queued/.exec(t.stdout)?.[1]));
    expect(queued.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    const reminders = (await sql<{ line: string }>(url, 'SELECT line FROM appwarden_audit ORDER BY seq'))
      .flatMap((r) => JSON.parse(r.line).changes as { collection: string; id: string; value?: { status?: string } }[])
      .filter((c) => c.collection === 'outbox' && c.value?.status === 'due')
      .map((c) => c.id);
    expect(new Set(reminders).size).toBe(reminders.length); // queued once each
    // Every one delivered, then quiet: a second delivery of any would have come by then.
    await fake.until(() => postsTo(fake, 'C0ANNOUNCE').length >= reminders.length, 'every reminder');
    await fake.idle(1_000);
    const texts = postsTo(fake, 'C0ANNOUNCE').map((c) => String(c.body.text));
    expect(new Set(texts).size).toBe(texts.length); // and posted once each
  });

  it('a replica killed with SIGKILL under a burst: nothing it acknowledged is lost, and the other finishes its deliveries', {
    timeout: 120_000,
  }, async () => {
    const { url, replicas, fake } = await startReplicas(2, { OUTBOX_LEASE_SECONDS: '5' });
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    // Slack never answers the first post: the killed replica dies holding a delivery it has begun.
    fake.hang('chat.postMessage', 1);
    const sent = Array.from({ length: 20 }, (_, i) =>
      postToSlackEndpoint(
        a.endpoint,
        slashCommand(fake.url, STAFF, `request instagram --purpose public-communications --days ${i + 1} --reason "burst ${i}"`),
      ).catch(() => undefined),
    );
    await fake.until(() => fake.calls.find((c) => c.method === 'chat.postMessage (hang)'), 'a post in flight');
    a.server.child.kill('SIGKILL');
    const answers = await Promise.all(sent);
    const acknowledged = answers.flatMap((r) => (r?.status === 200 ? [...r.text.matchAll(/EX-(\d+)/g)].map((m) => `EX-${m[1]}`) : []));
    expect(acknowledged.length).toBeGreaterThan(0);
    const filed = new Set(
      (await sql<{ line: string }>(url, 'SELECT line FROM appwarden_audit ORDER BY seq'))
        .map((r) => entryFromLine(r.line))
        .filter((e) => e.action === 'request.filed')
        .map((e) => e.subject ?? ''),
    );
    for (const id of acknowledged) expect(filed.has(id), `${id} was acknowledged`).toBe(true);
    const held = await sql<{ id: string; owner: string }>(
      url,
      "SELECT id, record->>'owner' AS owner FROM appwarden_operations WHERE kind = 'deliveries'",
    );
    expect(held.length, 'deliveries the killed replica had begun').toBeGreaterThan(0);
    // Every filed request's approvals post arrives, the killed replica's included, each once.
    const about = (id: string) =>
      postsTo(fake, 'C0APPROVALS').filter((c) => String(c.body.text).includes(id) || String(c.body.blocks).includes(`"${id}"`));
    await fake.until(() => ([...filed].every((id) => about(id).length >= 1) ? true : undefined), 'every approvals post', 60_000);
    for (const id of filed) expect(about(id), `the approvals post about ${id}`).toHaveLength(1);
    const health = await (await fetch(b.endpoint.replace('/slack/events', '/healthz'))).json();
    expect(health.ok).toBe(true);
  });
});
