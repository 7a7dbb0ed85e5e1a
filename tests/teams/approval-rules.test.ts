import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';
import { cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

/** The approval rules of issue 17 on Teams, over loopback: Universal Actions invokes as Teams sends them. */
let t: TeamsBot;
afterEach(async () => t.stop());

/** The demo pack: Pierre's manager is Sam, and Sam approves for IT and Security too (a unit approver). */
function withTerms(terms: Record<string, unknown>): Policy {
  const p = loadPack('demo.yaml');
  return {
    ...p,
    people: p.people.map((x) =>
      x.id === 'pierre' ? { ...x, manager: 'sam' } : x.id === 'sam' ? { ...x, unit: 'demo/comms', roles: ['approver' as const] } : x,
    ),
    rules: p.rules.map((r) =>
      r.id === 'demo-recreational' && r.exceptions !== 'none' ? { ...r, exceptions: { ...r.exceptions, ...terms } } : r,
    ),
  };
}

async function file() {
  await t.install('pierre');
  await t.say('pierre', 'request instagram --purpose public-communications --days 30 --reason "press office"');
  await t.connector.until(() => t.store.get('requests', 'EX-1'), 'the request');
}

describe('approval rules on Teams', () => {
  it('approvers_only: a unit approver the rule does not name is refused, and told who decides; the designee decides', async () => {
    t = await startTeamsBot({}, {}, withTerms({ approvers: ['akiko'], approvers_only: true }));
    await file();
    const sam = await t.invoke('sam', 'request.approve', { value: 'EX-1' });
    expect(sam.json().value).toBe("You can't decide EX-1: only the approvers the rule names decide it, each for their own unit.");
    const akiko = await t.invoke('akiko', 'request.approve', { value: 'EX-1' });
    expect(cardText(akiko.json().value)).toContain('approved by Akiko Sato');
  });

  it('two stages with a quorum of two, decided in order; each viewer’s card shows the stage', async () => {
    t = await startTeamsBot(
      {},
      {},
      withTerms({ stages: [{ approvers: 'manager' }, { approvers: ['akiko', 'olivia'], min_approvals: 2 }] }),
    );
    await file();
    expect((await t.invoke('akiko', 'request.approve', { value: 'EX-1' })).json().value).toMatch(/You can't decide EX-1 at this stage/);
    const sam = await t.invoke('sam', 'request.approve', { value: 'EX-1' });
    expect(JSON.stringify(sam.json())).toContain('Stage 2 of 2: 0 of 2 approvals given.');
    const live = (await t.invoke('akiko', 'request.refresh', { value: 'EX-1' })).json().value;
    expect(cardText(live)).toContain('Stage 2 of 2: 0 of 2 approvals given.');
    await t.invoke('akiko', 'request.approve', { value: 'EX-1' });
    expect(t.store.get('requests', 'EX-1')?.status).toBe('requested');
    const last = await t.invoke('olivia', 'request.approve', { value: 'EX-1' });
    expect(cardText(last.json().value)).toContain('approved by Olivia Admin');
    expect(t.store.get('requests', 'EX-1')?.approvals?.map((a) => a.by)).toEqual(['sam', 'akiko', 'olivia']);
  });

  it('a deputy decides from the card while the approver is away, and not after --until; fewer days than asked', async () => {
    t = await startTeamsBot({}, {}, withTerms({}), '2026-12-01T09:00:00Z');
    await t.install('akiko');
    await t.say('akiko', 'delegate --to olivia --until 2026-12-10');
    await file();
    await t.say('pierre', 'request twitter --purpose public-communications --days 30 --reason "press office"');
    // Olivia, the deputy, gets the buttons on her own view of the card, and decides for Akiko.
    const view = (await t.invoke('olivia', 'request.refresh', { value: 'EX-1' })).json().value;
    expect(view.actions.map((a: { verb?: string; type: string }) => a.verb ?? a.type)).toContain('request.approve');
    const approved = await t.invoke('olivia', 'request.approve', { value: 'EX-1' });
    expect(cardText(approved.json().value)).toContain('Olivia Admin for Akiko Sato');
    t.clock.set('2026-12-11T09:00:00Z');
    expect((await t.invoke('olivia', 'request.approve', { value: 'EX-2' })).json().value).toMatch(/You can't decide EX-2/);
    // Akiko, back, grants fewer days than asked.
    await t.say('akiko', 'approve EX-2 --days 10');
    await t.connector.until(() => (t.store.get('requests', 'EX-2')?.status === 'approved' ? true : undefined), 'the approval');
    expect(t.store.get('requests', 'EX-2')).toMatchObject({ days: 10, askedDays: 30, decidedBy: 'akiko' });
  });
});
