import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { loadPack } from '../support/bot.ts';
import { APPROVALS, TEAMS, TENANT, cardOf, cardText, mriOf, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
afterEach(async () => t?.stop());

const personalOf = (who: keyof typeof TEAMS) => ({ id: t.personalId(who), conversationType: 'personal', tenantId: TENANT });
const GENERAL = '19:general-team@thread.tacv2';
const team = { id: GENERAL, conversationType: 'channel', isGroup: true, tenantId: TENANT };
const teamData = { tenant: { id: TENANT }, team: { id: GENERAL, name: 'Comms' } };
const welcomes = (conversation: string) => t.connector.to(conversation).filter((c) => cardText(cardOf(c.body)).includes('check <app>'));
const notice = async (id: string, person: string, text: string) =>
  t.bot.store.commit({ at: t.clock.now().toISOString(), actor: 'system', action: 'test.notice' }, [
    {
      collection: 'outbox',
      id,
      value: {
        id,
        status: 'due',
        createdAt: t.clock.now().toISOString(),
        effect: { kind: 'notify', person, message: { visibility: 'private', tone: 'info', blocks: [{ type: 'text', text }] } },
        deliveredTo: [],
      },
    },
  ]);

describe('the Teams app installed and removed', () => {
  it('a personal install (installationUpdate add, then conversationUpdate) is welcomed once, in the language Teams gives', async () => {
    t = await startTeamsBot();
    const install = { ...t.base('sam', personalOf('sam')), locale: 'ja-JP' };
    expect((await t.post({ ...install, type: 'installationUpdate', action: 'add' })).status).toBe(200);
    await t.post({ ...install, id: 'act-update', type: 'conversationUpdate', membersAdded: [t.botAccount] });
    await t.connector.idle();
    expect(welcomes(t.personalId('sam'))).toHaveLength(1);
    const text = cardText(cardOf(welcomes(t.personalId('sam'))[0]!.body));
    expect(text).toContain('AppWarden です');
    expect(text).toContain('check <app>');
    expect(text).toContain('request <app>');
    expect(text).toContain('help');
    // The install is how the bot can reach sam later: a notice goes to this chat.
    await notice('test:sam', 'sam', 'hello sam');
    await t.bot.drain();
    expect(t.connector.to(t.personalId('sam')).some((c) => cardText(cardOf(c.body)).includes('hello sam'))).toBe(true);
  });

  it('in English for someone whose Teams speaks English, and nothing for an upgrade', async () => {
    t = await startTeamsBot();
    await t.post({ ...t.base('pierre', personalOf('pierre')), locale: 'en-US', type: 'installationUpdate', action: 'add' });
    await t.post({ ...t.base('pierre', personalOf('pierre')), type: 'installationUpdate', action: 'add-upgrade' });
    await t.connector.idle();
    expect(welcomes(t.personalId('pierre'))).toHaveLength(1);
    expect(cardText(cardOf(welcomes(t.personalId('pierre'))[0]!.body))).toContain('Hello, I am AppWarden');
  });

  it('added to a team: one welcome in the team’s channel, however many activities say so', async () => {
    t = await startTeamsBot();
    const added = { ...t.base('olivia', team), channelData: teamData };
    await Promise.all([
      t.post({ ...added, type: 'conversationUpdate', membersAdded: [t.botAccount] }),
      t.post({ ...added, id: 'act-install', type: 'installationUpdate', action: 'add' }),
    ]);
    await t.post({ ...added, id: 'act-again', type: 'conversationUpdate', membersAdded: [t.botAccount] });
    await t.connector.idle();
    expect(welcomes(GENERAL)).toHaveLength(1);
    expect(cardText(cardOf(welcomes(GENERAL)[0]!.body))).toContain('mention me first');
    // Removed from the team and added again: welcomed again.
    await t.post({ ...added, id: 'act-removed', type: 'conversationUpdate', membersRemoved: [t.botAccount] });
    await t.post({ ...added, id: 'act-back', type: 'conversationUpdate', membersAdded: [t.botAccount] });
    await t.connector.idle();
    expect(welcomes(GENERAL)).toHaveLength(2);
  });

  it('a welcome the connector refuses is logged, and the install still counts: the chat is remembered', async () => {
    t = await startTeamsBot();
    t.connector.fail({ to: t.personalId('akiko'), status: 403, times: 1 });
    const res = await t.lifecycle('akiko', { type: 'installationUpdate', action: 'add' });
    expect(res.status).toBe(200);
    expect(t.logs.join('\n')).toMatch(/could not welcome a:personal-akiko: the welcome: HTTP 403/);
    expect(await t.store.operations.get('conversations', 'teams:user:akiko')).toBeDefined();
  });

  it('removal forgets the personal chat: a later notice is not sent to the old conversation', async () => {
    t = await startTeamsBot();
    await t.install('pierre');
    expect(await t.store.operations.get('conversations', 'teams:user:pierre')).toBeDefined();
    await t.lifecycle('pierre', { type: 'installationUpdate', action: 'remove' });
    expect(await t.store.operations.get('conversations', 'teams:user:pierre')).toBeUndefined();
    expect(await t.store.operations.get('conversations', `teams:conversation:${t.personalId('pierre')}`)).toBeUndefined();
    t.connector.roster.delete(TEAMS.pierre); // nor in any team: not reachable at all
    await notice('test:pierre', 'pierre', 'after removal');
    await t.bot.drain();
    await t.connector.idle();
    expect(t.connector.to(t.personalId('pierre'))).toEqual([]);
    expect(t.store.get('outbox', 'test:pierre')).toMatchObject({
      failures: [expect.objectContaining({ reason: expect.stringContaining('no personal chat with pierre') })],
    });
  });
});

describe('reaching people who never wrote to the bot', () => {
  it('a reminder DM to a roster member never seen: a personal chat is created with the tenant, remembered, and the reminder sent there', async () => {
    t = await startTeamsBot();
    await t.install('sam'); // the bot knows the organisation's tenant and service URL from here
    expect(await t.store.operations.get('conversations', 'teams:user:pierre')).toBeUndefined();
    const tick = await createScheduler(t.bot, () => undefined).tick(new Date('2026-12-12T09:00:00+01:00'));
    const direct = tick.queued.filter((r) => r.kind === 'direct').map((r) => ('person' in r ? r.person : ''));
    expect(direct).toContain('pierre');
    await t.bot.drain();
    await t.connector.idle();
    // Looked up in the roster of the approvals channel by Entra object id, then a 1:1 chat opened with the MRI.
    expect(t.connector.lookups).toContainEqual(expect.objectContaining({ conversation: APPROVALS, member: TEAMS.pierre, status: 200 }));
    const created = t.connector.calls.filter((c) => c.method === 'CREATE');
    const forPierre = created.find((c) => c.body.members?.[0]?.id === mriOf('pierre'))!;
    expect(forPierre.body).toMatchObject({ isGroup: false, tenantId: TENANT, members: [{ id: mriOf('pierre') }] });
    const chat = (await t.store.operations.get('conversations', 'teams:user:pierre'))?.reference as { conversation: { id: string } };
    expect(chat.conversation.id).toMatch(/^a:personal-created-/);
    const sent = t.connector.to(chat.conversation.id);
    expect(sent.map((c) => c.method)).toEqual(['POST']);
    expect(cardText(cardOf(sent[0]!.body))).toContain('Reminder');
    expect(t.connector.calls.indexOf(forPierre)).toBeLessThan(t.connector.calls.indexOf(sent[0]!));
    // The next one goes to the same chat, without asking the roster or creating again.
    const lookups = t.connector.lookups.length;
    await notice('test:pierre', 'pierre', 'again');
    await t.bot.drain();
    await t.connector.idle();
    expect(t.connector.to(chat.conversation.id)).toHaveLength(2);
    expect(t.connector.lookups).toHaveLength(lookups);
  });

  it('the fake Bot Connector refuses what Teams refuses: no tenant, no member', async () => {
    t = await startTeamsBot();
    const create = (body: unknown) =>
      fetch(`${t.connector.url}/v3/conversations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noTenant = await create({ isGroup: false, members: [{ id: mriOf('sam') }] });
    expect(noTenant.status).toBe(400);
    expect(await noTenant.json()).toEqual({ error: { code: 'BadSyntax', message: 'Could not parse tenant id' } });
    const noMember = await create({ isGroup: false, members: [], tenantId: TENANT });
    expect(noMember.status).toBe(400);
    expect((await noMember.json()).error.code).toBe('BadArgument');
    const ok = await create({ isGroup: false, members: [{ id: mriOf('sam') }], tenantId: TENANT });
    expect(ok.status).toBe(201);
    expect((await ok.json()).id).toMatch(/^a:/);
    expect(t.connector.refused.map((c) => c.status)).toEqual([400, 400]);
  });
});

describe('the language Teams gives', () => {
  it('activity.locale ja-JP answers in Japanese someone the policy names no locale for; a locale in the policy wins', async () => {
    const policy = loadPack('demo.yaml');
    policy.people = policy.people.map((p) => (p.id === 'pierre' ? { ...p, locale: 'en' as const } : p));
    t = await startTeamsBot({}, {}, policy);
    await t.post({ ...t.base('sam', personalOf('sam')), type: 'message', text: 'help', locale: 'ja-JP' });
    const sam = await t.connector.until(() => t.connector.to(t.personalId('sam'))[0], 'the answer to sam');
    expect(cardText(cardOf(sam.body))).toContain('アプリの利用可否');
    await t.post({ ...t.base('pierre', personalOf('pierre')), type: 'message', text: 'help', locale: 'ja-JP' });
    const pierre = await t.connector.until(() => t.connector.to(t.personalId('pierre'))[0], 'the answer to pierre');
    expect(cardText(cardOf(pierre.body))).toContain('may I use this app here?');
    // A language the catalogues do not have changes nothing.
    await t.post({ ...t.base('sam', personalOf('sam')), type: 'message', text: 'help', locale: 'de-DE' });
    const second = await t.connector.until(() => t.connector.to(t.personalId('sam'))[1], 'the second answer');
    expect(cardText(cardOf(second.body))).toContain('may I use this app here?');
    // French is one it has.
    await t.post({ ...t.base('sam', personalOf('sam')), type: 'message', text: 'help', locale: 'fr-FR' });
    const third = await t.connector.until(() => t.connector.to(t.personalId('sam'))[2], 'the third answer');
    expect(cardText(cardOf(third.body))).toContain('puis-je utiliser cette application ici');
  });
});
