import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/decision.ts';
import { requestFormValues, startSlackBot, type SlackBot } from '../support/slack-bot.ts';

let s: SlackBot;
beforeEach(async () => (s = await startSlackBot()));
afterEach(async () => s.stop());

const STAFF = 'U0STAFF'; // pierre
const OTHER = 'U0STAFF2'; // sam, no role
const APPROVER = 'U0APPROVER'; // akiko

async function fileRequest(app: string, reason = 'Posting the agency’s public announcements') {
  await s.command(STAFF, `request ${app} --purpose public-communications --days 30 --reason "${reason}"`);
  return s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
}

describe('exception flow on Slack', () => {
  it('request → approvals post with buttons → requester and non-approver refused → approver denies with a reason', async () => {
    const post = await fileRequest('instagram');
    const blocks = JSON.parse(String(post.body.blocks));
    const buttons = blocks.find((b: { type: string }) => b.type === 'actions').elements;
    expect(buttons.map((b: { action_id: string; value: string }) => [b.action_id, b.value])).toEqual([
      ['request.approve', 'EX-1'],
      ['request.deny', 'EX-1'],
    ]);
    const text = String(post.body.blocks);
    for (const shown of [
      'Pierre Martin',
      'Instagram',
      'public communications',
      '30',
      'demo-recreational',
      'Posting the agency’s public announcements',
    ])
      expect(text).toContain(shown);
    expect(s.responses().join()).toContain('Request EX-1 filed');
    const ts = String((await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1'), 'the stored message ref')).ref.ts);

    await s.click(STAFF, 'request.approve', 'EX-1', { ts });
    const privately = (user: string) => s.fake.of(`respond/action-${user}`);
    const own = await s.fake.until(() => privately(STAFF)[0], 'the requester’s refusal');
    expect(own.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(own.body.text)).toContain("You can't decide your own request EX-1");
    await s.click(OTHER, 'request.approve', 'EX-1', { ts });
    const other = await s.fake.until(() => privately(OTHER)[0], 'the non-approver’s refusal');
    expect(String(other.body.text)).toContain("You can't decide EX-1");
    await s.click(OTHER, 'request.deny', 'EX-1', { ts });
    await s.fake.until(() => privately(OTHER).length === 2, 'the second refusal');
    expect(s.fake.of('views.open')).toEqual([]);
    expect(s.store.get('requests', 'EX-1')?.status).toBe('requested');
    expect(s.fake.of('chat.update')).toEqual([]);

    await s.click(APPROVER, 'request.deny', 'EX-1', { ts });
    const modal = await s.fake.until(() => s.fake.of('views.open')[0], 'the deny form');
    const view = JSON.parse(String(modal.body.view));
    expect(view.callback_id).toBe('request.deny.submit');
    const res = await s.submit(APPROVER, view.callback_id, view.private_metadata, {
      reason: { value: { type: 'plain_text_input', value: 'Use the agency account, not a personal one' } },
    });
    expect(res.status).toBe(200);
    const update = await s.fake.until(() => s.fake.of('chat.update')[0], 'the updated approvals message');
    expect(update.body).toMatchObject({ channel: 'C0APPROVALS', ts });
    const updated = String(update.body.blocks);
    expect(updated).not.toContain('request.approve');
    expect(updated).toContain('denied by Akiko Sato');
    expect(updated).toContain('Use the agency account, not a personal one');
    const dm = await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === STAFF), 'the DM to the requester');
    expect(String(dm.body.blocks)).toContain('was denied by Akiko Sato');
    expect(String(dm.body.blocks)).toContain('Use the agency account, not a personal one');
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decidedBy: 'akiko' });
  });

  it('the approver approves: message updated, requester told, check answers allowed-by-exception', async () => {
    await fileRequest('twitter');
    const ts = String((await s.fake.until(() => s.store.operations.get('messages', 'slack:EX-1'), 'ref')).ref.ts);
    await s.click(APPROVER, 'request.approve', 'EX-1', { ts });
    const update = await s.fake.until(() => s.fake.of('chat.update')[0], 'update');
    expect(String(update.body.blocks)).toContain('approved by Akiko Sato');
    const dm = await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === STAFF), 'DM');
    expect(String(dm.body.blocks)).toContain('Your request EX-1 for X (Twitter) was approved by Akiko Sato');
    await s.command(STAFF, 'check twitter');
    await s.fake.until(() => s.responses().some((r) => r.includes('by your exception')), 'the allowed-by-exception answer');
    const decision = s.bot.run('check twitter', STAFF, 'test');
    expect(((await decision).data as Decision).verdict).toBe('allowed-by-exception');
  });

  it('the modal path: request <app> opens a form; days over the cap is a field error; a valid one files', async () => {
    await s.command(STAFF, 'request instagram');
    const open = await s.fake.until(() => s.fake.of('views.open')[0], 'the request form');
    const view = JSON.parse(String(open.body.view));
    expect(view.callback_id).toBe('request.submit');
    const purpose = view.blocks.find((b: { block_id?: string }) => b.block_id === 'purpose');
    expect(purpose.element.options.map((o: { value: string }) => o.value)).toEqual(['public-communications']);
    const days = view.blocks.find((b: { block_id?: string }) => b.block_id === 'days');
    expect(days.element.initial_value).toBe('30');

    const tooLong = await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      requestFormValues({ purpose: 'public-communications', days: '365', reason: 'Campaign' }),
    );
    expect(JSON.parse(tooLong.text)).toEqual({
      response_action: 'errors',
      errors: { days: '--days 365 is more than the 90 days this exception allows.' },
    });
    const noReason = await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      requestFormValues({ purpose: 'public-communications', days: '10' }),
      'V1',
      'h2',
    );
    expect(JSON.parse(noReason.text).errors).toHaveProperty('reason');
    expect(s.store.count('requests')).toBe(0);

    const ok = await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      requestFormValues({ purpose: 'public-communications', days: '10', reason: 'Campaign week' }),
      'V1',
      'h3',
    );
    expect(ok).toMatchObject({ status: 200, text: '' });
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ app: 'instagram', days: 10, reason: 'Campaign week', status: 'requested' });
    await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
    await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === STAFF), 'the confirmation DM');
  });

  it('request <app> for an app with no exceptions says so instead of opening a form', async () => {
    await s.command(STAFF, 'request tiktok');
    await s.fake.until(() => s.responses().some((r) => r.includes('allows no exceptions')), 'the refusal');
    expect(s.fake.of('views.open')).toEqual([]);
  });
});

describe("the Deny form and the rule's deny_reason", () => {
  const denyForm = async (bot: SlackBot) => {
    await bot.command(STAFF, 'request instagram --purpose public-communications --reason "Campaign"');
    await bot.fake.until(() => bot.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
    await bot.click(APPROVER, 'request.deny', 'EX-1');
    const modal = await bot.fake.until(() => bot.fake.of('views.open')[0], 'the deny form');
    return (JSON.parse(String(modal.body.view)) as { blocks: { block_id?: string; optional?: boolean }[] }).blocks.find(
      (b) => b.block_id === 'reason',
    )!;
  };

  it('asks for a reason by default, and lets it be left out where the rule says deny_reason: optional', async () => {
    expect((await denyForm(s)).optional).toBe(false);
    const { loadPack } = await import('../support/bot.ts');
    const policy = loadPack('demo.yaml');
    const lenient = {
      ...policy,
      rules: policy.rules.map((r) =>
        r.exceptions === 'none' ? r : { ...r, exceptions: { ...r.exceptions, deny_reason: 'optional' as const } },
      ),
    };
    const other = await startSlackBot(lenient);
    try {
      expect((await denyForm(other)).optional).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
