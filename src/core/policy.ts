import { z } from 'zod';
import { parseISO, isValid } from 'date-fns';
import type { Issue, Result } from './result.ts';
import { nameKey } from './names.ts';

export const DEVICE_CLASSES = ['corporate', 'personal-with-work-apps', 'personal'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];
export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
export const ROLES = ['approver', 'admin', 'reporter'] as const;
export type Role = (typeof ROLES)[number];

/**
 * How big a policy may be. A policy file is parsed on the server's event loop, and the YAML parser holds
 * a few hundred bytes per token of the file while it works, so the file is bounded before it is read,
 * the token stream while it is parsed, and the entries once parsed, before anything costlier runs.
 * Generous for a ministry: the packs are a few kilobytes; 2 MiB holds about 10,000 apps written as
 * the packs write them. README and tests quote these numbers.
 */
export const POLICY_LIMITS = {
  /** The file, checked before it is read (its size) and again on the text. */
  bytes: 2 * 1024 * 1024,
  /** YAML tokens (scalars, indicators, spaces, comments): what the parser's memory grows with. */
  yamlTokens: 1_000_000,
  /** Collections nested in collections, as the YAML parser counts them (a policy uses 6 to 8). */
  depth: 64,
  /** Keys in one mapping (the largest the schema has is a rule's 18). */
  keysPerMap: 1_000,
  /** YAML anchors (`&a`) and aliases (`*a`), together. */
  anchorsAndAliases: 1_000,
  /** How far aliases may expand: the `yaml` library's own `maxAliasCount`. */
  aliasExpansion: 100,
  units: 10_000,
  people: 100_000,
  apps: 20_000,
  rules: 5_000,
  categories: 1_000,
  dataClasses: 1_000,
  accounts: 10_000,
  /** Each of an app's `aliases`, `store_ids`, `bundle_ids` and `categories`. */
  namesPerApp: 100,
  /** Each list inside an entry: a rule's `apps`, `categories`, `data`, purposes, approvers, reminder days; a person's roles. */
  listEntries: 1_000,
  /** `rules[].exceptions.max_days` and `default_days`: ten years; an exception is never granted past it. */
  exceptionDays: 3_650,
} as const;

const id = z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/i, 'an id is letters, digits and . _ / - (no spaces)');
const date = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValid(parseISO(s)), 'not a date (YYYY-MM-DD)');
const timezone = z.string().refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Brussels)');
const platformIds = { slack: z.string().min(1).optional(), teams: z.string().min(1).optional() };

const exceptionDays = z
  .number()
  .int()
  .positive()
  .max(POLICY_LIMITS.exceptionDays, `at most ${POLICY_LIMITS.exceptionDays} days (ten years)`);

const exceptionsSchema = z.union([
  z.literal('none'),
  z.strictObject({
    purposes: z.array(id).min(1),
    approvers: z.array(id).optional(),
    max_days: exceptionDays,
    default_days: exceptionDays.optional(),
    /** Conditions every exception carries, e.g. "post only from the dedicated tablet". */
    conditions: z.string().optional(),
  }),
]);

const ruleSchema = z.strictObject({
  id,
  title: z.string().min(1),
  source: z.string().min(1),
  unit: id,
  apps: z.array(id).optional(),
  categories: z.array(id).optional(),
  devices: z.array(z.enum(DEVICE_CLASSES)).min(1).optional(),
  data: z.array(id).min(1).optional(),
  effect: z.enum(['prohibit', 'allow']),
  effective: date,
  deadline: date.optional(),
  consequence: z.string().optional(),
  review: date.optional(),
  /** The day the measure was lifted; it no longer applies from then on. */
  lifted: date.optional(),
  exceptions: exceptionsSchema.default('none'),
  /** Staff may comply by removing the work apps from the device instead (the Commission's way out). */
  remove_work_apps_instead: z.boolean().default(false),
  /** How the deadline is chased; every field has the default shown in DESIGN.md. */
  reminders: z
    .strictObject({
      /** Announcements this many days before the deadline (0 = on the day). */
      days_before: z.array(z.number().int().min(0).max(365)).min(1).default([14, 7, 3, 1, 0]),
      /** Direct messages to those who have not attested, from this many days before. */
      direct_from: z.number().int().min(0).max(365).default(3),
      /** Daily overdue notices and digests stop this many days after the deadline. */
      overdue_days: z.number().int().min(0).max(365).default(30),
    })
    .default({ days_before: [14, 7, 3, 1, 0], direct_from: 3, overdue_days: 30 }),
});

