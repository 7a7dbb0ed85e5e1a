import type { Snapshot } from './snapshot.ts';

export interface SnapshotPlan {
  snapshot: Snapshot;
  /** Settles once the entries the snapshot includes are durable (or failed: then `isDurable` says no). */
  durable: Promise<void>;
  isDurable(): boolean;
}

export interface CompactorOptions {
  /** Snapshot after this many appended entries. */
  every: number;
  /** Entries the log already holds beyond the last snapshot (replayed at open). */
  sinceLast: number;
  /** Captures the state as of the last appended entry, synchronously. */
  plan: () => SnapshotPlan;
  write: (snapshot: Snapshot) => Promise<void>;
  log: (line: string) => void;
}

/**
 * Takes a snapshot every `every` appended entries, in the background and one at a time, so that
 * opening replays about `every` entries at most. The audit log itself is never shortened.
 */
export class Compactor {
  readonly #options: CompactorOptions;
  #sinceLast: number;
  #running: Promise<void> | undefined;

  constructor(options: CompactorOptions) {
    this.#options = options;
    this.#sinceLast = options.sinceLast;
  }

  /** Called after each append; may start a snapshot, never waits for one. */
  noteAppended(): void {
    this.#sinceLast++;
    if (this.#sinceLast < this.#options.every || this.#running) return;
    this.#sinceLast = 0;
    this.#running = this.#compact(this.#options.plan()).finally(() => {
      this.#running = undefined;
    });
  }

  /** Settles when no snapshot is being written. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #compact(plan: SnapshotPlan): Promise<void> {
    // The state is captured at once but written only when the log holds every entry it includes:
    // a snapshot must never be ahead of the log.
    await plan.durable;
    if (!plan.isDurable()) return;
    try {
      await this.#options.write(plan.snapshot);
    } catch (error) {
      // Harmless to data (the log has it all): opening replays more until the next snapshot succeeds.
      const why = error instanceof Error ? error.message : String(error);
      const { seq } = plan.snapshot;
      this.#options.log(`state.json: the snapshot at seq ${seq} failed (${why}); the next one will retry`);
    }
  }
}
