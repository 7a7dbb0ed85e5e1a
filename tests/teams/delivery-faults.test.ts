import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.ts';
import { APPROVALS, TEAMS, cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
afterEach(async () => t?.stop());

const start = async () => {
  t = await startTeamsBot({}, {}, 'demo.yaml', '2026-11-22T09:00:00Z', { callTimeoutMs: 2_000, backoffMs: 30_000 });
  await t.install('pierre');
  await t.install('akiko');
};
const REQUEST = 'request instagram --purpose public-communications --reason "posting for the agency"';
const APPROVALS_ITEM = 'request.filed:EX-1:0';
/** Audit entries about one outbox item: its start, each platform's end, not one per retry. */
async function auditOf(store: Store, subject: string) {
  const actions: string[] = [];
  for await (const e of store.readAudit()) if (e.subject === subject) actions.push(e.action);
  return actions;
}
const later = (minutes: number) => t.clock.set(new Date(t.clock.now().getTime() + minutes * 60_000).toISOString());
const approvalsPosts = () => t.connector.to(APPROVALS).filter((c) => c.method === 'POST');

describe('Teams deliveries under connector faults', () => {
  it('503 four times: the approvals card is retried with back-off and arrives once; the audit log records no retry', async () => {
    await start();
    t.connector.fail({ to: APPROVALS, status: 503, times: 4 });
    await t.say('pierre', REQUEST);
    const answer = await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => cardText(c.body).includes('EX-1')),
      'the answer',
    );
    expect(cardText(answer.body)).toContain('Request EX-1 filed');
    // Each failed try is logged once it is over; the next is due after its back-off.
    for (let i = 1; i <= 4; i++) {
      await t.connector.until(
        () => (t.logs.filter((l) => l.includes('could not deliver request.filed:EX-1:0')).length >= i ? true : undefined),
        `try ${i} over`,
      );
      later(90);
      await t.bot.drain();
    }
    expect(t.connector.refused.filter((c) => c.conversation === APPROVALS)).toHaveLength(4);
    expect(approvalsPosts()).toHaveLength(1);
    expect(t.store.get('outbox', APPROVALS_ITEM)).toMatchObject({ status: 'sent', deliveredTo: ['teams'] });
    expect(await auditOf(t.store, APPROVALS_ITEM)).toEqual(['outbox.sent']);
  });

  it('403 (the bot is not in the conversation): failed once with its reason, listed, never tried again', async () => {
    await start();
    t.connector.fail({ to: APPROVALS, status: 403, times: 5 });
    await t.say('pierre', REQUEST);
    await t.connector.until(
      () => (t.logs.some((l) => l.includes(`${APPROVALS_ITEM} failed for good`)) ? true : undefined),
      'the refusal recorded',
    );
    later(120);
    await t.bot.drain();
    expect(t.connector.refused).toHaveLength(1);
    const item = t.store.get('outbox', APPROVALS_ITEM)!;
    expect(item.status).toBe('failed');
    expect(item.failures).toEqual([expect.objectContaining({ platform: 'teams', reason: expect.stringContaining('HTTP 403') })]);
    expect((await t.bot.outbox.report()).failed.map((f) => f.id)).toEqual([APPROVALS_ITEM]);
    expect(await auditOf(t.store, APPROVALS_ITEM)).toEqual(['outbox.failed']);
  });

  it('412 on the approvals post: the requester is told EX-1 was filed (not "nothing was changed"), and the card follows on a retry', async () => {
    await start();
    t.connector.fail({ to: APPROVALS, status: 412, times: 1 });
    await t.say('pierre', REQUEST);
    await t.connector.until(
      () => (t.logs.some((l) => l.includes(`could not deliver ${APPROVALS_ITEM} (transient`)) ? true : undefined),
      'the 412 try over',
    );
    const toPierre = cardText(t.connector.to(t.personalId('pierre')).map((c) => c.body));
    expect(toPierre).toContain('Request EX-1 filed');
    expect(toPierre).not.toMatch(/Nothing was changed|went wrong/);
    later(5);
    await t.bot.drain();
    expect(approvalsPosts()).toHaveLength(1);
  });

  it('a connector that never answers: other drains are not held, the call is given up at its timeout, and the post is tried again later', async () => {
    await start();
    t.connector.fail({ to: APPROVALS, status: 'hang', times: 1 });
    await t.say('pierre', REQUEST);
    await t.connector.until(() => t.connector.refused.length === 1, 'the hung post');
    // Another drain is not held by the hung call: it returns while that call is still unanswered.
    expect(await t.bot.drain()).toEqual([]);
    expect(t.logs.some((l) => /could not deliver/.test(l))).toBe(false);
    // Begun, not finished: its progress is operational state, the queued item stays as queued.
    expect(await t.store.operations.get('deliveries', APPROVALS_ITEM)).toMatchObject({ id: APPROVALS_ITEM, deliveredTo: [] });
    expect(t.store.get('outbox', APPROVALS_ITEM)?.status).toBe('due');
    expect((await t.bot.outbox.report()).waiting.find((w) => w.id === APPROVALS_ITEM)?.status).toBe('sending');
    // The hung call is given up on at its timeout, as "may have landed".
    for (let i = 0; i < 250 && !t.logs.some((l) => /could not deliver request\.filed:EX-1:0 \(unknown/.test(l)); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(t.logs.some((l) => /could not deliver request\.filed:EX-1:0 \(unknown/.test(l))).toBe(true);
    later(5);
    await t.bot.drain();
    expect(approvalsPosts()).toHaveLength(1);
    expect(t.store.get('outbox', APPROVALS_ITEM)?.status).toBe('sent');
  });

  it('a person with a Teams id, no chat yet and in no roster: the notice fails once with that reason instead of being marked sent', async () => {
    await start();
    t.connector.roster.delete(TEAMS.olivia); // a roster member would be reached in a chat the bot opens (lifecycle.test.ts)
    await t.say('pierre', REQUEST);
    await t.say('akiko', 'approve EX-1'); // pierre has a chat; now a notice to olivia, who has none
    await t.bot.store.commit({ at: t.clock.now().toISOString(), actor: 'system', action: 'test.notice' }, [
      {
        collection: 'outbox',
        id: 'test:olivia',
        value: {
          id: 'test:olivia',
          status: 'due',
          createdAt: t.clock.now().toISOString(),
          effect: {
            kind: 'notify',
            person: 'olivia',
            message: { visibility: 'private', tone: 'info', blocks: [{ type: 'text', text: 'hello' }] },
          },
          deliveredTo: [],
        },
      },
    ]);
    await t.bot.drain();
    expect(t.store.get('outbox', 'test:olivia')).toMatchObject({
      status: 'failed',
      failures: [expect.objectContaining({ reason: expect.stringContaining('no personal chat with olivia') })],
    });
  });
});

describe('a requester the policy no longer lists', () => {
  it('is still told the decision on their own request', async () => {
    await start();
    await t.say('pierre', REQUEST);
    const { loadPack } = await import('../support/bot.ts');
    const policy = loadPack('demo.yaml');
    t.bot.reloadPolicy({ ...policy, people: policy.people.filter((p) => p.id !== 'pierre') });
    await t.say('akiko', 'approve EX-1');
    const told = await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => /approved/i.test(cardText(cardOf(c.body)))),
      'the decision',
    );
    expect(cardText(cardOf(told.body))).toContain('EX-1');
  });
});
