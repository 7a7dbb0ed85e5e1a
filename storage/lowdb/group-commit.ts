/** Where appended bytes go: the audit file (see `fileSink`), or a double in the writer's own tests. */
export interface AppendSink {
  write(data: Buffer): Promise<void>;
  /** Makes everything written so far durable. */
  sync(): Promise<void>;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Appends lines durably with group commit: lines that arrive while a write+sync is in flight go out
 * together in the next write and share its sync. The number of syncs follows the disk's speed, not
 * the commit rate, and a line's cost does not depend on how much the file already holds.
 *
 * After a failed write or sync, what reached the disk is unknown: every waiting line is rejected and
 * so is every later one (the writer is dead; reopening the store recovers from what is on disk).
 */
export class GroupCommitWriter {
  readonly #sink: AppendSink;
  readonly #failureError: (cause: unknown, waiting: number) => Error;
  #queue: string[] = [];
  #waiters: Waiter[] = [];
  #flushing = false;
  #failure: Error | undefined;
  #appendedOffset: number;
  #durableOffset: number;
  #lastLine: Promise<void> = Promise.resolve();

  /**
   * @param startOffset bytes already in the file
   * @param failureError the error to reject with, given the cause and how many lines were waiting
   */
  constructor(sink: AppendSink, startOffset: number, failureError: (cause: unknown, waiting: number) => Error) {
    this.#sink = sink;
    this.#failureError = failureError;
    this.#appendedOffset = startOffset;
    this.#durableOffset = startOffset;
  }

  /** The file's length once everything appended so far is written. */
  get appendedOffset(): number {
    return this.#appendedOffset;
  }

  /** The file's length that is known durable. */
  get durableOffset(): number {
    return this.#durableOffset;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Appends one line (which must hold no newline); resolves once it is durable. */
  append(line: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const text = `${line}\n`;
    this.#queue.push(text);
    this.#appendedOffset += Buffer.byteLength(text);
    const durable = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#lastLine = durable.catch(() => undefined);
    if (!this.#flushing) void this.#flush();
    return durable;
  }

  /** Settles once every line appended so far is durable or has failed. Never rejects. */
  settled(): Promise<void> {
    return this.#lastLine;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // One microtask's grace: a synchronous burst of appends (a Promise.all) joins the first write.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const data = Buffer.from(this.#queue.join(''));
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      try {
        await this.#sink.write(data);
        await this.#sink.sync();
      } catch (cause) {
        this.#fail(cause, waiters);
        break;
      }
      this.#durableOffset += data.length;
      for (const waiter of waiters) waiter.resolve();
    }
    this.#flushing = false;
  }

  #fail(cause: unknown, inFlight: Waiter[]): void {
    const waiting = [...inFlight, ...this.#waiters];
    this.#failure = this.#failureError(cause, waiting.length);
    this.#queue = [];
    this.#waiters = [];
    for (const waiter of waiting) waiter.reject(this.#failure);
  }
}

/** The two calls of a `FileHandle` that `fileSink` makes: a test can stand in for the disk. */
export interface AppendFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
}

/**
 * The audit file as a sink: every byte written (a short write is resumed), then fdatasync, which is
 * what makes a commit's acknowledgement mean "on disk" (fdatasync flushes the new length too).
 */
export function fileSink(handle: AppendFile): AppendSink {
  return {
    async write(data) {
      for (let offset = 0; offset < data.length; ) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    },
    sync: () => handle.datasync(),
  };
}