export const ACCOUNT_STATUSES = ['active', 'suspended', 'private', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** An official account the organisation runs on an app (Saitama's and Kobe's TikTok accounts, a city's LINE account). */
const accountSchema = z.strictObject({
  id,
  app: id,
  handle: z.string().min(1),
  unit: id,
  owner: id,
  /** Where it is run from, e.g. "dedicated tablet, not connected to office systems". */
  device: z.string().optional(),
  status: z.enum(ACCOUNT_STATUSES).default('active'),
  review: date.optional(),
  url: z.string().optional(),
});

export const policySchema = z.strictObject({
  organization: z.strictObject({
    name: z.string().min(1),
    timezone,
    locale: z.enum(LOCALES).default('en'),
    default_unit: id,
    unknown_apps: z.enum(['allow', 'review']).default('allow'),
  }),
  units: z.array(z.strictObject({ id, name: z.string().min(1), parent: id.optional() })).min(1),
  people: z
    .array(
      z.strictObject({
        id,
        name: z.string().optional(),
        unit: id.optional(),
        roles: z.array(z.enum(ROLES)).default([]),
        locale: z.enum(LOCALES).optional(),
        email: z.string().optional(),
        ...platformIds,
      }),
    )
    .default([]),
  channels: z
    .strictObject({
      approvals: z.strictObject(platformIds).optional(),
      announcements: z.strictObject(platformIds).optional(),
    })
    .default({}),
  categories: z.array(z.strictObject({ id, name: z.string().min(1) })).default([]),
  data_classes: z.array(id).default([]),
  apps: z
    .array(
      z.strictObject({
        id,
        name: z.string().min(1),
        vendor: z.string().optional(),
        categories: z.array(id).default([]),
        aliases: z.array(z.string().min(1)).default([]),
        /** App Store / Play Store ids, e.g. "835599320". */
        store_ids: z.array(z.string().min(1)).default([]),
        /** Bundle / package ids, e.g. "com.zhiliaoapp.musically". */
        bundle_ids: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
  rules: z.array(ruleSchema).default([]),
  accounts: z.array(accountSchema).default([]),
});

export type Policy = z.infer<typeof policySchema>;
export type Rule = Policy['rules'][number];
export type App = Policy['apps'][number];
export type Unit = Policy['units'][number];
export type PersonEntry = Policy['people'][number];
export type ExceptionTerms = Exclude<Rule['exceptions'], 'none'>;
export type OfficialAccount = Policy['accounts'][number];

/** Validate an already-parsed document: schema first, then cross-references. Every problem, by path. */
export function validatePolicy(input: unknown): Result<Policy> {
  const tooMany = sizeIssues(input);
  if (tooMany.length) return { ok: false, code: 'policy.too_large', issues: tooMany };
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message }));
    return { ok: false, code: 'policy.invalid', issues };
  }
  const issues = crossReferenceIssues(parsed.data);
  return issues.length ? { ok: false, code: 'policy.invalid', issues } : { ok: true, value: parsed.data };
}

/**
 * Lists longer than POLICY_LIMITS, checked on the raw document before the schema runs, so that a
 * document too big to be a policy costs a count, not a validation. Top-level lists first; entries'
 * own lists only once those are within bounds (so this loop is bounded too).
 */
function sizeIssues(input: unknown): Issue[] {
  if (!isRecord(input)) return [];
  const issues: Issue[] = [];
  const check = (path: string, list: unknown, max: number) => {
    if (Array.isArray(list) && list.length > max)
      issues.push({ path, code: 'too_many', message: `${list.length} entries, at most ${max}` });
  };
  const L = POLICY_LIMITS;
  for (const [key, max] of [
    ['units', L.units],
    ['people', L.people],
    ['apps', L.apps],
    ['rules', L.rules],
    ['categories', L.categories],
    ['data_classes', L.dataClasses],
    ['accounts', L.accounts],
  ] as const)
    check(key, input[key], max);
  if (issues.length) return issues;
  const entries = (key: string) => (Array.isArray(input[key]) ? input[key] : []).map((e, i) => [e, `${key}[${i}]`] as const);
  for (const [app, at] of entries('apps'))
    if (isRecord(app)) for (const k of ['aliases', 'store_ids', 'bundle_ids', 'categories']) check(`${at}.${k}`, app[k], L.namesPerApp);
  for (const [person, at] of entries('people')) if (isRecord(person)) check(`${at}.roles`, person.roles, L.listEntries);
  for (const [rule, at] of entries('rules')) {
    if (!isRecord(rule)) continue;
    for (const k of ['apps', 'categories', 'devices', 'data']) check(`${at}.${k}`, rule[k], L.listEntries);
    const { exceptions, reminders } = rule;
    if (isRecord(exceptions)) for (const k of ['purposes', 'approvers']) check(`${at}.exceptions.${k}`, exceptions[k], L.listEntries);
    if (isRecord(reminders)) check(`${at}.reminders.days_before`, reminders.days_before, L.listEntries);
  }
  return issues;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function crossReferenceIssues(p: Policy): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, code: string, message: string) => void issues.push({ path, code, message });
  const unitIds = new Set(p.units.map((u) => u.id));
  const appIds = new Set(p.apps.map((a) => a.id));
  const personIds = new Set(p.people.map((x) => x.id));
  const categoryIds = new Set([...p.categories.map((c) => c.id), ...p.apps.flatMap((a) => a.categories)]);

  for (const [list, name] of [
    [p.units, 'units'],
    [p.people, 'people'],
    [p.apps, 'apps'],
    [p.rules, 'rules'],
    [p.categories, 'categories'],
    [p.accounts, 'accounts'],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) add(`${name}[${i}].id`, 'duplicate_id', `duplicate id "${item.id}"`);
      seen.add(item.id);
    });
  }
  if (!unitIds.has(p.organization.default_unit))
    add('organization.default_unit', 'unknown_unit', `no unit "${p.organization.default_unit}"`);
  p.units.forEach((u, i) => {
    if (u.parent && !unitIds.has(u.parent)) add(`units[${i}].parent`, 'unknown_unit', `no unit "${u.parent}"`);
  });
  const cycle = findUnitCycle(p.units);
  if (cycle) add('units', 'unit_cycle', `units form a cycle: ${cycle.join(' -> ')}`);
  p.people.forEach((x, i) => {
    if (x.unit && !unitIds.has(x.unit)) add(`people[${i}].unit`, 'unknown_unit', `no unit "${x.unit}"`);
  });
  for (const platform of ['slack', 'teams'] as const) {
    const seen = new Map<string, string>();
    p.people.forEach((x, i) => {
      const pid = x[platform];
      if (!pid) return;
      if (seen.has(pid)) add(`people[${i}].${platform}`, 'duplicate_id', `${platform} id "${pid}" is also ${seen.get(pid)}'s`);
      seen.set(pid, x.id);
    });
  }
  const aliasOwner = new Map<string, string>();
  p.apps.forEach((a, i) => {
    for (const alias of [a.id, a.name, ...a.aliases, ...a.store_ids, ...a.bundle_ids]) {
      const key = nameKey(alias);
      const owner = aliasOwner.get(key);
      if (owner && owner !== a.id) add(`apps[${i}]`, 'ambiguous_alias', `"${alias}" also names app "${owner}"`);
      aliasOwner.set(key, a.id);
    }
  });
  p.rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!unitIds.has(r.unit)) add(`${at}.unit`, 'unknown_unit', `no unit "${r.unit}"`);
    if (!r.apps?.length && !r.categories?.length) add(at, 'no_target', 'a rule needs apps, categories or both');
    r.apps?.forEach((a, j) => appIds.has(a) || add(`${at}.apps[${j}]`, 'unknown_app', `no app "${a}"`));
    r.categories?.forEach(
      (c, j) => categoryIds.has(c) || add(`${at}.categories[${j}]`, 'unknown_category', `no app or category list has "${c}"`),
    );
    if (r.deadline && r.deadline < r.effective)
      add(`${at}.deadline`, 'deadline_before_effective', `deadline ${r.deadline} is before effective ${r.effective}`);
    if (r.lifted && r.lifted < r.effective)
      add(`${at}.lifted`, 'lifted_before_effective', `lifted ${r.lifted} is before effective ${r.effective}`);
    if (r.exceptions !== 'none') {
      if (r.effect === 'allow') add(`${at}.exceptions`, 'exceptions_on_allow', 'only a prohibition can have exceptions');
      r.exceptions.approvers?.forEach(
        (a, j) => personIds.has(a) || add(`${at}.exceptions.approvers[${j}]`, 'unknown_approver', `no person "${a}"`),
      );
      const { default_days, max_days } = r.exceptions;
      if (default_days && default_days > max_days)
        add(`${at}.exceptions.default_days`, 'over_max_days', `default_days ${default_days} is over max_days ${max_days}`);
    }
  });
  p.accounts.forEach((a, i) => {
    if (!appIds.has(a.app)) add(`accounts[${i}].app`, 'unknown_app', `no app "${a.app}"`);
    if (!unitIds.has(a.unit)) add(`accounts[${i}].unit`, 'unknown_unit', `no unit "${a.unit}"`);
    if (!personIds.has(a.owner)) add(`accounts[${i}].owner`, 'unknown_person', `no person "${a.owner}"`);
  });
  return issues;
}

