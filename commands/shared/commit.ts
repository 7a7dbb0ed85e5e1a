import type { Change, SequenceName } from '../../src/core/records.ts';
import type { AuditEvent, Outcome, Store, Transaction } from '../../src/core/store.ts';
import type { CommandContext, CommandResult, Effect } from './context.ts';
import { outboxItem } from '../delivery/outbox-item.ts';

/** A unit of work in progress: the transaction's view, and the one change the command staged. */
interface Unit {
  tx: Transaction;
  staged?: NonNullable<Outcome<unknown>['commit']>;
}
/** The store a command sees inside a unit of work → that unit. */
const units = new WeakMap<Store, Unit>();

/**
 * Runs an interaction as one unit of work (`store.transact`): everything the command reads comes from
 * one view of the store, and the change it stages commits only if no other writer changed the store
 * since; otherwise the command runs again on the newer state. So "may this person approve EX-4?" and the
 * approval stay one atomic step across replicas. Commands must do nothing but read and decide (they do:
 * effects are returned, delivered later by the outbox). Inside a unit already, it just runs `body`.
 */
export async function asUnitOfWork<R extends CommandResult>(ctx: CommandContext, body: (ctx: CommandContext) => Promise<R>): Promise<R> {
  if (units.has(ctx.store)) return body(ctx);
  const done = await ctx.store.transact(async (tx) => {
    const unit: Unit = { tx };
    const store = unitStore(ctx.store, tx);
    units.set(store, unit);
    const result = await body({ ...ctx, store });
    return unit.staged ? { result, commit: unit.staged } : { result };
  });
  return done.result;
}

/** Whether this context is inside a unit of work (a writing entry point called directly starts its own). */
export const inUnit = (ctx: CommandContext): boolean => units.has(ctx.store);

/** The store as a command sees it inside a unit: reads from the transaction; no second unit inside it. */
function unitStore(base: Store, tx: Transaction): Store {
  const nested = () =>
    Promise.reject(new Error('a command stages its change with commitChanges; it does not commit inside a unit of work'));
  return {
    get seq() {
      return tx.seq;
    },
    get: (collection, id) => tx.get(collection, id),
    list: (collection) => tx.list(collection),
    where: (collection, field, value) => tx.where(collection, field, value),
    listByPerson: (collection, person) => tx.listByPerson(collection, person),
    count: (collection) => tx.count(collection),
    claimed: (key) => tx.claimed(key),
    operations: base.operations,
    transact: nested,
    commit: nested,
    erase: nested,
    readAudit: (fromSeq) => base.readAudit(fromSeq),
    verifyAudit: () => base.verifyAudit(),
    close: nested,
    get failure() {
      return base.failure;
    },
    get chainCheck() {
      return base.chainCheck;
    },
  };
}

/** The next number of an id series (EX-n, AT-n, CN-n), drawn in the command's unit of work and committed with its change. */
export function nextNumber(ctx: CommandContext, sequence: SequenceName): number {
  const unit = units.get(ctx.store);
  if (!unit) throw new Error(`an id of the ${sequence} sequence is drawn only inside a unit of work (asUnitOfWork)`);
  return unit.tx.next(sequence);
}

/**
 * Commit a command's changes with its audit event. The delivery's idempotency key and the effects to
 * deliver (as outbox items) go into the same commit: a retry can never find the change without the
 * key, and a crash can never lose the message that tells the requester. The change is staged in the
 * command's unit of work (every interaction through `handle` is one) and durable once that commits.
 */
export async function commitChanges(
  ctx: CommandContext,
  event: Omit<AuditEvent, 'at' | 'actor'> & { at: Date },
  changes: Change[],
  result: string,
  effects: Effect[] = [],
): Promise<void> {
  const at = event.at.toISOString();
  const outbox: Change[] = effects.map((effect, n) => {
    const id = `${event.action}:${event.subject ?? result}:${n}`;
    return { collection: 'outbox', id, value: outboxItem(id, effect, at) };
  });
  const commit = {
    event: {
      ...event,
      at,
      actor: ctx.person.id,
      detail: { ...event.detail, surface: ctx.surface, ...(ctx.operator ? { operator: ctx.operator } : {}) },
    },
    changes: [...changes, ...outbox],
    ...(ctx.idempotencyKey ? { claim: { key: ctx.idempotencyKey, result } } : {}),
  };
  const unit = units.get(ctx.store);
  // Every writing entry point runs in a unit (asUnitOfWork): a commit outside one would lose its atomicity silently.
  if (!unit) throw new Error(`"${event.action}": a command's change is staged only inside a unit of work (asUnitOfWork)`);
  if (unit.staged) throw new Error(`"${event.action}": a unit of work stages one change; "${unit.staged.event.action}" is staged`);
  unit.staged = commit;
}

/** A delivery handled before (a Slack retry, a repeated invoke): answer nothing, change nothing. */
export function duplicateOf(ctx: CommandContext): CommandResult | undefined {
  const key = ctx.idempotencyKey;
  if (!key || !ctx.store.claimed(key)) return undefined;
  return { ok: true, code: 'duplicate', effects: [], reply: { visibility: 'private', tone: 'info', blocks: [] } };
}
