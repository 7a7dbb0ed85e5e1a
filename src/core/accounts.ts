import { hasRole, isWithinUnit, resolvePerson, type Person } from './org.ts';
import type { AccountStatus, OfficialAccount, Policy, Rule } from './policy.ts';
import { policyIndex } from './policy-index.ts';
import type { AccountState } from './records.ts';
import { ok, refuse, type Outcome } from './result.ts';

/** The account's status now: the last change made at run time, else the policy file's. */
export const statusOf = (account: OfficialAccount, state: AccountState | undefined): AccountStatus => state?.status ?? account.status;

/** Accounts a rule binds: on an app it targets (directly or by category), owned by a unit within the rule's. */
export function accountsBoundBy(policy: Policy, rule: Rule): OfficialAccount[] {
  const apps = policyIndex(policy).appsById;
  return policy.accounts.filter((a) => {
    const app = apps.get(a.app);
    const targeted = (rule.apps ?? []).includes(a.app) || (rule.categories ?? []).some((c) => app?.categories.includes(c));
    return targeted && isWithinUnit(policy, a.unit, rule.unit);
  });
}

/**
 * The official accounts a ban covers: a prohibition's bound accounts (an allow covers none). With `near`,
 * only those of that unit, of a unit above it or of a unit below it — the accounts a person of `near`
 * is told about when they check the app.
 */
export function accountsCoveredBy(rule: Rule, policy: Policy, near?: string): OfficialAccount[] {
  if (rule.effect !== 'prohibit') return [];
  const bound = accountsBoundBy(policy, rule);
  return near === undefined ? bound : bound.filter((a) => isWithinUnit(policy, a.unit, near) || isWithinUnit(policy, near, a.unit));
}

/** Admins, and approvers over the account's unit, may change its status. */
export function mayChangeAccount(policy: Policy, person: Person, account: OfficialAccount): boolean {
  return hasRole(person, 'admin') || (hasRole(person, 'approver') && isWithinUnit(policy, account.unit, person.unit));
}

const NEXT: Record<'suspend' | 'resume', { from: AccountStatus[]; to: AccountStatus }> = {
  suspend: { from: ['active', 'private'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
};

export function changeAccountStatus(
  account: OfficialAccount,
  current: AccountStatus,
  change: 'suspend' | 'resume',
  reason: string,
  person: Person,
  policy: Policy,
  now: Date,
): Outcome<AccountState> {
  if (!mayChangeAccount(policy, person, account)) return refuse('not_account_approver', undefined, { account: account.id });
  if (!NEXT[change].from.includes(current)) return refuse('account_status', undefined, { account: account.id, status: current });
  if (!reason.trim()) return refuse('reason_missing', 'reason');
  return ok({ id: account.id, status: NEXT[change].to, reason: reason.trim(), by: person.id, at: now.toISOString() });
}

/** Who hears about an account: its owner, and the approvers over its unit. */
export function accountPeople(policy: Policy, account: OfficialAccount): Person[] {
  const people = policy.people.map((p) => resolvePerson(policy, p.id));
  const approvers = people.filter((p) => hasRole(p, 'approver') && isWithinUnit(policy, account.unit, p.unit));
  return [resolvePerson(policy, account.owner), ...approvers.filter((p) => p.id !== account.owner)];
}
