import { findApp, suggestApps } from './catalog.ts';
import type { Decision, DecisionQuery, Deadline, MatchedRule, PersonsRequest, ReasonCode, Verdict } from './decision.ts';
import { resolvePerson, unitChain } from './org.ts';
import { DEVICE_CLASSES, type App, type DeviceClass, type Policy, type Rule } from './policy.ts';
import { policyIndex } from './policy-index.ts';
import type { ExceptionRequest } from './records.ts';
import { AppWardenError } from './result.ts';
import { endOfLocalDay, localDayStartMs } from './time.ts';

/** What decide needs of the stored state: the asking person's requests (anyone else's are ignored). */
export interface PersonState {
  requests: readonly ExceptionRequest[];
}

/**
 * The decision for one person, app, device and instant. Pure and deterministic: the same query,
 * policy and state give the same Decision, byte for byte.
 */
export function decide(query: DecisionQuery, policy: Policy, state: PersonState): Decision {
  const person = resolvePerson(policy, query.person);
  const q = Object.assign({}, query) as Decision['query'];
  q.person = person.id;
  q.unit = person.unit;
  const app = findApp(policy, query.app);
  if (!app) {
    const posture = policy.organization.unknown_apps;
    return {
      query: q,
      verdict: 'unknown-app',
      basis: 'unknown-app',
      rules: [],
      exception: { possible: false, why: 'not-prohibited' },
      unknown: { posture, suggestions: suggestApps(policy, query.app) },
      reasons: [{ code: 'unknown_app', data: { posture } }],
    };
  }
  const at = new Date(query.at);
  if (Number.isNaN(at.getTime())) throw new AppWardenError('decide.bad_instant', `not an instant: "${query.at}"`);
  const inForce = rulesInForce(policy, app, person.unit, at);
  const own = ownRequests(state.requests, person.id, app.id, at);
  const out = { query: q } as Decision;
  evaluate(policy, inForce, app, query.device, query.data, query.purpose, own, at, out);
  const otherDevices = DEVICE_CLASSES.filter((d) => d !== query.device).map((device) => ({
    device,
    verdict: verdictOn(inForce, device, query.data, query.purpose, own),
  }));
  out.app = appSummary(app);
  out.otherDevices = otherDevices;
  return out;
}

const summaries = new WeakMap<App, Decision['app'] & object>();

/** The app as a Decision names it; one frozen object per app. */
function appSummary(app: App): Decision['app'] & object {
  let summary = summaries.get(app);
  if (!summary) summaries.set(app, (summary = deepFreeze({ id: app.id, name: app.name, ...(app.vendor ? { vendor: app.vendor } : {}), categories: app.categories })));
  return summary;
}

/** The person's requests for this app that still matter: approved and unexpired, or waiting. */
function ownRequests(requests: readonly ExceptionRequest[], person: string, app: string, at: Date): ExceptionRequest[] {
  return requests
    .filter((r) => r.person === person && r.app === app && (r.status === 'requested' || (r.status === 'approved' && !isExpired(r, at))))
    .sort((a, b) => byCodePoint(b.requestedAt, a.requestedAt) || byCodePoint(b.id, a.id));
}

export function isExpired(request: ExceptionRequest, at: Date): boolean {
  return request.expiresAt !== undefined && at.getTime() >= Date.parse(request.expiresAt);
}

/** Rules on the person's unit or any unit above it, targeting the app or one of its categories, in force at `at`. */
const candidates = new WeakMap<Policy, Map<string, { rule: Rule; via: MatchedRule['via'] }[]>>();
export function rulesInForce(policy: Policy, app: App, unit: string, at: Date): { rule: Rule; via: MatchedRule['via'] }[] {
  let perPolicy = candidates.get(policy);
  if (!perPolicy) candidates.set(policy, (perPolicy = new Map()));
  const key = `${app.id}\u0000${unit}`;
  let list = perPolicy.get(key);
  if (!list) {
    const idx = policyIndex(policy);
    const chain = unitChain(policy, unit);
    const found = new Map<string, { rule: Rule; via: MatchedRule['via'] }>();
    for (const rule of idx.rulesByApp.get(app.id) ?? []) found.set(rule.id, { rule, via: { app: app.id } });
    for (const category of app.categories)
      for (const rule of idx.rulesByCategory.get(category) ?? [])
        if (!found.has(rule.id)) found.set(rule.id, { rule, via: { category } });
    list = [...found.values()].filter(({ rule }) => chain.includes(rule.unit));
    if (perPolicy.size >= 100_000) perPolicy.clear();
    perPolicy.set(key, list);
  }
  const tz = policy.organization.timezone;
  return list.filter(({ rule }) => isInForce(rule, at, tz));
}

