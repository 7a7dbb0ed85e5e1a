import { compiledPolicy, type CompiledPolicy } from './compiled-policy.ts';
import { boundedKey, isAsciiKey, keySkeletons, MAX_NAME_LENGTH } from './names.ts';
import type { App, Policy } from './policy.ts';

/**
 * The app a name, alias, store id or bundle id refers to: its key exactly, else a look-alike of exactly
 * one app's name (`ТікТок` in Cyrillic is TikTok; see `lookalikeApps`). A name out of bounds
 * (`boundedKey`) names no app and is not remembered.
 */
export function findApp(policy: Policy, name: string): App | undefined {
  const compiled = compiledPolicy(policy);
  // Names as typed repeat; remembering them skips normalising and a second lookup.
  const typed = compiled.typedNames;
  let app = typed.get(name);
  if (app === undefined) {
    const key = boundedKey(name);
    if (key === undefined) return undefined;
    app = (key && compiled.index.appsByKey.get(key)) || null;
    if (!app && key) {
      const alike = compiledLookalikes(compiled, key);
      if (alike.length === 1) app = alike[0]!;
    }
    if (name.length <= MAX_NAME_LENGTH) typed.set(name, app);
  }
  return app ?? undefined;
}

/**
 * The apps whose names, aliases or ids (not store or bundle ids) `key` is a confusable of (UTS #39
 * skeletons equal), in catalogue order: how a name disguised with look-alike letters from another script
 * (Cyrillic `ТікТок`, `tіktоk`, Latin letters in a Cyrillic name) is still recognised. Two ASCII keys are
 * never look-alikes of each other (`steam` is not `stearn`, `t1kt0k` not `tlktok`): those are typos, for
 * "did you mean". Several apps means the catalogue holds confusable names itself: no single match.
 */
export function lookalikeApps(policy: Policy, key: string): App[] {
  return compiledLookalikes(compiledPolicy(policy), key);
}

function compiledLookalikes(compiled: CompiledPolicy, key: string): App[] {
  // findApp and then "did you mean" ask for the same name in turn: answered once.
  const last = compiled.lastLookalikes;
  if (last?.key === key) return [...last.apps];
  const apps = lookalikesOf(compiled, key);
  compiled.lastLookalikes = { key, apps };
  return [...apps];
}

function lookalikesOf(compiled: CompiledPolicy, key: string): App[] {
  const index = (compiled.skeletons ??= skeletonIndex(compiled));
  const ascii = isAsciiKey(key);
  const [lower, upper] = keySkeletons(key);
  const found = new Set<App>();
  for (const hit of [...(index.lower.get(lower) ?? []), ...(index.upper.get(upper) ?? [])]) if (!(ascii && hit.ascii)) found.add(hit.app);
  return [...found].sort((a, b) => index.order.get(a)! - index.order.get(b)!);
}

/** A catalogue key's app, and whether the key is ASCII. */
type Hit = { app: App; ascii: boolean };

export interface SkeletonIndex {
  lower: Map<string, Hit[]>;
  upper: Map<string, Hit[]>;
  order: Map<App, number>;
}

/** The skeletons of the catalogue's name keys, built the first time a name is not found exactly (exact hits never need it). */
function skeletonIndex({ policy, index: { appKeys } }: CompiledPolicy): SkeletonIndex {
  const index: SkeletonIndex = { lower: new Map(), upper: new Map(), order: new Map(policy.apps.map((app, i) => [app, i])) };
  // Names, aliases and ids: people type those, not store or bundle ids.
  for (const { key, app } of appKeys) {
    const [lower, upper] = keySkeletons(key);
    const hit = { app, ascii: isAsciiKey(key) };
    addHit(index.lower, lower, hit);
    addHit(index.upper, upper, hit);
  }
  return index;
}

function addHit(map: Map<string, Hit[]>, skeleton: string, hit: Hit): void {
  const hits = map.get(skeleton);
  if (!hits) map.set(skeleton, [hit]);
  else if (!hits.some((h) => h.app === hit.app && h.ascii === hit.ascii)) hits.push(hit);
}

export function appById(policy: Policy, id: string): App | undefined {
  return compiledPolicy(policy).index.appsById.get(id);
}
