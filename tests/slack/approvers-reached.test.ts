import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

let s: SlackBot;
afterEach(async () => s.stop());

const STAFF = 'U0STAFF'; // pierre, demo/comms
const AKIKO = 'U0APPROVER';
const BRUNO = 'U0BRUNO';

/** The demo pack with a second approver over Communications. */
function twoApprovers(): Policy {
  const policy = loadPack('demo.yaml');
  return {
    ...policy,
    people: [...policy.people, { id: 'bruno', name: 'Bruno Costa', unit: 'demo/comms', roles: ['approver'], slack: BRUNO, locale: 'ja' }],
  };
}

const posts = (channel: string) => s.fake.of('chat.postMessage').filter((c) => c.body.channel === channel);
const updates = (channel: string) => s.fake.of('chat.update').filter((c) => c.body.channel === channel);

describe('a new request reaches the people who may decide it', () => {
  it('the approvals post mentions them; each gets their own copy with working buttons; a decision from a copy updates every copy', async () => {
    s = await startSlackBot(twoApprovers());
    await s.command(STAFF, 'request instagram --purpose public-communications --days 30 --reason "the press account"');
    const post = await s.fake.until(() => posts('C0APPROVALS')[0], 'the approvals post');
    expect(String(post.body.text)).toContain(`For <@${AKIKO}> <@${BRUNO}>`);
    const context = JSON.parse(String(post.body.blocks)).at(-1);
    expect(context).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `For <@${AKIKO}> <@${BRUNO}>` }] });

    // Their own copies: in their direct messages, in their language, with Approve and Deny.
    const akikoCopy = await s.fake.until(() => posts(AKIKO)[0], "Akiko's copy");
    const brunoCopy = await s.fake.until(() => posts(BRUNO)[0], "Bruno's copy");
    const buttons = (call: typeof post) =>
      JSON.parse(String(call.body.blocks))
        .find((b: { type: string }) => b.type === 'actions')
        ?.elements.map((e: { action_id: string; value: string }) => `${e.action_id} ${e.value}`);
    expect(buttons(akikoCopy)).toEqual(['request.approve EX-1', 'request.deny EX-1']);
    expect(buttons(brunoCopy)).toEqual(['request.approve EX-1', 'request.deny EX-1']);
    expect(String(brunoCopy.body.blocks)).toContain('承認'); // Bruno reads Japanese
    expect(posts(STAFF)).toEqual([]); // the requester gets no copy of their own request

    // Bruno approves from his copy, in his DM.
    const brunoTs = String(
      (await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1:copy:bruno'), "the copy's ref")).ref.ts,
    );
    await s.click(BRUNO, 'request.approve', 'EX-1', { channel: `D-${BRUNO}`, ts: brunoTs });
    await s.fake.until(
      () => (updates('C0APPROVALS').length && updates(`D-${AKIKO}`).length && updates(`D-${BRUNO}`).length ? true : undefined),
      'every copy updated',
    );
    for (const copy of [updates('C0APPROVALS')[0]!, updates(`D-${AKIKO}`)[0]!, updates(`D-${BRUNO}`)[0]!]) {
      expect(String(copy.body.blocks)).not.toContain('request.approve');
    }
    expect(String(updates('C0APPROVALS')[0]!.body.blocks)).toContain('approved by Bruno Costa');
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: 'bruno', notified: ['akiko', 'bruno'] });

    // Akiko, a moment too late from her copy: told who decided; nothing changes.
    const akikoTs = String((await s.store.operations.get('messages', 'slack:EX-1:copy:akiko'))!.ref.ts);
    await s.click(AKIKO, 'request.approve', 'EX-1', { channel: `D-${AKIKO}`, ts: akikoTs });
    const told = await s.fake.until(() => s.fake.of(`respond/action-${AKIKO}`)[0], 'what Akiko is told');
    expect(String(told.body.text)).toMatch(/already approved by Bruno Costa/);
  });
});
