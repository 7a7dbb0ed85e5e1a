import { compiledPolicy } from './compiled-policy.ts';
import type { Locale, Policy, Role } from './policy.ts';
import { policyIndex } from './policy-index.ts';

/** A person as the engine sees them: everyone has a unit; unlisted people get the default unit and no role. */
export interface Person {
  id: string;
  name: string;
  unit: string;
  roles: Role[];
  locale: Locale;
  slack?: string;
  teams?: string;
  /** Their manager's person id (the policy's `manager`, or the directory's). */
  manager?: string;
  /** Lowercased: how their devices are found in the MDM. */
  email?: string;
  listed: boolean;
}

/** Find a person by id or platform id (`U0APPROVER`, an AAD object id); anyone unlisted is a default member. */
export function resolvePerson(policy: Policy, ref: string): Person {
  const idx = policyIndex(policy);
  const entry =
    idx.peopleById.get(ref) ??
    idx.peopleByPlatformId.get(ref) ??
    (ref.includes('@') ? idx.peopleByPlatformId.get(ref.toLowerCase()) : undefined);
  if (!entry) {
    return { id: ref, name: ref, unit: policy.organization.default_unit, roles: [], locale: policy.organization.locale, listed: false };
  }
  return {
    id: entry.id,
    name: entry.name ?? entry.id,
    unit: entry.unit ?? policy.organization.default_unit,
    roles: entry.roles,
    locale: entry.locale ?? policy.organization.locale,
    ...(entry.slack ? { slack: entry.slack } : {}),
    ...(entry.teams ? { teams: entry.teams } : {}),
    ...(entry.manager ? { manager: entry.manager } : {}),
    ...(entry.email ? { email: entry.email.toLowerCase() } : {}),
    listed: true,
  };
}

export type Platform = 'slack' | 'teams';

/**
 * The person behind a platform identity: matched only against that platform's ids in the policy
 * (`people[].slack`, `people[].teams`), never against person ids or another platform's ids, so a
 * sender cannot claim to be someone by sending their name or their Slack id. Someone unlisted keeps
 * their platform id as their person id, unless that id already names someone (then it is prefixed).
 */
export function resolvePlatformUser(policy: Policy, platform: Platform, platformId: string): Person {
  const listed = compiledPolicy(policy).platformIds[platform].get(platformId);
  if (listed) return resolvePerson(policy, listed);
  const namesSomeone = resolvePerson(policy, platformId).listed;
  return resolvePerson(policy, namesSomeone ? `${platform}:${platformId}` : platformId);
}

/** The unit and its ancestors, nearest first: a rule on any of them binds the unit. */
export function unitChain(policy: Policy, unit: string): string[] {
  return policyIndex(policy).unitChains.get(unit) ?? [unit];
}

export function isWithinUnit(policy: Policy, unit: string, ancestor: string): boolean {
  return unitChain(policy, unit).includes(ancestor);
}

export function hasRole(person: Person, role: Role): boolean {
  return person.roles.includes(role);
}

export const isAdmin = (person: Person) => hasRole(person, 'admin');

/** People listed in the policy who belong to the unit or a unit below it. */
export function peopleWithin(policy: Policy, unit: string): Person[] {
  return policy.people.map((p) => resolvePerson(policy, p.id)).filter((p) => isWithinUnit(policy, p.unit, unit));
}
