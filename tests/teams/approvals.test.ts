import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/decision.ts';
import { APPROVALS, cardOf, cardText, mriOf, startTeamsBot, TEAMS, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
beforeEach(async () => (t = await startTeamsBot()));
afterEach(async () => t.stop());

const auditCount = async (t: TeamsBot, action: string) => {
  let n = 0;
  for await (const e of t.store.readAudit()) if (e.action === action) n++;
  return n;
};

async function fileRequest() {
  await t.install('pierre');
  await t.say('pierre', 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"');
  return t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'POST'), 'the approvals card');
}

describe('Teams approvals with Universal Actions', () => {
  it('request → card in the approvals conversation → requester and non-approver refused → approver approves', async () => {
    const post = await fileRequest();
    const card = cardOf(post.body) as Record<string, any>;
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'request.refresh', data: { value: 'EX-1' } },
      userIds: [mriOf('akiko')], // her Teams user id, found in the roster: she never wrote to the bot
    });
    // The shared card is read-only: approvers get the live one on refresh, and anyone may ask for their own view.
    expect(card.actions).toEqual([{ type: 'Action.Execute', title: 'Review', verb: 'request.refresh', data: { value: 'EX-1' } }]);
    expect(cardText(card)).toContain('Agency campaign');
    // It @-mentions who may decide, by Entra object id, so Teams notifies them.
    expect(card.msteams).toEqual({
      entities: [{ type: 'mention', text: '<at>Akiko Sato</at>', mentioned: { id: TEAMS.akiko, name: 'Akiko Sato' } }],
    });
    expect(card.body.at(-1)).toMatchObject({ type: 'TextBlock', text: 'For <at>Akiko Sato</at>' });

    const own = await t.invoke('pierre', 'request.approve', { value: 'EX-1' });
    expect(own.json()).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: "You can't decide your own request EX-1; another approver must.",
    });
    const other = await t.invoke('sam', 'request.approve', { value: 'EX-1' });
    expect(other.json().value).toMatch(/You can't decide EX-1/);
    expect(t.store.get('requests', 'EX-1')?.status).toBe('requested');

    const refreshed = await t.invoke('akiko', 'request.refresh', { value: 'EX-1' });
    const live = refreshed.json().value;
    expect(live.actions.map((a: { type: string; verb?: string; title: string }) => a.verb ?? a.type)).toEqual([
      'request.approve',
      'Action.ShowCard',
    ]);
    const samView = (await t.invoke('sam', 'request.refresh', { value: 'EX-1' })).json().value;
    expect(samView.actions).toBeUndefined();

    const approved = await t.invoke('akiko', 'request.approve', { value: 'EX-1' }, 'invoke-approve-1');
    const updated = approved.json();
    expect(updated.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(updated.value)).toContain('approved by Akiko Sato');
    expect(updated.value.actions).toBeUndefined();

    const dm = await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => cardText(c.body).includes('was approved by Akiko Sato')),
      'the proactive message to the requester',
    );
    const put = await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'PUT'), 'the shared card update');
    expect(put.activity).toBe((await t.store.operations.get('messages', 'teams:EX-1'))?.ref.activity);

    const check = await t.bot.run('check instagram', TEAMS.pierre, 'test');
    expect((check.data as Decision).verdict).toBe('allowed-by-exception');

    // The same invoke again changes nothing; a new click is told who decided.
    await t.connector.idle();
    const calls = t.connector.calls.length;
    const again = await t.invoke('akiko', 'request.approve', { value: 'EX-1' }, 'invoke-approve-1');
    expect(again.json().type).toBe('application/vnd.microsoft.card.adaptive');
    const later = await t.invoke('akiko', 'request.approve', { value: 'EX-1' });
    expect(later.json().value).toMatch(/EX-1 was already approved by Akiko Sato/);
    await t.connector.idle();
    expect(t.connector.calls.length).toBe(calls);
    expect(await auditCount(t, 'request.approved')).toBe(1);
  });

  it('Deny collects a reason in the card, and the requester sees it', async () => {
    await fileRequest();
    const live = (await t.invoke('akiko', 'request.refresh', { value: 'EX-1' })).json().value;
    const showCard = live.actions.find((a: { type: string }) => a.type === 'Action.ShowCard');
    expect(showCard.card.body[0]).toMatchObject({ type: 'Input.Text', id: 'reason' });
    expect(showCard.card.actions[0]).toMatchObject({ type: 'Action.Execute', verb: 'request.deny', data: { value: 'EX-1' } });
    const denied = await t.invoke('akiko', 'request.deny', { value: 'EX-1', reason: 'Use the agency account' });
    expect(cardText(denied.json().value)).toContain('Use the agency account');
    const dm = await t.connector.until(
      () => t.connector.to(t.personalId('pierre')).find((c) => cardText(c.body).includes('was denied')),
      'the DM',
    );
    expect(cardText(dm.body)).toContain('Use the agency account');
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decisionReason: 'Use the agency account' });
  });

  it('remembers the conversation on install and on first message, under the person the AAD object id names', async () => {
    await t.install('sam');
    expect(await t.store.operations.get('conversations', 'teams:user:sam')).toMatchObject({
      platform: 'teams',
      person: 'sam',
      trust: 'emulator',
    });
    await t.say('pierre', 'help');
    expect((await t.store.operations.get('conversations', 'teams:user:pierre'))?.reference).toMatchObject({
      conversation: { id: t.personalId('pierre') },
    });
  });
});

describe("an approver's own copy on Teams", () => {
  it('an approver with a personal chat gets the request there with its buttons; deciding from it updates the shared card and the copy', async () => {
    await t.install('akiko');
    await fileRequest();
    const copy = await t.connector.until(
      () => t.connector.to(t.personalId('akiko')).find((c) => c.method === 'POST' && cardText(c.body).includes('EX-1')),
      "Akiko's copy",
    );
    const actions = (cardOf(copy.body) as { actions?: { verb?: string; type: string }[] }).actions ?? [];
    expect(actions.map((a) => a.verb ?? a.type)).toContain('request.approve');
    const fromCopy = await t.post({
      ...t.base('akiko', { id: t.personalId('akiko'), conversationType: 'personal', tenantId: 'tenant-1' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'request.approve', data: { value: 'EX-1' } } },
    });
    expect(cardText(fromCopy.json().value)).toContain('approved by Akiko Sato');
    await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'PUT'), 'the shared card update');
    const copyUpdate = await t.connector.until(
      () => t.connector.to(t.personalId('akiko')).find((c) => c.method === 'PUT'),
      'the copy updated',
    );
    expect(cardText(copyUpdate.body)).toContain('approved by Akiko Sato');
    expect(copyUpdate.activity).toBe((await t.store.operations.get('messages', 'teams:EX-1:copy:akiko'))?.ref.activity);
  });

  it('an approver the bot cannot write to yet is left to the shared card, and the delivery does not fail', async () => {
    await fileRequest();
    await t.connector.idle();
    expect(t.logs.some((l) => /no personal chat with akiko yet, so their copy of EX-1 goes only to the approvals card/.test(l))).toBe(true);
    expect((await t.bot.outbox.report()).failed).toEqual([]);
  });
});
