import { wording } from '../wording/wording.ts';
import type { Policy } from '../../src/core/policy.ts';
import type { Outcome, Store, StoreView } from '../../src/core/store.ts';
import { localDate } from '../../src/core/time.ts';
import type { Effect } from '../shared/context.ts';
import { reply } from '../shared/reply.ts';
import { describeEffect, effectOf, outboxItem } from '../delivery/outbox-item.ts';

/** Failures named in the digest before "and N more"; `appwarden outbox` lists them all. */
const DIGEST_LINES = 20;

/**
 * Once a day (the organisation's day), a post to the approvals channel about deliveries that failed
 * for good since the last digest, so a message nobody received does not go unnoticed. Idempotent: the
 * day's outbox key makes a second tick find it queued.
 */
export async function queueFailureDigest(
  run: { policy: Policy; store: Store },
  at: Date,
): Promise<{ key: string; effect: Effect } | undefined> {
  return (await run.store.transact((store) => digestDue(run.policy, store, at))).result;
}

function digestDue(policy: Policy, store: StoreView, at: Date): Outcome<{ key: string; effect: Effect } | undefined> {
  const key = `outbox-failures:${localDate(at, policy.organization.timezone)}`;
  if (store.get('outbox', key)) return { result: undefined };
  const previous =
    store
      .list('outbox')
      .filter((i) => i.id.startsWith('outbox-failures:'))
      .map((i) => i.createdAt)
      .sort()
      .at(-1) ?? '';
  const failed = store
    .where('outbox', 'status', 'failed')
    .filter((i) => !i.id.startsWith('outbox-failures:'))
    .flatMap((i) => (i.failures ?? []).filter((f) => f.at > previous).map((f) => ({ item: i, failure: f })))
    .sort((a, b) => a.failure.at.localeCompare(b.failure.at));
  if (!failed.length) return { result: undefined };
  const m = wording(policy.organization.locale);
  const lines = failed
    .slice(0, DIGEST_LINES)
    .map(({ item, failure }) =>
      m.t('outbox.failedLine', { what: describeEffect(effectOf(item)), platform: failure.platform, reason: failure.reason }),
    );
  const message = reply(
    'warn',
    [
      { type: 'heading', text: m.t('outbox.digestTitle', { n: failed.length }) },
      { type: 'list', items: lines },
      ...(failed.length > DIGEST_LINES ? [{ type: 'text' as const, text: m.t('outbox.more', { n: failed.length - DIGEST_LINES }) }] : []),
      { type: 'note', text: m.t('outbox.howToList') },
    ],
    'public',
  );
  const effect: Effect = { kind: 'post', channel: 'approvals', subject: key, message };
  return {
    result: { key, effect },
    commit: {
      event: { at: at.toISOString(), actor: 'system', action: 'outbox.digest', subject: key, detail: { failed: failed.length } },
      changes: [{ collection: 'outbox', id: key, value: outboxItem(key, effect, at.toISOString()) }],
    },
  };
}
