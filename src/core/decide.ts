import { findApp } from './catalog.ts';
import { compiledPolicy, type CompiledPolicy, type RuleTimes } from './compiled-policy.ts';
import type { Decision, DecisionQuery, Deadline, MatchedRule, PersonsRequest, ReasonCode } from './decision.ts';
import { resolvePerson, unitChain } from './org.ts';
import { DEVICE_CLASSES, type App, type DeviceClass, type Policy, type Rule } from './policy.ts';
import type { ExceptionRequest } from './records.ts';
import { isActiveException } from './request-status.ts';
import { AppWardenError } from './result.ts';
import { unknownAppAdvice } from './suggestions.ts';
import { endOfLocalDay, localDayStartMs } from './time.ts';
import {
  basisOf,
  bindingOf,
  byCodePoint,
  citationOrder,
  exceptionOptions,
  grantedFor,
  pendingFor,
  scopeOf,
  unknownPosture,
  verdictFrom,
  verdictWith,
  type Binding,
} from './verdict.ts';

/** What decide needs of the stored state: the asking person's requests (anyone else's are ignored). */
export interface PersonState {
  requests: readonly ExceptionRequest[];
}

/** A rule that targets the app on the unit's chain, and its matched forms (built once per span). */
type Candidate = { rule: Rule; via: MatchedRule['via']; matched?: Partial<Record<MatchedRule['scope'], MatchedRule>> };

/**
 * The decision for one person, app, device and instant. Pure and deterministic: the same query,
 * policy and state give the same Decision, byte for byte.
 */
export function decide(query: DecisionQuery, policy: Policy, state: PersonState): Decision {
  const compiled = compiledPolicy(policy);
  const person = resolvePerson(policy, query.person);
  const q = Object.assign({}, query) as Decision['query'];
  q.person = person.id;
  q.unit = person.unit;
  const app = findApp(policy, query.app);
  if (!app) {
    const { suggestions, lookalike } = unknownAppAdvice(policy, query.app);
    const posture = unknownPosture(policy.organization.unknown_apps, lookalike);
    return {
      query: q,
      verdict: 'unknown-app',
      basis: 'unknown-app',
      rules: [],
      exception: { possible: false, why: 'not-prohibited' },
      unknown: { posture, suggestions },
      reasons: [{ code: 'unknown_app', data: lookalike ? { posture, lookalike: true } : { posture } }],
    };
  }
  const at = Date.parse(query.at);
  if (Number.isNaN(at)) throw new AppWardenError('decide.bad_instant', `not an instant: "${query.at}"`);
  const span = spanOf(compiled, app, person.unit, at);
  const own = ownRequests(state.requests, person.id, app.id, at);
  const out = { query: q } as Decision;
  // A data class the policy does not know is no sign the data is outside a rule's: the rules are read as
  // if no data class were named (a data rule restricts), and the Decision says the name was not known.
  const data = query.data !== undefined && !compiled.dataClasses.has(query.data) ? undefined : query.data;
  const said = rulesSay(compiled, span, query.device, data, query.purpose);
  if (data !== query.data) said.reasons.push({ code: 'unknown_data_class', data: { data: query.data!, known: [...compiled.dataClasses] } });
  // Assigned in this order so every Decision has the same key order (and the same JSON).
  out.rules = said.rules;
  out.exception = said.exception;
  if (said.deadline) out.deadline = said.deadline;
  if (said.consequence) out.consequence = said.consequence;
  applyRequests(said, own, query.device, query.purpose, out);
  out.app = span.app;
  out.otherDevices = [];
  for (const device of DEVICE_CLASSES) {
    if (device !== query.device)
      out.otherDevices.push({ device, verdict: verdictWith(bindingOf(span.inForceRules, device, data), own, device, query.purpose) });
  }
  return out;
}

/** Rules on the person's unit or any unit above it, targeting the app or one of its categories, in force at `at`. */
export function rulesInForce(policy: Policy, app: App, unit: string, at: Date): readonly Candidate[] {
  return spanOf(compiledPolicy(policy), app, unit, at.getTime()).inForce;
}

/** Whether a rule is in force at an instant, its dates read in `timezone` (day starts are remembered by time.ts). */
export function isInForce(rule: Rule, at: Date, timezone: string): boolean {
  const t = at.getTime();
  return t >= localDayStartMs(rule.effective, timezone) && (!rule.lifted || t < localDayStartMs(rule.lifted, timezone));
}

export { isExpired } from './request-status.ts';

/**
 * The rules for one app and unit over a stretch of time in which none of them starts, is lifted or
 * passes its deadline: which rules are in force, and their matched forms, are worked out once per
 * stretch and reused by every decision that falls in it.
 */
export interface Span {
  candidates: readonly Candidate[];
  timezone: string;
  from: number;
  until: number;
  /** The app as a Decision names it: one frozen object, shared. */
  app: Decision['app'] & object;
  /** An instant inside the span, for the deadlines' `passed`. */
  at: number;
  inForce: readonly Candidate[];
  /** The same rules, bare, for the verdicts on other devices. */
  inForceRules: readonly Rule[];
}

