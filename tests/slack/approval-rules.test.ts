import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

/**
 * The approval rules of issue 17 over loopback, as Slack delivers them: designees only, stages with a
 * quorum, a deputy, fewer days than asked. Clicks and slash commands are signed as Slack signs them.
 */
let s: SlackBot;
afterEach(async () => s.stop());

const PIERRE = 'U0STAFF';
const SAM = 'U0STAFF2';
const AKIKO = 'U0APPROVER';
const OLIVIA = 'U0ADMIN';
const BRUNO = 'U0BRUNO';

function withTerms(terms: Record<string, unknown>, extra: Partial<Policy> = {}): Policy {
  const p = loadPack('demo.yaml');
  return {
    ...p,
    people: [
      ...p.people.map((x) => (x.id === 'pierre' ? { ...x, manager: 'sam' } : x)),
      { id: 'bruno', name: 'Bruno Costa', unit: 'demo/comms', roles: ['approver'], slack: BRUNO },
    ],
    rules: p.rules.map((r) =>
      r.id === 'demo-recreational' && r.exceptions !== 'none' ? { ...r, exceptions: { ...r.exceptions, ...terms } } : r,
    ),
    ...extra,
  };
}

const privately = (user: string) => s.fake.of(`respond/action-${user}`).map((c) => String(c.body.text));
const channelUpdates = () => s.fake.of('chat.update').filter((c) => c.body.channel === 'C0APPROVALS');

async function file() {
  await s.command(PIERRE, 'request instagram --purpose public-communications --days 30 --reason "press office"');
  await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'), 'the approvals post');
}

describe('approval rules on Slack', () => {
  it('approvers_only: a unit approver is refused; the designee decides', async () => {
    s = await startSlackBot(withTerms({ approvers: ['akiko'], approvers_only: true }));
    await file();
    await s.click(BRUNO, 'request.approve', 'EX-1');
    await s.fake.until(() => privately(BRUNO)[0], "Bruno's refusal");
    expect(privately(BRUNO)[0]).toContain("You can't decide EX-1");
    expect(s.store.get('requests', 'EX-1')?.status).toBe('requested');
    await s.click(AKIKO, 'request.approve', 'EX-1');
    await s.fake.until(() => channelUpdates()[0], 'the decision');
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: 'akiko' });
  });

  it('two stages, a quorum of two: the manager, then two approvers, in order', async () => {
    s = await startSlackBot(
      withTerms({ stages: [{ approvers: 'manager' }, { approvers: ['akiko', 'olivia', 'bruno'], min_approvals: 2 }] }),
    );
    await file();
    await s.click(AKIKO, 'request.approve', 'EX-1');
    await s.fake.until(() => privately(AKIKO)[0], 'too early');
    await s.click(SAM, 'request.approve', 'EX-1');
    await s.fake.until(() => s.store.get('requests', 'EX-1')?.stage === 1 || undefined, 'stage 2');
    await s.fake.until(() => channelUpdates().length > 0 || undefined, 'the card at stage 2');
    expect(String(channelUpdates().at(-1)!.body.blocks)).toContain('Stage 2 of 2: 0 of 2 approvals given.');
    await s.click(OLIVIA, 'request.approve', 'EX-1');
    await s.fake.until(
      () => (s.store.get('requests', 'EX-1')?.approvals?.length === 2 ? true : undefined),
      'the first approval of stage 2',
    );
    expect(s.store.get('requests', 'EX-1')?.status).toBe('requested');
    await s.click(BRUNO, 'request.approve', 'EX-1');
    await s.fake.until(() => (s.store.get('requests', 'EX-1')?.status === 'approved' ? true : undefined), 'the approval');
    await s.fake.until(
      () => (String(channelUpdates().at(-1)?.body.blocks).includes('approved by Bruno Costa') ? true : undefined),
      'the final card',
    );
  });

  it('a deputy decides while the approver is away (shown as deputy for approver), and not after --until', async () => {
    s = await startSlackBot(withTerms({}), '2026-12-01T09:00:00Z');
    const set = await s.command(AKIKO, 'delegate --to sam --until 2026-12-10');
    expect(set.answer?.text ?? s.responses().join()).toMatch(/Sam Lee decides for you/);
    await file();
    await s.command(PIERRE, 'request twitter --purpose public-communications --days 30 --reason "press office"');
    await s.click(SAM, 'request.approve', 'EX-1');
    await s.fake.until(
      () => (String(channelUpdates().at(-1)?.body.blocks).includes('Sam Lee for Akiko Sato') ? true : undefined),
      'the card',
    );
    s.clock.set('2026-12-11T09:00:00Z');
    await s.click(SAM, 'request.approve', 'EX-2');
    await s.fake.until(() => privately(SAM).find((t) => t.includes('EX-2')), "Sam's refusal");
    expect(s.store.get('requests', 'EX-2')?.status).toBe('requested');
  });

  it('approve --days: fewer days than asked, shown on the card; deny without a reason is refused', async () => {
    s = await startSlackBot(withTerms({}));
    await file();
    const refused = await s.command(AKIKO, 'deny EX-1');
    expect(JSON.stringify(refused.answer ?? s.responses())).toMatch(/reason/i);
    expect(s.store.get('requests', 'EX-1')?.status).toBe('requested');
    await s.command(AKIKO, 'approve EX-1 --days 10');
    await s.fake.until(() => channelUpdates()[0], 'the decision');
    expect(String(channelUpdates()[0]!.body.blocks)).toContain('Granted for 10 days of the 30 asked for.');
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', days: 10, askedDays: 30 });
  });
});
