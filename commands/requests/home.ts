import { isSettled, isSubject, rulesWithDeadlines } from '../../src/core/compliance.ts';
import { principalsFor } from '../../src/core/delegation.ts';
import { mayDecide } from '../../src/core/exceptions.ts';
import { effectiveStatus } from '../../src/core/request-status.ts';
import type { CommandContext } from '../shared/context.ts';
import { reply, type Block, type Reply } from '../shared/reply.ts';
import { pendingLine } from './pending.ts';
import { ownRequests, requestLine } from './status.ts';

/** A home holds this many of each list; `status` and `pending` have them all. */
const SHOWN = 10;

/**
 * A person's own page (Slack's Home tab), in their language: their requests and exceptions with status
 * and end, the deadlines they still owe an attestation for (with its buttons), and for whoever decides
 * requests, those waiting for them (with Approve and Deny). Read-only: clicks come back through handle.
 */
export function homeView(ctx: CommandContext): Reply {
  const m = ctx.m;
  const now = ctx.now();
  const blocks: Block[] = [{ type: 'heading', text: m.t('home.title', { org: ctx.policy.organization.name }) }];

  const own = ownRequests(ctx, now);
  blocks.push({ type: 'heading', text: m.t('home.yourRequests') });
  if (!own.length) blocks.push({ type: 'text', text: m.t('home.noRequests') });
  else
    blocks.push({
      type: 'list',
      items: own.slice(0, SHOWN).map((r) => requestLine(r, ctx)),
      ...(own.length > SHOWN
        ? { more: { count: own.length - SHOWN, hint: m.t('lists.more', { how: m.t('home.seeAll', { command: 'status' }) }) } }
        : {}),
    });

  const records = { attestations: ctx.store.listByPerson('attestations', ctx.person.id), requests: own };
  const owed = rulesWithDeadlines(ctx.policy, now).filter(
    (rule) => isSubject(rule, ctx.person, ctx.policy) && !isSettled(rule, ctx.person, records, now),
  );
  blocks.push({ type: 'heading', text: m.t('home.deadlines') });
  if (!owed.length) blocks.push({ type: 'text', text: m.t('home.noDeadlines') });
  for (const rule of owed.slice(0, SHOWN)) {
    blocks.push({ type: 'text', text: m.t('home.deadlineLine', { title: rule.title, date: rule.deadline! }) });
    blocks.push({
      type: 'actions',
      buttons: [
        { actionId: 'attest.removed', label: m.t('labels.removed'), value: rule.id, style: 'primary' },
        ...(rule.remove_work_apps_instead
          ? [{ actionId: 'attest.removed-work-apps' as const, label: m.t('reminders.removedWorkApps'), value: rule.id }]
          : []),
      ],
    });
  }

  const delegations = ctx.store.where('delegations', 'to', ctx.person.id);
  const waiting = ctx.store
    .where('requests', 'status', 'requested')
    .filter((r) => effectiveStatus(r, now) === 'requested')
    .filter((r) => mayDecide(ctx.policy, ctx.person, r) || principalsFor(ctx.policy, delegations, ctx.person, r, now).length > 0)
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  if (waiting.length) {
    blocks.push({ type: 'heading', text: m.t('home.waiting', { n: waiting.length }) });
    for (const r of waiting.slice(0, SHOWN)) {
      blocks.push({ type: 'text', text: pendingLine(r, ctx) });
      blocks.push({
        type: 'actions',
        buttons: [
          { actionId: 'request.approve', label: m.t('labels.approve'), value: r.id, style: 'primary' },
          { actionId: 'request.deny', label: m.t('labels.deny'), value: r.id, style: 'danger' },
        ],
      });
    }
    if (waiting.length > SHOWN) blocks.push({ type: 'note', text: m.t('home.moreWaiting', { n: waiting.length - SHOWN }) });
  }
  return reply('info', blocks, 'private');
}
