import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/decision.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { botOn } from '../support/bot.ts';

// France, March 2023: recreational apps banned on work phones; officials may ask permission
// for professional use such as public communications.
const AT = '2023-04-03T08:00:00Z';
const staff = 'julien.moreau';
const approver = 'helene.lefebvre';
const colleague = 'camille.bernard';

describe('exception workflow (France pack)', () => {
  it('Candy Crush is prohibited through the recreational category, with an exception possible for public communications', async () => {
    const { say } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    const r = await say(staff, 'check "Candy Crush"');
    const d = r.data as Decision;
    expect(d.verdict).toBe('prohibited');
    expect(d.rules[0]?.via).toEqual({ category: 'recreational' });
    expect(d.exception).toMatchObject({ possible: true, purposes: expect.arrayContaining(['public-communications']) });
    expect(r.text).toMatch(/prohibited/);
    expect(r.text).toMatch(/public-communications/);
    expect(r.reply.blocks.at(-1)).toMatchObject({ type: 'actions', buttons: [{ actionId: 'request.open' }] });
  });

  it('request → refused to the requester → refused to a non-approver → approved → allowed-by-exception for the requester only', async () => {
    const { say, store } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    const filed = await say(
      staff,
      'request twitter --purpose public-communications --days 90 --reason "Posting the ministry\'s announcements"',
    );
    expect(filed.ok).toBe(true);
    const req = filed.data as ExceptionRequest;
    expect(req).toMatchObject({ id: 'EX-1', status: 'requested', purpose: 'public-communications', days: 90, person: staff });
    const copies = (req.notified ?? []).map((a) => expect.objectContaining({ kind: 'notify', person: a, subject: `EX-1:copy:${a}` }));
    expect(copies.length).toBeGreaterThan(0); // every approver who can be reached gets their own copy
    expect(filed.effects).toEqual([expect.objectContaining({ kind: 'post', channel: 'approvals', subject: 'EX-1' }), ...copies]);
    expect((await say(staff, 'check twitter')).data).toMatchObject({ verdict: 'exception-pending' });

    const auditBefore = await countAudit(store);
    const own = await say(staff, 'approve EX-1');
    expect(own).toMatchObject({ ok: false, code: 'own_request', effects: [] });
    const other = await say(colleague, 'approve ex-1');
    expect(other).toMatchObject({ ok: false, code: 'not_an_approver' });
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
    expect(await countAudit(store)).toBe(auditBefore);

    const approved = await say(approver, 'approve EX-1');
    expect(approved.ok).toBe(true);
    const after = store.get('requests', 'EX-1')!;
    expect(after).toMatchObject({ status: 'approved', decidedBy: approver, expiresAt: '2023-07-01T22:00:00.000Z' });
    expect(approved.effects.map((e) => e.kind)).toEqual(['update', ...copies.map(() => 'update'), 'notify']);
    expect(approved.effects.at(-1)).toMatchObject({ kind: 'notify', person: staff });

    const mine = (await say(staff, 'check twitter')).data as Decision;
    expect(mine).toMatchObject({ verdict: 'allowed-by-exception', basis: 'exception', request: { id: 'EX-1' } });
    expect((await say(staff, 'check twitter')).text).toMatch(/until the end of Saturday 1 July 2023/);
    expect(((await say(colleague, 'check twitter')).data as Decision).verdict).toBe('prohibited');

    const again = await say(approver, 'approve EX-1');
    expect(again).toMatchObject({ ok: false, code: 'already_decided' });
    expect(again.text).toMatch(/already approved by Hélène Lefebvre/);
  });

  it('a denial carries its reason to the requester', async () => {
    const { say } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    await say(staff, 'request instagram --purpose public-communications --reason "Campaign"');
    const denied = await say(approver, 'deny EX-1 --reason "Use the ministry account instead"');
    expect(denied.ok).toBe(true);
    const note = denied.effects.find((e) => e.kind === 'notify');
    expect(JSON.stringify(note)).toMatch(/Use the ministry account instead/);
    expect(((await say(staff, 'check instagram')).data as Decision).verdict).toBe('prohibited');
  });

  it('the requester can withdraw a waiting request, and only they can', async () => {
    const { say, store } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    await say(staff, 'request instagram --purpose public-communications --reason "Campaign"');
    expect(await say(colleague, 'withdraw EX-1')).toMatchObject({ ok: false, code: 'not_your_request' });
    expect(await say(staff, 'withdraw EX-1')).toMatchObject({ ok: true });
    expect(store.get('requests', 'EX-1')?.status).toBe('withdrawn');
    expect(await say(approver, 'approve EX-1')).toMatchObject({ ok: false, code: 'already_decided' });
  });

  it('an approved exception stops counting when it expires, and can be revoked before that', async () => {
    const { say, clock } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    await say(staff, 'request twitter --purpose public-communications --days 10 --reason "Launch week"');
    await say(approver, 'approve EX-1');
    clock.set('2023-04-12T21:59:00Z'); // 23:59 in Paris on day 9
    expect(((await say(staff, 'check twitter')).data as Decision).verdict).toBe('allowed-by-exception');
    clock.set('2023-04-12T22:00:00Z'); // day 10 begins
    expect(((await say(staff, 'check twitter')).data as Decision).verdict).toBe('prohibited');

    await say(staff, 'request instagram --purpose public-communications --days 10 --reason "x"');
    await say(approver, 'approve EX-2');
    expect(await say(approver, 'revoke EX-2 --reason "Campaign cancelled"')).toMatchObject({ ok: true });
    expect(((await say(staff, 'check instagram')).data as Decision).verdict).toBe('prohibited');
  });

  it('pending lists what an approver may decide; staff may not use it', async () => {
    const { say } = botOn('fr-2023-recreational.yaml', AT, undefined, 'en');
    await say(staff, 'request twitter --purpose public-communications --reason "Posting"');
    expect((await say(approver, 'pending')).text).toMatch(/EX-1 · Julien Moreau · X \(Twitter\)/);
    expect(await say(staff, 'pending')).toMatchObject({ ok: false, code: 'not_permitted' });
  });
});

async function countAudit(store: { readAudit(): AsyncIterable<unknown> }): Promise<number> {
  let n = 0;
  for await (const _ of store.readAudit()) n++;
  return n;
}
