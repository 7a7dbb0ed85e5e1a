import { describe, expect, it } from 'vitest';
import { mayDecide } from '../../src/core/exceptions.ts';
import { resolvePerson } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { escalationApprovers, waitingNotices, waitingTerms } from '../../src/core/waiting.ts';
import { loadPack } from '../support/bot.ts';

const T0 = '2026-12-01T09:00:00.000Z';
const hours = (h: number) => new Date(Date.parse(T0) + h * 3_600_000);

/** The demo pack; Communications gets an approver of its own, so its parent unit's approver (Akiko) is the escalation. */
function policy(terms: Record<string, unknown>): Policy {
  const p = loadPack('demo.yaml');
  return {
    ...p,
    people: [...p.people, { id: 'chris', name: 'Chris Comms', unit: 'demo/comms', roles: ['approver'] }],
    rules: p.rules.map((r) =>
      r.id === 'demo-recreational' && r.exceptions !== 'none' ? { ...r, exceptions: { ...r.exceptions, ...terms } } : r,
    ),
  };
}
const request: ExceptionRequest = {
  id: 'EX-1',
  person: 'pierre',
  unit: 'demo/comms',
  app: 'instagram',
  rules: ['demo-recreational'],
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: 'r',
  status: 'requested',
  requestedAt: T0,
};
const people = (p: Policy) => p.people.map((x) => resolvePerson(p, x.id));

describe('a waiting request: reminders, escalation, expiry', () => {
  it('with no escalate_to, it escalates to the approvers over the parent unit, who may decide it then', () => {
    // Only Chris (Communications) decides, by the rule: Akiko, over the whole agency, is the escalation.
    const p = policy({ approvers: ['chris'], approvers_only: true, escalate_after_hours: 48 });
    expect(escalationApprovers(p, request, people(p)).map((x) => x.id)).toEqual(['akiko']);
    expect(mayDecide(p, resolvePerson(p, 'akiko'), request)).toBe(false);
    expect(mayDecide(p, resolvePerson(p, 'akiko'), { ...request, escalatedTo: ['akiko'] })).toBe(true);
    expect(escalationApprovers(p, { ...request, escalatedTo: ['akiko'] }, people(p))).toEqual([]); // once escalated, no one more
  });

  it('each notice comes due at its time, once it is recorded never again, and an expired request is owed nothing else', () => {
    const p = policy({ remind_after_hours: 24, escalate_after_hours: 72, escalate_to: ['olivia'], expire_after_days: 14 });
    const recorded = new Set<string>();
    const at = (h: number) => waitingNotices(p, [request], people(p), (k) => recorded.has(k), hours(h)).map((n) => n.key);
    expect(at(23)).toEqual([]);
    expect(at(24)).toEqual(['waiting:EX-1:akiko', 'waiting:EX-1:chris']);
    for (const k of at(24)) recorded.add(k);
    expect(at(30)).toEqual([]);
    expect(at(72)).toEqual(['escalated:EX-1:olivia']);
    expect(at(14 * 24)).toEqual(['unanswered:EX-1']);
  });

  it('the soonest of its rules’ times holds, counted in the organisation’s days for expiry', () => {
    const p = policy({ remind_after_hours: 8, expire_after_days: 2 });
    expect(waitingTerms(p, request)).toEqual({ remindAfterHours: 8, escalateTo: [], expireAfterDays: 2 });
    // Filed 10:00 in Brussels on 1 December: two days later is 3 December, 00:00 Brussels (23:00 UTC on the 2nd).
    expect(waitingNotices(p, [request], people(p), () => false, new Date('2026-12-02T22:59:00Z')).map((n) => n.kind)).not.toContain(
      'unanswered',
    );
    expect(waitingNotices(p, [request], people(p), () => false, new Date('2026-12-02T23:00:00Z')).map((n) => n.kind)).toEqual([
      'unanswered',
    ]);
  });
});
