import { afterEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { createMembership } from '../../adapters/slack/workspace.ts';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { HOME_TEAM, startFakeSlack } from '../support/fake-slack.ts';
import { requestFormValues, startSlackBot, type SlackBot } from '../support/slack-bot.ts';

// Demo pack: TikTok off work devices by 15 December 2026 (Brussels); people DMed from 3 days before.
const D3 = '2026-12-12T09:00:00+01:00';
const AFTER = '2026-12-16T09:00:00+01:00';
const PARTNER_TEAM = 'T0PARTNER';

/** Who sits in the announcements channel besides our people, each as Slack records them. */
const STRANGERS = [
  { id: 'U0HELPBOT', name: 'helpdesk-bot', is_bot: true },
  { id: 'U0GONE', real_name: 'Former Colleague', deleted: true },
  { id: 'U0PARTNER', real_name: 'Partner Contact', team_id: PARTNER_TEAM, is_stranger: true },
  { id: 'U0APPUSER', is_app_user: true },
];
const NOT_OURS = [...STRANGERS.map((u) => u.id), 'USLACKBOT', 'U0GHOST'];

let s: SlackBot;
afterEach(async () => s?.stop());

const auditCount = async () => {
  let n = 0;
  for await (const _ of s.store.readAudit()) n++;
  return n;
};
const dmed = () =>
  s.fake
    .of('chat.postMessage')
    .map((c) => String(c.body.channel))
    .filter((c) => /^[UW]/.test(c));

describe('who must comply, on Slack: the organisation’s people in the announcements channel', () => {
  it('a bot, Slackbot, a deactivated account, an app user, a Slack Connect member and an id Slack does not know are not counted and not DMed', async () => {
    s = await startSlackBot('demo.yaml', D3);
    s.fake.addUsers(...STRANGERS);
    s.fake.setMembers(['UBOT', 'U0STAFF', 'U0MEMBER1', ...NOT_OURS]);
    s.fake.users.delete('U0GHOST'); // in the channel's list, but users.info answers user_not_found
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));

    const d3 = await scheduler.tick(new Date(D3));
    expect(
      d3.queued
        .filter((r) => r.kind === 'direct')
        .map((r) => ('person' in r ? r.person : ''))
        .sort(),
    ).toEqual(['U0MEMBER1', 'akiko', 'olivia', 'pierre', 'sam']);
    await s.fake.idle();
    expect(dmed().sort()).toEqual(['U0ADMIN', 'U0APPROVER', 'U0MEMBER1', 'U0STAFF', 'U0STAFF2']);
    for (const id of NOT_OURS) expect(s.fake.of('conversations.open').map((c) => c.body.users)).not.toContain(id);

    await scheduler.tick(new Date(AFTER));
    const digest = await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'),
      'the overdue digest',
    );
    const text = String(digest.body.blocks);
    expect(text).toContain('0 of 5 people have attested.');
    for (const id of NOT_OURS) expect(text).not.toContain(id);
  });

  it('a channel of 450 is answered by the roster listed at start (pages of 200): only those it does not hold are looked up', async () => {
    const staff = Array.from({ length: 450 }, (_, i) => `U1${String(i).padStart(5, '0')}`);
    s = await startSlackBot('demo.yaml', D3, undefined, undefined, { users: [...staff.map((id) => ({ id })), ...STRANGERS] });
    const pages = s.fake.of('users.list');
    expect(pages.map((c) => [c.body.limit, c.body.include_locale])).toEqual(Array(3).fill(['200', 'true']));
    s.fake.setMembers(['UBOT', ...staff, ...NOT_OURS]);
    s.fake.users.delete('U0GHOST');
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));

    await scheduler.tick(new Date(D3));
    await s.fake.idle();
    expect(new Set(dmed())).toEqual(new Set([...staff, 'U0ADMIN', 'U0APPROVER', 'U0STAFF', 'U0STAFF2']));
    // users.list never lists another organisation's member, nor an id Slack does not know.
    expect(s.fake.of('users.info').map((c) => c.body.user)).toEqual(['U0PARTNER', 'U0GHOST']);
    expect(s.fake.of('users.list')).toHaveLength(3);
  });

  it('a listing Slack rate-limits waits out Retry-After and completes', async () => {
    const staff = Array.from({ length: 450 }, (_, i) => `U1${String(i).padStart(5, '0')}`);
    const fake = await startFakeSlack({ users: staff.map((id) => ({ id })) });
    fake.rateLimit('users.list', 1, 1);
    try {
      const membership = createMembership(
        { team: HOME_TEAM },
        {
          lookup: new webApi.WebClient('xoxb-test-token', { slackApiUrl: fake.apiUrl }),
          background: new webApi.WebClient('xoxb-test-token', { slackApiUrl: fake.apiUrl }),
        },
        () => undefined,
      );
      await membership.listWorkspace();
      expect(fake.calls.map((c) => c.method)).toEqual(['users.list (429)', 'users.list', 'users.list', 'users.list']);
      expect(membership.roster()).toMatchObject({ state: 'listed', people: 456 });
      expect(await membership.ours(['U100449', 'U0STAFF', 'UBOT'])).toEqual(['U100449', 'U0STAFF']);
      expect(fake.of('users.info')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('150 people who joined unannounced since the listing: the workspace is listed again, not looked up one by one', async () => {
    s = await startSlackBot('demo.yaml', D3);
    const joined = Array.from({ length: 150 }, (_, i) => `U2${String(i).padStart(5, '0')}`);
    s.fake.setMembers(['UBOT', 'U0STAFF', ...joined]); // in the directory now; no team_join reached the bot
    s.clock.set('2026-12-12T09:11:00+01:00'); // the roster is eleven minutes old
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));

    await scheduler.tick(new Date('2026-12-12T09:11:00+01:00'));
    await s.fake.idle();
    expect(new Set(dmed())).toEqual(new Set([...joined, 'U0ADMIN', 'U0APPROVER', 'U0STAFF', 'U0STAFF2']));
    expect(s.fake.of('users.info')).toEqual([]);
    expect(s.fake.of('users.list')).toHaveLength(2); // at start, and now
  });
});