const ruleSpans = new WeakMap<Rule, { timezone: string; from: number; until: number }>();
export function isInForce(rule: Rule, at: Date, timezone: string): boolean {
  let span = ruleSpans.get(rule);
  if (span?.timezone !== timezone) {
    span = { timezone, from: localDayStartMs(rule.effective, timezone), until: rule.lifted ? localDayStartMs(rule.lifted, timezone) : Infinity };
    ruleSpans.set(rule, span);
  }
  const t = at.getTime();
  return t >= span.from && t < span.until;
}

type Evaluation = Pick<Decision, 'verdict' | 'basis' | 'rules' | 'deadline' | 'consequence' | 'exception' | 'request' | 'reasons'>;

function evaluate(
  policy: Policy,
  inForce: { rule: Rule; via: MatchedRule['via'] }[],
  app: App,
  device: DeviceClass,
  data: string | undefined,
  purpose: string | undefined,
  own: ExceptionRequest[],
  at: Date,
  base: Evaluation = {} as Evaluation,
): Evaluation {
  const tz = policy.organization.timezone;
  const matched: MatchedRule[] = [];
  for (const { rule, via } of inForce) {
    if (rule.devices && !rule.devices.includes(device)) continue;
    if (rule.data && data !== undefined && !rule.data.includes(data)) continue;
    matched.push(toMatched(rule, via, rule.data && data === undefined ? 'data' : 'full', tz, at));
  }
  matched.sort((a, b) => Number(a.effect === 'allow') - Number(b.effect === 'allow') || byCodePoint(a.id, b.id));

  const prohibitions = matched.filter((r) => r.effect === 'prohibit');
  const full = prohibitions.filter((r) => r.scope === 'full');
  const binding = full.length ? full : prohibitions;
  const exception = exceptionOptions(binding, purpose);
  const deadline = binding
    .map((r) => r.deadline)
    .filter((d): d is Deadline => d !== undefined)
    .sort((a, b) => byCodePoint(a.at, b.at))[0];
  const consequence = binding.find((r) => r.deadline?.date === deadline?.date && r.consequence)?.consequence ?? binding.find((r) => r.consequence)?.consequence;
  const reasons: ReasonCode[] = matched.map((r) => {
    const data: NonNullable<ReasonCode['data']> = { rule: r.id };
    if ('category' in r.via) data.category = r.via.category;
    if (r.data) data.data = r.data;
    return { code: r.effect === 'allow' ? 'allowed_by_rule' : r.scope === 'data' ? 'restricted_by_rule' : 'prohibited_by_rule', data };
  });

  // Built by assignment, in the order the spread form had: spreading objects of many shapes is slow.
  base.rules = matched;
  base.exception = exception;
  if (deadline) base.deadline = deadline;
  if (consequence) base.consequence = consequence;
  if (!binding.length) {
    base.verdict = 'allowed';
    base.basis = matched.length ? 'rule' : 'no-match';
    base.reasons = matched.length ? reasons : [{ code: 'no_rule' }];
    return base;
  }
  if (deadline?.passed) reasons.push({ code: 'deadline_passed', data: { date: deadline.date } });

  const ruleIds = binding.map((r) => r.id);
  const granted = own.find(
    (r) => r.status === 'approved' && r.device === device && (!purpose || r.purpose === purpose) && ruleIds.every((id) => r.rules.includes(id)),
  );
  if (granted) {
    reasons.push({ code: 'exception_approved', data: { request: granted.id, expires: granted.expiresAt ?? '' } });
    // The exception lifts the rules it names; a data restriction it does not name still holds.
    const stillRestricted = prohibitions.some((r) => r.scope === 'data' && !granted.rules.includes(r.id));
    base.verdict = stillRestricted ? 'restricted' : 'allowed-by-exception';
    base.basis = 'exception';
    base.request = toPersonsRequest(granted);
    base.reasons = reasons;
    return base;
  }
  const pending = own.find((r) => r.status === 'requested' && r.device === device);
  const verdict: Verdict = full.length ? (pending ? 'exception-pending' : 'prohibited') : 'restricted';
  if (pending) reasons.push({ code: 'exception_pending', data: { request: pending.id } });
  base.verdict = verdict;
  base.basis = 'rule';
  if (pending) base.request = toPersonsRequest(pending);
  base.reasons = reasons;
  return base;
}

