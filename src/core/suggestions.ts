import { distance } from 'fastest-levenshtein';
import { lookalikeApps } from './catalog.ts';
import { compiledPolicy } from './compiled-policy.ts';
import { boundedKey } from './names.ts';
import type { App, Policy } from './policy.ts';

/** What to tell a person whose name found no app: the look-alikes, then the closest names. */
export interface Advice {
  /** Apps the name is a confusable of (UTS #39) when it is one of several, so matches none of them. */
  lookalikes: string[];
  closest: string[];
}

/**
 * "Did you mean": up to `limit` app names close to what was typed. A catalogue name is close when it
 * is within an edit distance of a third of the typed length (at least 1), or when one contains the
 * other (3 characters or more). Closest first, then by name. Nothing for a name out of bounds (`boundedKey`).
 */
export function suggestApps(policy: Policy, name: string, limit = 3): string[] {
  return [...adviceFor(policy, name, limit).closest];
}

/**
 * For a name that names no app: `suggestions`, the apps it is a look-alike of first (more than one, or
 * it would have named that one), then the closest; and whether it is a look-alike at all, which is no
 * name to allow by default.
 */
export function unknownAppAdvice(policy: Policy, name: string, limit = 3): { suggestions: string[]; lookalike: boolean } {
  const advice = adviceFor(policy, name, limit);
  if (!advice.lookalikes.length) return { suggestions: [...advice.closest], lookalike: false };
  return {
    suggestions: [...new Set([...advice.lookalikes, ...advice.closest])].slice(0, Math.max(limit, advice.lookalikes.length)),
    lookalike: true,
  };
}

const NO_ADVICE: Advice = Object.freeze({ lookalikes: [], closest: [] });

function adviceFor(policy: Policy, name: string, limit: number): Advice {
  const key = boundedKey(name);
  if (!key) return NO_ADVICE;
  // Remembered on the compiled policy, by limit and name key, bounded (about 2 MB) whatever people type.
  const compiled = compiledPolicy(policy);
  const cache = compiled.advice;
  const cacheKey = `${limit}|${key}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const advice: Advice = {
    lookalikes: lookalikeApps(policy, key).map((app) => app.name),
    closest: closestApps((compiled.nameIndex ??= buildNameIndex(compiled.index.appKeys)), key, limit),
  };
  cache.set(cacheKey, advice);
  return advice;
}

/**
 * The catalogue's name keys, indexed so that a name never seen before is compared with the few keys
 * that could be close, not all of them (15,000 keys for 5,000 apps).
 */
export interface NameIndex {
  keys: string[];
  apps: App[];
  /** Key positions by length: edit distance is at least the difference in length. */
  byLength: number[][];
  /** Key positions by exact key, for catalogue names contained in what was typed. */
  byKey: Map<string, number[]>;
  /** For each bigram, the keys holding it and how many times. */
  byBigram: Map<string, { at: number[]; count: number[] }>;
  longest: number;
}

function buildNameIndex(appKeys: readonly { key: string; app: App }[]): NameIndex {
  const index: NameIndex = { keys: [], apps: [], byLength: [], byKey: new Map(), byBigram: new Map(), longest: 0 };
  appKeys.forEach(({ key, app }, i) => {
    index.keys.push(key);
    index.apps.push(app);
    (index.byLength[key.length] ??= []).push(i);
    index.longest = Math.max(index.longest, key.length);
    const same = index.byKey.get(key);
    if (same) same.push(i);
    else index.byKey.set(key, [i]);
    for (const [gram, n] of bigrams(key)) {
      let posting = index.byBigram.get(gram);
      if (!posting) index.byBigram.set(gram, (posting = { at: [], count: [] }));
      posting.at.push(i);
      posting.count.push(n);
    }
  });
  return index;
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i + 2 <= text.length; i++) {
    const gram = text.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

function closestApps(index: NameIndex, key: string, limit: number): string[] {
  const allowed = Math.max(1, Math.floor(key.length / 3));
  const scored = new Map<string, number>();
  for (const i of worthComparing(index, key, allowed)) {
    const candidate = index.keys[i]!;
    const contains = (key.length >= 3 && candidate.includes(key)) || (candidate.length >= 3 && key.includes(candidate));
    if (!contains && Math.abs(candidate.length - key.length) > allowed) continue;
    const d = contains ? 0.5 : distance(key, candidate);
    const name = index.apps[i]!.name;
    if (d <= allowed && d < (scored.get(name) ?? Infinity)) scored.set(name, d);
  }
  return [...scored]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([n]) => n);
}

/** Every key that could be close to `key`, and a few that are not: a superset, never missing one. */
function worthComparing(index: NameIndex, key: string, allowed: number): Set<number> {
  const found = new Set<number>();
  const grams = bigrams(key);
  if (key.length >= 3) {
    // A catalogue key inside what was typed is one of its substrings.
    for (let length = 3; length <= Math.min(key.length, index.longest); length++)
      for (let start = 0; start + length <= key.length; start++)
        for (const i of index.byKey.get(key.slice(start, start + length)) ?? []) found.add(i);
    // What was typed inside a catalogue key: the key holds all its bigrams, so the rarest one's keys are enough to check.
    let rarest: number[] | undefined;
    for (const gram of grams.keys()) {
      const at = index.byBigram.get(gram)?.at ?? [];
      if (!rarest || at.length < rarest.length) rarest = at;
    }
    for (const i of rarest ?? []) if (index.keys[i]!.includes(key)) found.add(i);
  }
  // Two strings within edit distance k share at least (length − 1) − 2k bigrams, counted with repeats
  // (the q-gram lemma). When that bound is above zero it rules out most keys without comparing them.
  const atLeast = key.length - 1 - 2 * allowed;
  if (atLeast > 0) {
    const shared = new Int32Array(index.keys.length);
    for (const [gram, n] of grams) {
      const posting = index.byBigram.get(gram);
      if (!posting) continue;
      for (let j = 0; j < posting.at.length; j++) shared[posting.at[j]!]! += Math.min(n, posting.count[j]!);
    }
    for (let i = 0; i < shared.length; i++) if (shared[i]! >= atLeast) found.add(i);
  } else {
    for (let length = Math.max(0, key.length - allowed); length <= key.length + allowed; length++)
      for (const i of index.byLength[length] ?? []) found.add(i);
  }
  return found;
}
