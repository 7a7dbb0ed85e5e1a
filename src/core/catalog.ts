import { distance } from 'fastest-levenshtein';
import { nameKey } from './names.ts';
import type { App, Policy } from './policy.ts';
import { policyIndex } from './policy-index.ts';

/** The app a name, alias, store id or bundle id refers to. */
export function findApp(policy: Policy, name: string): App | undefined {
  const key = nameKey(name);
  return key ? policyIndex(policy).appsByKey.get(key) : undefined;
}

export function appById(policy: Policy, id: string): App | undefined {
  return policyIndex(policy).appsById.get(id);
}

const suggestionCache = new WeakMap<Policy, Map<string, string[]>>();

/** Up to `limit` app names close to what was typed: small edit distance, or one containing the other. */
export function suggestApps(policy: Policy, name: string, limit = 3): string[] {
  const key = nameKey(name);
  if (!key) return [];
  let cache = suggestionCache.get(policy);
  if (!cache) suggestionCache.set(policy, (cache = new Map()));
  const cached = cache.get(`${limit}|${key}`);
  if (cached) return [...cached];
  const found = closestApps(policy, key, limit);
  if (cache.size >= 10_000) cache.clear();
  cache.set(`${limit}|${key}`, found);
  return [...found];
}

function closestApps(policy: Policy, key: string, limit: number): string[] {
  const allowed = Math.max(1, Math.floor(key.length / 3));
  const scored = new Map<string, number>();
  for (const { key: candidate, app } of policyIndex(policy).appKeys) {
    const contains = (key.length >= 3 && candidate.includes(key)) || (candidate.length >= 3 && key.includes(candidate));
    // Edit distance is at least the difference in length: most of a large catalogue is ruled out for free.
    if (!contains && Math.abs(candidate.length - key.length) > allowed) continue;
    const d = contains ? 0.5 : distance(key, candidate);
    if (d <= allowed && d < (scored.get(app.name) ?? Infinity)) scored.set(app.name, d);
  }
  return [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([n]) => n);
}
