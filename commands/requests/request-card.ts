import { policyWords } from '../wording/policy-words.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import { appById } from '../../src/core/catalog.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import { wording, type Wording } from '../wording/wording.ts';
import { approversFor, stagesOf } from '../../src/core/exceptions.ts';
import { resolvePerson, type Person } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import type { Address, Effect } from '../shared/context.ts';
import { reply, type Block, type Reply } from '../shared/reply.ts';

/** Who a person is, in words: their name from the policy, else their id. */
export const displayName = (policy: Policy, person: string) => resolvePerson(policy, person).name;

/** A unit's name for people; its id if the policy names it not. */
export const unitName = (policy: Policy, unit: string) => policyIndex(policy).unitsById.get(unit)?.name ?? unit;

/** The listed people who may decide a request (for routing, and for Teams' live-card refresh). */
export function approversOf(policy: Policy, request: ExceptionRequest): Person[] {
  return approversFor(
    policy,
    request,
    policy.people.map((p) => resolvePerson(policy, p.id)),
  );
}

/**
 * Where to reach the people who may still decide a request, as a message about it records them (a
 * surface that shows the message per viewer gives them the buttons); none once it is decided.
 */
export function decidersOf(policy: Policy, request: ExceptionRequest): Address[] {
  if (request.status !== 'requested') return [];
  return approversOf(policy, request).flatMap((p) =>
    p.slack || p.teams ? [{ ...(p.slack ? { slack: p.slack } : {}), ...(p.teams ? { teams: p.teams } : {}), name: p.name }] : [],
  );
}

/** Who decided, in words: `Sam Lee for Akiko Sato` when a deputy decided for an approver away; else undefined. */
export function deciderName(policy: Policy, request: ExceptionRequest, m: ReturnType<typeof wording>): string | undefined {
  if (!request.decidedBy || !request.decidedFor) return undefined;
  return m.t('request.byFor', { by: displayName(policy, request.decidedBy), principal: displayName(policy, request.decidedFor) });
}

/** Approvers sent their own copy of a new request: enough to reach a unit's approvers, bounded for a policy that names hundreds. */
export const MAX_APPROVER_COPIES = 50;

/** The subject an approver's own copy of a request is remembered under. */
export const copySubject = (request: string, approver: string) => `${request}:copy:${approver}`;

/**
 * What tells the approvers of a new request: each who may decide and is reachable gets their own copy,
 * with its buttons, in their language (at most MAX_APPROVER_COPIES; the channel post names them all).
 */
export function approverCopies(request: ExceptionRequest, policy: Policy): { effects: Effect[]; notified: string[] } {
  const reachable = approversOf(policy, request).filter((p) => p.slack || p.teams);
  const chosen = reachable.slice(0, MAX_APPROVER_COPIES);
  return {
    notified: chosen.map((p) => p.id),
    effects: chosen.map((p) => ({
      kind: 'notify',
      person: p.id,
      address: { ...(p.slack ? { slack: p.slack } : {}), ...(p.teams ? { teams: p.teams } : {}) },
      subject: copySubject(request.id, p.id),
      message: requestCard(request, policy, p.locale),
    })),
  };
}

/** A request's card as it stands now, everywhere it was sent: the approvals post and each approver's copy. */
export function cardUpdates(request: ExceptionRequest, policy: Policy): Effect[] {
  return [
    { kind: 'update', subject: request.id, message: requestCard(request, policy), deciders: decidersOf(policy, request) },
    ...(request.notified ?? []).map(
      (approver): Effect => ({
        kind: 'update',
        subject: copySubject(request.id, approver),
        message: requestCard(request, policy, resolvePerson(policy, approver).locale),
        deciders: decidersOf(policy, request),
        onlyWhereSent: true,
        for: approver,
      }),
    ),
  ];
}

/** Where a staged request stands, in words: `Stage 2 of 2: 1 of 2 approvals given.` */
export function stageWhere(r: ExceptionRequest, policy: Policy, m: ReturnType<typeof wording>): string {
  const stages = stagesOf(policy, r) ?? [];
  const index = r.stage ?? 0;
  const given = (r.approvals ?? []).filter((a) => a.stage === index).length;
  return m.t('request.stageAt', { stage: index + 1, stages: stages.length, given, needed: stages[index]?.minApprovals ?? 1 });
}

