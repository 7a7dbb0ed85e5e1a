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
  unitChains: Map<string, string[]>;
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
  const unitChains = new Map<string, string[]>();
  for (const u of p.units) {
    const chain: string[] = [];
    for (let cur: Unit | undefined = u; cur && !chain.includes(cur.id); cur = cur.parent ? unitsById.get(cur.parent) : undefined)
      chain.push(cur.id);
    unitChains.set(u.id, chain);
  }
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
