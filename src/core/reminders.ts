import { isExpired, isInForce } from './decide.ts';
import { accountPeople, accountsBoundBy } from './accounts.ts';
import { reportersFor } from './census.ts';
import type { Person } from './org.ts';
import type { AccountStatus, OfficialAccount, Policy, Rule } from './policy.ts';
import type { Census, ExceptionRequest } from './records.ts';
import { addLocalDays, localDate, localDaysBetween, type LocalDate } from './time.ts';
import { waitingNotices, type WaitingNotice } from './waiting.ts';

/**
 * Something the scheduler wants said. `key` names it for good: a reminder whose key was already
 * recorded is never due again, so a tick is idempotent and a missed one is caught up once. A stage of
 * a series (a countdown, then daily while overdue) is also never due once a later stage of the same
 * series is recorded, so a tick at an earlier instant (the clock set back) never runs it backwards.
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
  | { key: string; kind: 'account-review'; account: string; review: string; person: string }
  /** A request waiting for a decision: its approvers reminded, escalated, or it expired (src/core/waiting.ts). */
  | WaitingNotice;

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
  /** Requests waiting for a decision, and everyone who might decide them (for reminders and escalation). */
  pending?: readonly ExceptionRequest[];
  people?: readonly Person[];
}

/**
 * Every reminder due at `at` that has not been recorded yet: the latest of each series, never a backlog,
 * and never a stage the series has already gone past.
 */
export function dueReminders(policy: Policy, facts: ReminderFacts, at: Date): Reminder[] {
  const tz = policy.organization.timezone;
  const today = localDate(at, tz);
  const due: Reminder[] = [];
  for (const rule of policy.rules) {
    if (rule.effect !== 'prohibit' || !isInForce(rule, at, tz)) continue;
    if (rule.deadline) due.push(...deadlineReminders(rule, rule.deadline, today, facts));
    if (rule.review) due.push(...reviewReminders(rule, rule.review, today, facts));
  }
  due.push(...expiryReminders(facts, today, at, tz));
  for (const { census, silent } of facts.censuses ?? []) due.push(...censusReminders(policy, census, silent, today, facts));
  due.push(...accountReminders(policy, facts, today, at));
  due.push(...waitingNotices(policy, facts.pending ?? [], facts.people ?? [], facts.isRecorded, at));
  return due.filter((r) => !facts.isRecorded(r.key));
}

/** The latest stage of `stages` (days before the deadline) that has been reached, if any. */
function latestStage(stages: readonly number[], daysLeft: number): number | undefined {
  const reached = stages.filter((s) => s >= daysLeft);
  return reached.length ? Math.min(...reached) : undefined;
}

/**
 * The tags of the stages that come after `stage` in a series: the countdown stages below it (days
 * before `end`), then one overdue stage a day, `overdue:<date>`, for up to `overdueDays` days after
 * `end`. A negative `stage` is itself an overdue one, that many days late.
 */
function tagsAfter(stage: number, countdown: readonly number[], end: LocalDate, overdueDays: number): string[] {
  const tags = countdown.filter((s) => s < stage).map(String);
  for (let late = Math.max(1, 1 - stage); late <= overdueDays; late++) tags.push(`overdue:${addLocalDays(end, late)}`);
  return tags;
}

/**
 * Owed: neither this stage nor any later one of its series recorded. The usual tick finds the stage
 * recorded or new; only a tick at an instant before an earlier tick's (the clock set back, or
 * `remind --at` run out of order) finds a later stage there, and then this one stays unsaid.
 */
const isOwed = (facts: ReminderFacts, key: string, later: () => readonly string[]) =>
  !facts.isRecorded(key) && !later().some((k) => facts.isRecorded(k));

/** Memoised: the later stages' tags are worked out once per series, and only if some stage is new. */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  let made = false;
  return () => (made ? value! : ((made = true), (value = make())));
};

function deadlineReminders(rule: Rule, deadline: string, today: string, facts: ReminderFacts): Reminder[] {
  const daysLeft = localDaysBetween(today, deadline);
  const { days_before, direct_from, overdue_days } = rule.reminders;
  const base = { rule: rule.id, deadline };
  const out: Reminder[] = [];
  const unsettled = () => facts.subjects(rule).filter((p) => !facts.isSettled(rule, p));
  const key = (series: 'announce' | 'direct' | 'digest', tag: string | number, person?: string) =>
    `${series}:${rule.id}:${deadline}:${tag}${person ? `:${person}` : ''}`;
  // Announcements and digests: the countdown, then a notice a day while overdue. Direct messages: the
  // countdown from `direct_from`, then one overdue message.
  const directStages = [...days_before.filter((s) => s <= direct_from), direct_from];

  if (daysLeft >= 0) {
    const stage = latestStage(days_before, daysLeft);
    // A stage that fell before the rule took effect was never owed.
    if (stage !== undefined && addLocalDays(deadline, -stage) >= rule.effective) {
      const k = key('announce', stage);
      if (isOwed(facts, k, () => tagsAfter(stage, days_before, deadline, overdue_days).map((t) => key('announce', t))))
        out.push({ key: k, kind: 'announce', ...base, daysLeft: stage });
    }
    const direct = latestStage(directStages, daysLeft);
    if (direct !== undefined && daysLeft <= direct_from) {
      const later = once(() => [...tagsAfter(direct, directStages, deadline, 0), 'overdue']);
      for (const p of unsettled()) {
        const k = key('direct', direct, p.id);
        if (isOwed(facts, k, () => later().map((t) => key('direct', t, p.id))))
          out.push({ key: k, kind: 'direct', ...base, daysLeft: direct, person: p.id });
      }
    }
    return out;
  }
  if (-daysLeft > overdue_days) return out;
  const late = unsettled();
  if (!late.length) return out;
  const laterDays = once(() => tagsAfter(daysLeft, [], deadline, overdue_days));
  const tag = `overdue:${today}`;
  if (isOwed(facts, key('announce', tag), () => laterDays().map((t) => key('announce', t))))
    out.push({ key: key('announce', tag), kind: 'announce', ...base, daysLeft });
  if (isOwed(facts, key('digest', today), () => laterDays().map((t) => key('digest', t.slice('overdue:'.length)))))
    out.push({ key: key('digest', today), kind: 'digest', ...base, daysLeft });
  // One direct message the day after the deadline; the channel carries the daily notices after that.
  if (daysLeft === -1)
    for (const p of late) out.push({ key: key('direct', 'overdue', p.id), kind: 'direct', ...base, daysLeft, person: p.id });
  return out;
}