describe('clicks and commands from outside the organisation', () => {
  it('a Slack Connect member’s "I’ve removed it" records nothing and is refused privately', async () => {
    s = await startSlackBot('demo.yaml', D3);
    s.fake.addUsers(...STRANGERS);
    const before = await auditCount();

    // As Slack sends it: the payload names the member's own team.
    await s.click('U0PARTNER', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE', userTeam: PARTNER_TEAM });
    const first = await s.fake.until(() => s.fake.of('respond/action-U0PARTNER')[0], 'the refusal');
    expect(first.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(first.body.text)).toContain('This bot serves only the Demo Agency workspace');

    // A payload without the user's team: Slack's user record (is_stranger, another team_id) decides.
    await s.click('U0PARTNER', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE', userTeam: null });
    const second = await s.fake.until(() => s.fake.of('respond/action-U0PARTNER')[1], 'the second refusal');
    expect(String(second.body.text)).toContain('AppWarden serves only the people of Demo Agency');
    expect(s.fake.of('users.info').map((c) => c.body.user)).toEqual(['U0PARTNER']);

    await s.fake.idle();
    expect(s.store.count('attestations')).toBe(0);
    expect(await auditCount()).toBe(before);
    expect(s.logs.join('\n')).toMatch(/refused action from U0PARTNER/);
  });

  it('someone Slack does not know (user_not_found) is refused; a bot’s or a deactivated account’s command too', async () => {
    s = await startSlackBot();
    s.fake.addUsers(...STRANGERS);
    for (const user of ['U0GHOST', 'U0HELPBOT', 'U0GONE']) {
      const { answer } = await s.command(user, 'attest tiktok');
      expect(answer, user).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringContaining('AppWarden serves only the people of Demo Agency'),
      });
    }
    expect(s.store.count('attestations')).toBe(0);
  });

  it('a command from another workspace is refused politely and records nothing; so is a form', async () => {
    s = await startSlackBot();
    const before = await auditCount();
    const { answer } = await s.command('U0STAFF', 'attest tiktok', { team: 'T0OTHER' });
    expect(answer).toMatchObject({
      response_type: 'ephemeral',
      text: 'This bot serves only the Demo Agency workspace. Nothing was recorded.',
    });
    const form = await s.submit(
      'U0STAFF',
      'request.submit',
      JSON.stringify({ app: 'instagram' }),
      requestFormValues({ purpose: 'public-communications', days: '10', reason: 'Campaign' }),
      'V1',
      'h1',
      { team: 'T0OTHER' },
    );
    expect(JSON.parse(form.text)).toMatchObject({
      response_action: 'update',
      view: { blocks: [{ text: { text: expect.stringContaining('serves only the Demo Agency workspace') } }] },
    });
    await s.fake.idle();
    expect(s.store.count('attestations')).toBe(0);
    expect(s.store.count('requests')).toBe(0);
    expect(await auditCount()).toBe(before);
    expect(s.fake.of('users.info')).toEqual([]); // refused on the payload alone
  });

  it('Slack down while a clicker the roster does not hold is looked up: "try again", nothing recorded, and the next click works', async () => {
    s = await startSlackBot('demo.yaml', D3);
    s.fake.addUsers({ id: 'U0NEWHIRE' }); // joined since the listing
    s.fake.fail('users.info', 2);
    await s.click('U0NEWHIRE', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE' });
    const answer = await s.fake.until(() => s.fake.of('respond/action-U0NEWHIRE')[0], 'the answer');
    expect(String(answer.body.text)).toContain('Please try again in a moment');
    expect(s.store.count('attestations')).toBe(0);
    expect(s.logs.join('\n')).toMatch(/could not look up U0NEWHIRE \(users\.info\)/);

    await s.click('U0NEWHIRE', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE' });
    const recorded = await s.fake.until(() => s.fake.of('respond/action-U0NEWHIRE')[1], 'the second answer');
    expect(String(recorded.body.text)).toContain('Recorded: you have removed TikTok');
    expect(s.store.count('attestations')).toBe(1);
  });

  it('the roster answers for its people without a call; someone it does not hold is looked up once, then remembered', async () => {
    s = await startSlackBot();
    s.fake.addUsers({ id: 'U0NEWHIRE' });
    for (const user of ['U0STAFF', 'U0NEWHIRE']) {
      await s.command(user, 'status');
      await s.command(user, 'check tiktok');
    }
    expect(s.fake.of('users.info').map((c) => c.body.user)).toEqual(['U0NEWHIRE']);
  });
});

describe('the roster of the workspace', () => {
  it('a deactivation Slack announces (user_change) is refused at once; a new joiner announced (team_join) is served without a lookup', async () => {
    s = await startSlackBot('demo.yaml', D3);
    expect((await s.command('U0STAFF2', 'check tiktok')).answer?.text).not.toContain('serves only');
    expect((await s.userChanged('U0STAFF2', { deleted: true })).status).toBe(200);
    const { answer } = await s.command('U0STAFF2', 'attest tiktok');
    expect(answer?.text).toContain('AppWarden serves only the people of Demo Agency');
    expect(s.store.count('attestations')).toBe(0);

    s.fake.addUsers({ id: 'U0JOINER', locale: 'fr-FR' });
    await s.event({ type: 'team_join', user: s.fake.users.get('U0JOINER') });
    expect((await s.command('U0JOINER', 'attest tiktok')).answer?.text).toContain('Enregistré');
    expect(s.fake.of('users.info')).toEqual([]);
  });

  it('what Slack says of someone while the listing runs is not undone by the listing', async () => {
    const fake = await startFakeSlack();
    let at = Date.parse(D3);
    const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: fake.apiUrl });
    const membership = createMembership(
      { team: HOME_TEAM },
      { lookup: client, background: client },
      () => undefined,
      () => at,
    );
    try {
      const listing = membership.listWorkspace();
      expect(membership.roster().state).toBe('listing');
      membership.heard({ ...fake.users.get('U0STAFF')!, deleted: true }); // the listing's page still says active
      await listing;
      at += 11 * 60_000; // what was heard is no longer remembered on its own: the roster answers
      expect(await membership.standing('U0STAFF')).toBe('foreign');
      expect(await membership.standing('U0STAFF2')).toBe('ours');
      expect(fake.of('users.info')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('says on /healthz what it holds; Slack refusing the listing leaves lookups serving, and a listing 30 minutes old is not trusted', async () => {
    s = await startSlackBot('demo.yaml', D3);
    const health = async () =>
      ((await (await fetch(s.endpoint.replace('/slack/events', '/healthz'))).json()) as { slack: { roster: unknown } }).slack.roster;
    expect(await health()).toEqual({ state: 'listed', people: 6, listedAt: new Date(D3).toISOString() });

    s.clock.set('2026-12-12T09:30:00+01:00');
    expect(await health()).toEqual({ state: 'lookups', people: 0 });
    await s.command('U0STAFF', 'status');
    expect(s.fake.of('users.info').map((c) => c.body.user)).toEqual(['U0STAFF']);

    s.fake.refuse('users.list', 'missing_scope', 1);
    s.fake.setMembers(['UBOT', ...Array.from({ length: 120 }, (_, i) => `U3${String(i).padStart(5, '0')}`)]);
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));
    await scheduler.tick(new Date('2026-12-12T09:30:00+01:00'));
    await s.fake.idle();
    expect(s.logs.join('\n')).toMatch(/could not list the workspace \(users\.list\): missing_scope; clickers are looked up one by one/);
    expect(s.logs.join('\n')).toMatch(
      /could not list the announcements channel: the workspace could not be listed \(users\.list\): 120 channel members are unknown/,
    );
    expect(dmed().filter((id) => id.startsWith('U3'))).toEqual([]); // not counted this time, and said so
    expect(await health()).toEqual({ state: 'lookups', people: 0 });
  });
});

describe('on an Enterprise Grid org', () => {
  it('the org must be ours too: a colleague of the org is served; another org’s request or member is refused', async () => {
    s = await startSlackBot('demo.yaml', '2026-11-22T09:00:00Z', undefined, undefined, { enterprise: 'E0ORG' });
    const orgOf = (id: string, org: string, team: string) => ({
      id,
      team_id: team,
      enterprise_user: { id, enterprise_id: org, enterprise_name: org, is_admin: false, is_owner: false, teams: [team] },
    });
    s.fake.addUsers(orgOf('W0OTHERORG', 'E0ELSE', 'T0ELSE'), orgOf('W0SISTER', 'E0ORG', 'T0SISTER'));

    const ours = await s.command('U0STAFF', 'attest tiktok', { enterprise: 'E0ORG' });
    expect(ours.answer?.text ?? JSON.stringify(ours.answer)).toContain('Recorded');
    const noOrg = await s.command('U0STAFF2', 'attest tiktok');
    expect(noOrg.answer?.text).toContain('serves only the Demo Agency workspace');
    const otherOrg = await s.command('U0STAFF2', 'attest tiktok', { enterprise: 'E0ELSE' });
    expect(otherOrg.answer?.text).toContain('serves only the Demo Agency workspace');
    const member = await s.command('W0OTHERORG', 'attest tiktok', { enterprise: 'E0ORG' });
    expect(member.answer?.text).toContain('serves only the people of Demo Agency');
    // A colleague homed in a sister workspace of the org, clicking in ours: served.
    await s.click('W0SISTER', 'attest.removed', 'demo-tiktok', { channel: 'C0ANNOUNCE', enterprise: 'E0ORG', userTeam: 'T0SISTER' });
    const sister = await s.fake.until(() => s.fake.of('respond/action-W0SISTER')[0], 'the sister workspace colleague’s answer');
    expect(String(sister.body.text)).toContain('Recorded: you have removed TikTok');
    expect(new Set(s.store.list('attestations').map((a) => a.person))).toEqual(new Set(['pierre', 'W0SISTER']));
  });
});
