import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';
import { APPROVALS, cardOf, cardText, mriOf, startTeamsBot, TEAMS, TENANT, type TeamsBot } from '../support/teams-bot.ts';

/**
 * Teams refreshes a card only for the user ids (MRIs, `29:…`) in its `refresh.userIds`, at most 60; the
 * policy knows approvers by Entra object id. End to end over loopback (the real CloudAdapter, the fake
 * Bot Connector): MRIs come from what the bot remembers of their activities, else from the roster.
 */
let t: TeamsBot;
afterEach(async () => t?.stop());

const REQUEST = 'request instagram --purpose public-communications --days 30 --reason "Agency campaign"';
type Action = { type: string; title?: string; verb?: string; data?: { value?: string } };
type Card = { actions?: Action[]; refresh?: { action: Action; userIds: string[] }; body: { text?: string }[] };
const verbs = (card: Card) => card.actions?.map((a) => a.verb ?? a.type);
const noteOf = (card: Card) => card.body.map((b) => b.text ?? '').find((text) => text.includes('choose Review'));

/** An approver the demo pack does not have, for a unit that covers the request. */
const approver = (i: number, teams: string) => ({
  id: `approver-${i}`,
  name: `Approver ${i}`,
  unit: 'demo',
  roles: ['approver' as const],
  teams,
});
const aadOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const mriOfNumber = (i: number) => `29:1approver-${i}`;

/** The demo pack, with Olivia an approver of the whole agency and the approvers given. */
function policyWith(extra: ReturnType<typeof approver>[]): Policy {
  const policy = structuredClone(loadPack('demo.yaml'));
  const olivia = policy.people.find((p) => p.id === 'olivia')!;
  Object.assign(olivia, { unit: 'demo', roles: [...(olivia.roles ?? []), 'approver'] });
  policy.people.push(...(extra as Policy['people']));
  return policy;
}

const approvalsPost = () => t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'POST'), 'the approvals card');

/** A refresh invoke from the approvals channel by anyone, as Teams sends it on open or on Review. */
async function refreshAs(from: { id: string; name: string; aadObjectId: string }, id = 'EX-1'): Promise<Card> {
  const res = await t.post({
    ...t.base('sam', { id: APPROVALS, conversationType: 'channel', isGroup: true }),
    from,
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: 'request.refresh', data: { value: id } } },
  });
  expect(res.status).toBe(200);
  const body = res.json();
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  return body.value as Card;
}
const person = (who: keyof typeof TEAMS) => ({ id: mriOf(who), name: who, aadObjectId: TEAMS[who] });

