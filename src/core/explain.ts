import type { Decision } from './decision.ts';
import { messages } from './i18n/index.ts';
import type { Locale } from './policy.ts';
import { addLocalDays, localDate } from './time.ts';

export interface Explanation {
  /** The verdict in one sentence. */
  headline: string;
  /** Why: each matched rule with its citation, the deadline, the consequence, the exception options. */
  reasons: string[];
  /** What the person can do now, if anything. */
  next?: string;
}

/** The one place a Decision becomes sentences; every surface renders these. */
export function explain(decision: Decision, organization: { name: string; timezone: string }, locale: Locale): Explanation {
  const orgName = organization.name;
  const m = messages(locale);
  const e = m.explain;
  const { query, app } = decision;
  const appName = app?.name ?? query.app;
  const reasons: string[] = [];

  if (decision.verdict === 'unknown-app') {
    const u = decision.unknown;
    if (u) reasons.push(u.posture === 'allow' ? e.unknownAllow(orgName) : e.unknownReview(orgName));
    if (u?.suggestions.length) reasons.push(e.didYouMean(u.suggestions));
    const first = u?.suggestions[0];
    return { headline: m.verdict['unknown-app'](query.app), reasons, ...(first ? { next: m.next.check(first) } : {}) };
  }

  for (const rule of decision.rules) {
    if (rule.effect === 'allow') {
      reasons.push(e.allowRule(rule.title, rule.source));
      continue;
    }
    reasons.push(e.ruleCited(rule.title, rule.source, rule.effective));
    if ('category' in rule.via) reasons.push(e.viaCategory(rule.via.category));
    if (rule.data) reasons.push(e.restrictedData(rule.data));
    if (rule.review) reasons.push(e.review(rule.review));
  }
  const unknownData = decision.reasons.find((r) => r.code === 'unknown_data_class')?.data;
  if (unknownData) reasons.push(e.unknownData(String(unknownData.data), (unknownData.known as string[] | undefined) ?? []));
  if (!decision.rules.length) reasons.push(e.noRule);

  // A data-use rule asks that the app not be used for that data: nothing is to be removed by a deadline.
  const use = dataUse(decision);
  const d = decision.deadline;
  if (d && decision.verdict !== 'allowed-by-exception')
    reasons.push(
      use
        ? d.passed
          ? e.dataDeadlinePassed(d.date, d.timezone, use)
          : e.dataDeadline(d.date, d.timezone, use)
        : d.passed
          ? e.deadlinePassed(d.date, d.timezone)
          : e.deadline(d.date, d.timezone),
    );
  if (decision.consequence && decision.verdict !== 'allowed-by-exception') reasons.push(e.consequence(decision.consequence));

  const request = decision.request;
  if (request?.status === 'approved') {
    reasons.push(e.ownException(request.id, request.purpose));
    if (request.conditions) reasons.push(e.conditions(request.conditions));
  } else if (request?.status === 'requested') {
    reasons.push(e.pending(request.id, localDate(new Date(request.requestedAt), organization.timezone)));
  } else if (decision.verdict === 'prohibited' || decision.verdict === 'restricted') {
    const x = decision.exception;
    if (x.possible) reasons.push(e.exceptionPossible(x.purposes, x.maxDays));
    else if (x.why === 'rule-allows-none') reasons.push(e.exceptionNone);
    else if (x.why === 'no-common-purpose') reasons.push(e.exceptionNoCommonPurpose);
    else if (x.why === 'purpose-not-allowed' && query.purpose) reasons.push(e.exceptionWrongPurpose(query.purpose));
  }

  const others = (decision.otherDevices ?? []).filter((o) => o.verdict !== decision.verdict);
  if (others.length) reasons.push(e.otherDevices(others.map((o) => e.otherDevice(o.device, e.verdictWord[o.verdict]))));

  return { headline: headline(decision, appName, organization.timezone, locale), reasons, ...nextStep(decision, appName, locale) };
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

function headline(decision: Decision, appName: string, timezone: string, locale: Locale): string {
  const v = messages(locale).verdict;
  const device = decision.query.device;
  const use = dataUse(decision);
  if (decision.verdict === 'prohibited' && use) return messages(locale).explain.prohibitedForData(appName, device, use);
  switch (decision.verdict) {
    case 'restricted':
      return v.restricted(
        appName,
        device,
        decision.rules.filter((r) => r.scope === 'data').flatMap((r) => r.data ?? []),
      );
    case 'allowed-by-exception':
      return v['allowed-by-exception'](appName, device, lastValidDay(decision, timezone));
    case 'unknown-app':
      return v['unknown-app'](decision.query.app);
    default:
      return v[decision.verdict](appName, device);
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

function nextStep(decision: Decision, appName: string, locale: Locale): { next?: string } {
  const n = messages(locale).next;
  if (decision.verdict === 'exception-pending') return { next: n.wait };
  if (decision.verdict !== 'prohibited' && decision.verdict !== 'restricted') return {};
  const x = decision.exception;
  const typed = appName.includes(' ') ? `"${appName}"` : appName;
  if (x.possible) return { next: n.request(typed, decision.query.purpose ?? x.purposes[0] ?? '') };
  // Only a rule that asks for the app to be removed asks for an attestation; a data-use rule asks neither.
  const use = dataUse(decision);
  if (use) return { next: n.notForData(appName, use) };
  if (decision.verdict === 'prohibited') return { next: n.attest(typed) };
  return {};
}
