import { mayDecide } from './exceptions.ts';
import { isWithinUnit, unitChain, type Person } from './org.ts';
import type { Policy } from './policy.ts';
import { policyIndex } from './policy-index.ts';
import type { ExceptionRequest } from './records.ts';
import { localDate, localDaysBetween } from './time.ts';

/**
 * A request waiting for a decision never stalls: its approvers are reminded after
 * `remind_after_hours`, it goes to the escalation approvers after `escalate_after_hours`, and after
 * `expire_after_days` (the organisation's days) it expires and the requester is told. Each notice has
 * a key of its own, so it is sent once however often the scheduler ticks, and across restarts.
 */
export interface WaitingTerms {
  remindAfterHours?: number;
  escalateAfterHours?: number;
  /** Person ids; empty: the approvers of the requester's parent unit. */
  escalateTo: string[];
  expireAfterDays?: number;
}

/** The terms of all of a request's rules together: the soonest of each time, everyone any of them names. */
export function waitingTerms(policy: Policy, request: ExceptionRequest): WaitingTerms {
  const idx = policyIndex(policy);
  const terms = request.rules.flatMap((id) => {
    const t = idx.rulesById.get(id)?.exceptions;
    return t && t !== 'none' ? [t] : [];
  });
  const soonest = (pick: (t: (typeof terms)[number]) => number | undefined) => {
    const values = terms.flatMap((t) => (pick(t) === undefined ? [] : [pick(t)!]));
    return values.length ? Math.min(...values) : undefined;
  };
  const remindAfterHours = soonest((t) => t.remind_after_hours);
  const escalateAfterHours = soonest((t) => t.escalate_after_hours);
  const expireAfterDays = soonest((t) => t.expire_after_days);
  return {
    ...(remindAfterHours ? { remindAfterHours } : {}),
    ...(escalateAfterHours ? { escalateAfterHours } : {}),
    escalateTo: [...new Set(terms.flatMap((t) => t.escalate_to ?? []))],
    ...(expireAfterDays ? { expireAfterDays } : {}),
  };
}

/**
 * Who a request goes to when it escalates: the people its rules name in `escalate_to`, else the
 * approvers over the requester's parent unit. Never the requester, nor anyone who may decide already.
 */
export function escalationApprovers(policy: Policy, request: ExceptionRequest, people: readonly Person[]): Person[] {
  const { escalateTo } = waitingTerms(policy, request);
  const parent = unitChain(policy, request.unit)[1];
  const candidates = escalateTo.length
    ? people.filter((p) => escalateTo.includes(p.id))
    : parent
      ? people.filter((p) => p.roles.includes('approver') && isWithinUnit(policy, parent, p.unit))
      : [];
  return candidates.filter((p) => p.id !== request.person && !mayDecide(policy, p, request));
}

export type WaitingNotice =
  /** To each who may decide: the request is still waiting. */
  | { key: string; kind: 'approval-waiting'; request: string; person: string }
  /** To each escalation approver: they may decide it now. */
  | { key: string; kind: 'escalated'; request: string; person: string }
  /** To the requester: nobody decided in time, so it has expired. */
  | { key: string; kind: 'unanswered'; request: string; person: string };

/** What the waiting requests are owed at `at` and not yet recorded. */
export function waitingNotices(
  policy: Policy,
  pending: readonly ExceptionRequest[],
  people: readonly Person[],
  isRecorded: (key: string) => boolean,
  at: Date,
): WaitingNotice[] {
  const tz = policy.organization.timezone;
  const out: WaitingNotice[] = [];
  for (const request of pending) {
    if (request.status !== 'requested') continue;
    const terms = waitingTerms(policy, request);
    const since = new Date(request.requestedAt);
    const hours = (at.getTime() - since.getTime()) / 3_600_000;
    if (terms.expireAfterDays && localDaysBetween(localDate(since, tz), localDate(at, tz)) >= terms.expireAfterDays) {
      out.push({ key: `unanswered:${request.id}`, kind: 'unanswered', request: request.id, person: request.person });
      continue; // an expired request is owed nothing else
    }
    if (terms.escalateAfterHours && hours >= terms.escalateAfterHours)
      for (const p of escalationApprovers(policy, request, people))
        out.push({ key: `escalated:${request.id}:${p.id}`, kind: 'escalated', request: request.id, person: p.id });
    if (terms.remindAfterHours && hours >= terms.remindAfterHours)
      // Those it was escalated to had their own notice then: not reminded again.
      for (const p of people.filter((x) => mayDecide(policy, x, request) && !request.escalatedTo?.includes(x.id)))
        out.push({ key: `waiting:${request.id}:${p.id}`, kind: 'approval-waiting', request: request.id, person: p.id });
  }
  return out.filter((n) => !isRecorded(n.key));
}
