import { handle } from '../commands/entry/handle.ts';
import { systemPerson, type CommandContext, type CommandResult } from '../commands/shared/context.ts';
import { wording } from '../commands/wording/wording.ts';
import { DIRECTORY_SOURCES, localeOf, withDirectory } from './core/directory.ts';
import { resolvePerson, resolvePlatformUser, type Person } from './core/org.ts';
import type { Policy } from './core/policy.ts';
import type { Change, OutboxItem } from './core/records.ts';
import type { AuditEvent, Outcome, Store, Transacted, Work } from './core/store.ts';
import { createOutbox, type Deliverer, type Outbox, type OutboxObserver, type OutboxOptions } from './runtime/outbox.ts';
import { effectOf, withEffect } from '../commands/delivery/outbox-item.ts';
import { noteRequester } from './observability/request-context.ts';

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
   * the language the platform says the person uses (`ja-JP`), for someone whose own is not known.
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

/** What the wiring watches (src/observability: metrics and the log); told after the fact, it never changes what is done. */
export interface Observer {
  /** An interaction went through `handle`: its name (a bounded set, see interactionName), where from, how it ended. */
  handled(done: { command: string; surface: string; outcome: 'ok' | 'refused' | 'error'; seconds: number }): void;
  /** A unit of work's change became durable, `seconds` after it was staged. */
  committed(seconds: number): void;
  outbox?: OutboxObserver;
}

export function createAppWarden(options: {
  policy: Policy;
  store: Store;
  now?: () => Date;
  log?: (line: string, error?: unknown) => void;
  outbox?: OutboxOptions;
  observer?: Observer;
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
  const observer = options.observer;
  const base = observer ? timedCommits(options.store, observer.committed) : options.store;
  const outbox = createOutbox(base, () => deliverers, now, log, {
    ...options.outbox,
    ...(observer?.outbox ? { observe: observer.outbox } : {}),
  });
  const store = noticingOutbox(base, policyNow, (ids) => outbox.notice(ids));
  const observing = (surface: string) => (observer ? { observe: observeOn(observer, surface) } : {});
  const contextFor = (personRef: string, surface: string, localeHint?: string): CommandContext => {
    const policy = policyNow();
    const platform = surface === 'slack' || surface === 'teams';
    const found = platform ? resolvePlatformUser(policy, surface, personRef) : resolvePerson(policy, personRef);
    const person = withPlatformLocale(found, policy, localeHint);
    if (platform) noteRequester(person.id, surface);
    return { policy, store, now, person, m: wording(person.locale), surface, ...observing(surface) };
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
      return { policy, store, now, person, m: wording(person.locale), surface: 'scheduler', ...observing('scheduler') };
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
    erase: (erasure, event) => base.erase(erasure, event),
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

/**
 * The store with its commits timed, from the last run of the work (a conflict runs it again) to the
 * entry durable. A proxy rather than a copy of the port: everything else reaches the store itself,
 * getters included (`failure`, `seq`), with the store as `this`.
 */
function timedCommits(base: Store, committed: (seconds: number) => void): Store {
  const transact = <T>(work: Work<T>): Promise<Transacted<T>> => {
    let staged = 0;
    const stage = (outcome: Outcome<T>) => {
      if (outcome.commit) staged = performance.now();
      return outcome;
    };
    return base
      .transact<T>((tx) => {
        const outcome = work(tx);
        return outcome instanceof Promise ? outcome.then(stage) : stage(outcome);
      })
      .then((done) => {
        if (done.entry && staged) committed((performance.now() - staged) / 1000);
        return done;
      });
  };
  const commit = (event: AuditEvent, changes: Change[]) => {
    const staged = performance.now();
    return base.commit(event, changes).then((entry) => {
      committed((performance.now() - staged) / 1000);
      return entry;
    });
  };
  return new Proxy(base, {
    get(target, key) {
      if (key === 'transact') return transact;
      if (key === 'commit') return commit;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Times each interaction through `handle` and tells the observer how it ended; the result passes through untouched. */
function observeOn(observer: Observer, surface: string) {
  return async <T extends CommandResult>(command: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await work();
      observer.handled({ command, surface, outcome: result.ok ? 'ok' : 'refused', seconds: seconds() });
      return result;
    } catch (e) {
      observer.handled({ command, surface, outcome: 'error', seconds: seconds() });
      throw e;
    }
  };
}

/**
 * A person whose language neither the policy nor the directory gives speaks what their platform says
 * they do, when we have that language; everyone else keeps their own.
 */
function withPlatformLocale(person: Person, policy: Policy, hint: string | undefined): Person {
  const hinted = localeOf(hint);
  if (!hinted || hinted === person.locale) return person;
  const entry = policy.people.find((p) => p.id === person.id);
  return entry?.locale ? person : { ...person, locale: hinted };
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