describe('Teams approvers get the live card: refresh.userIds holds their MRIs', () => {
  it('one who wrote to the bot and one found only in the roster are refreshed by MRI; someone in neither is left out, logged once, and still has Review', async () => {
    // Dana is an approver whom the roster of the approvals channel does not have (not in the team).
    t = await startTeamsBot({}, {}, policyWith([approver(1, aadOf(1))]));
    await t.install('pierre');
    await t.install('olivia'); // Olivia has written to the bot: her MRI is remembered from her activity
    await t.say('pierre', REQUEST);
    const card = cardOf((await approvalsPost()).body) as Card;

    expect([...card.refresh!.userIds].sort()).toEqual([mriOf('akiko'), mriOf('olivia')].sort());
    expect(card.refresh!.userIds.every((id) => id.startsWith('29:'))).toBe(true);
    expect(card.refresh!.action).toEqual({ type: 'Action.Execute', verb: 'request.refresh', data: { value: 'EX-1' } });
    expect(card.actions).toEqual([{ type: 'Action.Execute', title: 'Review', verb: 'request.refresh', data: { value: 'EX-1' } }]);
    expect(noteOf(card)).toBe('1 approver does not get Approve and Deny on this card automatically: choose Review to decide.');
    // Asked of the roster: Akiko (never wrote) and the unknown approver, each once, in the approvals channel; never Olivia.
    expect(t.connector.lookups.map((l) => `${l.conversation} ${l.member} ${l.status}`).sort()).toEqual(
      [`${APPROVALS} ${TEAMS.akiko} 200`, `${APPROVALS} ${aadOf(1)} 404`].sort(),
    );
    // What the roster said is remembered (through the command layer's records), so it is not asked again.
    expect((await t.store.operations.get('conversations', 'teams:member:akiko'))?.reference).toMatchObject({
      user: { id: mriOf('akiko') },
      tenantId: TENANT,
      serviceUrl: t.connector.url,
    });

    // An approver's refresh (automatic, or Review) gets Approve / Deny; anyone else a read-only card.
    for (const who of ['akiko', 'olivia'] as const) {
      const live = await refreshAs(person(who));
      expect(verbs(live), who).toEqual(['request.approve', 'Action.ShowCard']);
      expect([...live.refresh!.userIds].sort(), who).toEqual([mriOf('akiko'), mriOf('olivia')].sort());
    }
    const readOnly = await refreshAs(person('sam'));
    expect(readOnly.actions).toBeUndefined();
    expect(cardText(readOnly)).toContain('Agency campaign');
    // The approver left out of the refresh clicks Review and gets the buttons too.
    const unrefreshed = await refreshAs({ id: mriOfNumber(1), name: 'Approver 1', aadObjectId: aadOf(1) });
    expect(verbs(unrefreshed)).toEqual(['request.approve', 'Action.ShowCard']);

    // Nobody was looked up again, and the one not found is logged once for all those cards.
    expect(t.connector.lookups).toHaveLength(2);
    expect(t.logs.filter((l) => l.includes(`(${aadOf(1)}) is left out of the card's automatic refresh`))).toHaveLength(1);
    expect(t.logs.filter((l) => l.includes('refreshes automatically for 2 of its 3 deciders on Teams; 1 left out'))).toHaveLength(1);

    // Decided: the shared card loses Review and refresh.
    await t.post({
      ...t.base('akiko', { id: APPROVALS, conversationType: 'channel', isGroup: true }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'request.approve', data: { value: 'EX-1' } } },
    });
    const updated = cardOf((await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'PUT'), 'the update')).body);
    expect((updated as Card).actions).toBeUndefined();
    expect((updated as Card).refresh).toBeUndefined();
    expect(noteOf(updated as Card)).toBeUndefined();
    expect(cardText(updated)).toContain('approved by Akiko Sato');
  });

  it('a roster that fails (503) leaves the approver out of this card only: the card goes out, and the next refresh finds them', async () => {
    t = await startTeamsBot();
    await t.install('pierre');
    t.connector.fail({ on: 'members', to: APPROVALS, status: 503, times: 1 });
    await t.say('pierre', REQUEST);
    const card = cardOf((await approvalsPost()).body) as Card;
    expect(card.refresh).toBeUndefined(); // nobody's MRI is known yet
    expect(verbs(card)).toEqual(['request.refresh']);
    expect(noteOf(card)).toBe('1 approver does not get Approve and Deny on this card automatically: choose Review to decide.');
    expect(t.logs.some((l) => l.includes(`(${TEAMS.akiko}) is left out of the card's automatic refresh: transient: `))).toBe(true);
    // A failure is not remembered as "not a member": the next card (Sam's Review) asks again and finds her.
    const samView = await refreshAs(person('sam'));
    expect(samView.actions).toBeUndefined();
    expect(samView.refresh?.userIds).toEqual([mriOf('akiko')]);
    expect(t.connector.lookups.map((l) => l.status)).toEqual([503, 200]);
    expect(verbs(await refreshAs(person('akiko')))).toEqual(['request.approve', 'Action.ShowCard']);
  });

  it('a roster that never answers is given up on after its timeout: the card still goes out, without her', async () => {
    t = await startTeamsBot({}, { rosterLookups: { lookupTimeoutMs: 300 } });
    await t.install('pierre');
    t.connector.fail({ on: 'members', status: 'hang', times: 1 });
    const started = Date.now();
    await t.say('pierre', REQUEST);
    const card = cardOf((await approvalsPost()).body) as Card;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(card.refresh).toBeUndefined();
    expect(verbs(card)).toEqual(['request.refresh']);
    expect(t.logs.some((l) => l.includes('transient: the roster did not answer in 300 ms'))).toBe(true);
  });

  it('65 deciders: the first 60 MRIs refresh, the card says the other 5 use Review, a log line counts them, and one of them gets the buttons', async () => {
    // Akiko, Olivia and 63 more: all in the roster, none has written to the bot.
    const extra = Array.from({ length: 63 }, (_, i) => approver(i + 1, aadOf(i + 1)));
    t = await startTeamsBot({}, {}, policyWith(extra));
    for (let i = 1; i <= 63; i++)
      t.connector.roster.set(aadOf(i), { id: mriOfNumber(i), name: `Approver ${i}`, aadObjectId: aadOf(i), tenantId: TENANT });
    await t.install('pierre');
    await t.say('pierre', REQUEST);
    const card = cardOf((await approvalsPost()).body) as Card;

    const everyone = [mriOf('akiko'), mriOf('olivia'), ...extra.map((_, i) => mriOfNumber(i + 1))];
    expect(card.refresh!.userIds).toHaveLength(60);
    expect(new Set(card.refresh!.userIds).size).toBe(60);
    expect(card.refresh!.userIds.every((id) => everyone.includes(id))).toBe(true);
    expect(noteOf(card)).toBe('5 approvers do not get Approve and Deny on this card automatically: choose Review to decide.');
    expect(verbs(card)).toEqual(['request.refresh']);
    expect(card.actions![0]!.title).toBe('Review');
    expect(t.connector.lookups.filter((l) => l.status === 200)).toHaveLength(65);
    expect(
      t.logs.filter((l) =>
        l.includes('the card about EX-1 refreshes automatically for 60 of its 65 deciders on Teams; 5 left out use its Review action'),
      ),
    ).toHaveLength(1);

    // One past the 60 clicks Review: the buttons, from what was remembered (no new lookup).
    const past = everyone.filter((id) => !card.refresh!.userIds.includes(id));
    expect(past).toHaveLength(5);
    const i = Number(past.find((id) => id.startsWith('29:1approver-'))!.replace('29:1approver-', ''));
    const live = await refreshAs({ id: mriOfNumber(i), name: `Approver ${i}`, aadObjectId: aadOf(i) });
    expect(verbs(live)).toEqual(['request.approve', 'Action.ShowCard']);
    expect(live.refresh!.userIds).toEqual(card.refresh!.userIds);
    expect(t.connector.lookups).toHaveLength(65);
    expect((await refreshAs(person('sam'))).actions).toBeUndefined();
  });
});
