import { isExpired, isInForce } from './decide.ts';
import { accountPeople, accountsBoundBy } from './accounts.ts';
import { reportersFor } from './census.ts';
import type { Person } from './org.ts';
import type { AccountStatus, OfficialAccount, Policy, Rule } from './policy.ts';
import type { Census, ExceptionRequest } from './records.ts';
import { addLocalDays, localDate, localDaysBetween } from './time.ts';

/**
 * Something the scheduler wants said. `key` names it for good: a reminder whose key was already
 * recorded is never due again, so a tick is idempotent and a missed one is caught up once.
 */
export type Reminder =
  /** To the announcements channel; `daysLeft` < 0 is an overdue notice. */
  | { key: string; kind: 'announce'; rule: string; deadline: string; daysLeft: number }
  | { key: string; kind: 'direct'; rule: string; deadline: string; daysLeft: number; person: string }
  /** To the approvals channel after the deadline: who has attested, who has not. */
  | { key: string; kind: 'digest'; rule: string; deadline: string; daysLeft: number }
  | { key: string; kind: 'review'; rule: string; review: string; person: string }
  | { key: string; kind: 'expiring'; request: string; daysLeft: number; person: string }
  | { key: string; kind: 'expired'; request: string; person: string }
  /** To a unit's reporters while the unit has not answered a census. */
  | { key: string; kind: 'census'; census: string; unit: string; due: string; daysLeft: number; person: string }
  /** To an official account's owner, once, when a prohibition in force covers the account. */
  | { key: string; kind: 'account-rule'; rule: string; account: string; person: string }
  | { key: string; kind: 'account-review'; account: string; review: string; person: string };

/** What the scheduler needs to know of the world besides the policy; the caller reads it from the store and platforms. */
export interface ReminderFacts {
  /** Everyone who must comply with a rule: listed people of its units, and platform members mapped to units. */
  subjects(rule: Rule): Person[];
  /** Has attested, or holds an approved exception to the rule: no more chasing. */
  isSettled(rule: Rule, person: Person): boolean;
  approvers(rule: Rule): Person[];
  /** Approved exceptions (expired or not). */
  approved: readonly ExceptionRequest[];
  /** Keys already recorded (sent or on their way). */
  isRecorded(key: string): boolean;
  /** Open censuses and the units that have not answered yet. */
  censuses?: readonly { census: Census; silent: readonly string[] }[];
  /** An account's status now (the policy file's, or as changed since). */
  accountStatus?(account: OfficialAccount): AccountStatus;
}

/** Every reminder due at `at` that has not been recorded yet: the latest of each series, never a backlog. */
export function dueReminders(policy: Policy, facts: ReminderFacts, at: Date): Reminder[] {
  const tz = policy.organization.timezone;
  const today = localDate(at, tz);
  const due: Reminder[] = [];
  for (const rule of policy.rules) {
    if (rule.effect !== 'prohibit' || !isInForce(rule, at, tz)) continue;
    if (rule.deadline) due.push(...deadlineReminders(rule, rule.deadline, today, facts));
    if (rule.review) due.push(...reviewReminders(rule, rule.review, today, facts));
  }
  due.push(...expiryReminders(facts.approved, today, at, tz));
  for (const { census, silent } of facts.censuses ?? []) due.push(...censusReminders(policy, census, silent, today));
  due.push(...accountReminders(policy, facts, today, at));
  return due.filter((r) => !facts.isRecorded(r.key));
}

/** The latest stage of `stages` (days before the deadline) that has been reached, if any. */
function latestStage(stages: readonly number[], daysLeft: number): number | undefined {
  const reached = stages.filter((s) => s >= daysLeft);
  return reached.length ? Math.min(...reached) : undefined;
}