/**
 * The verdict alone for another device class: the same rules as `evaluate` (a test holds them equal),
 * without building reasons, deadlines and exception options nobody will read.
 */
function verdictOn(inForce: { rule: Rule }[], device: DeviceClass, data: string | undefined, purpose: string | undefined, own: ExceptionRequest[]): Verdict {
  const full: string[] = [];
  const restricting: string[] = [];
  for (const { rule } of inForce) {
    if (rule.effect !== 'prohibit' || (rule.devices && !rule.devices.includes(device))) continue;
    if (rule.data && data !== undefined && !rule.data.includes(data)) continue;
    (rule.data && data === undefined ? restricting : full).push(rule.id);
  }
  const binding = full.length ? full : restricting;
  if (!binding.length) return 'allowed';
  const granted = own.find((r) => r.status === 'approved' && r.device === device && (!purpose || r.purpose === purpose) && binding.every((id) => r.rules.includes(id)));
  if (granted) return restricting.some((id) => !granted.rules.includes(id)) ? 'restricted' : 'allowed-by-exception';
  if (!full.length) return 'restricted';
  return own.some((r) => r.status === 'requested' && r.device === device) ? 'exception-pending' : 'prohibited';
}

function exceptionOptions(binding: MatchedRule[], purpose: string | undefined): Decision['exception'] {
  if (!binding.length) return { possible: false, why: 'not-prohibited' };
  const terms = binding.map((r) => r.exceptions);
  if (terms.some((t) => t === 'none')) return { possible: false, why: 'rule-allows-none' };
  const open = terms as Exclude<MatchedRule['exceptions'], 'none'>[];
  const purposes = open.map((t) => t.purposes).reduce((common, list) => common.filter((p) => list.includes(p)));
  if (!purposes.length) return { possible: false, why: 'no-common-purpose' };
  if (purpose && !purposes.includes(purpose)) return { possible: false, why: 'purpose-not-allowed' };
  const maxDays = Math.min(...open.map((t) => t.max_days));
  const defaultDays = Math.min(maxDays, ...open.map((t) => t.default_days ?? t.max_days));
  return { possible: true, purposes: [...purposes].sort(), maxDays, defaultDays, rules: binding.map((r) => r.id) };
}

/** A rule's matched form but for `deadline.passed`: built once per rule, scope, route and zone. */
const matchedCache = new WeakMap<Rule, Map<string, MatchedRule>>();

function toMatched(rule: Rule, via: MatchedRule['via'], scope: MatchedRule['scope'], tz: string, at: Date): MatchedRule {
  const key = `${scope}|${'app' in via ? `a:${via.app}` : `c:${via.category}`}|${tz}`;
  let byKey = matchedCache.get(rule);
  if (!byKey) matchedCache.set(rule, (byKey = new Map()));
  let base = byKey.get(key);
  // Shared by every decision that matches the rule, so frozen: no caller can change another's answer.
  if (!base) byKey.set(key, (base = deepFreeze(buildMatched(rule, via, scope, tz))));
  if (!base.deadline) return base;
  const passed = at.getTime() > deadlineMs(base.deadline.at);
  return base.deadline.passed === passed ? base : { ...base, deadline: { ...base.deadline, passed } };
}

const deadlineTimes = new Map<string, number>();
const deadlineMs = (iso: string) => {
  let ms = deadlineTimes.get(iso);
  if (ms === undefined) {
    if (deadlineTimes.size >= 10_000) deadlineTimes.clear();
    deadlineTimes.set(iso, (ms = Date.parse(iso)));
  }
  return ms;
};

function buildMatched(rule: Rule, via: MatchedRule['via'], scope: MatchedRule['scope'], tz: string): MatchedRule {
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
    ...(rule.deadline ? { deadline: toDeadline(rule.deadline, tz, new Date(0)) } : {}),
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

/** Ids and ISO instants order by code point: fast, and the same on every machine and locale. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
