import type { PersonalErasure } from '../src/core/personal-data.ts';
import type { AuditEvent } from '../src/core/store.ts';
import { entryFromLine } from './audit-chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { eraseValues, type StoredEntry } from './personal-seal.ts';

/**
 * One erasure over a store's stored lines, the same for every store: a first pass lets the erasure
 * read every entry (`collect`), the second rewrites each line's personal values (`rewrite`); the
 * hashed part of a line is never touched. `by` is the seq the erasing entry will have.
 */
export class ErasureRun {
  readonly #erasure: PersonalErasure;
  readonly #by: number;
  #erase: ReturnType<PersonalErasure['erase']> | undefined;
  values = 0;
  /** Entries stored before personal values were kept apart: their values are part of the hash. */
  unsealed = 0;

  constructor(erasure: PersonalErasure, by: number) {
    this.#erasure = erasure;
    this.#by = by;
  }

  collect(text: string): void {
    const entry = entryFromLine(text);
    if (this.#erasure.appliesTo?.(entry) ?? true) this.#erasure.collect(entry);
  }

  /** The line with the erased values marked; the same text when nothing in it is erased. */
  rewrite(text: string): string {
    this.#erase ??= this.#erasure.erase();
    const stored = JSON.parse(text) as StoredEntry;
    if (stored.personal === undefined) {
      this.unsealed++;
      return text;
    }
    const plain = entryFromLine(text);
    if (!(this.#erasure.appliesTo?.(plain) ?? true)) return text;
    const { personal, erased } = eraseValues(stored, plain, this.#by, this.#erase.value, this.#erase.isTheirs);
    if (erased === 0) return text;
    this.values += erased;
    return canonicalJson({ ...stored, personal });
  }

  /** Whether to stop here, changing nothing: the erasure asked for no entry when nothing is erased. */
  get isIdle(): boolean {
    return this.values === 0 && this.#erasure.onlyIfAny === true;
  }

  /** The erasing entry's event: the caller's, with how many values it erased. */
  event(event: AuditEvent): AuditEvent {
    return { ...event, detail: { ...event.detail, values: this.values, ...(this.unsealed ? { unsealed: this.unsealed } : {}) } };
  }
}
