import { afterEach, describe, expect, it } from 'vitest';
import { outboxItem } from '../../commands/delivery/outbox-item.ts';
import { put } from '../../src/core/records.ts';
import { APPROVALS, cardOf, cardText, mriOf, startTeamsBot, TEAMS, type TeamsBot } from '../support/teams-bot.ts';

/**
 * The approvals card on Teams: the shared card is rendered from the effect the command layer queued
 * (read-only, refreshed for the deciders it names), and each viewer's card comes from handle.
 */
let t: TeamsBot;
afterEach(async () => t?.stop());

const REQUEST = 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"';
const FILED = 'request.filed:EX-1:0';
const AKIKO = { slack: 'U0APPROVER', teams: TEAMS.akiko, name: 'Akiko Sato' };
const later = (minutes: number) => t.clock.set(new Date(t.clock.now().getTime() + minutes * 60_000).toISOString());
const approvalsCalls = (method: string) => t.connector.to(APPROVALS).filter((c) => c.method === method);
type Card = { actions?: { type: string; verb?: string }[]; refresh?: { userIds: string[] }; body: unknown[] };
const verbs = (card: Card) => card.actions?.map((a) => a.verb ?? a.type);

async function start() {
  t = await startTeamsBot({}, {}, 'demo.yaml', '2026-11-22T09:00:00Z', { backoffMs: 30_000 });
  await t.install('pierre');
  await t.install('akiko');
}

describe('the Teams approvals card', () => {
  it('a refresh enters through handle: the approver gets the live card with Approve / Deny, anyone else a read-only one', async () => {
    await start();
    await t.say('pierre', REQUEST);
    await t.connector.until(() => approvalsCalls('POST')[0], 'the approvals card');
    const refresh = async (who: keyof typeof TEAMS, id = 'EX-1') => {
      const res = (await t.invoke(who, 'request.refresh', { value: id })).json();
      expect(res.type).toBe('application/vnd.microsoft.card.adaptive');
      return res.value as Card;
    };

    const live = await refresh('akiko');
    expect(verbs(live)).toEqual(['request.approve', 'Action.ShowCard']);
    // Refreshed for her Teams user id (MRI, as her activities carry it), never her Entra object id.
    expect(live.refresh?.userIds).toEqual([mriOf('akiko')]);
    for (const who of ['pierre', 'sam'] as const) {
      const readOnly = await refresh(who);
      expect(readOnly.actions, who).toBeUndefined();
      expect(cardText(readOnly), who).toContain('Agency campaign');
      expect(readOnly.refresh?.userIds, who).toEqual([mriOf('akiko')]); // still refreshed for whoever may decide
    }
    expect(cardText(await refresh('akiko', 'EX-9'))).toContain('EX-9');
    expect((await refresh('akiko', 'EX-9')).actions).toBeUndefined();

    expect((await t.invoke('akiko', 'request.approve', { value: 'EX-1' })).json().type).toBe('application/vnd.microsoft.card.adaptive');
    const decided = await refresh('akiko');
    expect(decided.actions).toBeUndefined();
    expect(decided.refresh).toBeUndefined(); // nobody is left to decide it
    expect(cardText(decided)).toContain('approved by Akiko Sato');
  });

  it('the approvals post renders the queued effect, not the stored request: a change made before delivery does not show', async () => {
    await start();
    t.connector.fail({ to: APPROVALS, status: 503, times: 1 });
    await t.say('pierre', REQUEST);
    await t.connector.until(() => (t.logs.some((l) => l.includes(`could not deliver ${FILED}`)) ? true : undefined), 'the first try over');
    expect((t.store.get('outbox', FILED)?.effect as { deciders?: unknown }).deciders).toEqual([AKIKO]);
    // The request changes behind the queued post: the post still says what was filed.
    const filed = t.store.get('requests', 'EX-1')!;
    await t.store.commit({ at: t.clock.now().toISOString(), actor: 'system', action: 'test.changed', subject: 'EX-1' }, [
      put('requests', { ...filed, reason: 'Changed behind the card' }),
    ]);
    later(90);
    await t.bot.drain();
    const card = cardOf(approvalsCalls('POST')[0]!.body) as Card;
    expect(cardText(card)).toContain('Agency campaign');
    expect(cardText(card)).not.toContain('Changed behind the card');
    expect(verbs(card)).toEqual(['request.refresh']); // Review: anyone's own view of it, never Approve / Deny for all
    expect(card.refresh?.userIds).toEqual([mriOf('akiko')]);
    expect(t.connector.lookups).toEqual([]); // she wrote to the bot: her MRI was known

    // The update after the decision renders its effect too: outcome shown, no buttons, no refresh.
    await t.invoke('akiko', 'request.approve', { value: 'EX-1' });
    const updated = cardOf((await t.connector.until(() => approvalsCalls('PUT')[0], 'the shared card update')).body) as Card;
    expect(cardText(updated)).toContain('approved by Akiko Sato');
    expect(updated.actions).toBeUndefined();
    expect(updated.refresh).toBeUndefined();
  });

  it('an item queued before effects named their deciders still delivers, as its message', async () => {
    await start();
    const message = {
      visibility: 'public' as const,
      tone: 'info' as const,
      blocks: [
        { type: 'heading' as const, text: 'Request EX-7 from an older release' },
        { type: 'actions' as const, buttons: [{ actionId: 'request.approve', label: 'Approve', value: 'EX-7' }] },
      ],
    };
    const at = t.clock.now().toISOString();
    await t.bot.store.commit({ at, actor: 'system', action: 'test.queued' }, [
      {
        collection: 'outbox',
        id: 'request.filed:EX-7:0',
        value: outboxItem('request.filed:EX-7:0', { kind: 'post', channel: 'approvals', subject: 'EX-7', message }, at),
      },
    ]);
    await t.bot.drain();
    const card = cardOf(approvalsCalls('POST')[0]!.body) as Card;
    expect(cardText(card)).toContain('Request EX-7 from an older release');
    expect(verbs(card)).toEqual(['request.approve']);
    expect(card.refresh).toBeUndefined();
    expect(t.store.get('outbox', 'request.filed:EX-7:0')).toMatchObject({ status: 'sent', deliveredTo: ['teams'] });
  });
});
