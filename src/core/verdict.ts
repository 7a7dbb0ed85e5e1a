import type { Decision, MatchedRule, Verdict } from './decision.ts';
import type { DeviceClass, Rule } from './policy.ts';
import type { ExceptionRequest } from './records.ts';

/**
 * The verdict rules, all of them. Rules of a unit and of every unit above it bind alike; a prohibition
 * wins over an allow at any level; a prohibition limited to data classes restricts when no data class
 * is named; only an approved, unexpired exception that names every binding rule lifts them (an
 * unexpired one is all decide passes here); an unknown app gets the organisation's posture.
 */

/** The prohibitions that apply: fully, or only as a restriction on data classes the person did not name. */
export interface Binding {
  full: string[];
  restricting: string[];
}

/** How a rule in force applies to a device and data class: as asked, only as a data restriction, or not at all. */
export function scopeOf(rule: Rule, device: DeviceClass, data: string | undefined): MatchedRule['scope'] | undefined {
  if (rule.devices && !rule.devices.includes(device)) return undefined;
  if (rule.data && data !== undefined && !rule.data.includes(data)) return undefined;
  return rule.data && data === undefined ? 'data' : 'full';
}

/** Which of the rules in force prohibit on this device and data class, and how. */
export function bindingOf(rules: Iterable<Rule>, device: DeviceClass, data: string | undefined): Binding {
  const binding: Binding = { full: [], restricting: [] };
  for (const rule of rules) {
    const scope = rule.effect === 'prohibit' ? scopeOf(rule, device, data) : undefined;
    if (scope) (scope === 'full' ? binding.full : binding.restricting).push(rule.id);
  }
  return binding;
}

export const binds = (b: Binding) => b.full.length > 0 || b.restricting.length > 0;

/** The verdict once the person's own approved exception or pending request is taken into account. */
export function verdictFrom(binding: Binding, granted: ExceptionRequest | undefined, pending: ExceptionRequest | undefined): Verdict {
  // An allow never outweighs a prohibition: with nothing prohibiting, the app is allowed.
  if (!binds(binding)) return 'allowed';
  // The exception lifts the rules it names; a data restriction it does not name still holds.
  if (granted) return binding.restricting.some((id) => !granted.rules.includes(id)) ? 'restricted' : 'allowed-by-exception';
  if (!binding.full.length) return 'restricted';
  return pending ? 'exception-pending' : 'prohibited';
}

/** What the Decision gives as its basis: the rules, the exception that lifted them, or no rule at all. */
export function basisOf(binding: Binding, matched: number, granted: ExceptionRequest | undefined): Decision['basis'] {
  if (!binds(binding)) return matched ? 'rule' : 'no-match';
  return granted ? 'exception' : 'rule';
}

/**
 * An approved exception for this device (and purpose, if one was asked) that names every binding rule.
 * `own` holds only the person's requests that are waiting, or approved and unexpired.
 */
export function grantedFor(
  binding: Binding,
  own: readonly ExceptionRequest[],
  device: DeviceClass,
  purpose: string | undefined,
): ExceptionRequest | undefined {
  if (!own.length || !binds(binding)) return undefined;
  const ids = binding.full.length ? binding.full : binding.restricting;
  return own.find(
    (r) => r.status === 'approved' && r.device === device && (!purpose || r.purpose === purpose) && ids.every((id) => r.rules.includes(id)),
  );
}

/** A request still waiting for this device; it changes nothing unless the rules prohibit. */
export function pendingFor(binding: Binding, own: readonly ExceptionRequest[], device: DeviceClass): ExceptionRequest | undefined {
  if (!own.length || !binds(binding)) return undefined;
  return own.find((r) => r.status === 'requested' && r.device === device);
}

/** The verdict alone, for the other device classes: the same rules as the full decision, without its citations. */
export function verdictWith(binding: Binding, own: readonly ExceptionRequest[], device: DeviceClass, purpose: string | undefined): Verdict {
  const granted = grantedFor(binding, own, device, purpose);
  return verdictFrom(binding, granted, granted ? undefined : pendingFor(binding, own, device));
}

/** Citations in the order a Decision lists them: prohibitions first, then by rule id. */
export const citationOrder = (a: Pick<MatchedRule, 'effect' | 'id'>, b: Pick<MatchedRule, 'effect' | 'id'>) =>
  Number(a.effect === 'allow') - Number(b.effect === 'allow') || byCodePoint(a.id, b.id);

/** Whether an exception can be asked for the binding rules: only if every one allows some, for a purpose they share. */
export function exceptionOptions(binding: readonly MatchedRule[], purpose: string | undefined): Decision['exception'] {
  if (!binding.length) return NOT_PROHIBITED;
  let maxDays = Infinity;
  let defaultDays = Infinity;
  for (const r of binding) {
    if (r.exceptions === 'none') return RULE_ALLOWS_NONE;
    maxDays = Math.min(maxDays, r.exceptions.max_days);
    defaultDays = Math.min(defaultDays, r.exceptions.default_days ?? r.exceptions.max_days);
  }
  const open = binding as readonly (MatchedRule & { exceptions: Exclude<MatchedRule['exceptions'], 'none'> })[];
  // The purposes every binding rule allows, in the first rule's order.
  const purposes = open[0]!.exceptions.purposes.filter((p) => open.every((r) => r.exceptions.purposes.includes(p)));
  if (!purposes.length) return NO_COMMON_PURPOSE;
  if (purpose && !purposes.includes(purpose)) return PURPOSE_NOT_ALLOWED;
  return {
    possible: true,
    purposes: purposes.sort(),
    maxDays,
    defaultDays: Math.min(maxDays, defaultDays),
    rules: binding.map((r) => r.id),
  };
}

/** The answers without options: the same for every decision, so shared and frozen. */
const NOT_PROHIBITED: Decision['exception'] = Object.freeze({ possible: false, why: 'not-prohibited' });
const RULE_ALLOWS_NONE: Decision['exception'] = Object.freeze({ possible: false, why: 'rule-allows-none' });
const NO_COMMON_PURPOSE: Decision['exception'] = Object.freeze({ possible: false, why: 'no-common-purpose' });
const PURPOSE_NOT_ALLOWED: Decision['exception'] = Object.freeze({ possible: false, why: 'purpose-not-allowed' });

/** A look-alike of several catalogue apps is no name to allow by default: it is reviewed, whatever the organisation's default. */
export const unknownPosture = (configured: 'allow' | 'review', lookalike: boolean): 'allow' | 'review' =>
  lookalike ? 'review' : configured;

/** Ids and ISO instants order by code point: fast, and the same on every machine and locale. */
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
