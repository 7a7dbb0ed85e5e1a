import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector.ts';
import { startFakeIdentityProvider } from '../support/fake-idp.ts';
import { startFakeSlack } from '../support/fake-slack.ts';
import { startServer } from '../support/server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommand } from '../support/slack-requests.ts';
import { cardOf, cardText, TEAMS, TENANT } from '../support/teams-bot.ts';

const APP_ID = '00000000-0000-0000-0000-00000000a99a';
const BOT = { id: '28:appwarden-bot', name: 'AppWarden' };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => void (await Promise.all(closers.splice(0).map((c) => c()))));

/** The operational journal's lines (issue 14 item 4: conversation references live there, not in the audit log). */
const operationLines = (data: string) =>
  existsSync(join(data, 'operations.jsonl'))
    ? readFileSync(join(data, 'operations.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; id: string })
    : [];

const auditActions = (data: string) =>
  readFileSync(join(data, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; actor: string; subject?: string });

let n = 0;
/** A Teams activity as the Bot Connector sends it (the sender's Entra object id in `from.aadObjectId`). */
function activity(
  serviceUrl: string,
  from: { id: string; name?: string; aadObjectId?: string },
  conversation: Record<string, unknown>,
  fields: Record<string, unknown>,
) {
  return {
    id: `act-${++n}`,
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: BOT,
    conversation,
    timestamp: new Date().toISOString(),
    channelData: { tenant: { id: TENANT } },
    ...fields,
  };
}
const member = (who: keyof typeof TEAMS) => ({ id: `29:${who}`, name: who, aadObjectId: TEAMS[who] });
const channel = { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: TENANT };
const personal = (who: string) => ({ id: `a:personal-${who}`, conversationType: 'personal', tenantId: TENANT });
const mention = (text: string) => ({
  type: 'message',
  text: `<at>AppWarden</at> ${text}`,
  entities: [{ type: 'mention', mentioned: BOT, text: '<at>AppWarden</at>' }],
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe('a Slack-only server', () => {
  it('answers 404 at /api/messages: a forged approver id approves nothing and nothing reaches its serviceUrl; it listens where HOST says', async () => {
    const slack = await startFakeSlack();
    const attacker = await startFakeConnector();
    closers.push(slack.close, attacker.close);
    const data = await tempDir();
    const s = startServer({
      PORT: '0',
      HOST: '127.0.0.2',
      DATA_DIR: data,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    });
    const { host, port } = await s.started;
    expect(host).toBe('127.0.0.2');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow(); // not bound there
    const base = `http://127.0.0.2:${port}`;
    const filed = await postToSlackEndpoint(
      `${base}/slack/events`,
      slashCommand(slack.url, 'U0STAFF', 'request instagram --purpose public-communications --reason "posting for the agency"'),
    );
    expect(filed.text).toContain('EX-1');

    const forged = activity(attacker.url, { id: 'U0APPROVER', name: 'Akiko Sato' }, personal('x'), {
      type: 'message',
      text: 'approve EX-1',
    });
    const res = await post(`${base}/api/messages`, forged);
    expect(res.status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    expect(attacker.calls).toEqual([]);
    const actions = auditActions(data);
    expect(actions.some((a) => a.action === 'request.approved')).toBe(false);
    expect(operationLines(data).filter((l) => l.kind === 'conversations')).toEqual([]);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('the Teams emulator endpoint', () => {
  it('is on with no configuration at all, on 127.0.0.1 only, and says so with a line on how to try it', async () => {
    const s = startServer({ PORT: '0', HOST: '', DATA_DIR: await tempDir() });
    const { host } = await s.started;
    expect(host).toBe('127.0.0.1');
    await s.waitForOutput(/Teams emulator endpoint: http:\/\/127\.0\.0\.1:\d+\/api\/messages, on this machine only\. Try it/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('is refused at start on a public address, and is on beside Slack only when TEAMS_EMULATOR=1 asks for it', async () => {
    const refused = startServer({ PORT: '0', HOST: '0.0.0.0', DATA_DIR: await tempDir() });
    expect(await refused.exited).toBe(2);
    expect(refused.err().trim()).toMatch(
      /^appwarden: HOST=0\.0\.0\.0 with the Teams emulator endpoint on: it takes unauthenticated requests, so it listens on loopback only/,
    );
    expect(refused.err()).not.toMatch(/\n\s+at /);

    const slack = await startFakeSlack();
    closers.push(slack.close);
    const s = startServer({
      PORT: '0',
      HOST: '',
      TEAMS_EMULATOR: '1',
      DATA_DIR: await tempDir(),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    });
    expect((await s.started).host).toBe('127.0.0.1');
    await s.waitForOutput(/slack, teams \(local emulator mode/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('matches a sender only by Teams identity: a person id or a Slack id in from.id is nobody; a serviceUrl off this machine is refused', async () => {
    const connector = await startFakeConnector();
    closers.push(connector.close);
    const data = await tempDir();
    const s = startServer({ PORT: '0', DATA_DIR: data });
    const url = `http://127.0.0.1:${await s.listening}/api/messages`;
    await post(
      url,
      activity(connector.url, member('pierre'), personal('pierre'), {
        type: 'message',
        text: 'request instagram --purpose public-communications --reason "posting"',
      }),
    );
    await connector.until(() => connector.calls.find((c) => JSON.stringify(c.body).includes('EX-1')), 'the answer to pierre');
    for (const claimed of ['akiko', 'U0APPROVER']) {
      const res = await post(
        url,
        activity(connector.url, { id: claimed, name: 'Akiko Sato' }, personal(claimed), { type: 'message', text: 'approve EX-1' }),
      );
      expect(res.status).toBe(200);
      const answer = await connector.until(() => connector.to(`a:personal-${claimed}`)[0], 'the refusal');
      expect(cardText(cardOf(answer.body))).not.toContain('Approved');
    }
    const elsewhere = await post(
      url,
      activity('https://attacker.example/', member('akiko'), personal('akiko'), { type: 'message', text: 'report compliance' }),
    );
    expect(elsewhere.status).toBe(403);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const actions = auditActions(data);
    expect(actions.filter((a) => a.action === 'request.approved')).toEqual([]);
    expect(JSON.stringify(actions)).not.toContain('attacker.example');
  });
});

describe('Teams with MicrosoftAppId', () => {
  it('refuses a valid token for another tenant with 403 and records nothing; serves its own tenant', async () => {
    const idp = await startFakeIdentityProvider();
    const connector = await startFakeConnector();
    closers.push(idp.close, connector.close);
    const data = await tempDir();
    const s = startServer({ PORT: '0', DATA_DIR: data, ...idp.settings(APP_ID), MicrosoftAppTenantId: TENANT });
    const url = `http://127.0.0.1:${await s.listening}/api/messages`;
    expect(s.out()).toMatch(/— teams; data in/);
    const token = await idp.token({ aud: APP_ID, serviceUrl: connector.url });
    const headers = { Authorization: `Bearer ${token}` };
    const foreign = activity(connector.url, member('pierre'), personal('pierre'), {
      type: 'message',
      text: 'attest tiktok',
      channelData: { tenant: { id: 'other-tenant' } },
    });
    expect((await post(url, foreign, headers)).status).toBe(403);
    const install = activity(connector.url, member('pierre'), personal('pierre'), { type: 'conversationUpdate', membersAdded: [BOT] });
    expect((await post(url, install, headers)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const actions = auditActions(data);
    expect(actions.some((a) => a.action === 'attestation.recorded')).toBe(false);
    // Only its own tenant's install is remembered (the chat, the person's chat, the tenant), once each.
    expect(
      operationLines(data)
        .filter((l) => l.kind === 'conversations')
        .map((l) => l.id)
        .sort(),
    ).toEqual(['teams:conversation:a:personal-pierre', 'teams:tenant:tenant-1', 'teams:user:pierre']);
    expect(actions.some((a) => a.action === 'conversation.remembered')).toBe(false);
    expect(s.out()).toMatch(/refused an activity from tenant other-tenant/);
  });

  it('refuses to start with an app id and no tenant to serve', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' });
    expect(await s.exited).toBe(2);
    expect(s.err()).toMatch(/MicrosoftAppId is set but no tenant is: set MicrosoftAppTenantId/);
  });
});

describe('Teams channels', () => {
  let connector: FakeConnector;
  const channelText = () => JSON.stringify(connector.to(channel.id).map((c) => c.body));

  it("answer status and report compliance in the person's personal chat, never in the channel; a channel-only requester is told the decision", async () => {
    connector = await startFakeConnector();
    closers.push(connector.close);
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir() });
    const url = `http://127.0.0.1:${await s.listening}/api/messages`;
    const say = (who: keyof typeof TEAMS, text: string, where: Record<string, unknown> = channel) =>
      post(url, activity(connector.url, member(who), where, where === channel ? mention(text) : { type: 'message', text }));

    await say('pierre', 'attest tiktok');
    await say('sam', 'request instagram --purpose public-communications --reason "posting for the agency"');
    await say('pierre', 'status');
    await say('akiko', 'report compliance');
    await connector.until(
      () =>
        connector.to(channel.id).length >= 4 && connector.calls.filter((c) => c.conversation.startsWith('a:personal-created-')).length >= 4,
      'four pointers and four private answers',
    );
    for (const name of ['Pierre Martin', 'Sam Lee', 'Olivia Admin', 'EX-1', 'TikTok']) expect(channelText()).not.toContain(name);
    expect(channelText()).toContain('I have answered you in your personal chat');
    const privately = JSON.stringify(connector.calls.filter((c) => c.conversation.startsWith('a:personal-created-')).map((c) => c.body));
    expect(privately).toContain('Sam Lee'); // the report, where only akiko sees it
    expect(privately).toContain('EX-1');

    await say('akiko', 'approve EX-1', personal('akiko'));
    const told = await connector.until(
      () =>
        connector.calls.find(
          (c) =>
            c.conversation.startsWith('a:personal-created-') &&
            /EX-1/.test(JSON.stringify(c.body)) &&
            /approved/i.test(JSON.stringify(c.body)) &&
            c.body.conversation?.id !== undefined &&
            c !== undefined &&
            connector.calls.indexOf(c) > connector.calls.length - 4,
        ),
      'sam told of the decision',
    );
    expect(told).toBeDefined();
    const samChat = connector.calls.filter((c) => c.method === 'CREATE' && c.body.members?.[0]?.id === '29:sam');
    expect(samChat).toHaveLength(1); // opened once, remembered, used again for the decision
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
