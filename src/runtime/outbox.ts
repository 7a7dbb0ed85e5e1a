import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Effect } from '../../commands/shared/context.ts';
import type { DeliveryProgress, OutboxItem } from '../core/records.ts';
import type { Store } from '../core/store.ts';
import { describeEffect, effectOf } from '../../commands/delivery/outbox-item.ts';

/**
 * How a delivery that did not succeed ended:
 * - `unknown`: the message may have landed (a timeout, a reset, a 5xx after the platform took it):
 *   the platform is asked before any resend, never blindly re-posted;
 * - `transient`: it did not land and may later (429, 5xx before sending, a refused connection):
 *   tried again with growing back-off, up to a bound;
 * - `permanent`: the platform will never take it (a DM to a bot, an archived channel, a chat the bot
 *   cannot reach): recorded once as failed, with the platform's reason.
 */
export type DeliveryOutcome = 'unknown' | 'transient' | 'permanent';

/** What a deliverer throws when a platform did not take an effect. */
export class DeliveryError extends Error {
  constructor(
    readonly outcome: DeliveryOutcome,
    readonly reason: string,
    /** The platform's own `Retry-After`, when it gave one. */
    readonly retryAfterMs?: number,
    /** What the platform's client threw: its stack is logged at debug. */
    cause?: unknown,
  ) {
    super(reason, cause === undefined ? undefined : { cause });
  }
}

/** A chat platform's side of delivery. */
export interface Deliverer {
  platform: string;
  /** Deliver one effect, marked with `key`; throws a DeliveryError (anything else counts as transient). */
  deliver(effect: Effect, key: string): Promise<void>;
  /**
   * Did the effect marked `key`, whose delivery began at `since`, arrive? Asked after an `unknown`
   * outcome or a crash mid-delivery. A platform without it (Teams has no read-back) is sent again.
   */
  wasDelivered?(effect: Effect, key: string, since: Date): Promise<boolean>;
  /** People the platform says must comply (e.g. the Slack announcements channel's members), as platform ids. */
  audience?(): Promise<string[]>;
}

export interface OutboxOptions {
  /** A platform call that has not answered by then is given up on, as `unknown` (default 30 s). */
  callTimeoutMs?: number;
  /** Transient failures are retried until the item is this old, then recorded as failed (default a day). */
  giveUpAfterMs?: number;
  /** The first back-off; each retry doubles it, up to `maxBackoffMs` (defaults 30 s and 1 h). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Who delivers, among the processes sharing the store (default `host:pid:random`): recorded in the progress it takes. */
  owner?: string;
  /**
   * How long taking an item holds it (default 2 min); once it has ended another process may take the
   * item over, as after a crash. Longer than `callTimeoutMs`: the owner renews it before any call that
   * could outlast it, so it ends only when the owner has stopped working (died, or stalled that long).
   */
  leaseMs?: number;
  /** Told of each platform's attempt and of each item finished (for metrics); never changes what is done. */
  observe?: OutboxObserver;
}

export interface OutboxObserver {
  attempted(platform: string, outcome: 'delivered' | 'retry' | 'failed'): void;
  /** The item as recorded when it finished: `sent` (with `sentAt`) or `failed`. */
  finished(item: OutboxItem): void;
}

const CONCURRENCY = 16;
/** Retry state kept per item in memory (retries do not write the audit log); bounded. */
const MAX_RETRY_STATES = 50_000;

/** What an effect is about: items about the same thing are delivered in order (a post before its update). */
const topicOf = (effect: Effect) =>
  effect.kind === 'notify'
    ? `person:${effect.person}`
    : effect.subject
      ? `subject:${effect.subject}`
      : `channel:${effect.kind === 'post' ? effect.channel : ''}`;

interface Retry {
  attempts: number;
  /** Epoch ms before which this platform is not tried again. */
  notBefore: number;
  /** An earlier attempt may have landed: ask the platform before sending again. */
  mayHaveLanded: boolean;
  lastReason: string;
}