/**
 * The first cycle among the units' parents, if any. Linear: each unit is walked once; a walk stops at
 * a unit already settled, so a 4,000-deep chain costs 4,000 steps, not 4,000².
 */
function findUnitCycle(units: Unit[]): string[] | undefined {
  const parent = new Map(units.map((u) => [u.id, u.parent]));
  const settled = new Set<string>();
  for (const u of units) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let cur: string | undefined = u.id;
    while (cur !== undefined && !settled.has(cur) && parent.has(cur)) {
      const seenAt = onPath.get(cur);
      if (seenAt !== undefined) return [...path.slice(seenAt), cur];
      onPath.set(cur, path.length);
      path.push(cur);
      cur = parent.get(cur);
    }
    for (const id of path) settled.add(id);
  }
  return undefined;
}

/** `rules[2].deadline`, as zod's prettifyError writes paths. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Everything a command may name: known data classes and purposes, derived from the policy itself. */
export function vocabulary(p: Policy): { dataClasses: string[]; purposes: string[] } {
  const data = new Set([...p.data_classes, ...p.rules.flatMap((r) => r.data ?? [])]);
  const purposes = new Set(p.rules.flatMap((r) => (r.exceptions === 'none' ? [] : r.exceptions.purposes)));
  return { dataClasses: [...data].sort(), purposes: [...purposes].sort() };
}
