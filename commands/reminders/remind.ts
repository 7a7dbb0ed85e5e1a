import { policyWords } from '../wording/policy-words.ts';
import { appById } from '../../src/core/catalog.ts';
import { complianceOf, isSettled as isSettledWith, subjectsOf } from '../../src/core/compliance.ts';
import { approversOf, expireException, expireUnanswered } from '../../src/core/exceptions.ts';
import { waitingTerms } from '../../src/core/waiting.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import { wording, type Wording } from '../wording/wording.ts';
import { statusOf } from '../../src/core/accounts.ts';
import { answerId } from '../../src/core/census.ts';
import { resolvePerson, type Person } from '../../src/core/org.ts';
import type { OfficialAccount, Policy, Rule } from '../../src/core/policy.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import { put, type Change } from '../../src/core/records.ts';
import { dueReminders, type Reminder } from '../../src/core/reminders.ts';
import type { Outcome, Store, StoreView } from '../../src/core/store.ts';
import type { Effect } from '../shared/context.ts';
import { outboxItem } from '../delivery/outbox-item.ts';
import { reply, type Block, type Reply } from '../shared/reply.ts';
import { inventoryView, sourcesLine, stillHasLine, verifiedLine, type InventoryView } from '../compliance/inventory-evidence.ts';
import { cardUpdates, copySubject, displayName, localTime, requestCard, unitName } from '../requests/request-card.ts';

/** Names shown in a digest before "and N more"; the CSV report has everyone. */
const DIGEST_NAMES = 40;

export interface ReminderRun {
  policy: Policy;
  store: Store;
}

/** What a reminders tick queued: each reminder due, and the effect it was queued as (in the same order). */
export interface QueuedReminders {
  reminders: Reminder[];
  effects: Effect[];
}

/**
 * One tick: work out what is due at `at`, and commit it — outbox items, and exceptions that have
 * ended — in one durable step. Delivery is the outbox's drain. A second tick finds it all recorded.
 * `audience` is who the platforms say must comply (Slack announcements channel members).
 */
export async function queueReminders(run: ReminderRun, at: Date, audience: readonly string[] = []): Promise<QueuedReminders> {
  // One unit of work: what is already recorded and what this tick records cannot interleave with another tick's.
  const done = await run.store.transact((store) => dueNow(run.policy, store, at, audience));
  return done.result;
}

function dueNow(policy: Policy, store: StoreView, at: Date, audience: readonly string[]): Outcome<QueuedReminders> {
  const listed = policy.people.map((p) => resolvePerson(policy, p.id));
  const members = audience.map((id) => resolvePerson(policy, id));
  const everyone = [...new Map([...listed, ...members].map((p) => [p.id, p])).values()];
  const approved = store.where('requests', 'status', 'approved');
  const subjects = (rule: Rule) => subjectsOf(rule, everyone, policy);
  const isSettled = (rule: Rule, p: Person) =>
    isSettledWith(rule, p, { attestations: store.listByPerson('attestations', p.id), requests: store.listByPerson('requests', p.id) }, at);
  const approvers = (rule: Rule) => approversOf(policy, rule, listed);
  // A unit has answered once it has a current answer (earlier versions are kept under ids of their own).
  const censuses = store.list('censuses').map((census) => {
    const answered = new Set(store.where('census_answers', 'census', census.id).map((a) => a.id));
    return { census, silent: census.units.filter((u) => !answered.has(answerId(census.id, u))) };
  });
  const accountStatus = (a: OfficialAccount) => statusOf(a, store.get('accounts', a.id));
  const facts = {
    subjects,
    isSettled,
    approvers,
    approved,
    censuses,
    accountStatus,
    pending: store.where('requests', 'status', 'requested'),
    people: listed,
    isRecorded: (key: string) => store.get('outbox', key) !== undefined,
  };
  const due = dueReminders(policy, facts, at);
  if (!due.length) return { result: { reminders: due, effects: [] } };

  const createdAt = at.toISOString();
  // One view of the devices for the whole tick: a deadline's reminders can reach thousands of people.
  const inventory = inventoryView(policy, store);
  const effects = due.map((r) => effectOf(r, policy, store, everyone, at, inventory));
  const changes: Change[] = due.map((r, i) => ({ collection: 'outbox', id: r.key, value: outboxItem(r.key, effects[i]!, createdAt) }));
  for (const id of new Set(due.flatMap((r) => (r.kind === 'expired' ? [r.request] : [])))) {
    const ended = expireException(store.get('requests', id)!, at);
    if (ended) changes.push(put('requests', ended));
  }
  changes.push(...waitingChanges(due, policy, store, at, createdAt));
  const counts = Object.fromEntries([...new Set(due.map((r) => r.kind))].map((k) => [k, due.filter((r) => r.kind === k).length]));
  const event = { at: createdAt, actor: 'system', action: 'reminders.due', detail: counts };
  return { result: { reminders: due, effects }, commit: { event, changes } };
}

