import type { Effect } from '../commands/context.ts';
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
  /** A chat surface that can carry out effects (posts, updates, direct messages) on its platform. */
  addDeliverer(deliverer: Deliverer): void;
  /** Carry out a command's effects on every surface that can; one platform failing does not stop another. */
  deliver(effects: Effect[]): Promise<void>;
}

export interface Deliverer {
  platform: string;
  deliver(effects: Effect[]): Promise<void>;
}

export function createAppWarden(options: { policy: Policy; store: Store; now?: () => Date; log?: (line: string) => void }): AppWarden {
  let policy = options.policy;
  const deliverers: Deliverer[] = [];
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
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
    addDeliverer(deliverer) {
      deliverers.push(deliverer);
    },
    async deliver(effects) {
      if (!effects.length) return;
      const results = await Promise.allSettled(deliverers.map((d) => d.deliver(effects)));
      results.forEach((r, i) => r.status === 'rejected' && log(`${deliverers[i]!.platform}: delivery failed: ${(r.reason as Error)?.stack ?? r.reason}`));
    },
  };
}
