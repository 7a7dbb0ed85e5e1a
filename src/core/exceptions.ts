import { decide, isInForce } from './decide.ts';
import type { Decision } from './decision.ts';
import { hasRole, isWithinUnit, resolvePerson, type Person } from './org.ts';
import type { DeviceClass, ExceptionTerms, Policy, Rule } from './policy.ts';
import { policyIndex } from './policy-index.ts';
import type { ExceptionRequest, RequestStatus } from './records.ts';
import { effectiveStatus, isActiveException } from './request-status.ts';
import { ok, refuse, type Outcome } from './result.ts';
import { addLocalDays, localDate, startOfLocalDay } from './time.ts';

export const MAX_REASON_LENGTH = 1000;

/** Which statuses may follow which: the whole workflow in one table. */
const TRANSITIONS: Record<RequestStatus, RequestStatus[]> = {
  requested: ['approved', 'denied', 'withdrawn', 'expired'],
  approved: ['expired', 'revoked'],
  denied: [],
  withdrawn: [],
  expired: [],
  revoked: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface ExceptionAsk {
  person: Person;
  app: string;
  device: DeviceClass;
  purpose: string;
  days?: number;
  reason: string;
}

/** File a request, or say why it cannot be: the decision's exception options are the whole law here. */
export function requestException(
  ask: ExceptionAsk,
  policy: Policy,
  own: readonly ExceptionRequest[],
  now: Date,
  id: string,
): Outcome<{ request: ExceptionRequest; decision: Decision }> {
  const decision = decide(
    { app: ask.app, person: ask.person.id, device: ask.device, purpose: ask.purpose, at: now.toISOString() },
    policy,
    { requests: own },
  );
  if (!decision.app) return refuse('unknown_app', 'app', { suggestions: decision.unknown?.suggestions ?? [] });
  if (decision.request) return refuse('already_requested', 'app', { request: decision.request.id, status: decision.request.status });
  const options = decision.exception;
  if (!options.possible) {
    if (options.why === 'not-prohibited') return refuse('not_prohibited', 'app');
    if (options.why === 'purpose-not-allowed') {
      const purposes = decide({ ...decision.query, purpose: undefined }, policy, { requests: own }).exception;
      return refuse('purpose_not_allowed', 'purpose', { purposes: purposes.possible ? purposes.purposes : [] });
    }
    return refuse('no_exceptions', 'app', {
      rules: decision.rules.filter((r) => r.effect === 'prohibit' && r.exceptions === 'none').map((r) => r.id),
    });
  }
  const days = ask.days ?? options.defaultDays;
  if (!Number.isInteger(days) || days < 1) return refuse('days_too_few', 'days');
  if (days > options.maxDays) return refuse('over_max_days', 'days', { days, max: options.maxDays });
  const reason = ask.reason.trim();
  if (!reason) return refuse('reason_missing', 'reason');
  if (reason.length > MAX_REASON_LENGTH) return refuse('reason_too_long', 'reason', { max: MAX_REASON_LENGTH, length: reason.length });
  const request: ExceptionRequest = {
    id,
    person: ask.person.id,
    unit: ask.person.unit,
    ...(ask.person.slack || ask.person.teams
      ? { contact: { ...(ask.person.slack ? { slack: ask.person.slack } : {}), ...(ask.person.teams ? { teams: ask.person.teams } : {}) } }
      : {}),
    app: decision.app.id,
    rules: options.rules,
    device: ask.device,
    purpose: ask.purpose,
    days,
    reason,
    status: 'requested',
    requestedAt: now.toISOString(),
  };
  return ok({ request, decision });
}

/**
 * An extension of one's own exception, asked before it ends: a new request for the same app, purpose,
 * device and rules, decided the same way, whose days count on from where the exception ends. Refused
 * when the exception is not one's own, has ended, or has an extension waiting already; the days are
 * those the rules allow.
 */
export function requestExtension(
  exception: ExceptionRequest,
  asker: Person,
  ask: { days?: number; reason: string },
  policy: Policy,
  own: readonly ExceptionRequest[],
  now: Date,
  id: string,
): Outcome<ExceptionRequest> {
  if (!isRequester(policy, asker, exception)) return refuse('not_your_request');
  if (!isActiveException(exception, now)) return refuse('not_active', undefined, { status: effectiveStatus(exception, now) });
  const waiting = own.find((r) => r.extends === exception.id && r.status === 'requested');
  if (waiting) return refuse('already_requested', undefined, { request: waiting.id, status: waiting.status });
  const idx = policyIndex(policy);
  const terms = exception.rules.map((r) => idx.rulesById.get(r)?.exceptions);
  if (terms.some((t) => !t || t === 'none')) return refuse('no_exceptions', undefined, { rules: exception.rules });
  const maxDays = Math.min(...terms.map((t) => (t as ExceptionTerms).max_days));
  const days = ask.days ?? exception.days;
  if (!Number.isInteger(days) || days < 1) return refuse('days_too_few', 'days');
  if (days > maxDays) return refuse('over_max_days', 'days', { days, max: maxDays });
  const reason = ask.reason.trim();
  if (!reason) return refuse('reason_missing', 'reason');
  if (reason.length > MAX_REASON_LENGTH) return refuse('reason_too_long', 'reason', { max: MAX_REASON_LENGTH, length: reason.length });
  const { person, unit, contact, app, rules, device, purpose, expiresAt } = exception;
  return ok({
    id,
    person,
    unit,
    ...(contact ? { contact } : {}),
    app,
    rules,
    device,
    purpose,
    days,
    reason,
    status: 'requested',
    requestedAt: now.toISOString(),
    extends: exception.id,
    ...(expiresAt ? { from: expiresAt } : {}),
  });
}

/** Whether this is the requester, however either is known now (a Slack id listed later under a person id). */
export function isRequester(policy: Policy, person: Person, request: ExceptionRequest): boolean {
  const requester = resolvePerson(policy, request.person);
  return [person.id, person.slack, person.teams].some((id) => id !== undefined && (id === request.person || id === requester.id));
}

/** Whether the rule names this person among its approvers (`rules[].exceptions.approvers`). */
export function isNamedApprover(rule: Rule | undefined, person: Person): boolean {
  const terms = rule?.exceptions;
  return terms !== undefined && terms !== 'none' && (terms.approvers ?? []).includes(person.id);
}

/** Whether a rule lets only the approvers it names decide (`approvers_only`). */
const namedOnly = (rule: Rule | undefined): boolean => {
  const terms = rule?.exceptions;
  return terms !== undefined && terms !== 'none' && terms.approvers_only === true;
};

/**
 * Whether this person may decide this request, for every rule it is an exception to: one the rule
 * names, or — unless the rule takes its named approvers only — an approver over the requester's unit.
 * With `approvers_only`, the named approvers are designees: each decides for the requesters of their
 * own unit and below (an agency's designee for that agency), and nobody else decides.
 */
export function mayDecide(policy: Policy, approver: Person, request: ExceptionRequest): boolean {
  if (isRequester(policy, approver, request)) return false;
  const stages = stagesOf(policy, request);
  if (stages) return mayDecideStage(policy, approver, request, stages);
  const idx = policyIndex(policy);
  const overUnit = hasRole(approver, 'approver') && isWithinUnit(policy, request.unit, approver.unit);
  // Escalated to them: they decide it now, whatever the rules say of unit approvers.
  if (request.status === 'requested' && request.escalatedTo?.includes(approver.id)) return true;
  return request.rules.every((ruleId) => {
    const rule = idx.rulesById.get(ruleId);
    if (namedOnly(rule)) return isNamedApprover(rule, approver) && isWithinUnit(policy, request.unit, approver.unit);
    return isNamedApprover(rule, approver) || overUnit;
  });
}

/** Who decides a request, as the refusal of anyone else says it: its stage's approvers, the designees, or the usual. */
export function whoDecides(policy: Policy, request: ExceptionRequest): 'stage' | 'designees' | 'approvers' {
  if (stagesOf(policy, request)) return 'stage';
  const idx = policyIndex(policy);
  return request.rules.some((id) => namedOnly(idx.rulesById.get(id))) ? 'designees' : 'approvers';
}

/** A stage of a request's approval, as its rule says it: who approves, and how many of them must. */
export interface ApprovalStage {
  approvers: 'manager' | string[];
  minApprovals: number;
}

/** The approval stages of a request: those of the first of its rules that has any; undefined for none. */
export function stagesOf(policy: Policy, request: ExceptionRequest): ApprovalStage[] | undefined {
  const idx = policyIndex(policy);
  for (const id of request.rules) {
    const terms = idx.rulesById.get(id)?.exceptions;
    if (terms && terms !== 'none' && terms.stages?.length)
      return terms.stages.map((s) => ({ approvers: s.approvers, minApprovals: s.min_approvals ?? 1 }));
  }
  return undefined;
}

/** The person ids a stage asks (the requester's manager, or the named approvers). */
export function stageApprovers(policy: Policy, request: ExceptionRequest, stage: ApprovalStage): string[] {
  if (stage.approvers !== 'manager') return stage.approvers;
  const manager = resolvePerson(policy, request.person).manager;
  return manager ? [manager] : [];
}

/** With stages: one the current stage asks who has not approved at it yet (or one it was escalated to). */
function mayDecideStage(policy: Policy, approver: Person, request: ExceptionRequest, stages: ApprovalStage[]): boolean {
  const index = request.stage ?? 0;
  const stage = stages[index];
  if (!stage || request.status !== 'requested') return false;
  if ((request.approvals ?? []).some((a) => a.stage === index && (a.by === approver.id || a.for === approver.id))) return false;
  return stageApprovers(policy, request, stage).includes(approver.id) || (request.escalatedTo?.includes(approver.id) ?? false);
}

/** Someone who decides requests somewhere: an approver or admin by role, or named by a rule. */
export function isApprover(policy: Policy, person: Person): boolean {
  if (hasRole(person, 'approver') || hasRole(person, 'admin')) return true;
  return policy.rules.some((r) => isNamedApprover(r, person));
}

/** People who may decide the request, for routing and for "waiting for …" messages. */
export function approversFor(policy: Policy, request: ExceptionRequest, people: readonly Person[]): Person[] {
  return people.filter((p) => mayDecide(policy, p, request));
}

/**
 * The approvers of a rule as a measure (told when it comes up for review): those it names, and those
 * holding the approver role in its unit or a unit below it — who decide its requests there.
 */
export function approversOf(policy: Policy, rule: Rule, people: readonly Person[]): Person[] {
  return people.filter(
    (p) => isNamedApprover(rule, p) || (!namedOnly(rule) && hasRole(p, 'approver') && isWithinUnit(policy, p.unit, rule.unit)),
  );
}

/**
 * An approver's decision. Approving, they may grant fewer days than asked (never more) and add a
 * condition of their own, both shown to the requester.
 */
export type Verdict = { approve: true; days?: number; condition?: string } | { approve: false; reason?: string };

/**
 * A decision by `approver`, or — with `principal` — by a deputy deciding for the approver who
 * delegated to them (src/core/delegation.ts): the principal must be able to decide it, and the
 * deputy is still never the requester.
 */
export function decideException(
  request: ExceptionRequest,
  approver: Person,
  verdict: Verdict,
  policy: Policy,
  now: Date,
  principal?: Person,
): Outcome<ExceptionRequest> {
  if (isRequester(policy, approver, request)) return refuse('own_request');
  if (!mayDecide(policy, principal ?? approver, request)) return refuse('not_an_approver', undefined, { who: whoDecides(policy, request) });
  if (request.status !== 'requested')
    return refuse('already_decided', undefined, {
      status: request.status,
      by: request.decidedBy ?? request.endedBy ?? '',
      at: request.decidedAt ?? request.endedAt ?? '',
    });
  const decided = { ...request, decidedBy: approver.id, decidedAt: now.toISOString(), ...(principal ? { decidedFor: principal.id } : {}) };
  if (!verdict.approve) {
    // Checked after who and when: only someone who may deny it now is asked for the reason.
    const reason = verdict.reason?.trim();
    if (!reason && isDenyReasonRequired(policy, request)) return refuse('reason_missing', 'reason', { for: 'deny' });
    if (reason && reason.length > MAX_REASON_LENGTH)
      return refuse('reason_too_long', 'reason', { max: MAX_REASON_LENGTH, length: reason.length });
    return ok({ ...decided, status: 'denied', ...(reason ? { decisionReason: reason } : {}) });
  }
  const changed = ruleChange(policy, request, now);
  if (changed) return refuse('rules_changed', undefined, { rule: changed });
  const stages = stagesOf(policy, request);
  if (stages) {
    // One approval at the stage it waits at: the stage is done at its quorum, the request at the last one's.
    const index = request.stage ?? 0;
    const approval = { stage: index, by: approver.id, at: now.toISOString(), ...(principal ? { for: principal.id } : {}) };
    const approvals = [...(request.approvals ?? []), approval];
    const given = approvals.filter((a) => a.stage === index).length;
    if (given < stages[index]!.minApprovals) return ok({ ...request, approvals });
    if (index + 1 < stages.length) return ok({ ...request, approvals, stage: index + 1 });
    return approveNow({ ...decided, approvals }, verdict, policy, request, now);
  }
  return approveNow(decided, verdict, policy, request, now);
}

/** The approval itself: the days granted (fewer than asked, if the approver says so) from today, the conditions. */
function approveNow(
  decided: ExceptionRequest,
  verdict: Extract<Verdict, { approve: true }>,
  policy: Policy,
  request: ExceptionRequest,
  now: Date,
): Outcome<ExceptionRequest> {
  const days = verdict.days ?? request.days;
  if (!Number.isInteger(days) || days < 1) return refuse('days_too_few', 'days', { days: String(days) });
  if (days > request.days) return refuse('days_over_asked', 'days', { days, asked: request.days });
  const own = verdict.condition?.trim();
  if (own && own.length > MAX_REASON_LENGTH) return refuse('reason_too_long', 'condition', { max: MAX_REASON_LENGTH, length: own.length });
  const tz = policy.organization.timezone;
  // Granted for N days from the approval: it counts through the end of day N-1 and stops at the start of day N.
  // An extension counts on from where the exception it extends ends, if that is still to come.
  const from = request.from && Date.parse(request.from) > now.getTime() ? new Date(request.from) : now;
  const expiresAt = startOfLocalDay(addLocalDays(localDate(from, tz), days), tz).toISOString();
  const conditions = [conditionsOf(policy, request), own].filter(Boolean).join(' ');
  return ok({
    ...decided,
    status: 'approved',
    expiresAt,
    ...(days !== request.days ? { days, askedDays: request.days } : {}),
    ...(conditions ? { conditions } : {}),
    ...(own ? { approverCondition: own } : {}),
  });
}

/**
 * Whether denying this request needs a reason (the requester sees it, and it cannot be added later):
 * unless every rule it was filed against says `deny_reason: optional`. A rule since removed or closed
 * to exceptions asks for one too.
 */
export function isDenyReasonRequired(policy: Policy, request: ExceptionRequest): boolean {
  const idx = policyIndex(policy);
  return request.rules.some((id) => {
    const terms = idx.rulesById.get(id)?.exceptions;
    return terms === undefined || terms === 'none' || terms.deny_reason !== 'optional';
  });
}

/** A rule the request was filed against that no longer allows this exception as asked (lifted, now `none`, fewer days). */
function ruleChange(policy: Policy, request: ExceptionRequest, now: Date): string | undefined {
  const idx = policyIndex(policy);
  return request.rules.find((id) => {
    const rule = idx.rulesById.get(id);
    if (!rule || !isInForce(rule, now, policy.organization.timezone) || rule.exceptions === 'none') return true;
    return !rule.exceptions.purposes.includes(request.purpose) || request.days > rule.exceptions.max_days;
  });
}

function conditionsOf(policy: Policy, request: ExceptionRequest): string | undefined {
  const idx = policyIndex(policy);
  const all = request.rules
    .map((id) => idx.rulesById.get(id)?.exceptions)
    .flatMap((t) => (t && t !== 'none' && t.conditions ? [t.conditions] : []));
  return all.length ? [...new Set(all)].join(' ') : undefined;
}

export function withdrawException(request: ExceptionRequest, person: Person, policy: Policy, now: Date): Outcome<ExceptionRequest> {
  if (!isRequester(policy, person, request)) return refuse('not_your_request');
  if (!canTransition(request.status, 'withdrawn'))
    return refuse('already_decided', undefined, {
      status: request.status,
      by: request.decidedBy ?? request.endedBy ?? '',
      at: request.decidedAt ?? request.endedAt ?? '',
    });
  return ok({ ...request, status: 'withdrawn', endedAt: now.toISOString(), endedBy: person.id });
}

export function revokeException(
  request: ExceptionRequest,
  approver: Person,
  reason: string | undefined,
  policy: Policy,
  now: Date,
): Outcome<ExceptionRequest> {
  // Judged at `now`: one past its end is `expired` here even before the scheduler marks it.
  if (!isActiveException(request, now)) return refuse('not_active', undefined, { status: effectiveStatus(request, now) });
  if (!mayDecide(policy, approver, request)) return refuse('not_an_approver');
  return ok({
    ...request,
    status: 'revoked',
    endedAt: now.toISOString(),
    endedBy: approver.id,
    ...(reason?.trim() ? { decisionReason: reason.trim() } : {}),
  });
}

/** Approved exceptions whose time is up: the scheduler turns them into `expired`. */
export function expireException(request: ExceptionRequest, now: Date): ExceptionRequest | undefined {
  return request.status === 'approved' && effectiveStatus(request, now) === 'expired'
    ? { ...request, status: 'expired', endedAt: request.expiresAt ?? now.toISOString(), endedBy: 'system' }
    : undefined;
}

/**
 * A request of someone who has left the organisation, closed by the system: a pending one is withdrawn,
 * an exception that still counts is revoked. Undefined for one already over.
 */
export function endForLeaver(request: ExceptionRequest, now: Date): ExceptionRequest | undefined {
  const ended = { endedAt: now.toISOString(), endedBy: 'system', endedBecause: 'left' as const };
  if (request.status === 'requested') return { ...request, status: 'withdrawn', ...ended };
  if (isActiveException(request, now)) return { ...request, status: 'revoked', ...ended };
  return undefined;
}

/** A request nobody decided in time (`expire_after_days`): expired by the system. */
export function expireUnanswered(request: ExceptionRequest, now: Date): ExceptionRequest | undefined {
  if (request.status !== 'requested') return undefined;
  return { ...request, status: 'expired', endedAt: now.toISOString(), endedBy: 'system', endedBecause: 'unanswered' };
}
