import { ERASED_TEXT, freeTextRetention, freeTextsOf } from '../core/personal-data.ts';
import type { Policy } from '../core/policy.ts';
import type { Store } from '../core/store.ts';
import { erasePerson } from './erase-person.ts';

const DAY_MS = 86_400_000;

export interface RetentionDone {
  /** Free-text values erased from entries older than `free_text_days`. */
  freeText: number;
  /** Leavers erased, by pseudonym, with how many of their values. */
  leavers: { pseudonym: string; values: number }[];
  /** What could not be done, one line each (the next run tries again). */
  problems: string[];
}

/**
 * The policy's `retention:` applied at `now`: everyone who left more than `leavers_days` ago is erased
 * (as `appwarden erase` does, one audited entry each), then free text older than `free_text_days` is
 * dropped (one `retention.applied` entry, none when nothing was old enough). Answers undefined without
 * a `retention:` section.
 */
export async function applyRetention(store: Store, policy: Policy, now: Date): Promise<RetentionDone | undefined> {
  const retention = policy.retention;
  if (!retention) return undefined;
  const done: RetentionDone = { freeText: 0, leavers: [], problems: [] };
  if (retention.leavers_days !== undefined) {
    const cutoff = new Date(now.getTime() - retention.leavers_days * DAY_MS).toISOString();
    const due = store.list('directory').filter((r) => r.leftAt !== undefined && r.leftAt <= cutoff && !r.id.startsWith('erased-'));
    for (const record of due) {
      const reason = `retention: left ${record.leftAt}, more than ${retention.leavers_days} days ago`;
      const outcome = await erasePerson(store, policy, { ref: record.id, reason, operator: 'retention', at: now });
      if (outcome.ok) done.leavers.push({ pseudonym: outcome.pseudonym, values: outcome.done.values });
      else done.problems.push(outcome.problem);
    }
  }
  if (retention.free_text_days !== undefined) {
    const before = new Date(now.getTime() - retention.free_text_days * DAY_MS).toISOString();
    // Looked for first, without holding commits: most days there is nothing new to drop.
    if (!(await anyFreeTextBefore(store, before))) return done;
    const erased = await store.erase(freeTextRetention(before), {
      at: now.toISOString(),
      actor: 'system',
      action: 'retention.applied',
      subject: 'free text',
      detail: { before, days: retention.free_text_days },
    });
    done.freeText = erased.values;
  }
  return done;
}

/**
 * Entries are read oldest first, but replicas' clocks differ a little: an entry may be dated before
 * the one written ahead of it. The look stops this long past `before`, not at the first newer entry.
 */
const CLOCK_SLACK_MS = DAY_MS;

/** Whether an entry older than `before` still holds free text. */
async function anyFreeTextBefore(store: Store, before: string): Promise<boolean> {
  const stop = new Date(Date.parse(before) + CLOCK_SLACK_MS).toISOString();
  for await (const entry of store.readAudit()) {
    if (entry.at >= stop) return false;
    if (entry.at >= before) continue;
    const texts = new Set<string>();
    freeTextsOf({ detail: entry.detail, changes: entry.changes }, texts);
    if ([...texts].some((text) => text !== ERASED_TEXT)) return true;
  }
  return false;
}

/** One line for operators. */
export const describeRetention = (done: RetentionDone): string =>
  `retention: ${done.leavers.length} leaver(s) erased${done.leavers.length ? ` (${done.leavers.map((l) => l.pseudonym).join(', ')})` : ''}, ` +
  `${done.freeText} free-text value(s) dropped${done.problems.length ? `; not done: ${done.problems.join('; ')}` : ''}`;