/**
 * What waiting requests' notices change besides their own outbox items: an escalated request names
 * who it went to (they may decide it now, and their copy is updated with the decision), and one
 * nobody decided in time expires, its cards updated everywhere they were sent.
 */
function waitingChanges(due: readonly Reminder[], policy: Policy, store: StoreView, at: Date, createdAt: string): Change[] {
  const changes: Change[] = [];
  const escalated = new Map<string, string[]>();
  for (const r of due) if (r.kind === 'escalated') escalated.set(r.request, [...(escalated.get(r.request) ?? []), r.person]);
  for (const [id, people] of escalated) {
    const request = store.get('requests', id)!;
    const union = (list: readonly string[] | undefined) => [...new Set([...(list ?? []), ...people])];
    changes.push(put('requests', { ...request, escalatedTo: union(request.escalatedTo), notified: union(request.notified) }));
  }
  for (const r of due) {
    if (r.kind !== 'unanswered') continue;
    const ended = expireUnanswered(store.get('requests', r.request)!, at);
    if (!ended) continue;
    changes.push(put('requests', ended));
    cardUpdates(ended, policy).forEach((effect, n) => {
      const id = `${r.key}:card:${n}`;
      changes.push({ collection: 'outbox', id, value: outboxItem(id, effect, createdAt) });
    });
  }
  return changes;
}

/** A waiting request's notice: to an approver (with the request and its buttons), or to the requester. */
function waitingEffect(
  r: Extract<Reminder, { kind: 'approval-waiting' | 'escalated' | 'unanswered' }>,
  policy: Policy,
  store: StoreView,
): Effect {
  const request = store.get('requests', r.request)!;
  const person = resolvePerson(policy, r.person);
  const m = wording(person.locale);
  const app = appById(policy, request.app)?.name ?? request.app;
  const requester = displayName(policy, request.person);
  const since = localTime(request.requestedAt, policy.organization.timezone, m);
  if (r.kind === 'unanswered') {
    const days = waitingTerms(policy, request).expireAfterDays ?? 0;
    const again = `request ${/\s/.test(app) ? `"${app}"` : app} --purpose ${request.purpose}`;
    return {
      kind: 'notify',
      person: r.person,
      ...(request.contact ? { address: request.contact } : {}),
      message: reply('stop', [
        { type: 'heading', text: m.t('reminders.unanswered', { id: request.id, app, days }) },
        { type: 'note', text: m.t('reminders.askAgain', { command: again }) },
      ]),
    };
  }
  const card = requestCard(request, policy, person.locale);
  const text =
    r.kind === 'escalated'
      ? m.t('reminders.escalated', { id: request.id, requester, app, since })
      : m.t('reminders.approvalWaiting', { id: request.id, requester, app, since });
  return {
    kind: 'notify',
    person: r.person,
    // An escalation is their own copy of the request: the decision updates it.
    ...(r.kind === 'escalated' ? { subject: copySubject(request.id, r.person) } : {}),
    message: reply('warn', [{ type: 'heading', text }, ...card.blocks]),
  };
}

