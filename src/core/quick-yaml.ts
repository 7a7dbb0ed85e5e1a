import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event } from 'js-yaml';
import { isScalar, Lexer, Schema, type ScalarTag } from 'yaml';
import { POLICY_LIMITS } from './policy.ts';

/**
 * The quick way to read a policy file: js-yaml's event parser, about ten times the speed of the
 * `yaml` library's documents (which keep every node's position), for the plain YAML a valid policy is
 * written in. Anything else is declined, and the caller reads the file the careful way
 * (policy-text.ts), which gives every problem its line and column. So this reader only ever answers
 * what the careful one would: it declines whatever the careful reader would refuse or could read
 * differently: anchors, aliases and tags (the alias limits apply there), directives, several
 * documents, duplicate keys, keys that are not plain text, mappings past POLICY_LIMITS.keysPerMap,
 * deep nesting, and files past the token limit. Plain scalars are resolved by the `yaml` library's
 * own core schema, so `1`, `0x1F`, `~` and `.inf` come out as the careful reader makes them.
 */
export type QuickRead = { ok: true; value: unknown } | { ok: false; declined: string };

/** Collections nested this deep at most: the careful parser's stack is then far under POLICY_LIMITS.depth (a policy uses 6 to 8). */
export const QUICK_DEPTH = 24;

/** Longer keys are read the careful way: YAML allows an implicit key of 1,024 characters at most. */
const KEY_CHARS = 1_000;

/** YAML's core schema as the careful reader resolves plain scalars (its YAML_OPTIONS). */
const CORE = new Schema({ schema: 'core', resolveKnownTags: false, merge: false });
/** Scalar tags tried in the careful reader's order (`findScalarTagByTest`); a plain scalar none matches is a string. */
const SCALAR_TAGS = CORE.tags.filter((tag): tag is ScalarTag => tag.default === true && 'test' in tag && tag.test instanceof RegExp);

export function quickRead(text: string): QuickRead {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: QUICK_DEPTH });
  } catch {
    return declined('not plain YAML');
  }
  // The careful reader refuses a file of more tokens than its limit (its memory grows with them). Counting
  // them costs as much as the rest of this read, so they are counted only when a bound says they might be.
  if (tokenBound(text, events) > POLICY_LIMITS.yamlTokens) {
    let tokens = 0;
    for (const _ of new Lexer().lex(text)) if (++tokens > POLICY_LIMITS.yamlTokens) return declined('too many tokens');
  }
  return construct(text, events);
}

/** Characters the `yaml` lexer may make a token of their own (indicators, flow punctuation, quotes, comments). */
const OWN_TOKEN = asciiTable('-?:,[]{}#&*!|>\'"%@`.');

/**
 * At least as many tokens as the `yaml` lexer makes of plain YAML: a token per run of spaces, per
 * character that can start a token of its own, and three per line (its end, a flow's end, a marker);
 * two per scalar (its text and the marker before it) and per document. It counts a character inside a
 * scalar as if it stood alone, so it is an overcount (about 1.3 times for a policy).
 */
export function tokenBound(text: string, events: readonly Event[]): number {
  let bound = 3;
  let inSpaces = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 9;
    if (space && !inSpaces) bound++;
    else if (c === 10 || c === 13) bound += 3;
    else if (OWN_TOKEN[c] === 1) bound++;
    inSpaces = space;
  }
  for (const e of events) if (e.type === EVENT_ID.SCALAR || e.type === EVENT_ID.DOCUMENT) bound += 2;
  return bound;
}

const declined = (why: string): QuickRead => ({ ok: false, declined: why });

type Frame = { seq: unknown[] } | { map: Record<string, unknown>; key: string | undefined; keys: number };

/** The one document's value, built from the events as the careful reader's `toJS` builds it. */
function construct(text: string, events: readonly Event[]): QuickRead {
  if (events[0]?.type !== EVENT_ID.DOCUMENT) return declined('no document');
  const stack: Frame[] = [];
  let root: { value: unknown } | undefined;
  let documents = 0;
  /** Adds a value to the collection being read; a reason to decline, if any. */
  const add = (value: unknown): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = { value };
      return undefined;
    }
    if ('seq' in top) {
      top.seq.push(value);
      return undefined;
    }
    const key = top.key;
    if (key === undefined) return 'a key that is not text';
    top.key = undefined;
    // As `yaml` adds a pair to a plain object: a key the prototype has (`toString`) becomes an own property.
    if (key in top.map) Object.defineProperty(top.map, key, { value, writable: true, enumerable: true, configurable: true });
    else top.map[key] = value;
    return undefined;
  };
  for (const e of events) {
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1) return declined('more than one document');
        if (e.directives.length) return declined('directives');
        break;
      case EVENT_ID.ALIAS:
        return declined('an alias');
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        if (e.anchorStart >= 0 || e.tagStart >= 0) return declined('an anchor or a tag');
        const top = stack[stack.length - 1];
        if (top && 'map' in top && top.key === undefined) return declined('a collection as a key');
        stack.push(e.type === EVENT_ID.SEQUENCE ? { seq: [] } : { map: {}, key: undefined, keys: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        if (e.anchorStart >= 0 || e.tagStart >= 0) return declined('an anchor or a tag');
        const source = getScalarValue(text, e);
        const value = e.style === SCALAR_STYLE.PLAIN ? resolvePlain(source) : source;
        if (value === UNRESOLVED) return declined('a scalar the core schema does not resolve');
        const top = stack[stack.length - 1];
        if (top && 'map' in top && top.key === undefined) {
          // A key as `yaml` makes one of a scalar: null is "", anything else its string.
          const key = value === null ? '' : String(value);
          if (e.valueEnd - e.valueStart > KEY_CHARS) return declined('a long key');
          if (Object.hasOwn(top.map, key)) return declined('a duplicate key');
          if (++top.keys > POLICY_LIMITS.keysPerMap) return declined('too many keys');
          top.key = key;
          break;
        }
        const why = add(value);
        if (why) return declined(why);
        break;
      }
      case EVENT_ID.POP: {
        const done = stack.pop();
        if (!done) break; // the document's end
        if ('map' in done && done.key !== undefined) return declined('a key without a value');
        const why = add('seq' in done ? done.seq : done.map);
        if (why) return declined(why);
        break;
      }
    }
  }
  return root ? { ok: true, value: root.value } : declined('an empty document');
}

const UNRESOLVED = Symbol('unresolved');

/** 1 at the codes of `chars` (ASCII): a lookup per character of a 2 MiB file. */
function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

/** The first characters a core-schema null, boolean, integer or float can have (an empty scalar is null). */
const MAY_RESOLVE = asciiTable('~nNtTfF0123456789+-.');

function resolvePlain(source: string): unknown {
  // Most scalars are words: no need to try every tag's pattern on them.
  if (source && MAY_RESOLVE[source.charCodeAt(0)] !== 1) return source;
  const tag = SCALAR_TAGS.find((t) => t.test!.test(source));
  if (!tag) return source;
  let failed = false;
  const value = tag.resolve(
    source,
    () => {
      failed = true;
    },
    { intAsBigInt: false },
  );
  // Some tags (booleans) resolve to a node, as the composer takes them: its value is the data.
  return failed ? UNRESOLVED : isScalar(value) ? value.value : value;
}
