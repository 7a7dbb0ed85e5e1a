import { atCommit } from '../support/store-faults.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestFormValues, startSlackBot, type SlackBot } from '../support/slack-bot.ts';

let s: SlackBot;
beforeEach(async () => (s = await startSlackBot()));
afterEach(async () => s.stop());

const auditActions = async (s: SlackBot) => {
  const actions: string[] = [];
  for await (const e of s.store.readAudit()) actions.push(e.action);
  return actions;
};

describe('idempotency', () => {
  it('a retried slash command files one request and posts once', async () => {
    const text = 'request instagram --purpose public-communications --reason "Campaign"';
    await s.command('U0STAFF', text, { triggerId: 'trig-retry' });
    await s.command('U0STAFF', text, { triggerId: 'trig-retry', retryNum: 1 });
    await s.command('U0STAFF', text, { triggerId: 'trig-retry', retryNum: 2 });
    await s.fake.idle();
    expect(s.store.count('requests')).toBe(1);
    expect(s.fake.of('chat.postMessage').filter((c) => c.body.channel === 'C0APPROVALS')).toHaveLength(1);
    expect((await auditActions(s)).filter((a) => a === 'request.filed')).toHaveLength(1);
  });

  it('a double click and two approvers at once make one decision; the loser is told by whom', async () => {
    s.bot.reloadPolicy({
      ...s.bot.policy,
      people: [...s.bot.policy.people, { id: 'ken', name: 'Ken Approver', unit: 'demo', roles: ['approver'], slack: 'U0APPROVER2' }],
    });
    s.fake.addUsers({ id: 'U0APPROVER2', real_name: 'Ken Approver' });
    await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "Campaign"');
    await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1'), 'the approvals post');
    await Promise.all([
      s.click('U0APPROVER', 'request.approve', 'EX-1', { actionTs: '1.1' }),
      s.click('U0APPROVER', 'request.approve', 'EX-1', { actionTs: '1.2' }),
      s.click('U0APPROVER2', 'request.approve', 'EX-1', { actionTs: '1.3' }),
    ]);
    const refusals = () => s.fake.calls.filter((c) => c.method.startsWith('respond/action-'));
    await s.fake.until(() => refusals().length === 2, 'two refusals');
    await s.fake.idle();
    expect(s.fake.of('chat.update').filter((c) => c.body.channel === 'C0APPROVALS')).toHaveLength(1);
    expect(s.fake.of('chat.postMessage').filter((c) => c.body.channel === 'U0STAFF')).toHaveLength(1);
    expect((await auditActions(s)).filter((a) => a === 'request.approved')).toHaveLength(1);
    const decider = s.store.get('requests', 'EX-1')!.decidedBy === 'akiko' ? 'Akiko Sato' : 'Ken Approver';
    for (const refusal of refusals()) expect(String(refusal.body.text)).toContain(`EX-1 was already approved by ${decider}`);
  });

  it('the same click delivered twice (same action_ts) is handled once and answered once', async () => {
    await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "Campaign"');
    await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1'), 'the approvals post');
    await s.click('U0APPROVER', 'request.approve', 'EX-1', { actionTs: '9.9' });
    await s.click('U0APPROVER', 'request.approve', 'EX-1', { actionTs: '9.9' });
    await s.fake.idle();
    expect(s.fake.of('chat.update').filter((c) => c.body.channel === 'C0APPROVALS')).toHaveLength(1);
    expect(s.fake.calls.filter((c) => c.method.startsWith('respond/action-'))).toHaveLength(0);
  });
});

describe('safety', () => {
  it('mentions and links typed in a reason reach the approvals channel as text, never as a mention', async () => {
    await s.command(
      'U0STAFF',
      'request instagram --purpose public-communications --reason "<!channel> urgent <@U0APPROVER> see <http://evil.example|your bank>"',
    );
    const post = await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'),
      'the approvals post',
    );
    // The one mention is the bot's own, of the approver who may decide, at the foot of the post.
    const blocks = JSON.parse(String(post.body.blocks));
    expect(blocks.pop()).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'For <@U0APPROVER>' }] });
    expect(String(post.body.text).endsWith(' For <@U0APPROVER>')).toBe(true);
    const sent = `${JSON.stringify(blocks)}${String(post.body.text).replace(/ For <@U0APPROVER>$/, '')}`;
    expect(sent).not.toContain('<!channel>');
    expect(sent).not.toContain('<@U0APPROVER>');
    expect(sent).not.toContain('<http://evil.example|your bank>');
    expect(String(post.body.blocks)).toContain('&lt;!channel&gt; urgent &lt;@U0APPROVER&gt; see &lt;http://evil.example|your bank&gt;');
  });

  it('an app name typed with markup is escaped when echoed back', async () => {
    const { text } = await s.command('U0STAFF', 'check <!here>');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('&lt;!here&gt;');
  });

  it('a 429 with Retry-After is waited out and the post is delivered once', async () => {
    s.fake.rateLimit('chat.postMessage', 1, 1);
    await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "Campaign"');
    await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'),
      'the approvals post after the retry',
    );
    await s.fake.idle();
    expect(s.fake.calls.filter((c) => c.method === 'chat.postMessage (429)')).toHaveLength(1);
    expect(s.fake.of('chat.postMessage').filter((c) => c.body.channel === 'C0APPROVALS')).toHaveLength(1);
  });
});

describe('faults', () => {
  it('a fault while filing from the form is answered in the form with a reference, not a timeout', async () => {
    atCommit(s.store, () => Promise.reject(new Error('disk on fire')));
    const res = await s.submit(
      'U0STAFF',
      'request.submit',
      JSON.stringify({ app: 'instagram' }),
      requestFormValues({ purpose: 'public-communications', days: '10', reason: 'Campaign' }),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/^Sorry, something went wrong on our side \(reference \w{8}\)/) },
    });
    expect(s.logs.join('\n')).toMatch(/disk on fire/);
  });

  it('the request form names the rules that really apply (a category rule)', async () => {
    await s.command('U0STAFF', 'request candy crush');
    const open = await s.fake.until(() => s.fake.of('views.open')[0], 'the request form');
    expect(String(open.body.view)).toContain('Exception to demo-recreational for Candy Crush Saga');
  });
});
