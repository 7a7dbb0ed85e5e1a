import { describe, expect, it } from 'vitest';
import { replyText } from '../../commands/shared/reply.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { botOn } from '../support/bot.ts';

const AT = '2026-12-01T09:00:00Z';

describe('an approver may grant less than asked, and add a condition', () => {
  it('approve --days 10 --condition: the exception counts 10 days from the approval; the requester is told both', async () => {
    const { say, store, clock } = botOn('demo.yaml', AT);
    expect((await say('pierre', 'request instagram --purpose public-communications --days 30 --reason "press office"')).ok).toBe(true);
    clock.set('2026-12-03T09:00:00Z');
    const approved = await say('akiko', 'approve EX-1 --days 10 --condition "only from the press office tablet"');
    expect(approved.ok, approved.text).toBe(true);
    const r = store.get('requests', 'EX-1') as ExceptionRequest;
    // Ten days from the approval (3 December, Brussels): through 12 December, ending at the start of the 13th.
    expect(r).toMatchObject({ status: 'approved', days: 10, askedDays: 30, expiresAt: '2026-12-12T23:00:00.000Z' });
    expect(r.conditions).toContain('only from the press office tablet');
    const told = approved.effects.find((e) => e.kind === 'notify' && e.person === 'pierre');
    const text = told?.kind === 'notify' ? replyText(told.message) : '';
    expect(text).toContain('Granted for 10 days of the 30 asked for.');
    expect(text).toContain('only from the press office tablet');
    const card = approved.effects.find((e) => e.kind === 'update' && e.subject === 'EX-1');
    expect(card?.kind === 'update' && replyText(card.message)).toContain('Granted for 10 days of the 30 asked for.');
  });

  it('never more days than asked, nor none: refused, and nothing changes', async () => {
    const { say, store } = botOn('demo.yaml', AT);
    await say('pierre', 'request instagram --purpose public-communications --days 30 --reason "press office"');
    const seq = store.seq;
    const more = await say('akiko', 'approve EX-1 --days 40');
    expect(more).toMatchObject({ ok: false, code: 'days_over_asked' });
    expect(more.text).toContain('EX-1 asks for 30 days: an approver may grant fewer, not 40. Nothing was changed.');
    expect((await say('akiko', 'approve EX-1 --days 0')).ok).toBe(false);
    expect((await say('akiko', 'approve EX-1 --days soon')).ok).toBe(false);
    expect(store.seq).toBe(seq);
    expect(store.get('requests', 'EX-1')?.status).toBe('requested');
  });

  it('a denial still needs its reason; the requester sees it', async () => {
    const { say } = botOn('demo.yaml', AT);
    await say('pierre', 'request instagram --purpose public-communications --days 30 --reason "press office"');
    expect(await say('akiko', 'deny EX-1')).toMatchObject({ ok: false, code: 'reason_missing' });
    expect((await say('akiko', 'deny EX-1 --reason "use the agency account"')).ok).toBe(true);
  });
});
