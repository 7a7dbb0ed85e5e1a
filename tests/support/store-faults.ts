import type { Outcome, Store, Work } from '../../src/core/store.ts';

/**
 * Makes every unit of work that would change something fail (or wait) at its commit, as a failing or
 * slow disk would; units that only read run as before.
 */
export function atCommit(store: Store, fault: () => Promise<void>): void {
  const transact = store.transact.bind(store);
  store.transact = <T>(work: Work<T>) =>
    transact<T>(async (tx): Promise<Outcome<T>> => {
      const outcome = await work(tx);
      if (outcome.commit) await fault();
      return outcome;
    });
}
