import { open, type FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AuditEntry, ChainCheck } from '../../src/core/store.ts';
import { ChainVerifier, type ChainHead } from '../audit-chain.ts';
import { describeCause } from '../storage-errors.ts';
import { lineText, readAuditLines } from './audit-lines.ts';

export interface ChainCheckOptions {
  /** audit.jsonl. */
  path: string;
  /** Where the log ended at open: the lines before it are checked (later ones this process wrote). */
  end: number;
  /** The chain's head at open, where those lines must end. */
  head: ChainHead;
  log: (line: string) => void;
  /** Synchronous work between two turns of the event loop (default 1 ms). */
  sliceMs?: number;
}

const DEFAULT_SLICE_MS = 1;

/**
 * Verifies the whole audit chain from entry 1, in the background. Opening checks only the entries after
 * the snapshot (replaying them), so that a start costs the same with a million entries; this pass is
 * what notices damage before the snapshot — a changed byte there alters no state in memory but breaks
 * the record. It streams the log through its own file handle, line by line in constant memory, and
 * yields to the event loop every `sliceMs` of work, so that requests keep being served meanwhile.
 * The result is logged once and kept in `status`. It checks the chain, not the snapshot's records
 * against it (that would hold a second copy of the state): `verifyAudit` does that.
 */
export class BackgroundChainCheck {
  #status: ChainCheck = Object.freeze({ state: 'running', entries: 0 });
  #stopping = false;
  readonly #done: Promise<void>;

  constructor(options: ChainCheckOptions) {
    this.#done = this.#run(options);
  }

  /** Where the check stands (frozen; a new object at each change). */
  get status(): ChainCheck {
    return this.#status;
  }

  /** Settles when the check has finished (or stopped). Never rejects. */
  async finished(): Promise<ChainCheck> {
    await this.#done;
    return this.#status;
  }

  /** Stops the check at its next line (the store is closing); `status` stays `running`. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#done;
  }

  async #run(options: ChainCheckOptions): Promise<void> {
    if (options.end === 0) {
      this.#status = Object.freeze({ state: 'ok', entries: 0 }); // an empty log: nothing to check or say
      return;
    }
    await nextTurn(); // never on the opening's own turn
    const started = performance.now();
    let handle: FileHandle | undefined;
    try {
      handle = await open(options.path, 'r');
      const outcome = await this.#verify(handle, options);
      if (outcome === 'stopped') return;
      this.#finish(outcome, options, performance.now() - started);
    } catch (error) {
      if (this.#stopping) return;
      const detail = `could not read the log (${describeCause(error)})`;
      this.#status = Object.freeze({ state: 'failed', entries: this.#status.entries, detail });
      options.log(`${options.path}: the background check of the whole audit chain ${detail}`);
    } finally {
      await handle?.close();
    }
  }

  async #verify(handle: FileHandle, options: ChainCheckOptions): Promise<ChainCheck | 'stopped'> {
    const verifier = new ChainVerifier();
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    let last: AuditEntry | undefined;
    let sliceStart = performance.now();
    for await (const line of readAuditLines(handle, 0, options.end)) {
      last = verifier.push(lineText(line)) ?? last;
      if (verifier.isDecided) break;
      if (performance.now() - sliceStart >= sliceMs) {
        this.#status = Object.freeze({ state: 'running', entries: last?.seq ?? 0 });
        await nextTurn();
        if (this.#stopping) return 'stopped';
        sliceStart = performance.now();
      }
    }
    const result = verifier.result();
    if (!result.ok) {
      const { entries, line, seq, problem, detail } = result;
      return { state: 'failed', entries, line, seq, problem, ...(detail === undefined ? {} : { detail }) };
    }
    // The lines opening read are gone or changed since (the file was cut or replaced meanwhile).
    const { seq, hash } = options.head;
    if (result.entries < seq) {
      const detail = `the log ends at seq ${result.entries}, but held seq ${seq} when the store opened`;
      return { state: 'failed', entries: result.entries, line: result.entries + 1, seq: result.entries + 1, problem: 'removed', detail };
    }
    if (seq > 0 && last?.hash !== hash) {
      const detail = `entry ${seq} is not the one the store opened on`;
      return { state: 'failed', entries: seq - 1, line: seq, seq, problem: 'changed', detail };
    }
    return { state: 'ok', entries: result.entries };
  }

  #finish(outcome: ChainCheck, options: ChainCheckOptions, ms: number): void {
    this.#status = Object.freeze(outcome);
    const took = `${(ms / 1000).toFixed(1)} s`;
    if (outcome.state === 'ok') {
      options.log(`${options.path}: the whole audit chain checked in the background: ${outcome.entries} entries, intact (${took})`);
      return;
    }
    const { line, seq, problem, detail } = outcome;
    options.log(
      `${options.path}: the background check of the whole audit chain FAILED at line ${line} (seq ${seq}): ` +
        `${problem}${detail ? ` (${detail})` : ''}. The state in memory comes from state.json and the entries ` +
        'after it, but the audit log before them is damaged: check it with `appwarden audit verify` and ' +
        'restore the data directory from a backup',
    );
  }
}