function effectOf(
  r: Reminder,
  policy: Policy,
  store: StoreView,
  everyone: readonly Person[],
  at: Date,
  inventory: InventoryView | undefined,
): Effect {
  if (r.kind === 'approval-waiting' || r.kind === 'escalated' || r.kind === 'unanswered') return waitingEffect(r, policy, store);
  const idx = policyIndex(policy);
  const org = wording(policy.organization.locale);
  const tz = policy.organization.timezone;
  if (r.kind === 'census') {
    const census = store.get('censuses', r.census)!;
    const m = wording(resolvePerson(policy, r.person).locale);
    const unit = unitName(policy, r.unit);
    const text = m.t(r.daysLeft < 0 ? 'census.reminderOverdue' : 'census.reminder', {
      id: census.id,
      app: appById(policy, census.app)?.name ?? census.app,
      unit,
      daysLeft: r.daysLeft,
      due: census.due,
    });
    return {
      kind: 'notify',
      person: r.person,
      message: censusInvitation(census.id, r.unit, unit, m, text, r.daysLeft < 0 ? 'stop' : 'warn'),
    };
  }
  if (r.kind === 'account-rule' || r.kind === 'account-review') {
    const account = policy.accounts.find((a) => a.id === r.account)!;
    const m = wording(resolvePerson(policy, r.person).locale);
    const app = appById(policy, account.app)?.name ?? account.app;
    const text =
      r.kind === 'account-rule'
        ? m.t('accounts.ruleCovers', { title: idx.rulesById.get(r.rule)!.title, handle: account.handle, app })
        : m.t('accounts.review', { handle: account.handle, app, date: r.review });
    const source =
      r.kind === 'account-rule' ? [{ type: 'note' as const, text: m.t('policy.source', { text: idx.rulesById.get(r.rule)!.source }) }] : [];
    return {
      kind: 'notify',
      person: r.person,
      message: reply(r.kind === 'account-rule' ? 'warn' : 'info', [{ type: 'heading', text }, ...source]),
    };
  }
  if (r.kind === 'expiring' || r.kind === 'expired') {
    const request = store.get('requests', r.request)!;
    const m = wording(resolvePerson(policy, r.person).locale);
    const app = appById(policy, request.app)?.name ?? request.app;
    const text =
      r.kind === 'expired'
        ? m.t('reminders.expired', { id: request.id, app })
        : m.t('reminders.expiring', { id: request.id, app, daysLeft: r.daysLeft, lastDay: lastValidDate(request.expiresAt!, tz) });
    return { kind: 'notify', person: r.person, message: reply(r.kind === 'expired' ? 'stop' : 'warn', [{ type: 'heading', text }]) };
  }
  const rule = idx.rulesById.get(r.rule)!;
  if (r.kind === 'review') {
    const m = wording(resolvePerson(policy, r.person).locale);
    return {
      kind: 'notify',
      person: r.person,
      message: reply('info', [
        { type: 'heading', text: m.t('reminders.review', { title: policyWords(policy, m).text(rule.title), date: r.review }) },
        { type: 'note', text: m.t('policy.source', { text: policyWords(policy, m).text(rule.source) }) },
      ]),
    };
  }
  if (r.kind === 'digest') {
    // The report's meaning (src/core/compliance.ts): attested counts as attested, an exception holder is
    // settled but shown apart, and "not yet" names only those still open.
    const subjects = complianceOf(
      rule,
      everyone,
      policy,
      // Only the rule's attestations and exceptions in force can settle anyone: indexed reads, not the whole store.
      { attestations: store.where('attestations', 'rule', rule.id), requests: store.where('requests', 'status', 'approved') },
      at,
    );
    const names = subjects.filter((s) => s.state === 'open').map((s) => s.person.name);
    const excepted = subjects.filter((s) => s.state === 'excepted').map((s) => s.person.name);
    // With an inventory the digest leads with what the devices show, and its age.
    const verified: Block[] = inventory
      ? [
          {
            type: 'text',
            text: verifiedLine(
              subjects.map((s) => ({
                evidence: inventory.evidence(rule, s.person, s.attestation, at),
                attested: s.attestation ? 'yes' : 'no',
              })),
              inventory,
              org,
            ),
          },
          { type: 'note', text: sourcesLine(inventory, org, tz, at) },
        ]
      : [];
    const blocks: Block[] = [
      { type: 'heading', text: org.t('reminders.digestTitle', { rule: rule.id, date: r.deadline }) },
      ...verified,
      {
        type: 'text',
        text: org.t('report.counts', { attested: subjects.filter((s) => s.state === 'attested').length, total: subjects.length }),
      },
      {
        type: 'text',
        text: org.t('reminders.notYet', { names: names.slice(0, DIGEST_NAMES), more: Math.max(0, names.length - DIGEST_NAMES) }),
      },
      ...(excepted.length ? [{ type: 'text' as const, text: org.t('report.excepted', { names: excepted }) }] : []),
      ...(rule.consequence
        ? [{ type: 'text' as const, text: org.t('explain.consequence', { text: policyWords(policy, org).text(rule.consequence) }) }]
        : []),
      { type: 'note', text: org.t('reminders.fullList', { rule: rule.id }) },
    ];
    return { kind: 'post', channel: 'approvals', subject: r.key, message: reply('stop', blocks, 'public') };
  }
  const m = r.kind === 'direct' ? wording(resolvePerson(policy, r.person).locale) : org;
  const headline =
    r.kind === 'announce'
      ? m.t(r.daysLeft < 0 ? 'reminders.overdue' : 'reminders.announce', {
          title: policyWords(policy, m).text(rule.title),
          daysLeft: r.daysLeft,
          date: r.deadline,
          tz: m.zone(tz, r.deadline),
        })
      : r.daysLeft < 0
        ? m.t('reminders.directOverdue', { title: policyWords(policy, m).text(rule.title), date: r.deadline })
        : m.t('reminders.direct', { title: policyWords(policy, m).text(rule.title), date: r.deadline });
  const message = attestable(rule, policy, m, headline, r.kind === 'announce' ? 'public' : 'private', r.daysLeft < 0 ? 'stop' : 'warn');
  if (r.kind === 'direct') {
    // Overdue, and a device of theirs still has it: the reminder says which, so they know where to look.
    const person = resolvePerson(policy, r.person);
    const still = inventory?.evidence(rule, person, undefined, at).devices.filter((d) => d.status === 'installed') ?? [];
    if (still.length) message.blocks.splice(1, 0, ...still.map((d) => ({ type: 'text' as const, text: stillHasLine(d, m, tz) })));
  }
  return r.kind === 'announce'
    ? { kind: 'post', channel: 'announcements', subject: r.key, message }
    : { kind: 'notify', person: r.person, message };
}

