import type { Decision, Verdict } from './decision.ts';
import type { DeviceClass } from './policy.ts';
import { addLocalDays, localDate } from './time.ts';

/** The verdict in one sentence, as a code and the data its words need. */
export type Headline =
  | { code: 'allowed' | 'prohibited' | 'exception-pending'; app: string; device: DeviceClass }
  | { code: 'restricted'; app: string; device: DeviceClass; data: string[] }
  | { code: 'allowed-by-exception'; app: string; device: DeviceClass; until: string }
  | { code: 'unknown-app'; typed: string }
  /** Only data-use rules bind: the app may stay, it may not be used for that data. */
  | { code: 'prohibited-for-data'; app: string; device: DeviceClass; data: string[] };

/** Why: each matched rule with its citation, the deadline, the consequence, the exception options. */
export type Reason =
  | { code: 'unknown-allow' | 'unknown-review'; org: string }
  | { code: 'did-you-mean'; names: string[] }
  | { code: 'allow-rule'; title: string; source: string }
  | { code: 'rule-cited'; title: string; source: string; effective: string }
  | { code: 'via-category'; category: string }
  | { code: 'restricted-data'; data: string[] }
  | { code: 'review'; date: string }
  | { code: 'unknown-data'; value: string; known: string[] }
  | { code: 'no-rule' }
  /** `data`: the deadline is for no longer using the app for that data, not for removing it. */
  | { code: 'deadline'; date: string; timezone: string; passed: boolean; data?: string[] }
  | { code: 'consequence'; text: string }
  | { code: 'own-exception'; id: string; purpose: string }
  | { code: 'conditions'; text: string }
  | { code: 'pending'; id: string; filedOn: string }
  | { code: 'exception-possible'; purposes: string[]; maxDays: number }
  | { code: 'exception-none' | 'exception-no-common-purpose' }
  | { code: 'exception-wrong-purpose'; purpose: string }
  | { code: 'other-devices'; devices: { device: DeviceClass; verdict: Verdict }[] };

/** What the person can do now. `app` is as they would type it (quoted when it has a space). */
export type NextStep =
  | { code: 'wait' }
  | { code: 'request'; app: string; purpose: string }
  | { code: 'attest'; app: string }
  | { code: 'not-for-data'; app: string; data: string[] }
  | { code: 'check'; name: string };

export interface Explanation {
  headline: Headline;
  reasons: Reason[];
  next?: NextStep;
}

/**
 * The one place a Decision becomes an explanation: codes and data, no words (the core knows no
 * language). The command layer words it in the person's language; every surface renders that.
 */
export function explain(decision: Decision, organization: { name: string; timezone: string }): Explanation {
  const org = organization.name;
  const { query, app } = decision;
  const appName = app?.name ?? query.app;
  const reasons: Reason[] = [];

  if (decision.verdict === 'unknown-app') {
    const u = decision.unknown;
    if (u) reasons.push({ code: u.posture === 'allow' ? 'unknown-allow' : 'unknown-review', org });
    if (u?.suggestions.length) reasons.push({ code: 'did-you-mean', names: u.suggestions });
    const first = u?.suggestions[0];
    return { headline: { code: 'unknown-app', typed: query.app }, reasons, ...(first ? { next: { code: 'check', name: first } } : {}) };
  }

  for (const rule of decision.rules) {
    if (rule.effect === 'allow') {
      reasons.push({ code: 'allow-rule', title: rule.title, source: rule.source });
      continue;
    }
    reasons.push({ code: 'rule-cited', title: rule.title, source: rule.source, effective: rule.effective });
    if ('category' in rule.via) reasons.push({ code: 'via-category', category: rule.via.category });
    if (rule.data) reasons.push({ code: 'restricted-data', data: rule.data });
    if (rule.review) reasons.push({ code: 'review', date: rule.review });
  }
  const unknownData = decision.reasons.find((r) => r.code === 'unknown_data_class')?.data;
  if (unknownData)
    reasons.push({ code: 'unknown-data', value: String(unknownData.data), known: (unknownData.known as string[] | undefined) ?? [] });
  if (!decision.rules.length) reasons.push({ code: 'no-rule' });

  // A data-use rule asks that the app not be used for that data: nothing is to be removed by a deadline.
  const use = dataUse(decision);
  const d = decision.deadline;
  if (d && decision.verdict !== 'allowed-by-exception')
    reasons.push({ code: 'deadline', date: d.date, timezone: d.timezone, passed: d.passed, ...(use ? { data: use } : {}) });
  if (decision.consequence && decision.verdict !== 'allowed-by-exception')
    reasons.push({ code: 'consequence', text: decision.consequence });

  const request = decision.request;
  if (request?.status === 'approved') {
    reasons.push({ code: 'own-exception', id: request.id, purpose: request.purpose });
    if (request.conditions) reasons.push({ code: 'conditions', text: request.conditions });
  } else if (request?.status === 'requested') {
    reasons.push({ code: 'pending', id: request.id, filedOn: localDate(new Date(request.requestedAt), organization.timezone) });
  } else if (decision.verdict === 'prohibited' || decision.verdict === 'restricted') {
    const x = decision.exception;
    if (x.possible) reasons.push({ code: 'exception-possible', purposes: x.purposes, maxDays: x.maxDays });
    else if (x.why === 'rule-allows-none') reasons.push({ code: 'exception-none' });
    else if (x.why === 'no-common-purpose') reasons.push({ code: 'exception-no-common-purpose' });
    else if (x.why === 'purpose-not-allowed' && query.purpose) reasons.push({ code: 'exception-wrong-purpose', purpose: query.purpose });
  }

  const others = (decision.otherDevices ?? []).filter((o) => o.verdict !== decision.verdict);
  if (others.length) reasons.push({ code: 'other-devices', devices: others });

  const next = nextStep(decision, appName);
  return { headline: headline(decision, appName, organization.timezone), reasons, ...(next ? { next } : {}) };
}