/** One line per item still waiting or failed, for `appwarden outbox` and `/healthz`. */
export interface OutboxEntry {
  id: string;
  status: OutboxItem['status'];
  createdAt: string;
  what: string;
  deliveredTo: string[];
  failures: { platform: string; reason: string; at: string }[];
  /** The process delivering it, while one is. */
  owner?: string;
  /** The last reason a platform gave for a retry, when this process tried. */
  retrying?: { platform: string; attempts: number; reason: string; next: string }[];
}

/** Thrown before a platform call when the item is no longer this process's to deliver: no platform's fault. */
class NotHeld extends Error {}

/**
 * Delivers outbox items on every platform, each exactly once where the platform lets us check, and
 * says so when it cannot: a delivery's progress (operational state, `deliveries`) is recorded before a
 * platform is first called, so an item found in progress after a crash is checked with the platform,
 * not resent. Of several processes draining one store, the one that takes an item (`take`) holds it
 * for a lease it renews while it works; the others leave it, and take it over (as after a crash) only
 * once that lease has ended. Retries stay in memory. The audit log holds the item from the change
 * that queued it and one entry when it is delivered everywhere or has failed somewhere for good: the
 * evidence that staff were told (or were not), without the attempts in between.
 */
export function createOutbox(
  store: Store,
  deliverers: () => readonly Deliverer[],
  now: () => Date,
  log: (line: string, error?: unknown) => void,
  options: OutboxOptions = {},
) {
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 24 * 3600_000;
  const backoffMs = options.backoffMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 3600_000;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 120_000;
  if (!(leaseMs > callTimeoutMs))
    throw new RangeError(`the outbox's lease (${leaseMs} ms) must outlast a platform call (${callTimeoutMs} ms)`);
  const leaseEnd = (at: Date) => new Date(at.getTime() + leaseMs).toISOString();
  const pending = new Set(OPEN_STATUSES.flatMap((status) => store.where('outbox', 'status', status).map((i) => i.id)));
  const inFlight = new Set<string>();
  const retries = new Map<string, Map<string, Retry>>();

  const retryOf = (id: string, platform: string, resumed: boolean): Retry => {
    let byPlatform = retries.get(id);
    if (!byPlatform) {
      if (retries.size >= MAX_RETRY_STATES) retries.delete(retries.keys().next().value!);
      retries.set(id, (byPlatform = new Map()));
    }
    let r = byPlatform.get(platform);
    // Found `sending` with no memory of it: this process crashed or restarted mid-delivery.
    if (!r) byPlatform.set(platform, (r = { attempts: 0, notBefore: 0, mayHaveLanded: resumed, lastReason: '' }));
    return r;
  };

  /** One platform's try, asking first whether an earlier one landed; `hold` runs before each call (see NotHeld). */
  async function attempt(d: Deliverer, effect: Effect, id: string, since: Date, retry: Retry, hold: () => Promise<void>): Promise<void> {
    if (retry.mayHaveLanded && d.wasDelivered) {
      await hold();
      if (await withTimeout(d.wasDelivered(effect, id, since), callTimeoutMs, `${d.platform} did not answer whether ${id} arrived`)) return;
    } else if (retry.mayHaveLanded) {
      log(`${d.platform}: ${id} may have arrived already and ${d.platform} offers no way to check; sending it again`);
    }
    await hold();
    await withTimeout(d.deliver(effect, id), callTimeoutMs, `${d.platform} did not answer in ${callTimeoutMs} ms`);
  }

  /**
   * Takes the item for this process, with its progress so far (`found`) or as a start; undefined when
   * another process holds it. Taking over from another owner forgets what this process remembered of it.
   */
  async function take(item: OutboxItem, found: DeliveryProgress | undefined): Promise<DeliveryProgress | undefined> {
    const at = now();
    const start = { id: item.id, sendingAt: at.toISOString(), deliveredTo: [...item.deliveredTo] };
    const taken: DeliveryProgress = { ...(found ?? start), owner, leaseUntil: leaseEnd(at) };
    if (!(await store.operations.take('deliveries', taken, keepProgressUntil(at), at))) return undefined;
    if (found && found.owner !== owner) retries.delete(item.id);
    return taken;
  }

  /**
   * Writes `next` with a lease from now, unless another process has taken the item over (this one's
   * lease ended meanwhile); undefined then. A read, then a put: the put could overwrite a take-over only
   * if this process stalled past its lease between the two, as the renewals leave a call's timeout spare.
   */
  async function renew(next: DeliveryProgress): Promise<DeliveryProgress | undefined> {
    if ((await store.operations.get('deliveries', next.id))?.owner !== owner) return undefined;
    const at = now();
    const renewed = { ...next, leaseUntil: leaseEnd(at) };
    await store.operations.put('deliveries', renewed, keepProgressUntil(at));
    return renewed;
  }

  /** Tries each platform that is due; resolves true when the item is finished (sent or failed). */
  async function deliverItem(id: string): Promise<boolean> {
    const item = store.get('outbox', id);
    if (!item || !isOpen(item)) return true;
    const effect = effectOf(item);
    const found = await progressOf(store, item);
    const holding = found?.owner === owner && Date.parse(found.leaseUntil) > now().getTime();
    const taken = holding ? found : await take(item, found);
    if (!taken) return false; // another process is delivering it: left to that one while its lease lasts
    let progress = taken;
    // Found begun with no memory of it: this process crashed or restarted mid-delivery, or took it over.
    const resumed = found !== undefined && !retries.has(id);
    const since = new Date(progress.sendingAt);
    const done = new Set(progress.deliveredTo);
    const failures = [...(progress.failures ?? [])];
    const soFar = (): DeliveryProgress => ({ ...progress, deliveredTo: [...done], ...(failures.length ? { failures } : {}) });
    /** Before a platform call: the lease must outlast it, so a lease about to end is renewed first. */
    const hold = async () => {
      if (Date.parse(progress.leaseUntil) - now().getTime() > callTimeoutMs) return;
      const renewed = await renew(soFar()).catch((e: Error) => (log(`outbox: ${id}: could not renew its lease: ${e.message}`), undefined));
      if (!renewed) throw new NotHeld();
      progress = renewed;
    };
    const settled = (platform: string) => done.has(platform) || failures.some((f) => f.platform === platform);
    let changed = false;
    for (const d of deliverers()) {
      if (settled(d.platform)) continue;
      const retry = retryOf(id, d.platform, resumed);
      if (retry.notBefore > now().getTime()) continue;
      try {
        await attempt(d, effect, id, since, retry, hold);
        done.add(d.platform);
        changed = true;
        options.observe?.attempted(d.platform, 'delivered');
      } catch (e) {
        if (e instanceof NotHeld) return false; // taken over by another process: it resumes from the progress written
        const f = classify(e);
        const at = now();
        if (f.outcome === 'permanent' || at.getTime() - since.getTime() >= giveUpAfterMs) {
          const reason =
            f.outcome === 'permanent'
              ? f.reason
              : `gave up after ${retry.attempts + 1} tries over ${Math.round((at.getTime() - since.getTime()) / 3600_000)} h: ${f.reason}`;
          failures.push({ platform: d.platform, reason, at: at.toISOString() });
          log(`${d.platform}: ${id} failed for good: ${reason}`, e);
          options.observe?.attempted(d.platform, 'failed');
          changed = true;
        } else {
          retry.attempts++;
          retry.mayHaveLanded ||= f.outcome === 'unknown';
          retry.lastReason = f.reason;
          const wait = Math.max(f.retryAfterMs ?? 0, Math.min(maxBackoffMs, backoffMs * 2 ** (retry.attempts - 1)));
          retry.notBefore = at.getTime() + wait;
          log(
            `${d.platform}: could not deliver ${id} (${f.outcome}; try ${retry.attempts}, next in ${Math.round(wait / 1000)} s): ${f.reason}`,
            e,
          );
          options.observe?.attempted(d.platform, 'retry');
        }
      }
    }
    const finished = deliverers().every((d) => settled(d.platform));
    if (!changed && !finished) return false;
    if (!finished) {
      // Progress between the start and the end is operational: the next try, a restart or a take-over resumes from it.
      await renew(soFar());
      return false;
    }
    // Finishing is the holder's: a process that lost the item meanwhile leaves it to the one that took it over.
    if ((await store.operations.get('deliveries', id))?.owner !== owner) return false;
    const at = now();
    const status: OutboxItem['status'] = failures.length ? 'failed' : 'sent';
    const action = status === 'sent' ? 'outbox.sent' : 'outbox.failed';
    const event = {
      at: at.toISOString(),
      actor: 'system',
      action,
      subject: id,
      detail: { to: [...done], ...(failures.length ? { failed: failures.map((f) => `${f.platform}: ${f.reason}`) } : {}) },
    };
    const finish = (current: OutboxItem): OutboxItem => ({
      ...current,
      status,
      sendingAt: progress.sendingAt,
      deliveredTo: [...done],
      ...(failures.length ? { failures } : {}),
      ...(status === 'sent' ? { sentAt: at.toISOString() } : {}),
    });
    const { result: recorded } = await store.transact((tx) => {
      const current = tx.get('outbox', id);
      // Finished by another process meanwhile (one that took it over): there is nothing left to record.
      if (!current || !isOpen(current)) return { result: undefined };
      const value = finish(current);
      return { result: value, commit: { event, changes: [{ collection: 'outbox' as const, id, value }] } };
    });
    const committed = recorded !== undefined;
    if (recorded) options.observe?.finished(recorded);
    // Kept, held until it expires, rather than deleted: a process whose view has not caught up with this
    // entry yet still sees the item open, and must find it taken, not free to deliver again.
    const until = new Date(at.getTime() + FINISHED_HELD_MS);
    if (committed) await store.operations.put('deliveries', { ...soFar(), leaseUntil: until.toISOString() }, until);
    retries.delete(id);
    return true;
  }

  const entry = async (item: OutboxItem): Promise<OutboxEntry> => {
    const r = retries.get(item.id);
    const effect = effectOf(item);
    const progress = isOpen(item) ? await progressOf(store, item) : undefined;
    return {
      id: item.id,
      status: progress ? 'sending' : item.status,
      createdAt: item.createdAt,
      what: describeEffect(effect),
      deliveredTo: progress?.deliveredTo ?? item.deliveredTo,
      failures: progress?.failures ?? item.failures ?? [],
      ...(progress?.owner ? { owner: progress.owner } : {}),
      ...(r?.size
        ? {
            retrying: [...r]
              .filter(([, x]) => x.attempts)
              .map(([platform, x]) => ({
                platform,
                attempts: x.attempts,
                reason: x.lastReason,
                next: new Date(x.notBefore).toISOString(),
              })),
          }
        : {}),
    };
  };

  return {
    /** Note items committed elsewhere (another process, a scan). */
    notice(ids: Iterable<string>) {
      for (const id of ids) {
        const item = store.get('outbox', id);
        if (item && isOpen(item)) pending.add(id);
      }
    },
    /** Pick up items another process (the CLI) committed: a scan, cheap once a minute. */
    rescan() {
      for (const status of OPEN_STATUSES) for (const i of store.where('outbox', 'status', status)) pending.add(i.id);
    },
    get pendingCount() {
      return pending.size;
    },
    /** How many items wait and how many failed, from the record alone (no progress read): for `/healthz`. */
    counts(): { waiting: number; failed: number } {
      const count = (status: OutboxItem['status']) => store.where('outbox', 'status', status).length;
      return { waiting: count('due') + count('sending'), failed: count('failed') };
    },
    /** Items waiting and failed, oldest first, with reasons: for operators. */
    async report(): Promise<{ waiting: OutboxEntry[]; failed: OutboxEntry[] }> {
      const items = [...OPEN_STATUSES, 'failed' as const]
        .flatMap((status) => store.where('outbox', 'status', status))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const [waiting, failed] = await Promise.all([
        Promise.all(items.filter(isOpen).map(entry)),
        Promise.all(items.filter((i) => i.status === 'failed').map(entry)),
      ]);
      return { waiting, failed };
    },
    /**
     * Deliver everything due; resolves with the ids finished. Items in flight (a slow call) are left to
     * their drain, so a stuck platform never holds another drain, a tick or a stop for longer than
     * one call's timeout.
     */
    async drain(): Promise<string[]> {
      if (!deliverers().length || !pending.size) return [];
      const topics = new Map<string, string[]>();
      for (const id of pending) {
        if (inFlight.has(id)) continue;
        const item = store.get('outbox', id);
        if (!item) {
          pending.delete(id);
          continue;
        }
        inFlight.add(id);
        const topic = topicOf(effectOf(item));
        topics.set(topic, [...(topics.get(topic) ?? []), id]);
      }
      const finished: string[] = [];
      const queue = [...topics.values()];
      const worker = async () => {
        for (let ids = queue.shift(); ids; ids = queue.shift())
          for (const id of ids) {
            try {
              if (await deliverItem(id)) {
                pending.delete(id);
                finished.push(id);
              }
            } catch (e) {
              log(`outbox: ${id}: ${(e as Error).message}`); // the store failed; /healthz says so
            } finally {
              inFlight.delete(id);
            }
          }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return finished;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;

const OPEN_STATUSES = ['due', 'sending'] as const;

/** Progress is kept a little longer than the outbox tries before giving up, then expires by itself. */
const keepProgressUntil = (at: Date) => new Date(at.getTime() + 7 * 86_400_000);
/** A finished item's progress stays held this long: far longer than any process's view lags behind the store. */
const FINISHED_HELD_MS = 86_400_000;
/** The lease of progress recorded before there were leases: long ended. */
const NO_LEASE = { owner: '', leaseUntil: new Date(0).toISOString() };

/**
 * How an item's delivery is going, if it has begun: operational state, or, for an item a version
 * before it was kept apart left `sending`, what that item recorded.
 */
async function progressOf(store: Store, item: OutboxItem): Promise<DeliveryProgress | undefined> {
  const kept = await store.operations.get('deliveries', item.id);
  if (kept) return kept.owner && kept.leaseUntil ? kept : { ...kept, ...NO_LEASE };
  if (item.status !== 'sending') return undefined;
  return {
    id: item.id,
    sendingAt: item.sendingAt ?? item.createdAt,
    deliveredTo: item.deliveredTo,
    ...(item.failures ? { failures: item.failures } : {}),
    ...NO_LEASE,
  };
}
const isOpen = (i: OutboxItem) => i.status === 'due' || i.status === 'sending';

function classify(e: unknown): { outcome: DeliveryOutcome; reason: string; retryAfterMs?: number } {
  if (e instanceof DeliveryError)
    return { outcome: e.outcome, reason: e.reason, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  return { outcome: 'transient', reason: (e as Error)?.message ?? String(e) };
}

/** Resolves as `work` does, or rejects as `unknown` after `ms`: the call may still land, so it is checked before any resend. */
function withTimeout<T>(work: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError('unknown', reason)), ms);
    timer.unref();
  });
  work.catch(() => undefined); // a call given up on may still fail later: nobody is waiting for it
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
