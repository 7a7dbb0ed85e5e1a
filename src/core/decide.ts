import { findApp } from './catalog.ts';
import { compiledPolicy, type CompiledPolicy, type RuleTimes } from './compiled-policy.ts';
import type { Decision, DecisionQuery, Deadline, MatchedRule, PersonsRequest, ReasonCode, Verdict } from './decision.ts';
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
type Candidate = { rule: Rule; via: MatchedRule['via']; matched?: Partial<Record<MatchedRule['scope'], Citation>> };

/** A rule as a Decision cites it, and the reason it gives for it; shared and frozen. */
export interface Citation {
  form: MatchedRule;
  reason: ReasonCode;
}

/**
 * The decision for one person, app, device and instant. Pure and deterministic: the same query,
 * policy and state give the same Decision, byte for byte. Its parts that come from the rules alone
 * (rules, exception, deadline, reasons without the person's own, app, other devices) are shared
 * between decisions, so frozen.
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
  const at = instantMs(query.at);
  if (Number.isNaN(at)) throw new AppWardenError('decide.bad_instant', `not an instant: "${query.at}"`);
  const span = spanOf(compiled, app, person.unit, at);
  const own = ownRequests(state.requests, person.id, app.id, at);
  const out = { query: q } as Decision;
  // A data class the policy does not know is no sign the data is outside a rule's: the rules are read as
  // if no data class were named (a data rule restricts), and the Decision says the name was not known.
  const data = query.data !== undefined && !compiled.dataClasses.has(query.data) ? undefined : query.data;
  const view = viewOf(compiled, span, query.device, data);
  // Assigned in this order so every Decision has the same key order (and the same JSON).
  out.rules = view.rules;
  out.exception = query.purpose === undefined ? view.exception : exceptionOptions(view.bindingRules, query.purpose);
  if (view.deadline) out.deadline = view.deadline;
  if (view.consequence) out.consequence = view.consequence;
  const granted = grantedFor(view.binding, own, query.device, query.purpose);
  const pending = granted ? undefined : pendingFor(view.binding, own, query.device);
  // Without requests of the person's own (most decisions), the verdict is the view's.
  out.verdict = own.length ? verdictFrom(view.binding, granted, pending) : view.verdict;
  out.basis = own.length ? basisOf(view.binding, view.rules.length, granted) : view.basis;
  const request = granted ?? pending;
  if (request) out.request = toPersonsRequest(request);
  out.reasons = view.reasons;
  if (request || data !== query.data) {
    const reasons = view.reasons.slice();
    if (data !== query.data) reasons.push({ code: 'unknown_data_class', data: { data: query.data!, known: [...compiled.dataClasses] } });
    if (granted) reasons.push({ code: 'exception_approved', data: { request: granted.id, expires: granted.expiresAt ?? '' } });
    else if (pending) reasons.push({ code: 'exception_pending', data: { request: pending.id } });
    out.reasons = reasons;
  }
  out.app = span.app;
  if (!own.length) out.otherDevices = view.otherDevices;
  else {
    out.otherDevices = [];
    for (const device of DEVICE_CLASSES)
      if (device !== query.device)
        out.otherDevices.push({ device, verdict: verdictWith(viewOf(compiled, span, device, data).binding, own, device, query.purpose) });
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
 * `Date.parse`, read by hand for the form instants come in (`2026-11-22T10:00:00.000Z`, with or
 * without milliseconds): Date.parse costs some 270 ns, a quarter of a warm decision's own work. Anything
 * else, or a field out of the plainly valid ranges (a day past the 28th, hour 24), goes to Date.parse.
 */