/** Spans remembered per compiled policy, at most this many (then started again). */
const SPANS_MAX = 100_000;

function spanOf(compiled: CompiledPolicy, app: App, unit: string, t: number): Span {
  const memo = compiled.spans;
  let byUnit = memo.byApp.get(app);
  if (!byUnit) memo.byApp.set(app, (byUnit = new Map()));
  let span = byUnit.get(unit);
  if (!span) {
    if (++memo.count > SPANS_MAX) {
      memo.byApp.clear();
      memo.byApp.set(app, (byUnit = new Map()));
      memo.count = 1;
    }
    byUnit.set(unit, (span = newSpan(compiled, app, unit)));
  }
  if (t < span.from || t >= span.until) moveSpan(compiled, span, t);
  return span;
}

function newSpan(compiled: CompiledPolicy, app: App, unit: string): Span {
  const idx = compiled.index;
  const chain = unitChain(compiled.policy, unit);
  const found = new Map<string, Candidate>();
  for (const rule of idx.rulesByApp.get(app.id) ?? []) found.set(rule.id, { rule, via: { app: app.id } });
  for (const category of app.categories)
    for (const rule of idx.rulesByCategory.get(category) ?? []) if (!found.has(rule.id)) found.set(rule.id, { rule, via: { category } });
  const candidates = [...found.values()].filter(({ rule }) => chain.includes(rule.unit));
  return {
    candidates,
    timezone: compiled.timezone,
    from: 1,
    until: 0,
    app: appSummary(compiled, app),
    at: 0,
    inForce: [],
    inForceRules: [],
  };
}

/** Re-centre the span on `t`: the rules in force then, and the nearest instants on either side where that could change. */
function moveSpan(compiled: CompiledPolicy, span: Span, t: number): void {
  let from = -Infinity;
  let until = Infinity;
  const inForce: Candidate[] = [];
  for (const candidate of span.candidates) {
    const times = ruleTimes(compiled, candidate.rule);
    // A deadline passes the millisecond after the end of its day.
    for (const edge of [times.from, times.until, times.deadline + 1]) {
      if (edge <= t) from = Math.max(from, edge);
      else until = Math.min(until, edge);
    }
    if (t >= times.from && t < times.until) inForce.push(candidate);
    candidate.matched = undefined; // a deadline's `passed` may differ in the new span
  }
  span.from = from;
  span.until = until;
  span.at = t;
  span.inForce = inForce;
  span.inForceRules = inForce.map((c) => c.rule);
}

/** A rule's effective and lifted dates and its deadline as epoch milliseconds in the organisation's zone, once per compiled policy. */
function ruleTimes(compiled: CompiledPolicy, rule: Rule): RuleTimes {
  let times = compiled.ruleTimes.get(rule);
  if (!times) {
    const tz = compiled.timezone;
    times = {
      from: localDayStartMs(rule.effective, tz),
      until: rule.lifted ? localDayStartMs(rule.lifted, tz) : Infinity,
      deadline: rule.deadline ? endOfLocalDay(rule.deadline, tz).getTime() : Infinity,
    };
    compiled.ruleTimes.set(rule, times);
  }
  return times;
}

/** What the rules alone say for one device, data class and purpose, before the person's own requests. */
interface RulesSay {
  rules: MatchedRule[];
  exception: Decision['exception'];
  deadline?: Deadline;
  consequence?: string;
  binding: Binding;
  reasons: ReasonCode[];
}

function rulesSay(
  compiled: CompiledPolicy,
  span: Span,
  device: DeviceClass,
  data: string | undefined,
  purpose: string | undefined,
): RulesSay {
  const matched: MatchedRule[] = [];
  for (const candidate of span.inForce) {
    const scope = scopeOf(candidate.rule, device, data);
    if (scope) matched.push(matchedForm(compiled, candidate, scope, span));
  }
  matched.sort(citationOrder);

  const prohibitions = matched.filter((r) => r.effect === 'prohibit');
  const full = prohibitions.filter((r) => r.scope === 'full');
  const binding = full.length ? full : prohibitions;
  const deadline = binding
    .map((r) => r.deadline)
    .filter((d): d is Deadline => d !== undefined)
    .sort((a, b) => byCodePoint(a.at, b.at))[0];
  const consequence =
    binding.find((r) => r.deadline?.date === deadline?.date && r.consequence)?.consequence ??
    binding.find((r) => r.consequence)?.consequence;
  const reasons: ReasonCode[] = matched.map((r) => {
    const data: NonNullable<ReasonCode['data']> = { rule: r.id };
    if ('category' in r.via) data.category = r.via.category;
    if (r.data) data.data = r.data;
    return { code: r.effect === 'allow' ? 'allowed_by_rule' : r.scope === 'data' ? 'restricted_by_rule' : 'prohibited_by_rule', data };
  });
  if (!matched.length) reasons.push({ code: 'no_rule' });
  if (deadline?.passed) reasons.push({ code: 'deadline_passed', data: { date: deadline.date } });
  const said: RulesSay = {
    rules: matched,
    exception: exceptionOptions(binding, purpose),
    binding: { full: full.map((r) => r.id), restricting: prohibitions.filter((r) => r.scope === 'data').map((r) => r.id) },
    reasons,
  };
  if (deadline) said.deadline = deadline;
  if (consequence) said.consequence = consequence;
  return said;
}