/**
 * The data classes the verdict is about when only data-use rules (`rules[].data`) bind: the app may not
 * be used for them, and nothing is to be removed or attested. Undefined when a removal rule binds too.
 */
function dataUse(decision: Decision): string[] | undefined {
  const prohibitions = decision.rules.filter((r) => r.effect === 'prohibit');
  const full = prohibitions.filter((r) => r.scope === 'full');
  const binding = full.length ? full : prohibitions;
  if (!binding.length || !binding.every((r) => r.data)) return undefined;
  const asked = decision.query.data;
  const named = [...new Set(binding.flatMap((r) => r.data ?? []))];
  return asked && named.includes(asked) ? [asked] : named;
}

function headline(decision: Decision, app: string, timezone: string): Headline {
  const device = decision.query.device;
  const use = dataUse(decision);
  if (decision.verdict === 'prohibited' && use) return { code: 'prohibited-for-data', app, device, data: use };
  switch (decision.verdict) {
    case 'restricted':
      return { code: 'restricted', app, device, data: decision.rules.filter((r) => r.scope === 'data').flatMap((r) => r.data ?? []) };
    case 'allowed-by-exception':
      return { code: 'allowed-by-exception', app, device, until: lastValidDay(decision, timezone) };
    case 'unknown-app':
      return { code: 'unknown-app', typed: decision.query.app };
    default:
      return { code: decision.verdict, app, device };
  }
}

/** The exception counts through the end of the day before `expiresAt`, in the organisation's zone. */
function lastValidDay(decision: Decision, timezone: string): string {
  const expires = decision.request?.expiresAt;
  return expires ? lastValidDate(expires, timezone) : localDate(new Date(decision.query.at), timezone);
}

export function lastValidDate(expiresAt: string, timezone: string): string {
  return addLocalDays(localDate(new Date(expiresAt), timezone), -1);
}

function nextStep(decision: Decision, appName: string): NextStep | undefined {
  if (decision.verdict === 'exception-pending') return { code: 'wait' };
  if (decision.verdict !== 'prohibited' && decision.verdict !== 'restricted') return undefined;
  const x = decision.exception;
  const typed = appName.includes(' ') ? `"${appName}"` : appName;
  if (x.possible) return { code: 'request', app: typed, purpose: decision.query.purpose ?? x.purposes[0] ?? '' };
  // Only a rule that asks for the app to be removed asks for an attestation; a data-use rule asks neither.
  const use = dataUse(decision);
  if (use) return { code: 'not-for-data', app: appName, data: use };
  if (decision.verdict === 'prohibited') return { code: 'attest', app: typed };
  return undefined;
}
