import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.ts';
import { loadPack } from '../support/bot.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

let s: SlackBot;
afterEach(async () => s?.stop());

const start = async () =>
  (s = await startSlackBot(
    'demo.yaml',
    '2026-11-22T09:00:00Z',
    undefined,
    undefined,
    {},
    { timeoutMs: 1_000, outbox: { callTimeoutMs: 3_000 } },
  ));
const REQUEST = 'request instagram --purpose public-communications --reason "posting for the agency"';
const APPROVALS_ITEM = 'request.filed:EX-1:0';
const later = (minutes: number) => s.clock.set(new Date(s.clock.now().getTime() + minutes * 60_000).toISOString());
async function auditOf(store: Store, subject: string) {
  const actions: string[] = [];
  for await (const e of store.readAudit()) if (e.subject === subject) actions.push(e.action);
  return actions;
}
const notice = (id: string, person: string, slack?: string) =>
  s.bot.store.commit({ at: s.clock.now().toISOString(), actor: 'system', action: 'test.notice' }, [
    {
      collection: 'outbox',
      id,
      value: {
        id,
        status: 'due',
        createdAt: s.clock.now().toISOString(),
        effect: {
          kind: 'notify',
          person,
          ...(slack ? { address: { slack } } : {}),
          message: { visibility: 'private', tone: 'info', blocks: [{ type: 'text', text: 'hello' }] },
        },
        deliveredTo: [],
      },
    },
  ]);
async function until(ok: () => boolean, what: string) {
  for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error(`never happened: ${what}\n${s.logs.join('\n')}`);
}
const approvalsInHistory = () => s.fake.history('C0APPROVALS').length;

describe('Slack deliveries under faults', () => {
  it("cannot_dm_bot: failed once with Slack's reason, listed, never retried, no audit per retry", async () => {
    await start();
    s.fake.addUsers({ id: 'UHELPERBOT', is_bot: true });
    await notice('test:bot', 'helper-bot', 'UHELPERBOT');
    await s.bot.drain();
    for (let i = 0; i < 3; i++) {
      later(120);
      await s.bot.drain();
    }
    expect(s.fake.calls.filter((c) => c.method.startsWith('chat.postMessage') && c.body.channel === 'UHELPERBOT')).toHaveLength(1); // tried once
    expect(s.store.get('outbox', 'test:bot')).toMatchObject({
      status: 'failed',
      failures: [expect.objectContaining({ platform: 'slack', reason: expect.stringContaining('cannot_dm_bot') })],
    });
    expect((await s.bot.outbox.report()).failed.map((f) => f.id)).toEqual(['test:bot']);
    expect(await auditOf(s.store, 'test:bot')).toEqual(['outbox.failed']);
  });

  it('a 500 after Slack took the post: found by its key in the channel history, not posted again', async () => {
    await start();
    s.fake.acceptThenFail('chat.postMessage', 1);
    await s.command('U0STAFF', REQUEST);
    await s.fake.until(() => s.fake.calls.find((c) => c.method === 'chat.postMessage (accept-then-500)'), 'the lost answer');
    await s.fake.idle();
    // Begun, not finished: its progress is operational state, the queued item stays as queued.
    expect(await s.store.operations.get('deliveries', APPROVALS_ITEM)).toMatchObject({ id: APPROVALS_ITEM, deliveredTo: [] });
    expect(s.store.get('outbox', APPROVALS_ITEM)?.status).toBe('due');
    expect((await s.bot.outbox.report()).waiting.find((w) => w.id === APPROVALS_ITEM)?.status).toBe('sending');
    later(5);
    await s.bot.drain();
    expect(s.fake.of('conversations.history').some((c) => c.body.channel === 'C0APPROVALS' && Number(c.body.oldest) > 0)).toBe(true);
    expect(approvalsInHistory()).toBe(1);
    expect(s.store.get('outbox', APPROVALS_ITEM)?.status).toBe('sent');
    expect(await auditOf(s.store, APPROVALS_ITEM)).toEqual(['outbox.sent']);
    // Done: its progress stays held a day (no process whose view lags takes it again), then expires.
    expect(await s.store.operations.get('deliveries', APPROVALS_ITEM)).toMatchObject({
      deliveredTo: ['slack'],
      leaseUntil: new Date(s.clock.now().getTime() + 86_400_000).toISOString(),
    });
  });

  it('a call that never answers: the drain is not held, and the post goes out once after a check', async () => {
    await start();
    s.fake.hang('chat.postMessage', 1);
    await s.command('U0STAFF', REQUEST);
    await s.fake.until(() => s.fake.calls.find((c) => c.method === 'chat.postMessage (hang)'), 'the hung post');
    // The hung item is in flight: this drain returns while that call is still unanswered.
    expect(await s.bot.drain()).toEqual([]);
    expect(s.logs.some((l) => /could not deliver/.test(l))).toBe(false);
    await until(() => s.logs.some((l) => /could not deliver request\.filed:EX-1:0 \(unknown/.test(l)), 'the timeout');
    later(5);
    await s.bot.drain();
    expect(approvalsInHistory()).toBe(1);
    expect(s.store.get('outbox', APPROVALS_ITEM)?.status).toBe('sent');
  });

  it('a call that never answers does not hold the scheduler: the next tick runs and delivers what it queued', async () => {
    await start();
    s.fake.hang('chat.postMessage', 1);
    const { createScheduler } = await import('../../src/runtime/scheduler.ts');
    const scheduler = createScheduler(s.bot, (l) => s.logs.push(l));
    const first = scheduler.tick(new Date('2026-12-08T09:00:00+01:00')); // D-7: its announcement hangs
    const second = scheduler.tick(new Date('2026-12-12T09:00:00+01:00')); // D-3: queued behind the first
    expect((await first).queued.map((r) => r.kind)).toEqual(['announce']);
    const d3 = await second;
    expect(d3.queued.filter((r) => r.kind === 'direct').length).toBeGreaterThan(0);
    expect(s.fake.dmsTo('U0STAFF').length).toBeGreaterThan(0);
    expect(s.fake.history('C0ANNOUNCE').length).toBeGreaterThanOrEqual(1);
  });

  it("a long rate limit is left to the outbox's back-off; the item waits, listed, and goes out once", async () => {
    await start();
    s.fake.rateLimit('chat.postMessage', 1, 120);
    await s.command('U0STAFF', REQUEST);
    await s.fake.idle();
    expect((await s.bot.outbox.report()).waiting.map((w) => w.id)).toContain(APPROVALS_ITEM);
    await s.bot.drain(); // before the Retry-After: not tried
    expect(s.fake.calls.filter((c) => c.method.startsWith('chat.postMessage') && c.body.channel === 'C0APPROVALS')).toHaveLength(1);
    later(3);
    await s.bot.drain();
    expect(approvalsInHistory()).toBe(1);
  });
});

describe('a requester the policy no longer lists', () => {
  it('is still told the decision on Slack, at the address they filed from', async () => {
    await start();
    await s.command('U0STAFF2', REQUEST);
    const policy = loadPack('demo.yaml');
    s.bot.reloadPolicy({ ...policy, people: policy.people.filter((p) => p.id !== 'sam') });
    await s.command('U0APPROVER', 'approve EX-1');
    await s.fake.until(() => s.fake.dmsTo('U0STAFF2').length > 0, "the decision in sam's DM");
    expect(s.logs.join('\n')).not.toMatch(/no Slack user for sam/);
  });
});