/** The rule as a Decision cites it: remembered on the candidate for the rest of the span. */
function matchedForm(compiled: CompiledPolicy, candidate: Candidate, scope: MatchedRule['scope'], span: Span): MatchedRule {
  const forms = (candidate.matched ??= {});
  return (forms[scope] ??= sharedMatchedForm(compiled, candidate, scope, span));
}

/**
 * One matched form per rule, route, scope, zone and deadline state, shared by every span (a rule on
 * the whole organisation matches in every unit). Shared, so frozen: no caller can change another's answer.
 */
function sharedMatchedForm(compiled: CompiledPolicy, { rule, via }: Candidate, scope: MatchedRule['scope'], span: Span): MatchedRule {
  const passed = ruleTimes(compiled, rule).deadline < span.at;
  const key = `${scope}|${'app' in via ? `a:${via.app}` : `c:${via.category}`}|${passed}`;
  let forms = compiled.matchedForms.get(rule);
  if (!forms) compiled.matchedForms.set(rule, (forms = new Map()));
  let form = forms.get(key);
  if (!form) forms.set(key, (form = deepFreeze(toMatched(rule, via, scope, span.timezone, span.at))));
  return form;
}

/** The verdict, request and reasons once the person's own approved exception or pending request is taken into account. */
function applyRequests(
  said: RulesSay,
  own: readonly ExceptionRequest[],
  device: DeviceClass,
  purpose: string | undefined,
  out: Decision,
): void {
  const granted = grantedFor(said.binding, own, device, purpose);
  const pending = granted ? undefined : pendingFor(said.binding, own, device);
  out.verdict = verdictFrom(said.binding, granted, pending);
  out.basis = basisOf(said.binding, said.rules.length, granted);
  const request = granted ?? pending;
  if (request) out.request = toPersonsRequest(request);
  out.reasons = said.reasons;
  if (granted) said.reasons.push({ code: 'exception_approved', data: { request: granted.id, expires: granted.expiresAt ?? '' } });
  else if (pending) said.reasons.push({ code: 'exception_pending', data: { request: pending.id } });
}

/** The app as a Decision names it; one frozen object per app. */
function appSummary(compiled: CompiledPolicy, app: App): Decision['app'] & object {
  let summary = compiled.appSummaries.get(app);
  if (!summary)
    compiled.appSummaries.set(
      app,
      (summary = deepFreeze({ id: app.id, name: app.name, ...(app.vendor ? { vendor: app.vendor } : {}), categories: app.categories })),
    );
  return summary;
}

const NONE: readonly ExceptionRequest[] = Object.freeze([]);

/** The person's requests for this app that still matter: approved and unexpired, or waiting; newest first. */
function ownRequests(requests: readonly ExceptionRequest[], person: string, app: string, at: number): readonly ExceptionRequest[] {
  if (!requests.length) return NONE;
  return requests
    .filter((r) => r.person === person && r.app === app && (r.status === 'requested' || isActiveException(r, at)))
    .sort((a, b) => byCodePoint(b.requestedAt, a.requestedAt) || byCodePoint(b.id, a.id));
}

function toMatched(rule: Rule, via: MatchedRule['via'], scope: MatchedRule['scope'], tz: string, at: number): MatchedRule {
  const exceptions =
    rule.exceptions === 'none'
      ? ('none' as const)
      : {
          purposes: rule.exceptions.purposes,
          max_days: rule.exceptions.max_days,
          ...(rule.exceptions.default_days ? { default_days: rule.exceptions.default_days } : {}),
          ...(rule.exceptions.conditions ? { conditions: rule.exceptions.conditions } : {}),
        };
  return {
    id: rule.id,
    title: rule.title,
    source: rule.source,
    effect: rule.effect,
    effective: rule.effective,
    unit: rule.unit,
    via,
    scope,
    ...(rule.data ? { data: rule.data } : {}),
    ...(rule.deadline ? { deadline: toDeadline(rule.deadline, tz, new Date(at)) } : {}),
    ...(rule.consequence ? { consequence: rule.consequence } : {}),
    ...(rule.review ? { review: rule.review } : {}),
    exceptions,
  };
}

export function toDeadline(date: string, timezone: string, at: Date): Deadline {
  const end = endOfLocalDay(date, timezone);
  return { date, at: end.toISOString(), timezone, passed: at > end };
}

function toPersonsRequest(r: ExceptionRequest): PersonsRequest {
  return {
    id: r.id,
    status: r.status,
    purpose: r.purpose,
    device: r.device,
    days: r.days,
    requestedAt: r.requestedAt,
    ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
    ...(r.conditions ? { conditions: r.conditions } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
