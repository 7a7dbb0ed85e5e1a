import { appById } from '../../src/core/catalog.ts';
import { applySnapshots, listedPeople, listedPersonOf, type DirectoryRecord, type SourceSnapshot } from '../../src/core/directory.ts';
import { approversFor, endForLeaver } from '../../src/core/exceptions.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { put, type Change, type ExceptionRequest } from '../../src/core/records.ts';
import { wording } from '../wording/wording.ts';
import { commitChanges } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { reply } from '../shared/reply.ts';
import { cardUpdates, displayName } from '../requests/request-card.ts';

/** What a sync did, as `appwarden directory sync --json` prints it. */
export interface DirectorySyncDone {
  added: number;
  changed: number;
  left: number;
  returned: number;
  total: number;
  /** Leavers' requests closed: pending ones withdrawn, exceptions revoked. */
  closed: string[];
  sources: { source: string; complete: boolean; people: number }[];
}

/** The ids a leaver's records may name them by: their directory id and each source's platform id. */
function idsOf(record: DirectoryRecord): string[] {
  const { slack, entra, csv } = record.sources;
  return [record.id, slack?.key, entra?.key, csv?.slack, csv?.teams].filter((x): x is string => !!x);
}

/**
 * One directory sync as one unit of work: what the sources said, applied to the stored directory; the
 * leavers' requests closed and their approvers told; each source's cursor kept for next time. The sources
 * were read before (by the wiring): a source that failed means no sync at all, so nothing here is partial.
 */
export async function syncDirectory(snapshots: readonly SourceSnapshot[], at: Date, ctx: CommandContext): Promise<CommandResult> {
  const previous = ctx.store.list('directory');
  // The policy as it was before the sync: leavers' approvers are worked out on it. `listed` holds only
  // the people the policy file lists (ctx.policy also holds the directory's, under their own ids).
  const before = ctx.policy;
  const fromDirectory = new Set(previous.map((r) => r.id));
  const listed = { ...before, people: before.people.filter((p) => !fromDirectory.has(p.id)) };
  const sync = applySnapshots(previous, snapshots, at.toISOString());
  const changes: Change[] = sync.records.map((r) => put('directory', r));
  for (const snap of snapshots)
    changes.push(
      put('directory_sources', {
        id: snap.source,
        ...(snap.cursor ? { cursor: snap.cursor } : {}),
        syncedAt: at.toISOString(),
        people: sync.perSource[snap.source] ?? 0,
      }),
    );
  const closed: ExceptionRequest[] = [];
  const effects: Effect[] = [];
  const listedIndex = listedPeople(listed);
  const changed = new Map(sync.records.map((r) => [r.id, r]));
  for (const id of sync.left) {
    const record = changed.get(id)!;
    if (listedPersonOf(listed, record, listedIndex)) continue; // the policy lists them: what it says wins, until it is edited
    for (const personId of idsOf(record))
      for (const request of ctx.store.where('requests', 'person', personId)) {
        const ended = endForLeaver(request, at);
        if (!ended) continue;
        closed.push(ended);
        changes.push(put('requests', ended));
        effects.push(...leaverEffects(ended, before, ctx));
      }
  }
  const done: DirectorySyncDone = {
    added: sync.added.length,
    changed: sync.changed.length,
    left: sync.left.length,
    returned: sync.returned.length,
    total: sync.total,
    closed: closed.map((r) => r.id),
    sources: snapshots.map((s) => ({ source: s.source, complete: s.complete, people: s.people.length })),
  };
  const { closed: _ids, sources, ...counts } = done;
  await commitChanges(
    ctx,
    {
      at,
      action: 'directory.synced',
      subject: 'directory',
      detail: { ...counts, closed: closed.length, sources: sources.map((s) => `${s.source}${s.complete ? '' : ' (delta)'}`).join(', ') },
    },
    changes,
    `directory:${at.toISOString()}`,
    effects,
  );
  const m = ctx.m;
  const blocks = [{ type: 'heading' as const, text: m.t('directory.synced', counts) }];
  if (closed.length)
    blocks.push({
      type: 'heading',
      text: m.t('directory.closedForLeavers', { n: closed.length, ids: closed.map((r) => r.id) }),
    });
  return { ok: true, reply: reply('ok', blocks), effects, data: done };
}

/** The approvals card loses its buttons, and whoever could decide the request hears why it closed. */
function leaverEffects(r: ExceptionRequest, policy: CommandContext['policy'], ctx: CommandContext): Effect[] {
  const app = appById(policy, r.app)?.name ?? r.app;
  const requester = displayName(policy, r.person);
  const people = policy.people.map((p) => resolvePerson(policy, p.id));
  const told: Effect[] = approversFor(policy, r, people).map((approver) => {
    const m = wording(approver.locale);
    const text =
      r.status === 'withdrawn'
        ? m.t('directory.requestClosedLeaver', { id: r.id, requester, app })
        : m.t('directory.exceptionEndedLeaver', { id: r.id, requester, app });
    return { kind: 'notify', person: approver.id, message: reply('info', [{ type: 'heading', text }]) };
  });
  return [...cardUpdates(r, ctx.policy), ...told];
}