function instantMs(text: string): number {
  const n = text.length;
  if (
    (n === 24 || n === 20) &&
    text.charCodeAt(n - 1) === 90 /* Z */ &&
    text.charCodeAt(4) === 45 /* - */ &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(13) === 58 /* : */ &&
    text.charCodeAt(16) === 58 &&
    (n === 20 || text.charCodeAt(19) === 46) /* . */
  ) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    const ms = n === 24 ? digits(text, 20, 3) : 0;
    if (
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      ms >= 0
    )
      return (((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms;
  }
  return Date.parse(text);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar, year 0 or later (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The number written by `length` ASCII digits from `start`, or -1 if any is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

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
  /** What those rules say for each device and data class asked about so far (at most VIEWS_MAX). */
  views: View[];
}

/**
 * What the rules in force in a span say for one device and data class, before the person's own
 * requests: worked out once and shared by every decision that asks the same, so frozen (a Decision
 * holds these arrays as they are; one that adds reasons gets its own copy).
 */
interface View {
  device: DeviceClass;
  data: string | undefined;
  rules: MatchedRule[];
  /** The prohibitions that bind, as cited: the exception options are read from them. */
  bindingRules: readonly MatchedRule[];
  binding: Binding;
  /** The exception options when no purpose is named. */
  exception: Decision['exception'];
  deadline: Deadline | undefined;
  consequence: string | undefined;
  reasons: ReasonCode[];
  /** The verdict and basis for a person with no request of their own. */
  verdict: Verdict;
  basis: Decision['basis'];
  /** The other devices' verdicts for a person with no request of their own. */
  otherDevices: NonNullable<Decision['otherDevices']>;
}

/** Devices × data classes remembered per span: every device, with no data class and with one or two. */
const VIEWS_MAX = 9;

/** Spans remembered per compiled policy, by app and unit, at most this many (then started again). */
const SPANS_MAX = 100_000;

/**
 * The spans of one app: by unit, and shared by the units whose chains hold the same of the rules that
 * target the app (most units of an organisation are bound by the same few): one span, one set of
 * matched forms and answers, for all of them.
 */
export interface AppSpans {
  /** The rules that target the app, by id or by one of its categories, and how. */
  targets: readonly { rule: Rule; via: MatchedRule['via'] }[];
  byUnit: Map<string, Span>;
  /** By which of the targets bind the unit (bit i: targets[i]); only for apps targeted by at most 30 rules. */
  byTargets: Map<number, Span>;
}

function spanOf(compiled: CompiledPolicy, app: App, unit: string, t: number): Span {
  const memo = compiled.spans;
  let spans = memo.byApp.get(app);
  if (!spans) memo.byApp.set(app, (spans = appSpans(compiled, app)));
  let span = spans.byUnit.get(unit);
  if (!span) {
    if (++memo.count > SPANS_MAX) {
      memo.byApp.clear();
      memo.byApp.set(app, (spans = appSpans(compiled, app)));
      memo.count = 1;
    }
    spans.byUnit.set(unit, (span = unitSpan(compiled, app, spans, unit)));
  }
  if (t < span.from || t >= span.until) moveSpan(compiled, span, t);
  return span;
}

function appSpans(compiled: CompiledPolicy, app: App): AppSpans {
  const idx = compiled.index;
  const found = new Map<string, AppSpans['targets'][number]>();
  for (const rule of idx.rulesByApp.get(app.id) ?? []) found.set(rule.id, { rule, via: { app: app.id } });
  for (const category of app.categories)
    for (const rule of idx.rulesByCategory.get(category) ?? []) if (!found.has(rule.id)) found.set(rule.id, { rule, via: { category } });
  return { targets: [...found.values()], byUnit: new Map(), byTargets: new Map() };
}

/** The span for a unit: the one of another unit bound by the same of the app's rules, or a new one. */
function unitSpan(compiled: CompiledPolicy, app: App, spans: AppSpans, unit: string): Span {
  const chain = unitChain(compiled.policy, unit);
  const targets = spans.targets;
  if (targets.length > 30)
    return newSpan(
      compiled,
      app,
      targets.filter(({ rule }) => chain.includes(rule.unit)),
    );
  let bits = 0;
  for (let i = 0; i < targets.length; i++) if (chain.includes(targets[i]!.rule.unit)) bits |= 1 << i;
  let span = spans.byTargets.get(bits);
  if (!span)
    spans.byTargets.set(
      bits,
      (span = newSpan(
        compiled,
        app,
        targets.filter((_, i) => (bits & (1 << i)) !== 0),
      )),
    );
  return span;
}

function newSpan(compiled: CompiledPolicy, app: App, targets: AppSpans['targets']): Span {
  return {
    candidates: targets.map(({ rule, via }) => ({ rule, via })),
    timezone: compiled.timezone,
    from: 1,
    until: 0,
    app: appSummary(compiled, app),
    at: 0,
    inForce: [],
    views: [],
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
  // In the order a Decision cites them, so each decision only filters them.
  inForce.sort((a, b) => citationOrder(a.rule, b.rule));
  span.inForce = inForce;
  span.views = []; // and what they say, with them
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

/** What the rules in force say for a device and data class: remembered on the span. */
function viewOf(compiled: CompiledPolicy, span: Span, device: DeviceClass, data: string | undefined): View {
  const views = span.views;
  for (let i = 0; i < views.length; i++) {
    const view = views[i]!;
    if (view.device === device && view.data === data) return view;
  }
  const view = newView(compiled, span, device, data);
  if (views.length < VIEWS_MAX) views.push(view);
  return view;
}

function newView(compiled: CompiledPolicy, span: Span, device: DeviceClass, data: string | undefined): View {
  const matched: MatchedRule[] = [];
  const reasons: ReasonCode[] = [];
  const full: string[] = [];
  const restricting: string[] = [];
  // In citation order: moveSpan keeps the rules in force in that order.
  for (const candidate of span.inForce) {
    const scope = scopeOf(candidate.rule, device, data);
    if (!scope) continue;
    const cited = citationOf(compiled, candidate, scope, span);
    matched.push(cited.form);
    reasons.push(cited.reason);
    if (cited.form.effect === 'prohibit') (scope === 'full' ? full : restricting).push(cited.form.id);
  }
  // The rules that bind: the full prohibitions, or failing those the data restrictions.
  const bindingRules = matched.filter((r) => r.effect === 'prohibit' && (r.scope === 'full' || !full.length));
  // The earliest deadline among them (the first of equal ones), and the consequence that goes with it.
  let deadline: Deadline | undefined;
  for (const r of bindingRules) if (r.deadline && (!deadline || byCodePoint(r.deadline.at, deadline.at) < 0)) deadline = r.deadline;
  const consequence =
    bindingRules.find((r) => r.deadline?.date === deadline?.date && r.consequence)?.consequence ??
    bindingRules.find((r) => r.consequence)?.consequence;
  if (!matched.length) reasons.push(NO_RULE);
  if (deadline?.passed) reasons.push(Object.freeze({ code: 'deadline_passed', data: Object.freeze({ date: deadline.date }) }));
  const binding: Binding = { full, restricting };
  // The same verdict code as the decision's own, for each other device.
  const rules = span.inForce.map((c) => c.rule);
  const otherDevices: View['otherDevices'] = [];
  for (const d of DEVICE_CLASSES)
    if (d !== device) otherDevices.push(Object.freeze({ device: d, verdict: verdictWith(bindingOf(rules, d, data), NONE, d, undefined) }));
  // Frozen part by part: what it holds from elsewhere (matched forms, reasons) is frozen already.
  return Object.freeze({
    device,
    data,
    rules: Object.freeze(matched) as MatchedRule[],
    bindingRules: Object.freeze(bindingRules),
    binding: Object.freeze({ full: Object.freeze(full) as string[], restricting: Object.freeze(restricting) as string[] }),
    exception: deepFreeze(exceptionOptions(bindingRules, undefined)),
    verdict: verdictFrom(binding, undefined, undefined),
    basis: basisOf(binding, matched.length, undefined),
    deadline,
    consequence,
    reasons: Object.freeze(reasons) as ReasonCode[],
    otherDevices: Object.freeze(otherDevices) as View['otherDevices'],
  });
}

const NO_RULE: ReasonCode = Object.freeze({ code: 'no_rule' });

/** The rule as a Decision cites it, and the reason it gives: remembered on the candidate for the rest of the span. */
function citationOf(compiled: CompiledPolicy, candidate: Candidate, scope: MatchedRule['scope'], span: Span): Citation {
  const forms = (candidate.matched ??= {});
  return (forms[scope] ??= sharedCitation(compiled, candidate, scope, span));
}

/**
 * One matched form (and its reason) per rule, route, scope, zone and deadline state, shared by every
 * span (a rule on the whole organisation matches in every unit). Shared, so frozen: no caller can
 * change another's answer.
 */
function sharedCitation(compiled: CompiledPolicy, { rule, via }: Candidate, scope: MatchedRule['scope'], span: Span): Citation {
  const passed = ruleTimes(compiled, rule).deadline < span.at;
  const key = `${scope}|${'app' in via ? `a:${via.app}` : `c:${via.category}`}|${passed}`;
  let forms = compiled.matchedForms.get(rule);
  if (!forms) compiled.matchedForms.set(rule, (forms = new Map()));
  let cited = forms.get(key);
  if (!cited) {
    const form = deepFreeze(toMatched(rule, via, scope, span.timezone, span.at));
    forms.set(key, (cited = Object.freeze({ form, reason: deepFreeze(reasonOf(form)) })));
  }
  return cited;
}

/** Why a Decision cites a rule. */
function reasonOf(r: MatchedRule): ReasonCode {
  const data: NonNullable<ReasonCode['data']> = { rule: r.id };
  if ('category' in r.via) data.category = r.via.category;
  if (r.data) data.data = r.data;
  return { code: r.effect === 'allow' ? 'allowed_by_rule' : r.scope === 'data' ? 'restricted_by_rule' : 'prohibited_by_rule', data };
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

/** Freezes a value and all it holds. What is frozen already was frozen here, whole, and is not walked again. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
