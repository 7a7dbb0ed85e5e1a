import { handle } from '../commands/entry/handle.ts';
import { systemPerson, type CommandContext, type CommandResult } from '../commands/shared/context.ts';
import { wording } from '../commands/wording/wording.ts';
import { DIRECTORY_SOURCES, localeOf, withDirectory } from './core/directory.ts';
import { resolvePerson, resolvePlatformUser, type Person } from './core/org.ts';
import { policyIndex } from './core/policy-index.ts';
import type { Policy } from './core/policy.ts';
import type { Change, OutboxItem } from './core/records.ts';
import type { AuditEvent, Outcome, Store, Transacted, Work } from './core/store.ts';
import { createOutbox, type Deliverer, type Outbox, type OutboxOptions } from './runtime/outbox.ts';
import { effectOf, withEffect } from '../commands/delivery/outbox-item.ts';

export type { Deliverer } from './runtime/outbox.ts';

/** The assembled bot: one policy, one store, one clock. Every surface talks to this. */
export interface AppWarden {
  /** The policy as the engine sees it: the file's, with the people the directory brings. */
  readonly policy: Policy;
  /** The policy file as loaded, without the directory. */
  readonly filePolicy: Policy;
  readonly store: Store;
  readonly now: () => Date;
  /**
   * A command context. On `slack` and `teams` the ref is that platform's user id and is matched only
   * against it; elsewhere (the terminal, tests) it is a person id or any platform id. `localeHint`:
   * the language the platform says the person uses (a BCP 47 tag, Teams' `activity.locale`), used
   * only for someone whose policy entry names no locale, and only if the catalogues have it.
   */
  contextFor(personRef: string, surface: string, localeHint?: string): CommandContext;
  /** The context of what the clock does (scheduler ticks): the system actor, in the organisation's language. */
  systemContext(): CommandContext;
  run(text: string, personRef: string, surface: string): Promise<CommandResult>;
  /** Swap in a new policy; stored state is untouched. */
  reloadPolicy(policy: Policy): void;
  /** A chat surface that can carry out effects (posts, updates, direct messages) on its platform. */
  addDeliverer(deliverer: Deliverer): void;
  readonly deliverers: readonly Deliverer[];
  /** Deliver what is waiting in the outbox on every surface; resolves with what went out. */
  drain(): Promise<string[]>;
  readonly outbox: Outbox;
}

export function createAppWarden(options: {
  policy: Policy;
  store: Store;
  now?: () => Date;
  log?: (line: string) => void;
  outbox?: OutboxOptions;
}): AppWarden {
  let filePolicy = options.policy;
  // The policy the engine sees: the file's, with everyone the directory brings (src/core/directory.ts),
  // worked out again when either changes. A sync always rewrites its sources' records, on any replica.
  let effective: { policy: Policy; key: readonly unknown[] } = { policy: filePolicy, key: [] };
  const policyNow = (): Policy => {
    const key = [filePolicy, ...DIRECTORY_SOURCES.map((source) => options.store.get('directory_sources', source))];
    if (key.some((k, i) => k !== effective.key[i])) effective = { policy: withDirectory(filePolicy, options.store.list('directory')), key };
    return effective.policy;
  };
  const deliverers: Deliverer[] = [];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const outbox = createOutbox(options.store, () => deliverers, now, log, options.outbox);
  const store = noticingOutbox(options.store, policyNow, (ids) => outbox.notice(ids));
  const contextFor = (personRef: string, surface: string, localeHint?: string): CommandContext => {
    const policy = policyNow();
    const resolved =
      surface === 'slack' || surface === 'teams' ? resolvePlatformUser(policy, surface, personRef) : resolvePerson(policy, personRef);
    const person = withLocaleHint(policy, resolved, localeHint);
    return { policy, store, now, person, m: wording(person.locale), surface };
  };
  return {
    get policy() {
      return policyNow();
    },
    get filePolicy() {
      return filePolicy;
    },
    store,
    now,
    contextFor,
    systemContext: () => {
      const policy = policyNow();
      const person = systemPerson(policy);
      return { policy, store, now, person, m: wording(person.locale), surface: 'scheduler' };
    },
    run: (text, personRef, surface) => handle({ kind: 'text', text }, contextFor(personRef, surface)),
    reloadPolicy(next) {
      filePolicy = next;
    },
    addDeliverer(deliverer) {
      deliverers.push(deliverer);
    },
    deliverers,
    outbox,
    drain: () => outbox.drain(),
  };
}

/**
 * The person in the platform's language when nobody said theirs: a locale in their policy (or
 * directory) entry always wins; else a hint the catalogues have (`ja-JP` → `ja`) replaces the
 * organisation's default. An unknown tag changes nothing.
 */
function withLocaleHint(policy: Policy, person: Person, hint: string | undefined): Person {
  const hinted = localeOf(hint);
  if (!hinted || hinted === person.locale) return person;
  const entry = person.listed ? policyIndex(policy).peopleById.get(person.id) : undefined;
  return entry?.locale ? person : { ...person, locale: hinted };
}

/**
 * The store as commands see it: whatever a commit puts in the outbox is noticed for the next drain,
 * and a message to a person carries their platform ids as the policy knows them now.
 */
function noticingOutbox(base: Store, policyNow: () => Policy, notice: (ids: string[]) => void): Store {
  const addressedChanges = (changes: Change[]) =>
    changes.map((c) => (c.collection === 'outbox' && c.value ? { ...c, value: addressed(c.value, policyNow()) } : c));
  const addressing = <T>(outcome: Outcome<T>): Outcome<T> =>
    outcome.commit ? { ...outcome, commit: { ...outcome.commit, changes: addressedChanges(outcome.commit.changes) } } : outcome;
  const noticed = <T>(done: Transacted<T>) => {
    const changes = done.entry?.changes ?? [];
    notice(changes.filter((c) => c.collection === 'outbox' && c.value?.status === 'due').map((c) => c.id));
    return done;
  };
  return {
    get seq() {
      return base.seq;
    },
    get: (collection, id) => base.get(collection, id),
    list: (collection) => base.list(collection),
    where: (collection, field, value) => base.where(collection, field, value),
    listByPerson: (collection, person) => base.listByPerson(collection, person),
    count: (collection) => base.count(collection),
    claimed: (key) => base.claimed(key),
    get operations() {
      return base.operations;
    },
    transact: <T>(work: Work<T>) =>
      base
        .transact<T>((tx) => {
          const outcome = work(tx);
          return outcome instanceof Promise ? outcome.then(addressing) : addressing(outcome);
        })
        .then(noticed),
    commit: (event: AuditEvent, changes: Change[]) =>
      base
        .transact(() => ({ result: undefined, commit: { event, changes: addressedChanges(changes) } }))
        .then((done) => noticed(done).entry!),
    readAudit: (fromSeq) => base.readAudit(fromSeq),
    verifyAudit: () => base.verifyAudit(),
    close: () => base.close(),
    get failure() {
      return base.failure;
    },
    get unavailable() {
      return base.unavailable;
    },
    get chainCheck() {
      return base.chainCheck;
    },
  };
}

/** A message to a person, with where to reach them as known now (kept as given for someone the policy no longer lists). */
function addressed(item: OutboxItem, policy: Policy): OutboxItem {
  const e = effectOf(item);
  if (e.kind !== 'notify') return item;
  const person = resolvePerson(policy, e.person);
  if (!person.listed) return item;
  const address = { ...e.address, ...(person.slack ? { slack: person.slack } : {}), ...(person.teams ? { teams: person.teams } : {}) };
  return withEffect(item, { ...e, address });
}
