import { runCommand, type CommandContext, type CommandResult } from '../commands/index.ts';
import { messages } from './core/i18n/index.ts';
import { resolvePerson } from './core/org.ts';
import type { Policy } from './core/policy.ts';
import type { Store } from './core/store.ts';

/** The assembled bot: one policy, one store, one clock. Every surface talks to this. */
export interface AppWarden {
  readonly policy: Policy;
  readonly store: Store;
  readonly now: () => Date;
  /** A command context for a person given by id or platform id. */
  contextFor(personRef: string, surface: string): CommandContext;
  run(text: string, personRef: string, surface: string): Promise<CommandResult>;
  /** Swap in a new policy; stored state is untouched. */
  reloadPolicy(policy: Policy): void;
}

export function createAppWarden(options: { policy: Policy; store: Store; now?: () => Date }): AppWarden {
  let policy = options.policy;
  const now = options.now ?? (() => new Date());
  const contextFor = (personRef: string, surface: string): CommandContext => {
    const person = resolvePerson(policy, personRef);
    return { policy, store: options.store, now, person, m: messages(person.locale), surface };
  };
  return {
    get policy() {
      return policy;
    },
    store: options.store,
    now,
    contextFor,
    run: (text, personRef, surface) => runCommand(text, contextFor(personRef, surface)),
    reloadPolicy(next) {
      policy = next;
    },
  };
}
