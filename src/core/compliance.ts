import { isInForce } from './decide.ts';
import { isWithinUnit, resolvePerson, type Person } from './org.ts';
import type { Policy, Rule } from './policy.ts';
import type { Attestation, ExceptionRequest } from './records.ts';
import { isActiveException } from './request-status.ts';

/**
 * Where a person stands with a rule that asks for an app to be removed:
 * - `attested`: they said they removed it (or never had it);
 * - `excepted`: no attestation, but an approved exception to the rule that still counts at the instant;
 * - `open`: neither — still to be chased.
 *
 * One meaning for every reader. Before this, the overdue digest counted exception holders as done
 * ("N of M people have attested" included them) while the compliance report counted attestations only
 * and listed holders apart. Now an approved, unexpired exception settles a person for the rule — the
 * reminder tick stops chasing them and neither the digest nor the report lists them as "not yet" — but
 * it is not an attestation: both count attestations as attested and show exception holders separately.
 */
export type Settlement = 'attested' | 'excepted' | 'open';

/** What settles a person: their attestations and their exception requests (anyone else's are ignored). */
export interface ComplianceRecords {
  attestations: readonly Attestation[];
  requests: readonly ExceptionRequest[];
}

export interface Subject {
  person: Person;
  state: Settlement;
  /** Their attestation to the rule, if any. */
  attestation?: Attestation;
  /** An exception to the rule that counts at the instant, if any (also when they have attested). */
  exception?: ExceptionRequest;
}

/**
 * The rules whose compliance is chased and reported: prohibitions in force at `at` with a deadline (the
 * scheduler's reminders and the compliance report both start here).
 */
export function rulesWithDeadlines(policy: Policy, at: Date): Rule[] {
  return policy.rules.filter((r) => r.deadline !== undefined && r.effect === 'prohibit' && isInForce(r, at, policy.organization.timezone));
}

/** Whether a rule binds this person: their unit is the rule's or below it (a parent unit's rules bind its children). */
export const isSubject = (rule: Rule, person: Person, policy: Policy): boolean => isWithinUnit(policy, person.unit, rule.unit);

/** Who must comply with a rule: everyone among `people` the rule binds, each once. */
export function subjectsOf(rule: Rule, people: readonly Person[], policy: Policy): Person[] {
  const seen = new Map<string, Person>();
  for (const p of people) if (!seen.has(p.id) && isSubject(rule, p, policy)) seen.set(p.id, p);
  return [...seen.values()];
}

/** The ids a record may name a person by: the policy's id, or a platform id (someone listed later). */
const identities = (p: Person) => [p.id, ...(p.slack ? [p.slack] : []), ...(p.teams ? [p.teams] : [])];

/** The person's attestation to the rule, under any id they are known by; the first if there are several. */
export function attestationOf(rule: Rule, person: Person, attestations: readonly Attestation[]): Attestation | undefined {
  const ids = identities(person);
  return attestations.find((a) => a.rule === rule.id && ids.includes(a.person));
}

/** How a person stands with a rule at `at`, from records that may include other people's. */
export function settlementOf(rule: Rule, person: Person, records: ComplianceRecords, at: Date): Omit<Subject, 'person'> {
  const ids = identities(person);
  const attestation = attestationOf(rule, person, records.attestations);
  const exception = exceptionFor(rule, ids, records.requests, at);
  const state: Settlement = attestation ? 'attested' : exception ? 'excepted' : 'open';
  return { state, ...(attestation ? { attestation } : {}), ...(exception ? { exception } : {}) };
}

/** Attested or excepted: the scheduler chases them no more. */
export const isSettled = (rule: Rule, person: Person, records: ComplianceRecords, at: Date): boolean =>
  settlementOf(rule, person, records, at).state !== 'open';

/**
 * Every subject of a rule with how they stand at `at`: those among `people` within the rule's units,
 * and anyone who attested to the rule (their word stands even if they are listed elsewhere since, or
 * were never listed). Records are grouped once, so this is linear in people and records.
 */
export function complianceOf(rule: Rule, people: readonly Person[], policy: Policy, records: ComplianceRecords, at: Date): Subject[] {
  const attestations = records.attestations.filter((a) => a.rule === rule.id);
  const subjects = new Map(subjectsOf(rule, people, policy).map((p) => [p.id, p]));
  for (const a of attestations) {
    const p = resolvePerson(policy, a.person);
    if (!subjects.has(p.id)) subjects.set(p.id, p);
  }
  const attestedBy = new Map<string, Attestation>();
  for (const a of attestations) if (!attestedBy.has(a.person)) attestedBy.set(a.person, a);
  const exceptionsBy = new Map<string, ExceptionRequest[]>();
  for (const r of records.requests) {
    if (!r.rules.includes(rule.id) || !isActiveException(r, at)) continue;
    const mine = exceptionsBy.get(r.person);
    if (mine) mine.push(r);
    else exceptionsBy.set(r.person, [r]);
  }
  return [...subjects.values()].map((person) => {
    const ids = identities(person);
    const attestation = ids.map((id) => attestedBy.get(id)).find((a) => a !== undefined);
    const exception = exceptionFor(
      rule,
      ids,
      ids.flatMap((id) => exceptionsBy.get(id) ?? []),
      at,
    );
    const state: Settlement = attestation ? 'attested' : exception ? 'excepted' : 'open';
    return { person, state, ...(attestation ? { attestation } : {}), ...(exception ? { exception } : {}) };
  });
}

/** The exception that settles: under the person's own id before a platform id; the latest filed of those. */
function exceptionFor(rule: Rule, ids: readonly string[], requests: readonly ExceptionRequest[], at: Date): ExceptionRequest | undefined {
  for (const id of ids) {
    const mine = requests.filter((r) => r.person === id && r.rules.includes(rule.id) && isActiveException(r, at));
    if (mine.length) return mine[mine.length - 1];
  }
  return undefined;
}
