import unhomoglyph from 'unhomoglyph';

/**
 * The longest app name looked up, in characters as NFKC writes it (ﷺ alone is 18). Longer is not a name
 * someone typed: it is refused before any lookup, and never normalised further nor remembered.
 */
export const MAX_NAME_LENGTH = 200;

/**
 * The key an app name is matched by: NFKC folds full/half width (ＴｉｋＴｏｋ, ﾃｨｯｸﾄｯｸ), case is ignored,
 * hiragana is read as katakana, and spaces, punctuation and symbols are dropped ("tik tok", "Tik-Tok"),
 * and so are invisible characters (zero-width space and joiners, soft hyphen, word joiner, BOM, bidi
 * controls, variation selectors: format and default-ignorable code points) and control characters (NUL).
 */
export function nameKey(name: string): string {
  let key = keys.get(name);
  if (key === undefined) {
    key = computeKey(name);
    if (name.length <= MAX_NAME_LENGTH && key.length <= MAX_NAME_LENGTH) keys.set(name, key);
  }
  return key;
}

/** How long a name is, in code points after NFKC: what MAX_NAME_LENGTH bounds. */
export function nameLength(name: string): number {
  const text = name.normalize('NFKC');
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) pairs++;
    }
  }
  return text.length - pairs;
}

/**
 * The key of a name that is within bounds, else undefined: what the core looks names up by. Bounded
 * work for anything typed: a name more than 5 × MAX_NAME_LENGTH long as typed is not normalised at all
 * (NFKC composes at most 4 code points into one, e.g. ω + ̔ + ͂ + ͅ → ᾧ), and a key longer than
 * MAX_NAME_LENGTH names nothing. (Commands refuse a name past MAX_NAME_LENGTH after NFKC before this.)
 */
export function boundedKey(name: string): string | undefined {
  if (name.length > 5 * MAX_NAME_LENGTH) return undefined;
  const key = nameKey(name);
  return key.length > MAX_NAME_LENGTH ? undefined : key;
}

/**
 * The UTS #39 confusable skeletons of a name key (confusables.txt prototypes, via unhomoglyph; in NFD as
 * UTS #39 has it): of the key itself and of its upper case, because confusables.txt is case-sensitive
 * and a look-alike typed in capitals (Cyrillic ТікТок: Т, К) maps cleanly only in upper case, while
 * some lower-case letters (Cyrillic і, о, р) map only in lower case. Two keys are confusable when either
 * pair is equal. Not for display: `m` becomes `rn`.
 */
export function keySkeletons(key: string): readonly [lower: string, upper: string] {
  return [skeleton(key), skeleton(key.toUpperCase())];
}

function skeleton(text: string): string {
  let out = '';
  if (isAsciiKey(text)) {
    for (let i = 0; i < text.length; i++) out += ASCII_PROTOTYPES[text.charCodeAt(i)]!;
    return out; // in ASCII too (`m` → `rn`, `0` → `O`): nothing for NFD to change
  }
  for (const c of text.normalize('NFD')) {
    let prototype = prototypes.get(c);
    if (prototype === undefined) prototypes.set(c, (prototype = unhomoglyph(c)));
    out += prototype;
  }
  return out.normalize('NFD');
}

/** Only ASCII: two such keys that differ are different names (`steam`, `stearn`), not look-alikes of each other. */
export const isAsciiKey = (key: string) => /^[\x00-\x7f]*$/.test(key);

/**
 * A map that holds at most `maxEntries` entries and `maxChars` characters (key lengths plus what
 * `charsOf` counts of each value), for what is remembered of what people type: a flood of distinct
 * names costs a bounded amount of memory and constant time each. Two generations, each up to half the
 * bounds: when the newer is full it becomes the older and the older is dropped whole; an entry read
 * from the older is carried into the newer, so names in use outlive a flood.
 */
export class BoundedMap<V> {
  #newer = new Map<string, V>();
  #older = new Map<string, V>();
  #newerChars = 0;
  #olderChars = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
    readonly charsOf: (value: V) => number = () => 0,
  ) {}

  get(key: string): V | undefined {
    const value = this.#newer.get(key);
    if (value !== undefined || !this.#older.size) return value;
    const old = this.#older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  get size(): number {
    return this.#newer.size + this.#older.size;
  }

  /** Characters held, keys and values, as `charsOf` counts them. */
  get chars(): number {
    return this.#newerChars + this.#olderChars;
  }

  set(key: string, value: V): void {
    const chars = key.length + this.charsOf(value);
    if (chars > this.maxChars / 2) return;
    const old = this.#newer.get(key);
    if (old !== undefined) {
      this.#newer.delete(key);
      this.#newerChars -= key.length + this.charsOf(old);
    }
    if (this.#newer.size + 1 > this.maxEntries / 2 || this.#newerChars + chars > this.maxChars / 2) {
      this.#older = this.#newer;
      this.#olderChars = this.#newerChars;
      this.#newer = new Map();
      this.#newerChars = 0;
    }
    this.#newer.set(key, value);
    this.#newerChars += chars;
  }
}

/**
 * Names people type repeat (every decision normalises one): remembered, within a bound (about 4 MB).
 * Module state on purpose, unlike every memo about a policy (compiled-policy.ts): the key of a string
 * depends on the string alone, never on a policy, so one bounded map serves every policy and a reload
 * loses nothing by keeping it. The same holds for `prototypes` below.
 */
const keys = new BoundedMap<string>(50_000, 2_000_000, (key) => key.length);

/**
 * Each character's prototype as the library gives it. Its table maps single code points, so asking one
 * character at a time is the same as asking for the whole text, and remembered it is some 30 times
 * faster (its one regular expression has 6,311 alternatives). Bounded, like all that people type.
 */
const prototypes = new BoundedMap<string>(20_000, 200_000, (p) => p.length);
/** The same for ASCII, most catalogue keys, in a table. */
const ASCII_PROTOTYPES = Array.from({ length: 128 }, (_, c) => unhomoglyph(String.fromCharCode(c)));

const STRIPPED = /[\s\p{P}\p{S}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]+/gu;

function computeKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(STRIPPED, '');
}