/**
 * When, in the organisation's time zone, the zone named in the reader's language as it stood at that
 * instant (`time.local`): `2026-11-22 14:05 (Central European Standard Time)`, 「2026-11-22 14:05（中央ヨーロッパ標準時）」.
 */
export function localTime(iso: string, timezone: string, m: Wording): string {
  const at = new Date(iso);
  return m.t('time.local', { time: timeFormatter(timezone).format(at).replace(',', ''), zone: m.zone(timezone, at) });
}

/** Made once per zone: a report says the time of every device it lists, and making a formatter costs 20 times formatting. */
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

function timeFormatter(timezone: string): Intl.DateTimeFormat {
  let formatter = timeFormatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' });
    if (timeFormatters.size >= 1_000) timeFormatters.clear();
    timeFormatters.set(timezone, formatter);
  }
  return formatter;
}

/**
 * The approvals-channel message for a request, in the organisation's language. While it waits it
 * carries Approve and Deny; once decided the buttons are gone and who decided, when and why is shown.
 */
export function requestCard(request: ExceptionRequest, policy: Policy, locale = policy.organization.locale): Reply {
  const m = wording(locale);
  const tz = policy.organization.timezone;
  const app = appById(policy, request.app)?.name ?? request.app;
  const requester = displayName(policy, request.person);
  const fields = [
    { label: m.t('labels.requester'), value: requester },
    { label: m.t('labels.app'), value: app },
    { label: m.t('labels.device'), value: m.device(request.device) },
    { label: m.t('labels.purpose'), value: policyWords(policy, m).purpose(request.purpose) },
    { label: m.t('labels.days'), value: String(request.days) },
    { label: m.t('labels.rule'), value: m.list(request.rules) },
  ];
  const blocks: Block[] = [
    { type: 'heading', text: m.t('request.posted', { id: request.id, requester, app }) },
    { type: 'fields', fields, separator: m.t('labels.separator') },
    { type: 'text', text: m.t('request.reasonGiven', { reason: request.reason }) },
  ];
  if (request.extends && request.from)
    blocks.push({ type: 'note', text: m.t('request.extends', { old: request.extends, until: lastValidDate(request.from, tz) }) });
  if (request.status === 'requested') {
    if (stagesOf(policy, request)) blocks.push({ type: 'note', text: stageWhere(request, policy, m) });
    blocks.push({
      type: 'actions',
      buttons: [
        { actionId: 'request.approve', label: m.t('labels.approve'), value: request.id, style: 'primary' },
        { actionId: 'request.deny', label: m.t('labels.deny'), value: request.id, style: 'danger' },
      ],
    });
    return reply('info', blocks, 'public');
  }
  // Who acted last: the decider, or whoever withdrew or revoked it (expiry is the system's).
  const ended = request.status === 'withdrawn' || request.status === 'revoked' || request.status === 'expired';
  const actor = ended ? request.endedBy : request.decidedBy;
  const by = (!ended && deciderName(policy, request, m)) || (actor && actor !== 'system' ? displayName(policy, actor) : '');
  const at = ended ? request.endedAt : request.decidedAt;
  blocks.push({
    type: 'note',
    text: by
      ? m.t('request.decidedLineBy', { status: m.statusWord(request.status), by, at: at ? localTime(at, tz, m) : '' })
      : m.t('request.decidedLine', { status: m.statusWord(request.status), at: at ? localTime(at, tz, m) : '' }),
  });
  if (request.expiresAt && request.status === 'approved')
    blocks.push({ type: 'note', text: m.t('request.expiresNote', { until: lastValidDate(request.expiresAt, tz) }) });
  if (request.askedDays) blocks.push({ type: 'note', text: m.t('request.shortened', { days: request.days, asked: request.askedDays }) });
  if (request.approverCondition) blocks.push({ type: 'note', text: m.t('explain.conditions', { text: request.approverCondition }) });
  if (request.decisionReason) blocks.push({ type: 'note', text: m.t('request.reasonGiven', { reason: request.decisionReason }) });
  return reply(request.status === 'approved' ? 'ok' : 'stop', blocks, 'public');
}