/** A reminder with its source, consequence and the buttons that record an attestation. */
function attestable(rule: Rule, policy: Policy, m: Wording, headline: string, visibility: Reply['visibility'], tone: Reply['tone']): Reply {
  const apps = [...(rule.apps ?? []).map((a) => appById(policy, a)?.name ?? a), ...(rule.categories ?? [])];
  const typed = apps.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' / ');
  return reply(
    tone,
    [
      { type: 'heading', text: headline },
      { type: 'note', text: m.t('policy.source', { text: policyWords(policy, m).text(rule.source) }) },
      ...(rule.consequence
        ? [{ type: 'text' as const, text: m.t('explain.consequence', { text: policyWords(policy, m).text(rule.consequence) }) }]
        : []),
      { type: 'note', text: m.t('reminders.howToAttest', { apps: typed }) },
      {
        type: 'actions',
        buttons: [
          { actionId: 'attest.removed', label: m.t('labels.removed'), value: rule.id, style: 'primary' },
          ...(rule.remove_work_apps_instead
            ? [{ actionId: 'attest.removed-work-apps', label: m.t('reminders.removedWorkApps'), value: rule.id }]
            : []),
        ],
      },
    ],
    visibility,
  );
}

/** A census question or reminder for one unit's reporter, with the button that opens the form. */
export function censusInvitation(
  census: string,
  unit: string,
  unitName: string,
  m: Wording,
  text: string,
  tone: Reply['tone'] = 'info',
): Reply {
  return reply(tone, [
    { type: 'heading', text },
    { type: 'note', text: m.t('census.howToAnswer', { id: census, unit }) },
    {
      type: 'actions',
      buttons: [
        {
          actionId: 'census.open',
          label: m.t('census.answerFor', { unit: unitName }),
          value: JSON.stringify({ census, unit }),
          style: 'primary',
        },
      ],
    },
  ]);
}

/** For the terminal: what a tick queued, one line each. */
export function describeReminder(r: Reminder, policy: Policy): string {
  const who = 'person' in r ? ` → ${displayName(policy, r.person)}` : r.kind === 'digest' ? ' → approvals' : ' → announcements';
  return `${r.kind}${'daysLeft' in r ? ` (${r.daysLeft} days left)` : ''}: ${r.key}${who}`;
}
