import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCommand, commandText } from '../../adapters/slack/messages.ts';
import { blockKitProblem } from '../support/fake-slack.ts';
import { startSlackBot, type SlackBot, requestFormValues } from '../support/slack-bot.ts';
import { eventCallback, postEvent, postToSlackEndpoint, shortcut, viewSubmission } from '../support/slack-requests.ts';

let s: SlackBot;
beforeEach(async () => (s = await startSlackBot()));
afterEach(async () => s.stop());

const STAFF = 'U0STAFF';
const STRANGER = 'U0PARTNER';
let n = 0;
const ts = () => `17900000${String(++n).padStart(2, '0')}.000100`;
const dm = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel_type: 'im',
  channel: 'D0STAFF',
  user: STAFF,
  text,
  ts: ts(),
  ...extra,
});
const mention = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  channel: 'C0GENERAL',
  user: STAFF,
  text,
  ts: ts(),
  ...extra,
});
const send = (event: Record<string, unknown>, id?: string, retryNum?: number) =>
  postEvent(s.endpoint, eventCallback(event, id), retryNum === undefined ? {} : { retryNum });
const postsTo = (channel: string) => s.fake.of('chat.postMessage').filter((c) => c.body.channel === channel);
const text = (c: { body: Record<string, unknown> }) => `${c.body.text} ${c.body.blocks ?? ''}`;