/** When a measure comes up for review, its approvers are told once (up to a week late, if the bot was down). */
function reviewReminders(rule: Rule, review: string, today: string, facts: ReminderFacts): Reminder[] {
  const since = localDaysBetween(review, today);
  if (since < 0 || since > 7) return [];
  return facts
    .approvers(rule)
    .map((p) => ({ key: `review:${rule.id}:${review}:${p.id}`, kind: 'review', rule: rule.id, review, person: p.id }));
}

/** Requester and approver hear 7 days and 1 day before an exception ends, and when it has. */
function expiryReminders(facts: ReminderFacts, today: string, at: Date, tz: string): Reminder[] {
  const out: Reminder[] = [];
  for (const r of facts.approved) {
    if (r.status !== 'approved' || !r.expiresAt) continue;
    const people = [...new Set([r.person, ...(r.decidedBy ? [r.decidedBy] : [])])];
    if (isExpired(r, at)) {
      for (const person of people) out.push({ key: `expired:${r.id}:${person}`, kind: 'expired', request: r.id, person });
      continue;
    }
    const daysLeft = localDaysBetween(today, localDate(new Date(r.expiresAt), tz));
    const stage = latestStage(r.days > 7 ? [7, 1] : [1], daysLeft);
    if (stage === undefined) continue;
    for (const person of people) {
      const key = `expiring:${r.id}:${stage}:${person}`;
      // Told it ends tomorrow (or has ended), never again that it ends in 7 days.
      const later = () => [...(stage > 1 ? [`expiring:${r.id}:1:${person}`] : []), `expired:${r.id}:${person}`];
      if (isOwed(facts, key, later)) out.push({ key, kind: 'expiring', request: r.id, daysLeft: stage, person });
    }
  }
  return out;
}

/** Census stages: 3 and 1 days before, on the day, then daily while the unit is silent (up to 30 days). */
function censusReminders(policy: Policy, census: Census, silent: readonly string[], today: string, facts: ReminderFacts): Reminder[] {
  const countdown = [3, 1, 0];
  const daysLeft = localDaysBetween(today, census.due);
  const stage = daysLeft >= 0 ? latestStage(countdown, daysLeft) : -daysLeft <= 30 ? daysLeft : undefined;
  if (stage === undefined) return [];
  const tag = stage >= 0 ? String(stage) : `overdue:${today}`;
  const key = (t: string, unit: string, person: string) => `census:${census.id}:${t}:${unit}:${person}`;
  const later = once(() => tagsAfter(stage, countdown, census.due, 30));
  return silent.flatMap((unit) =>
    reportersFor(policy, unit)
      .filter((p) => isOwed(facts, key(tag, unit, p.id), () => later().map((t) => key(t, unit, p.id))))
      .map((p) => ({
        key: key(tag, unit, p.id),
        kind: 'census' as const,
        census: census.id,
        unit,
        due: census.due,
        daysLeft: stage,
        person: p.id,
      })),
  );
}

/** Owners hear once when a prohibition covers their account; owner and approvers hear when its review date comes. */
function accountReminders(policy: Policy, facts: ReminderFacts, today: string, at: Date): Reminder[] {
  const out: Reminder[] = [];
  const live = (a: OfficialAccount) => (facts.accountStatus?.(a) ?? a.status) !== 'closed';
  for (const rule of policy.rules) {
    if (rule.effect !== 'prohibit' || rule.data || !isInForce(rule, at, policy.organization.timezone)) continue;
    for (const account of accountsBoundBy(policy, rule).filter(live))
      out.push({
        key: `account-rule:${rule.id}:${account.id}`,
        kind: 'account-rule',
        rule: rule.id,
        account: account.id,
        person: account.owner,
      });
  }
  for (const account of policy.accounts.filter(live)) {
    if (!account.review) continue;
    const since = localDaysBetween(account.review, today);
    if (since < 0 || since > 7) continue;
    for (const p of accountPeople(policy, account))
      out.push({
        key: `account-review:${account.id}:${account.review}:${p.id}`,
        kind: 'account-review',
        account: account.id,
        review: account.review,
        person: p.id,
      });
  }
  return out;
}
