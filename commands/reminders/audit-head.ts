import { wording } from '../wording/wording.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { Store } from '../../src/core/store.ts';
import { localDate } from '../../src/core/time.ts';
import type { Effect } from '../shared/context.ts';
import { reply } from '../shared/reply.ts';
import { outboxItem } from '../delivery/outbox-item.ts';

/**
 * Once a day (the organisation's day), with `organization.post_audit_head`, a post to the approvals
 * channel naming the audit log's head: entries cut from the end of the log leave a sound, shorter
 * chain, which only a head kept elsewhere (this post, in the chat platform's own history) shows.
 */
export async function queueAuditHead(
  run: { policy: Policy; store: Store },
  at: Date,
): Promise<{ key: string; effect: Effect } | undefined> {
  if (!run.policy.organization.post_audit_head) return undefined;
  const key = `audit-head:${localDate(at, run.policy.organization.timezone)}`;
  if (run.store.get('outbox', key)) return undefined;
  let head: { seq: number; hash: string } | undefined;
  for await (const entry of run.store.readAudit(Math.max(1, run.store.seq))) head = { seq: entry.seq, hash: entry.hash };
  if (!head) return undefined;
  const m = wording(run.policy.organization.locale);
  const effect: Effect = {
    kind: 'post',
    channel: 'approvals',
    subject: key,
    message: reply(
      'info',
      [
        { type: 'heading', text: m.t('audit.headPost', { seq: head.seq, hash: head.hash }) },
        { type: 'note', text: m.t('audit.headHow') },
      ],
      'public',
    ),
  };
  // Committed like any post: a second tick the same day finds it queued (the store refuses a stale unit).
  const done = await run.store.transact((store) =>
    store.get('outbox', key)
      ? { result: undefined }
      : {
          result: { key, effect },
          commit: {
            event: {
              at: at.toISOString(),
              actor: 'system',
              action: 'audit.head_posted',
              subject: key,
              detail: { seq: head.seq, hash: head.hash },
            },
            changes: [{ collection: 'outbox' as const, id: key, value: outboxItem(key, effect, at.toISOString()) }],
          },
        },
  );
  return done.result;
}
