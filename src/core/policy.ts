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

const id = z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/i, 'an id is letters, digits and . _ / - (no spaces)');
const date = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValid(parseISO(s)), 'not a date (YYYY-MM-DD)');
const timezone = z.string().refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Brussels)');
const platformIds = { slack: z.string().min(1).optional(), teams: z.string().min(1).optional() };

const exceptionsSchema = z.union([
  z.literal('none'),
  z.strictObject({
    purposes: z.array(id).min(1),
    approvers: z.array(id).optional(),
    max_days: z.number().int().positive(),
    default_days: z.number().int().positive().optional(),
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
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message }));
    return { ok: false, code: 'policy.invalid', issues };
  }
  const issues = crossReferenceIssues(parsed.data);
  return issues.length ? { ok: false, code: 'policy.invalid', issues } : { ok: true, value: parsed.data };
}

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

function findUnitCycle(units: Unit[]): string[] | undefined {
  const parent = new Map(units.map((u) => [u.id, u.parent]));
  for (const u of units) {
    const path: string[] = [];
    let cur: string | undefined = u.id;
    while (cur && !path.includes(cur)) {
      path.push(cur);
      cur = parent.get(cur);
    }
    if (cur) return [...path.slice(path.indexOf(cur)), cur];
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