function deadlineReminders(rule: Rule, deadline: string, today: string, facts: ReminderFacts): Reminder[] {
  const daysLeft = localDaysBetween(today, deadline);
  const { days_before, direct_from, overdue_days } = rule.reminders;
  const base = { rule: rule.id, deadline };
  const out: Reminder[] = [];
  const unsettled = () => facts.subjects(rule).filter((p) => !facts.isSettled(rule, p));

  if (daysLeft >= 0) {
    const stage = latestStage(days_before, daysLeft);
    // A stage that fell before the rule took effect was never owed.
    if (stage !== undefined && addLocalDays(deadline, -stage) >= rule.effective)
      out.push({ key: `announce:${rule.id}:${deadline}:${stage}`, kind: 'announce', ...base, daysLeft: stage });
    const direct = latestStage([...days_before.filter((s) => s <= direct_from), direct_from], daysLeft);
    if (direct !== undefined && daysLeft <= direct_from)
      for (const p of unsettled()) out.push({ key: `direct:${rule.id}:${deadline}:${direct}:${p.id}`, kind: 'direct', ...base, daysLeft: direct, person: p.id });
    return out;
  }
  if (-daysLeft > overdue_days) return out;
  const late = unsettled();
  if (!late.length) return out;
  out.push({ key: `announce:${rule.id}:${deadline}:overdue:${today}`, kind: 'announce', ...base, daysLeft });
  out.push({ key: `digest:${rule.id}:${deadline}:${today}`, kind: 'digest', ...base, daysLeft });
  // One direct message the day after the deadline; the channel carries the daily notices after that.
  if (daysLeft === -1) for (const p of late) out.push({ key: `direct:${rule.id}:${deadline}:overdue:${p.id}`, kind: 'direct', ...base, daysLeft, person: p.id });
  return out;
}

/** When a measure comes up for review, its approvers are told once (up to a week late, if the bot was down). */
function reviewReminders(rule: Rule, review: string, today: string, facts: ReminderFacts): Reminder[] {
  const since = localDaysBetween(review, today);
  if (since < 0 || since > 7) return [];
  return facts.approvers(rule).map((p) => ({ key: `review:${rule.id}:${review}:${p.id}`, kind: 'review', rule: rule.id, review, person: p.id }));
}

/** Requester and approver hear 7 days and 1 day before an exception ends, and when it has. */
function expiryReminders(approved: readonly ExceptionRequest[], today: string, at: Date, tz: string): Reminder[] {
  const out: Reminder[] = [];
  for (const r of approved) {
    if (r.status !== 'approved' || !r.expiresAt) continue;
    const people = [...new Set([r.person, ...(r.decidedBy ? [r.decidedBy] : [])])];
    if (isExpired(r, at)) {
      for (const person of people) out.push({ key: `expired:${r.id}:${person}`, kind: 'expired', request: r.id, person });
      continue;
    }
    const daysLeft = localDaysBetween(today, localDate(new Date(r.expiresAt), tz));
    const stage = latestStage(r.days > 7 ? [7, 1] : [1], daysLeft);
    if (stage !== undefined) for (const person of people) out.push({ key: `expiring:${r.id}:${stage}:${person}`, kind: 'expiring', request: r.id, daysLeft: stage, person });
  }
  return out;
}

/** Census stages: 3 and 1 days before, on the day, then daily while the unit is silent (up to 30 days). */
function censusReminders(policy: Policy, census: Census, silent: readonly string[], today: string): Reminder[] {
  const daysLeft = localDaysBetween(today, census.due);
  const stage = daysLeft >= 0 ? latestStage([3, 1, 0], daysLeft) : -daysLeft <= 30 ? daysLeft : undefined;
  if (stage === undefined) return [];
  const tag = stage >= 0 ? String(stage) : `overdue:${today}`;
  return silent.flatMap((unit) =>
    reportersFor(policy, unit).map((p) => ({ key: `census:${census.id}:${tag}:${unit}:${p.id}`, kind: 'census' as const, census: census.id, unit, due: census.due, daysLeft: stage, person: p.id })),
  );
}

/** Owners hear once when a prohibition covers their account; owner and approvers hear when its review date comes. */
function accountReminders(policy: Policy, facts: ReminderFacts, today: string, at: Date): Reminder[] {
  const out: Reminder[] = [];
  const live = (a: OfficialAccount) => (facts.accountStatus?.(a) ?? a.status) !== 'closed';
  for (const rule of policy.rules) {
    if (rule.effect !== 'prohibit' || rule.data || !isInForce(rule, at, policy.organization.timezone)) continue;
    for (const account of accountsBoundBy(policy, rule).filter(live))
      out.push({ key: `account-rule:${rule.id}:${account.id}`, kind: 'account-rule', rule: rule.id, account: account.id, person: account.owner });
  }
  for (const account of policy.accounts.filter(live)) {
    if (!account.review) continue;
    const since = localDaysBetween(account.review, today);
    if (since < 0 || since > 7) continue;
    for (const p of accountPeople(policy, account))
      out.push({ key: `account-review:${account.id}:${account.review}:${p.id}`, kind: 'account-review', account: account.id, review: account.review, person: p.id });
  }
  return out;
}