describe('direct messages to the bot', () => {
  it('answers the Events API URL check Slack makes when the request URL is set', async () => {
    const res = await postEvent(s.endpoint, { token: 'legacy', challenge: 'ch-123', type: 'url_verification' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('ch-123');
  });

  it('"check tiktok" in the DM is answered in the DM', async () => {
    expect((await send(dm('check tiktok'))).status).toBe(200);
    const answer = await s.fake.until(() => postsTo('D0STAFF')[0], 'the answer in the DM');
    expect(text(answer)).toContain('TikTok');
    expect(s.fake.of('chat.postEphemeral')).toEqual([]);
  });

  it('a message in a thread of the DM is answered in that thread', async () => {
    await send(dm('status', { thread_ts: '1790000000.000001' }));
    const answer = await s.fake.until(() => postsTo('D0STAFF')[0], 'the answer');
    expect(answer.body.thread_ts).toBe('1790000000.000001');
  });

  it('ignores the bot’s own messages, other bots, edits and other subtypes', async () => {
    await send(dm('check tiktok', { user: 'UBOT', bot_id: 'BBOT' }));
    await send(dm('check tiktok', { bot_id: 'BOTHER' }));
    await send({ ...dm('check tiktok'), subtype: 'message_changed', user: undefined, message: { text: 'check tiktok' } });
    await send(dm('check tiktok', { subtype: 'file_share' }));
    await send({ ...dm('check tiktok'), channel_type: 'channel', channel: 'C0GENERAL' });
    await s.fake.idle(300);
    expect(s.fake.of('chat.postMessage')).toEqual([]);
  });

  it('an event Slack delivers again (X-Slack-Retry-Num) is answered once; a retried request files once', async () => {
    const check = dm('check tiktok');
    await send(check, 'Ev0CHECK');
    await s.fake.until(() => postsTo('D0STAFF')[0], 'the answer');
    await send(check, 'Ev0CHECK', 1);
    const ask = dm('request instagram --purpose public-communications --days 30 --reason "Campaign week"');
    await send(ask, 'Ev0ASK');
    await send(ask, 'Ev0ASK', 1);
    await send(ask, 'Ev0ASK', 2);
    await s.fake.until(() => postsTo('C0APPROVALS')[0], 'the approvals post');
    await s.fake.idle(300);
    expect(postsTo('D0STAFF')).toHaveLength(2);
    expect(text(postsTo('D0STAFF')[1]!)).toContain('Request EX-1 filed');
    expect(s.store.list('requests')).toHaveLength(1);
    expect(postsTo('C0APPROVALS')).toHaveLength(1);
  });

  it('what people typed comes back escaped: no mention, no link, no formatting made by the bot', async () => {
    await send(dm('check <!channel> *Tik* &lt;@U0ADMIN&gt;'));
    const answer = await s.fake.until(() => postsTo('D0STAFF')[0], 'the answer');
    expect(text(answer)).not.toMatch(/<!channel>|<@U0ADMIN>|\*Tik\*/);
  });

  it('someone of another organisation (Slack Connect) is refused in the DM, and nothing is recorded', async () => {
    s.fake.addUsers({ id: STRANGER, team_id: 'T0PARTNER', is_stranger: true });
    // Slack's users.info says who they are, even when the event names no team of theirs.
    await send(dm('request instagram --purpose public-communications --reason "x"', { user: STRANGER }));
    const answer = await s.fake.until(() => postsTo('D0STAFF')[0], 'the refusal');
    expect(String(answer.body.text)).toContain('AppWarden serves only the people of');
    expect(s.store.list('requests')).toEqual([]);
  });
});

describe('mentions in channels', () => {
  it('answers privately (ephemeral, to the person, in that channel); the mention is stripped', async () => {
    s.fake.setChannelMembers('C0GENERAL', [STAFF, 'UBOT']);
    await send(mention('<@UBOT> check <https://tiktok.com|TikTok>'));
    const answer = await s.fake.until(() => s.fake.of('chat.postEphemeral')[0], 'the private answer');
    expect(answer.body).toMatchObject({ channel: 'C0GENERAL', user: STAFF });
    expect(answer.body.thread_ts).toBeUndefined();
    expect(text(answer)).toContain('TikTok');
    expect(text(answer)).not.toContain('Unknown');
    expect(postsTo('C0GENERAL')).toEqual([]);
  });

  it('in a thread, the private answer is in that thread', async () => {
    await send(mention('<@UBOT> check tiktok', { thread_ts: '1790000000.000001' }));
    const answer = await s.fake.until(() => s.fake.of('chat.postEphemeral')[0], 'the private answer');
    expect(answer.body.thread_ts).toBe('1790000000.000001');
  });

  it('a stranger’s mention is refused privately', async () => {
    s.fake.addUsers({ id: STRANGER, team_id: 'T0PARTNER', is_stranger: true });
    await send(mention('<@UBOT> check tiktok', { user: STRANGER, user_team: 'T0PARTNER' }));
    const answer = await s.fake.until(() => s.fake.of('chat.postEphemeral')[0], 'the refusal');
    expect(answer.body).toMatchObject({ channel: 'C0GENERAL', user: STRANGER });
    expect(String(answer.body.text)).toContain('This bot serves only the');
  });
});

describe('shortcuts', () => {
  it('"Request an exception" asks which app, then shows the request form for it; sending it files the request', async () => {
    expect((await postToSlackEndpoint(s.endpoint, shortcut(s.fake.url, 'U0STAFF2', 'request_exception'))).status).toBe(200);
    const opened = await s.fake.until(() => s.fake.of('views.open')[0], 'the form');
    const first = JSON.parse(String(opened.body.view));
    expect(first.callback_id).toBe('request.app');
    expect(first.blocks.map((b: { block_id?: string }) => b.block_id)).toContain('app');

    const unknown = await postToSlackEndpoint(
      s.endpoint,
      viewSubmission('U0STAFF2', 'request.app', '{}', { app: { value: { type: 'plain_text_input', value: 'Zzqxw' } } }),
    );
    expect(JSON.parse(unknown.text)).toMatchObject({ response_action: 'errors', errors: { app: expect.any(String) } });

    const res = await postToSlackEndpoint(
      s.endpoint,
      viewSubmission('U0STAFF2', 'request.app', '{}', { app: { value: { type: 'plain_text_input', value: 'instagram' } } }),
    );
    const ack = JSON.parse(res.text);
    expect(ack.response_action).toBe('update');
    expect(blockKitProblem({ view: ack.view })).toBeUndefined();
    expect(ack.view.callback_id).toBe('request.submit');
    expect(JSON.parse(ack.view.private_metadata)).toEqual({ app: 'instagram' });
    const sent = await postToSlackEndpoint(
      s.endpoint,
      viewSubmission(
        'U0STAFF2',
        'request.submit',
        ack.view.private_metadata,
        requestFormValues({ purpose: 'public-communications', days: '10', reason: 'Campaign week' }),
        'V2',
      ),
    );
    expect(sent.status).toBe(200);
    await s.fake.until(() => postsTo('C0APPROVALS')[0], 'the approvals post');
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ app: 'instagram', status: 'requested' });
  });

  it('"Check this app" checks what the message says and answers only the asker', async () => {
    await postToSlackEndpoint(s.endpoint, shortcut(s.fake.url, STAFF, 'check_app', { message: { text: 'TikTok --device personal' } }));
    const answer = await s.fake.until(() => s.fake.of(`respond/shortcut-${STAFF}`)[0], 'the private answer');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    expect(text(answer)).toContain('TikTok');
    expect(s.fake.of('chat.postMessage')).toEqual([]);
  });

  it('a stranger’s shortcuts are refused where they asked', async () => {
    s.fake.addUsers({ id: STRANGER, team_id: 'T0PARTNER', is_stranger: true });
    const from = { userTeam: 'T0PARTNER' };
    await postToSlackEndpoint(s.endpoint, shortcut(s.fake.url, STRANGER, 'check_app', { message: { text: 'TikTok' }, ...from }));
    const answer = await s.fake.until(() => s.fake.of(`respond/shortcut-${STRANGER}`)[0], 'the refusal');
    expect(String(answer.body.text)).toContain('This bot serves only the');
    await postToSlackEndpoint(s.endpoint, shortcut(s.fake.url, STRANGER, 'request_exception', from));
    const modal = await s.fake.until(() => s.fake.of('views.open')[0], 'the refusal form');
    expect(String(modal.body.view)).toContain('This bot serves only the');
  });
});

describe('message text', () => {
  it('takes out the bot’s mention and Slack’s markup', () => {
    expect(commandText('<@UBOT> check <https://a.example|Candy Crush> &amp; more', 'UBOT')).toBe('check Candy Crush & more');
    expect(commandText('<@UBOT|appwarden>   status', 'UBOT')).toBe('status');
  });
  it('checks a message quoted whole, on one line, bounded', () => {
    expect(checkCommand('TikTok --device personal')).toBe('check "TikTok --device personal"');
    expect(checkCommand('say "hi"\non TikTok')).toBe(`check 'say "hi" on TikTok'`);
    expect(checkCommand('  ')).toBe('check');
    expect(Array.from(checkCommand('x'.repeat(5000))).length).toBeLessThan(220);
  });
});
