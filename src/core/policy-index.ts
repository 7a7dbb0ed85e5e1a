import { nameKey } from './names.ts';
import type { App, PersonEntry, Policy, Rule, Unit } from './policy.ts';

/** Lookup tables derived once per policy object, so a decision costs a few map reads, not scans. */
export interface PolicyIndex {
  appsByKey: Map<string, App>;
  appsById: Map<string, App>;
  /** Names exactly as people typed them, with the app each found (null: none); filled by `findApp`, bounded. */
  appsByTypedName: Map<string, App | null>;
  /** Keys of names and aliases (not store or bundle ids) with the app each names, for "did you mean". */
  appKeys: { key: string; app: App }[];
  rulesByApp: Map<string, Rule[]>;
  rulesByCategory: Map<string, Rule[]>;
  rulesById: Map<string, Rule>;
  unitsById: Map<string, Unit>;
  /** Each unit with its ancestors, nearest first (`unitChain` in org.ts reads it); worked out when first asked. */
  unitChains: UnitChains;
  peopleById: Map<string, PersonEntry>;
  peopleByPlatformId: Map<string, PersonEntry>;
}

const cache = new WeakMap<Policy, PolicyIndex>();

export function policyIndex(policy: Policy): PolicyIndex {
  let idx = cache.get(policy);
  if (!idx) {
    idx = buildIndex(policy);
    cache.set(policy, idx);
  }
  return idx;
}

function buildIndex(p: Policy): PolicyIndex {
  const appsByKey = new Map<string, App>();
  for (const app of p.apps) {
    for (const name of [app.id, app.name, ...app.aliases, ...app.store_ids, ...app.bundle_ids]) {
      const key = nameKey(name);
      if (key && !appsByKey.has(key)) appsByKey.set(key, app);
    }
  }
  const rulesByApp = new Map<string, Rule[]>();
  const rulesByCategory = new Map<string, Rule[]>();
  for (const rule of p.rules) {
    for (const a of rule.apps ?? []) pushTo(rulesByApp, a, rule);
    for (const c of rule.categories ?? []) pushTo(rulesByCategory, c, rule);
  }
  const unitsById = new Map(p.units.map((u) => [u.id, u]));
  const unitChains = unitChainsOf(unitsById);
  const peopleByPlatformId = new Map<string, PersonEntry>();
  for (const person of p.people) {
    if (person.slack) peopleByPlatformId.set(person.slack, person);
    if (person.teams) peopleByPlatformId.set(person.teams, person);
  }
  return {
    appsByKey,
    appsById: new Map(p.apps.map((a) => [a.id, a])),
    appsByTypedName: new Map(),
    appKeys: p.apps.flatMap((app) => [...new Set([app.id, app.name, ...app.aliases].map(nameKey))].map((key) => ({ key, app }))),
    rulesByApp,
    rulesByCategory,
    rulesById: new Map(p.rules.map((r) => [r.id, r])),
    unitsById,
    unitChains,
    peopleById: new Map(p.people.map((x) => [x.id, x])),
    peopleByPlatformId,
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Chains cached at most this many unit ids in all: everything in a real organisation, a bounded part of a freak one. */
const CHAIN_CACHE_IDS = 200_000;

/** Each unit with its ancestors, nearest first; `get` of an id the policy does not declare is undefined. */
export interface UnitChains {
  /** Shared, as a Map's value would be: not to be changed. */
  get(unit: string): string[] | undefined;
}

/**
 * Chains walked from the parents on first use and cached. Not built for every unit up front: a
 * 4,000-deep chain would mean 4,000 arrays of up to 4,000 ids (8 million). A walk is linear in the
 * depth and stops at a unit already on it, so even a cycle (which validation refuses) ends.
 */
function unitChainsOf(unitsById: ReadonlyMap<string, Unit>): UnitChains {
  const cache = new Map<string, string[]>();
  let cachedIds = 0;
  return {
    get(unit) {
      const cached = cache.get(unit);
      if (cached) return cached;
      if (!unitsById.has(unit)) return undefined;
      const chain: string[] = [];
      const seen = new Set<string>();
      for (let cur = unitsById.get(unit); cur && !seen.has(cur.id); cur = cur.parent ? unitsById.get(cur.parent) : undefined) {
        seen.add(cur.id);
        chain.push(cur.id);
      }
      if (cachedIds + chain.length > CHAIN_CACHE_IDS) {
        cache.clear();
        cachedIds = 0;
      }
      cache.set(unit, chain);
      cachedIds += chain.length;
      return chain;
    },
  };
}
