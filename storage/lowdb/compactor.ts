import type { Snapshot } from './snapshot.ts';

export interface SnapshotPlan {
  snapshot: Snapshot;
  /** Settles once the entries the snapshot includes are durable (or failed: then `isDurable` says no). */
  durable: Promise<void>;
  isDurable(): boolean;
}

/**
 * Takes a snapshot every `every` appended entries, in the background and one at a time, so that
 * opening replays at most about `every` entries. The audit log itself is never shortened.
 */
export class Compactor {
  #sinceLast = 0;
  #running: Promise<void> | undefined;

  constructor(
    private readonly every: number,
    /** Captures the state as of the last appended entry, synchronously. */
    private readonly plan: () => SnapshotPlan,
    private readonly write: (snapshot: Snapshot) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  /** Called after each append; may start a snapshot, never waits for one. */
  noteAppended(): void {
    this.#sinceLast++;
    if (this.#sinceLast < this.every || this.#running) return;
    this.#sinceLast = 0;
    this.#running = this.#compact(this.plan()).finally(() => {
      this.#running = undefined;
    });
  }

  /** Settles when no snapshot is being written. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #compact(plan: SnapshotPlan): Promise<void> {
    // The state is captured now but written only once the log holds every entry it includes: a
    // snapshot must never be ahead of the log.
    await plan.durable;
    if (!plan.isDurable()) return;
    try {
      await this.write(plan.snapshot);
    } catch (error) {
      // Harmless for data (the log has it all): the next snapshot will try again; opening replays more.
      this.log(`state.json: snapshot at seq ${plan.snapshot.seq} failed (${(error as Error).message}); will retry`);
    }
  }
}
