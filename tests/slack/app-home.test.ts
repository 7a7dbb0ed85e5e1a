import { afterEach, describe, expect, it } from 'vitest';
import { loadPack } from '../support/bot.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';
import { SIGNING_SECRET, slackSignature } from '../support/slack-requests.ts';

let s: SlackBot;
afterEach(async () => s.stop());

const PIERRE = 'U0STAFF';
const AKIKO = 'U0APPROVER';

/** `app_home_opened`, as the Events API posts it: JSON, signed. */
async function openHome(user: string) {
  const body = JSON.stringify({
    token: 'legacy',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: `D-${user}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
  });
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(s.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': slackSignature(body, ts, SIGNING_SECRET),
    },
    body,
  });
  expect(res.status).toBe(200);
}

const homes = (user: string) => s.fake.calls.filter((c) => c.method === 'views.publish' && c.body.user_id === user);
const homeText = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body.view);

describe('the Slack Home tab', () => {
  it("shows a person's requests and the deadlines they owe, with the attest buttons", async () => {
    s = await startSlackBot('demo.yaml', '2026-12-01T09:00:00Z');
    await s.command(PIERRE, 'request instagram --purpose public-communications --days 30 --reason "press office"');
    await openHome(PIERRE);
    const home = await s.fake.until(() => homes(PIERRE)[0], "Pierre's home");
    const view = typeof home.body.view === 'string' ? JSON.parse(home.body.view) : home.body.view;
    expect(view.type).toBe('home');
    expect(homeText(home)).toContain('EX-1');
    expect(homeText(home)).toContain('TikTok banned on corporate devices');
    expect(homeText(home)).toContain('attest.removed');
    expect(homeText(home)).not.toContain('request.approve'); // Pierre decides nothing
  });

  it("an approver's home has the queue with working buttons; a click there updates the channel post and the home", async () => {
    s = await startSlackBot('demo.yaml', '2026-12-01T09:00:00Z');
    await s.command(PIERRE, 'request instagram --purpose public-communications --days 30 --reason "press office"');
    await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
    await openHome(AKIKO);
    const first = await s.fake.until(() => homes(AKIKO)[0], "Akiko's home");
    expect(homeText(first)).toContain('1 request waits for your decision');
    expect(homeText(first)).toContain('request.approve');
    await s.click(AKIKO, 'request.approve', 'EX-1', { channel: `D-${AKIKO}` });
    await s.fake.until(() => s.fake.of('chat.update').find((c) => c.body.channel === 'C0APPROVALS'), 'the channel post updated');
    const after = await s.fake.until(() => homes(AKIKO)[1], 'the home refreshed');
    expect(homeText(after)).not.toContain('request.approve');
    expect(s.store.get('requests', 'EX-1')?.status).toBe('approved');
  });

  it("another approver's decision refreshes an approver's home: the request leaves their queue", async () => {
    const policy = loadPack('demo.yaml');
    s = await startSlackBot(
      { ...policy, people: [...policy.people, { id: 'bruno', name: 'Bruno Costa', unit: 'demo', roles: ['approver'], slack: 'U0BRUNO' }] },
      '2026-12-01T09:00:00Z',
    );
    await s.command(PIERRE, 'request instagram --purpose public-communications --days 30 --reason "press office"');
    await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'U0BRUNO'), "Bruno's copy");
    await openHome('U0BRUNO');
    expect(homeText(await s.fake.until(() => homes('U0BRUNO')[0], "Bruno's home"))).toContain('request.approve');
    await s.click(AKIKO, 'request.approve', 'EX-1');
    const after = await s.fake.until(() => homes('U0BRUNO')[1], "Bruno's home refreshed");
    expect(homeText(after)).not.toContain('request.approve');
  });

  it('nobody outside the organisation gets a page', async () => {
    s = await startSlackBot('demo.yaml', '2026-12-01T09:00:00Z');
    s.fake.addUsers({ id: 'U0STRANGER', team_id: 'T0OTHER', is_stranger: true });
    await openHome('U0STRANGER');
    await s.fake.idle(300);
    expect(homes('U0STRANGER')).toEqual([]);
  });
});

describe("the platform's language", () => {
  it('someone whose language the policy does not give is answered in the one Slack says they use', async () => {
    s = await startSlackBot('demo.yaml', '2026-12-01T09:00:00Z');
    s.fake.addUsers({ id: 'U0HANAKO', locale: 'ja-JP' });
    const answered = await s.command('U0HANAKO', 'check tiktok');
    expect(JSON.stringify(answered.answer ?? s.responses())).toContain('TikTokは業務用端末での利用が禁止されています');
  });

  it('a person whose language the policy gives keeps it, whatever Slack says', async () => {
    const policy = loadPack('demo.yaml');
    s = await startSlackBot({ ...policy, people: policy.people.map((p) => (p.id === 'pierre' ? { ...p, locale: 'en' as const } : p)) });
    s.fake.addUsers({ id: 'U0STAFF', locale: 'ja-JP' });
    const pierre = await s.command('U0STAFF', 'check tiktok');
    expect(JSON.stringify(pierre.answer ?? s.responses())).toContain('TikTok is prohibited');
  });
});
