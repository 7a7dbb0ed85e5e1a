import type { SkeletonIndex } from './catalog.ts';
import type { Decision } from './decision.ts';
import { BoundedMap, nameKey } from './names.ts';
import type { Platform } from './org.ts';
import { vocabulary, type App, type PersonEntry, type Policy, type Rule, type Unit } from './policy.ts';
import type { AppSpans, Citation } from './decide.ts';
import type { Advice, NameIndex } from './suggestions.ts';

/** Lookup tables derived once per policy, so a decision costs a few map reads, not scans. */
export interface PolicyIndex {
  appsByKey: Map<string, App>;
  appsById: Map<string, App>;
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

/** A rule's effective and lifted dates and its deadline, as epoch milliseconds in the organisation's zone. */
export interface RuleTimes {
  from: number;
  until: number;
  deadline: number;
}

/**
 * A policy made ready for decisions: its indexes, and every memo the engine keeps about it. All
 * of it lives and dies with the policy (a reload makes a new one), so no answer about one policy
 * can leak into another, and the modules that read it hold no state of their own. What people
 * type is remembered in bounded maps: a flood of distinct names costs bounded memory.
 */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly index: PolicyIndex;
  readonly timezone: string;
  /** The data classes the policy names (`data_classes` and every rule's `data`). */
  readonly dataClasses: ReadonlySet<string>;
  /** Platform ids to person ids, per platform (`people[].slack`, `people[].teams`). */
  readonly platformIds: Record<Platform, Map<string, string>>;
  /**
   * Names exactly as people typed them, with the app each found (null: none); `findApp`. Each of its two
   * generations must hold the names in use: when they outgrow one, a name read from the older is carried
   * into the newer again and again (at 25,000 a generation, the 500-rule benchmark's 29,500 names in use
   * cost a Map insert on every other decision, and a new Map every 25,000).
   */
  readonly typedNames: BoundedMap<App | null>;
  /** `findApp` and then "did you mean" ask for the same name's look-alikes in turn: the last answer. */
  lastLookalikes: { key: string; apps: App[] } | undefined;
  /** Skeletons of the catalogue's keys, built the first time a name is not found exactly (catalog.ts). */
  skeletons: SkeletonIndex | undefined;
  /** "Did you mean" by limit and name key (suggestions.ts); about 2 MB at most. */
  readonly advice: BoundedMap<Advice>;
  /** The catalogue's name keys indexed for "did you mean", built on first need (suggestions.ts). */
  nameIndex: NameIndex | undefined;
  /** Per app and unit, the stretch of time the rules in force stay the same (decide.ts); `count` bounds it. */
  readonly spans: { count: number; byApp: Map<App, AppSpans> };
  readonly ruleTimes: Map<Rule, RuleTimes>;
  /** One frozen matched form (and the reason it gives) per rule, route, scope and deadline state, shared by every span. */
  readonly matchedForms: Map<Rule, Map<string, Citation>>;
  /** The app as a Decision names it: one frozen object per app. */
  readonly appSummaries: Map<App, Decision['app'] & object>;
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

/** Typed names remembered per policy: 100,000 (two generations of 50,000) and 2,000,000 characters, some 8 MB at most. */
const TYPED_NAMES_MAX = 100_000;

/**
 * The compiled form of a policy. Loading (and reloading) compiles it (`compilePolicy`); a policy built
 * any other way, as tests do, is compiled on first use. The one piece of module state: keyed weakly by
 * the policy object, so a policy dropped after a reload takes everything derived from it along.
 */
export function compiledPolicy(policy: Policy): CompiledPolicy {
  return compiled.get(policy) ?? compilePolicy(policy);
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  const platformIds: CompiledPolicy['platformIds'] = { slack: new Map(), teams: new Map() };
  for (const p of policy.people) {
    if (p.slack) platformIds.slack.set(p.slack, p.id);
    if (p.teams) platformIds.teams.set(p.teams, p.id);
  }
  const adviceChars = (a: Advice) => a.lookalikes.reduce((n, s) => n + s.length, 0) + a.closest.reduce((n, s) => n + s.length, 0);
  const c: CompiledPolicy = {
    policy,
    index: buildIndex(policy),
    timezone: policy.organization.timezone,
    dataClasses: new Set(vocabulary(policy).dataClasses),
    platformIds,
    typedNames: new BoundedMap<App | null>(TYPED_NAMES_MAX, 2_000_000),
    // Every field present from the start, those filled on first need too: one shape for every compiled policy.
    lastLookalikes: undefined,
    skeletons: undefined,
    advice: new BoundedMap<Advice>(10_000, 1_000_000, adviceChars),
    nameIndex: undefined,
    spans: { count: 0, byApp: new Map() },
    ruleTimes: new Map(),
    matchedForms: new Map(),
    appSummaries: new Map(),
  };
  compiled.set(policy, c);
  return c;
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
  const peopleByPlatformId = new Map<string, PersonEntry>();
  for (const person of p.people) {
    if (person.slack) peopleByPlatformId.set(person.slack, person);
    if (person.teams) peopleByPlatformId.set(person.teams, person);
    // `--as jane.doe@agency.gov`: an email finds its person too, whatever its case.
    if (person.email) peopleByPlatformId.set(person.email.toLowerCase(), person);
  }
  return {
    appsByKey,
    appsById: new Map(p.apps.map((a) => [a.id, a])),
    appKeys: p.apps.flatMap((app) => [...new Set([app.id, app.name, ...app.aliases].map(nameKey))].map((key) => ({ key, app }))),
    rulesByApp,
    rulesByCategory,
    rulesById: new Map(p.rules.map((r) => [r.id, r])),
    unitsById,
    unitChains: unitChainsOf(unitsById),
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
