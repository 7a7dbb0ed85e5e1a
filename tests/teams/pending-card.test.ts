import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CARD_BYTES, utf16Bytes } from '../../adapters/teams/card.ts';
import { cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
beforeEach(async () => (t = await startTeamsBot()));
afterEach(async () => t.stop());

type Action = { type: string; verb?: string; title?: string; data?: Record<string, unknown>; card?: { actions: Action[] } };
type Card = { body: { type: string; text?: string; actions?: Action[] }[]; actions?: Action[] };
const executes = (card: Card) =>
  card.body
    .filter((b) => b.type === 'ActionSet')
    .flatMap((b) => b.actions!)
    .flatMap((a) => (a.type === 'Action.ShowCard' ? a.card!.actions : [a]));

describe('pending on Teams: a card to act on', () => {
  it('each waiting request with Approve and Deny (Action.Execute); a click decides and answers with the list again', async () => {
    await t.say('pierre', 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"');
    await t.say('sam', 'request instagram --purpose public-communications --days 10 --reason "Press <b>office</b>"');
    await t.bot.drain();
    await t.say('akiko', 'pending');
    const answer = await t.connector.until(
      () => t.connector.to(t.personalId('akiko')).find((c) => cardText(cardOf(c.body)).includes('Requests waiting for you')),
      'the pending card',
    );
    const card = cardOf(answer.body) as Card;
    expect(utf16Bytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(card.actions).toBeUndefined(); // each request's buttons sit beside it
    const rows = card.body.filter((b) => b.type === 'ActionSet');
    expect(rows).toHaveLength(2);
    expect(executes(card).map((a) => [a.verb, a.data])).toEqual([
      ['request.approve', { list: 'pending', value: 'EX-1' }],
      ['request.deny', { list: 'pending', value: 'EX-1' }],
      ['request.approve', { list: 'pending', value: 'EX-2' }],
      ['request.deny', { list: 'pending', value: 'EX-2' }],
    ]);
    // User text is escaped in the card.
    expect(JSON.stringify(card.body)).toContain('\\\\<b\\\\>office\\\\</b\\\\>');

    // Approve EX-1 from the card: decided, and the card comes back with only EX-2 left.
    const approve = executes(card)[0]!;
    const res = await t.post({
      ...t.base('akiko', { id: t.personalId('akiko'), conversationType: 'personal', tenantId: 'tenant-1' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: approve.verb, data: approve.data } },
    });
    const body = res.json() as { type: string; value: Card };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value)).toContain('EX-1');
    expect(executes(body.value).map((a) => a.data?.value)).toEqual(['EX-2', 'EX-2']);
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ status: 'approved' });

    // Deny EX-2 with its reason, from the refreshed card: nothing waits any more.
    const deny = executes(body.value)[1]!;
    const denied = await t.post({
      ...t.base('akiko', { id: t.personalId('akiko'), conversationType: 'personal', tenantId: 'tenant-1' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: deny.verb, data: { ...deny.data, reason: 'Not for press work' } } },
    });
    const last = denied.json() as { value: Card };
    expect(t.store.get('requests', 'EX-2')).toMatchObject({ status: 'denied' });
    expect(cardText(last.value)).toContain('Nothing is waiting for you.');
    expect(executes(last.value)).toEqual([]);
  });

  it('someone who decides nothing gets the list refused as before, with no buttons', async () => {
    await t.say('sam', 'pending');
    const answer = await t.connector.until(() => t.connector.to(t.personalId('sam'))[0], 'the answer');
    expect(executes(cardOf(answer.body) as Card)).toEqual([]);
  });

  it('"Request an exception" on a check’s answer opens the request form in place', async () => {
    await t.say('pierre', 'check instagram');
    const answer = await t.connector.until(() => t.connector.to(t.personalId('pierre'))[0], 'the answer');
    const card = cardOf(answer.body) as Card;
    const open = card.actions?.find((a) => a.verb === 'request.open');
    expect(open).toBeDefined();
    const res = await t.post({
      ...t.base('pierre', { id: t.personalId('pierre'), conversationType: 'personal', tenantId: 'tenant-1' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'request.open', data: open!.data } },
    });
    expect(res.json()).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive', value: { type: 'AdaptiveCard' } });
  });
});

describe('status on Teams', () => {
  it('is a card with the attest buttons for what is still owed, and a click records it', async () => {
    const t = await startTeamsBot({}, {}, 'demo.yaml', '2026-12-01T09:00:00Z');
    try {
      await t.install('pierre');
      await t.say('pierre', 'status');
      const card = await t.connector.until(
        () => t.connector.to(t.personalId('pierre')).find((c) => JSON.stringify(c.body).includes('attest.removed')),
        'the status card',
      );
      expect(JSON.stringify(card.body)).toContain('Action.Execute');
      await t.invoke('pierre', 'attest.removed', { value: 'demo-tiktok' });
      expect(t.store.list('attestations').map((a) => a.rule)).toContain('demo-tiktok');
    } finally {
      await t.stop();
    }
  });
});
