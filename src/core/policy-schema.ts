import { z } from 'zod';
import { parseISO, isValid } from 'date-fns';
import { distance } from 'fastest-levenshtein';
import type { Issue, Result } from './result.ts';
import { isAsciiKey, keySkeletons, MAX_NAME_LENGTH, nameKey, nameLength } from './names.ts';
import {
  ACCOUNT_STATUSES,
  DEVICE_CLASSES,
  LOCALES,
  PLATFORM_LIMITS,
  POLICY_LIMITS,
  ROLES,
  type App,
  type Category,
  type DirectoryConfig,
  type ExceptionTerms,
  type InventoryConfig,
  type Locale,
  type OfficialAccount,
  type PersonEntry,
  type Policy,
  type Rule,
  type Unit,
} from './policy.ts';

// The policy's types and constants, for whoever validates one: `import { validatePolicy, type Policy } from './policy-schema.ts'`.
export * from './policy.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/i, 'an id is letters, digits and . _ / - (no spaces)');
const date = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValid(parseISO(s)), 'not a date (YYYY-MM-DD)');
const timezone = z.string().superRefine((tz, ctx) => {
  if (!isTimeZone(tz)) ctx.addIssue({ code: 'custom', message: 'not an IANA time zone (e.g. Europe/Brussels)' });
  else if (!isRegionZone(tz)) ctx.addIssue({ code: 'custom', message: notARegionMessage(tz) });
});
/** Text someone reads: not empty, and not only spaces or invisible characters. */
const text = z.string().refine((s) => /[^\s\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(s), 'empty (or only spaces)');
/** A name people type to find an app: no longer than a command takes (MAX_NAME_LENGTH, after NFKC). */
const appName = text.refine(
  (s) => nameLength(s) <= MAX_NAME_LENGTH,
  `longer than ${MAX_NAME_LENGTH} characters: no command looks up a name that long`,
);
/** An exception's purpose: the text and value of an option in a select (PLATFORM_LIMITS). */
const purpose = id.max(
  PLATFORM_LIMITS.optionText,
  `a purpose is at most ${PLATFORM_LIMITS.optionText} characters (the text of a Slack option)`,
);
const platformIds = { slack: z.string().min(1).optional(), teams: z.string().min(1).optional() };

const exceptionDays = z
  .number()
  .int()
  .positive()
  .max(POLICY_LIMITS.exceptionDays, `at most ${POLICY_LIMITS.exceptionDays} days (ten years)`);

const exceptionsSchema = z.union(
  [
    z.literal('none'),
    z.strictObject({
      purposes: z
        .array(purpose)
        .min(1)
        .max(PLATFORM_LIMITS.selectOptions, `at most ${PLATFORM_LIMITS.selectOptions} purposes (the options of one Slack select)`),
      approvers: z.array(id).optional(),
      /** Only the named approvers decide (OMB M-23-13: the agency head or a designee); left out, unit approvers may too. */
      approvers_only: z.boolean().optional(),
      max_days: exceptionDays,
      default_days: exceptionDays.optional(),
      /** Conditions every exception carries, e.g. "post only from the dedicated tablet". */
      conditions: z.string().optional(),
      /** Whether denying a request must give the requester a reason; left out, it must (`required`). */
      deny_reason: z.enum(['required', 'optional']).optional(),
      /** Remind the approvers of a request still waiting after this many hours. */
      remind_after_hours: z.number().int().min(1).max(8_760).optional(),
      /** Then also ask `escalate_to` (default: the approvers of the requester's parent unit). */
      escalate_after_hours: z.number().int().min(1).max(8_760).optional(),
      escalate_to: z.array(id).optional(),
      /** A request nobody decided expires after this many days (the organisation's days); the requester is told. */
      expire_after_days: z.number().int().min(1).max(365).optional(),
      /** Decided in order, each by its approvers (`manager`: the requester's), `min_approvals` of them; any deny ends it. */
      stages: z
        .array(
          z.strictObject({
            approvers: z.union([z.literal('manager'), z.array(id).min(1)], { error: 'approvers is manager or a list of person ids' }),
            min_approvals: z.number().int().min(1).max(20).optional(),
          }),
        )
        .min(1)
        .max(5)
        .optional(),
    }),
  ],
  { error: 'expected none, or { purposes, approvers, max_days, … }' },
);

/** A text the policy gives per language (`{ en: …, ja: …, fr: … }`), at least one of them. */
const byLocale = z
  .strictObject(Object.fromEntries(LOCALES.map((l) => [l, text.optional()])) as Record<Locale, z.ZodOptional<typeof text>>)
  .refine((o) => Object.values(o).some(Boolean), 'give the text in at least one language (en, ja, fr)');
/** A label: one text for every language, or one per language. */
const label = z.union([text, byLocale]);

/**
 * A rule's texts in every language it gives them (what `title: { en, ja, fr }` was read as); its plain
 * `title`, `source`, `consequence` and `exceptions.conditions` hold the organisation's language.
 */
const ruleTexts = z
  .strictObject({
    title: byLocale.optional(),
    source: byLocale.optional(),
    consequence: byLocale.optional(),
    conditions: byLocale.optional(),
  })
  .optional();

const ruleSchema = z.strictObject({
  id,
  title: text,
  texts: ruleTexts,
  source: text,
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

/** An official account the organisation runs on an app (Saitama's and Kobe's TikTok accounts, a city's LINE account). */
const accountSchema = z.strictObject({
  id,
  app: id,
  handle: text,
  unit: id,
  owner: id,
  /** Where it is run from, e.g. "dedicated tablet, not connected to office systems". */
  device: z.string().optional(),
  status: z.enum(ACCOUNT_STATUSES).default('active'),
  review: date.optional(),
  url: z.string().optional(),
});

const organizationSchema = z.strictObject({
  name: text,
  timezone,
  locale: z.enum(LOCALES).default('en'),
  default_unit: id,
  unknown_apps: z.enum(['allow', 'review']).default('allow'),
  /** Post the audit log's head (seq and hash) to the approvals channel once a day: an anchor kept elsewhere. */
  post_audit_head: z.boolean().default(false),
});

const unitSchema = z.strictObject({ id, name: text, parent: id.optional() });

const personSchema = z.strictObject({
  id,
  name: text.optional(),
  unit: id.optional(),
  roles: z.array(z.enum(ROLES)).default([]),
  locale: z.enum(LOCALES).optional(),
  email: z.string().optional(),
  /** Their manager's person id: a `manager` approval stage asks them. */
  manager: id.optional(),
  ...platformIds,
});

const categoryObjectSchema = z.strictObject({ id, name: text.optional() });
/** Plain ids (`[recreational, social-media]`) or `{ id, name }`: either way an entry is `{ id, name? }`. */
const categorySchema = z.union([id.transform((c): { id: string; name?: string } => ({ id: c })), categoryObjectSchema], {
  error: 'a category is an id (recreational) or { id, name }',
});

const appSchema = z.strictObject({
  id,
  name: appName,
  vendor: z.string().optional(),
  categories: z.array(id).default([]),
  aliases: z.array(appName).default([]),
  /** App Store / Play Store ids, e.g. "835599320". */
  store_ids: z.array(appName).default([]),
  /** Bundle / package ids, e.g. "com.zhiliaoapp.musically". */
  bundle_ids: z.array(appName).default([]),
});

/** `directory:` who the policy governs beyond the people it lists (DESIGN.md, "Directory"). */
export const directorySchema = z.strictObject({
  /** The server syncs this often; 0: only `appwarden directory sync`. */
  every_minutes: z.number().int().min(0).max(10_080).default(60),
  entra: z
    .strictObject({
      /** Entra `department` → unit id. */
      units_by_department: z.record(z.string().min(1), id).default({}),
      /** Group object id → unit id; wins over the department. */
      units_by_group: z.record(z.string().min(1), id).default({}),
      /** Group object id → roles its members hold. */
      roles_by_group: z.record(z.string().min(1), z.array(z.enum(ROLES))).default({}),
    })
    .optional(),
  /** Join Slack members to people by email (`users.list`). */
  slack: z.boolean().default(false),
  /** An HR export, relative to the policy file; header: id,name,email,unit,roles,locale,slack,teams,manager. */
  csv: z.string().min(1).optional(),
});

/**
 * `retention:` how long personal data is kept (README, "Personal data"). Free text: reasons, decision
 * reasons, an approver's conditions, device names, in entries older than this. Leavers: a person the
 * directory says left this long ago is erased as `appwarden erase` does. Unset: kept until erased.
 */
const retentionSchema = z.strictObject({
  free_text_days: z.number().int().min(1).max(36_500).optional(),
  leavers_days: z.number().int().min(0).max(36_500).optional(),
});

/** `inventory:` evidence of removal from the organisation's MDM (DESIGN.md, "Device inventory"). */
export const inventorySchema = z.strictObject({
  /** The server syncs this often; 0: only `appwarden inventory sync`. */
  every_minutes: z.number().int().min(0).max(10_080).default(240),
  /** A device not synced for longer is not evidence. */
  stale_after_days: z.number().int().min(1).max(365).default(7),
  /** Intune through Microsoft Graph, with the AZURE_* credentials. */
  intune: z.boolean().default(false),
  /** Jamf Pro, with JAMF_URL, JAMF_CLIENT_ID, JAMF_CLIENT_SECRET. */
  jamf: z.boolean().default(false),
});

export const policySchema = z.strictObject({
  organization: organizationSchema,
  units: z.array(unitSchema).min(1),
  people: z.array(personSchema).default([]),
  channels: z
    .strictObject({
      approvals: z.strictObject(platformIds).optional(),
      announcements: z.strictObject(platformIds).optional(),
    })
    .default({}),
  categories: z.array(categorySchema).default([]),
  data_classes: z.array(id).default([]),
  /** Labels of data classes, purposes and app categories by id, in one language or per language; built-in ones cover the packs' ids. */
  labels: z
    .strictObject({
      data_classes: z.record(id, label).optional(),
      purposes: z.record(id, label).optional(),
      categories: z.record(id, label).optional(),
    })
    .optional(),
  apps: z.array(appSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  accounts: z.array(accountSchema).default([]),
  directory: directorySchema.optional(),
  inventory: inventorySchema.optional(),
  retention: retentionSchema.optional(),
});

/**
 * Validate an already-parsed document: every problem, by path, in one run. The limits first (a
 * document too big to be a policy is refused on its counts alone); then its shape and its
 * cross-references together: the references are checked on whatever has the right shape, entry by
 * entry and field by field, so that a mistake in one rule hides nothing wrong in another.
 */
export function validatePolicy(document: unknown): Result<Policy> {
  const tooMany = sizeIssues(document);
  if (tooMany.length) return { ok: false, code: 'policy.too_large', issues: tooMany };
  const input = withTextsByLocale(document);
  const parsed = policySchema.safeParse(input, { error: unknownKeyMessage });
  const shape = parsed.success ? [] : parsed.error.issues.flatMap((i) => shapeIssues(i, []));
  const references = crossReferenceIssues(parsed.success ? draftOf(parsed.data) : salvage(input));
  if (parsed.success && !references.length) return { ok: true, value: parsed.data };
  return { ok: false, code: 'policy.invalid', issues: inDocumentOrder(input, [...shape, ...references]) };
}

const LOCALIZED_RULE_TEXTS = ['title', 'source', 'consequence'] as const;
const isByLocale = (v: unknown): v is Record<string, unknown> =>
  isRecord(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => (LOCALES as readonly string[]).includes(k));

/**
 * A rule's `title: { en, ja, fr }` (and source, consequence, exceptions.conditions) read as the text in
 * the organisation's language (else English, else the first given) in `title`, and every language in
 * `texts.title`: the rest of AppWarden reads one string, the wording layer picks the person's.
 */
function withTextsByLocale(document: unknown): unknown {
  if (!isRecord(document) || !Array.isArray(document.rules)) return document;
  const org = isRecord(document.organization) && typeof document.organization.locale === 'string' ? document.organization.locale : 'en';
  const pick = (m: Record<string, unknown>) => {
    const given = Object.values(m).find((v) => typeof v === 'string');
    return typeof m[org] === 'string' ? m[org] : typeof m.en === 'string' ? m.en : given;
  };
  const rules = document.rules.map((rule: unknown) => {
    if (!isRecord(rule)) return rule;
    const texts: Record<string, unknown> = {};
    const out: Record<string, unknown> = { ...rule };
    for (const key of LOCALIZED_RULE_TEXTS)
      if (isByLocale(rule[key])) {
        texts[key] = rule[key];
        out[key] = pick(rule[key]) ?? rule[key];
      }
    const exceptions = rule.exceptions;
    if (isRecord(exceptions) && isByLocale(exceptions.conditions)) {
      texts.conditions = exceptions.conditions;
      out.exceptions = { ...exceptions, conditions: pick(exceptions.conditions) ?? exceptions.conditions };
    }
    return Object.keys(texts).length && !('texts' in rule) ? { ...out, texts } : out;
  });
  return { ...document, rules };
}

/**
 * A zod issue as the problems it stands for. A union that failed is the problems of the one branch the
 * value was meant for (an `exceptions` mapping is read as one, not as "not `none`"), when there is one;
 * an unknown key is one problem per key.
 */
function shapeIssues(issue: z.core.$ZodIssue, base: readonly PropertyKey[]): Issue[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union') {
    const meant = issue.errors.filter(
      (branch) => !branch.every((i) => !i.path.length && (i.code === 'invalid_type' || i.code === 'invalid_value')),
    );
    if (meant.length === 1) return meant[0]!.flatMap((i) => shapeIssues(i, path));
  }
  const at = formatPath(path);
  if (issue.code === 'unrecognized_keys') return issue.message.split('\n').map((message) => ({ path: at, code: issue.code, message }));
  return [{ path: at, code: issue.code, message: issue.message }];
}

/** `unknown key "deadine"; did you mean "deadline"?`, one line per key (split again in shapeIssues). */
const unknownKeyMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { shape?: Record<string, unknown> } | undefined)?.shape;
  return issue.keys.map((key) => unknownKey(key, shape ? Object.keys(shape) : [])).join('\n');
};

function unknownKey(key: string, known: readonly string[]): string {
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  let nearest: string | undefined;
  let best = Infinity;
  // A key of hundreds of characters is no typo of a key of a dozen: not worth comparing.
  if (key.length <= 100)
    for (const k of known) {
      const d = distance(key.toLowerCase(), k);
      if (d < best) [nearest, best] = [k, d];
    }
  if (nearest && best <= Math.max(2, Math.floor(key.length / 3))) return `unknown key "${shown}"; did you mean "${nearest}"?`;
  return `unknown key "${shown}"; the keys here are ${known.join(', ')}`;
}

/** Problems in the order of the document: by top-level key as the file has them, then by entry; stable within an entry. */
function inDocumentOrder(input: unknown, issues: Issue[]): Issue[] {
  const order = [...(isRecord(input) ? Object.keys(input) : []), ...Object.keys(policySchema.shape)];
  const rank = (path: string): [number, number] => {
    const m = /^([a-z_]+)(?:\[(\d+)\])?/.exec(path);
    if (!m) return [-1, -1];
    const top = order.indexOf(m[1]!);
    return [top < 0 ? order.length : top, m[2] === undefined ? -1 : Number(m[2])];
  };
  return issues
    .map((issue, i) => ({ issue, i, r: rank(issue.path) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.issue);
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

/** An entry as far as it has the right shape: its fields that parsed (all when the entry did), and the fields that did not. */
interface Part<T> {
  at: string;
  v: Partial<T>;
  broken: ReadonlySet<string>;
}
type DraftRule = Omit<Rule, 'exceptions'> & { exceptions: 'none' | Partial<ExceptionTerms> };
/** A document as far as it parsed. A list left undefined is no list at all: references into it are not checked. */
interface Draft {
  organization: Partial<Policy['organization']>;
  units?: Part<Unit>[];
  people?: Part<PersonEntry>[];
  categories?: Part<Category>[];
  apps?: Part<App>[];
  rules?: Part<DraftRule>[];
  accounts?: Part<OfficialAccount>[];
  directory?: Partial<DirectoryConfig>;
  inventory?: Partial<InventoryConfig>;
}

const WHOLE: ReadonlySet<string> = new Set();

function draftOf(p: Policy): Draft {
  const parts = <T>(key: string, list: T[]): Part<T>[] => list.map((v, i) => ({ at: `${key}[${i}]`, v, broken: WHOLE }));
  return {
    organization: p.organization,
    units: parts('units', p.units),
    people: parts('people', p.people),
    categories: parts('categories', p.categories),
    apps: parts('apps', p.apps),
    rules: parts('rules', p.rules),
    accounts: parts('accounts', p.accounts),
    ...(p.directory ? { directory: p.directory } : {}),
    ...(p.inventory ? { inventory: p.inventory } : {}),
  };
}

/** What parsed of a document the schema refused: each entry, else each of its fields, on its own. */
function salvage(input: unknown): Draft {
  const doc = isRecord(input) ? input : {};
  const list = <T>(key: string, entry: z.ZodType<T>, fields: Record<string, z.ZodType>): Part<T>[] | undefined => {
    const raw = doc[key];
    if (raw === undefined) return [];
    return Array.isArray(raw) ? raw.map((e, i) => salvageEntry(entry, fields, e, `${key}[${i}]`)) : undefined;
  };
  const rules = list<DraftRule>('rules', ruleSchema, ruleSchema.shape);
  const terms = exceptionsSchema.options[1];
  rules?.forEach((rule, i) => {
    const raw = (doc.rules as unknown[])[i];
    if (rule.broken.has('exceptions') && isRecord(raw) && isRecord(raw.exceptions))
      rule.v.exceptions = salvageEntry(terms, terms.shape, raw.exceptions, '').v;
  });
  return {
    organization: salvageEntry(organizationSchema, organizationSchema.shape, doc.organization, 'organization').v,
    units: list('units', unitSchema, unitSchema.shape),
    people: list('people', personSchema, personSchema.shape),
    categories: list<Category>('categories', categorySchema, categoryObjectSchema.shape),
    apps: list('apps', appSchema, appSchema.shape),
    rules,
    accounts: list('accounts', accountSchema, accountSchema.shape),
    directory: salvageEntry(directorySchema, directorySchema.shape, doc.directory ?? {}, 'directory').v,
    inventory: salvageEntry(inventorySchema, inventorySchema.shape, doc.inventory ?? {}, 'inventory').v,
  };
}

function salvageEntry<T>(entry: z.ZodType<T>, fields: Record<string, z.ZodType>, raw: unknown, at: string): Part<T> {
  const whole = entry.safeParse(raw);
  if (whole.success) return { at, v: whole.data, broken: WHOLE };
  if (!isRecord(raw)) return { at, v: {}, broken: new Set(Object.keys(fields)) };
  const v: Record<string, unknown> = {};
  const broken = new Set<string>();
  for (const [key, field] of Object.entries(fields)) {
    const r = field.safeParse(raw[key]);
    if (!r.success) broken.add(key);
    else if (r.data !== undefined) v[key] = r.data;
  }
  return { at, v: v as Partial<T>, broken };
}

function crossReferenceIssues(d: Draft): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, code: string, message: string) => void issues.push({ path, code, message });
  const idsOf = (parts: Part<{ id: string }>[] | undefined) =>
    parts && new Set(parts.flatMap(({ v }) => (v.id === undefined ? [] : [v.id])));
  /** A reference into a list that is no list at all is not checked: the list's own problem says enough. */
  const known = (ids: ReadonlySet<string> | undefined, ref: string) => !ids || ids.has(ref);
  const unitIds = idsOf(d.units);
  const appIds = idsOf(d.apps);
  const personIds = idsOf(d.people);
  const categoryIds =
    d.categories && d.apps && !d.apps.some((a) => a.broken.has('categories'))
      ? new Set([...idsOf(d.categories)!, ...d.apps.flatMap((a) => a.v.categories ?? [])])
      : undefined;

  for (const [list, name] of [
    [d.units, 'units'],
    [d.people, 'people'],
    [d.apps, 'apps'],
    [d.rules, 'rules'],
    [d.categories, 'categories'],
    [d.accounts, 'accounts'],
  ] as const) {
    const seen = new Set<string>();
    for (const { at, v } of list ?? []) {
      if (v.id === undefined) continue;
      if (seen.has(v.id)) add(`${at}.id`, 'duplicate_id', `duplicate id "${v.id}"`);
      seen.add(v.id);
    }
  }
  const { default_unit } = d.organization;
  if (default_unit && !known(unitIds, default_unit)) add('organization.default_unit', 'unknown_unit', `no unit "${default_unit}"`);
  for (const { at, v: u } of d.units ?? [])
    if (u.parent && !known(unitIds, u.parent)) add(`${at}.parent`, 'unknown_unit', `no unit "${u.parent}"`);
  const cycle = findUnitCycle((d.units ?? []).flatMap(({ v }) => (v.id === undefined ? [] : [{ id: v.id, parent: v.parent }])));
  if (cycle) add('units', 'unit_cycle', `units form a cycle: ${cycle.join(' -> ')}`);

  // A platform id names one person, on either platform, and is nobody's person id: `--as` and the
  // platform lookups find people by any of them.
  const platformOwner = new Map<string, { person: string; platform: string }>();
  for (const { at, v: x } of d.people ?? []) {
    if (x.unit && !known(unitIds, x.unit)) add(`${at}.unit`, 'unknown_unit', `no unit "${x.unit}"`);
    if (x.manager && !known(personIds, x.manager)) add(`${at}.manager`, 'unknown_person', `no person "${x.manager}"`);
    for (const platform of ['slack', 'teams'] as const) {
      const pid = x[platform];
      if (!pid) continue;
      const owner = platformOwner.get(pid);
      if (owner && owner.person !== x.id)
        add(
          `${at}.${platform}`,
          'duplicate_id',
          `${platform} id "${pid}" is also ${owner.person}'s${owner.platform === platform ? '' : ` ${owner.platform} id`}`,
        );
      else if (pid !== x.id && personIds?.has(pid))
        add(`${at}.${platform}`, 'platform_id_names_person', `${platform} id "${pid}" is also the id of person "${pid}"`);
      if (!owner) platformOwner.set(pid, { person: x.id ?? at, platform });
    }
  }

  issues.push(...appNameIssues(d.apps ?? []));

  for (const { at, v: r, broken } of d.rules ?? []) {
    if (r.unit && !known(unitIds, r.unit)) add(`${at}.unit`, 'unknown_unit', `no unit "${r.unit}"`);
    if (!broken.has('apps') && !broken.has('categories') && !r.apps?.length && !r.categories?.length)
      add(at, 'no_target', 'a rule needs apps, categories or both');
    r.apps?.forEach((a, j) => known(appIds, a) || add(`${at}.apps[${j}]`, 'unknown_app', `no app "${a}"`));
    r.categories?.forEach(
      (c, j) => known(categoryIds, c) || add(`${at}.categories[${j}]`, 'unknown_category', `no app or category list has "${c}"`),
    );
    for (const key of ['deadline', 'review', 'lifted'] as const) {
      const day = r[key];
      if (day && r.effective && day < r.effective)
        add(`${at}.${key}`, `${key}_before_effective`, `${key} ${day} is before effective ${r.effective}`);
    }
    const terms = r.exceptions;
    if (terms && terms !== 'none') {
      if (r.effect === 'allow') add(`${at}.exceptions`, 'exceptions_on_allow', 'only a prohibition can have exceptions');
      terms.approvers?.forEach(
        (a, j) => known(personIds, a) || add(`${at}.exceptions.approvers[${j}]`, 'unknown_approver', `no person "${a}"`),
      );
      terms.escalate_to?.forEach(
        (a, j) => known(personIds, a) || add(`${at}.exceptions.escalate_to[${j}]`, 'unknown_approver', `no person "${a}"`),
      );
      const { remind_after_hours: remind, escalate_after_hours: escalate } = terms;
      if (remind && escalate && escalate < remind)
        add(
          `${at}.exceptions.escalate_after_hours`,
          'escalate_before_remind',
          `escalate_after_hours ${escalate} is before remind_after_hours ${remind}`,
        );
      terms.stages?.forEach((stage, j) => {
        const names = stage.approvers === 'manager' ? [] : stage.approvers;
        names.forEach(
          (a, k) => known(personIds, a) || add(`${at}.exceptions.stages[${j}].approvers[${k}]`, 'unknown_approver', `no person "${a}"`),
        );
        if (stage.min_approvals && stage.approvers !== 'manager' && stage.min_approvals > names.length)
          add(
            `${at}.exceptions.stages[${j}].min_approvals`,
            'quorum_too_large',
            `min_approvals ${stage.min_approvals} is more than the ${names.length} approvers named`,
          );
        if (stage.min_approvals && stage.min_approvals > 1 && stage.approvers === 'manager')
          add(`${at}.exceptions.stages[${j}].min_approvals`, 'quorum_too_large', 'a manager stage has one approver: the manager');
      });
      if (terms.approvers_only && !terms.approvers?.length)
        add(`${at}.exceptions.approvers_only`, 'no_approvers', 'approvers_only needs approvers: name who decides');
      const { default_days, max_days } = terms;
      if (default_days && max_days && default_days > max_days)
        add(`${at}.exceptions.default_days`, 'over_max_days', `default_days ${default_days} is over max_days ${max_days}`);
    }
  }
  for (const { at, v: a } of d.accounts ?? []) {
    if (a.app && !known(appIds, a.app)) add(`${at}.app`, 'unknown_app', `no app "${a.app}"`);
    if (a.unit && !known(unitIds, a.unit)) add(`${at}.unit`, 'unknown_unit', `no unit "${a.unit}"`);
    if (a.owner && !known(personIds, a.owner)) add(`${at}.owner`, 'unknown_person', `no person "${a.owner}"`);
  }
  for (const key of ['units_by_department', 'units_by_group'] as const)
    for (const [from, unit] of Object.entries(d.directory?.entra?.[key] ?? {}))
      if (!known(unitIds, unit)) add(`directory.entra.${key}.${from}`, 'unknown_unit', `no unit "${unit}"`);
  return issues;
}

/**
 * Names that would make a lookup ambiguous: a name, alias, store id or bundle id that is another app's
 * too (as matched: case, spacing and width ignored), and names or aliases that are confusables of
 * another app's (UTS #39 skeletons equal, as `findApp` reads look-alikes; two ASCII names never are).
 * Each pair of apps is named once. Linear: a map read per name.
 */
function appNameIssues(apps: Part<App>[]): Issue[] {
  const issues: Issue[] = [];
  const exact = new Map<string, string>();
  type Hit = { app: string; key: string; name: string; ascii: boolean };
  /** Per skeleton, the first two hits of different apps, ASCII and not: enough to find another app to pair with. */
  const skeletons = [new Map<string, Hit[]>(), new Map<string, Hit[]>()];
  const paired = new Set<string>();
  // Two ASCII names are never look-alikes: a catalogue written in ASCII alone has none to find.
  const anyOtherScript = apps.some(({ v: a }) => [a.name ?? '', ...(a.aliases ?? [])].some((n) => !isAsciiKey(nameKey(n))));
  for (const { at, v: a } of apps) {
    if (a.id === undefined) continue;
    // The name first: a look-alike is reported with the name people know the app by.
    const names: [string, string][] = [
      ...(a.name === undefined ? [] : [[`${at}.name`, a.name] as [string, string]]),
      ...(a.aliases ?? []).map((n, j): [string, string] => [`${at}.aliases[${j}]`, n]),
      [`${at}.id`, a.id],
    ];
    const ids = [
      ...(a.store_ids ?? []).map((n, j): [string, string] => [`${at}.store_ids[${j}]`, n]),
      ...(a.bundle_ids ?? []).map((n, j): [string, string] => [`${at}.bundle_ids[${j}]`, n]),
    ];
    for (const [path, name] of [...names, ...ids]) {
      const key = nameKey(name);
      const owner = exact.get(key);
      if (owner !== undefined && owner !== a.id)
        issues.push({ path, code: 'ambiguous_alias', message: `"${name}" also names app "${owner}"` });
      if (owner === undefined) exact.set(key, a.id);
    }
    for (const [path, name] of anyOtherScript ? names : []) {
      const key = nameKey(name);
      const hit: Hit = { app: a.id, key, name, ascii: isAsciiKey(key) };
      for (const [s, skeleton] of keySkeletons(key).entries()) {
        const hits = skeletons[s]!.get(skeleton) ?? [];
        // The same key is the same name (reported above when it is two apps'); two ASCII keys are typos, not look-alikes.
        const other = hits.find((h) => h.app !== hit.app && h.key !== hit.key && !(h.ascii && hit.ascii));
        const pair = other && [other.app, hit.app].sort().join('\n');
        if (other && pair && !paired.has(pair)) {
          paired.add(pair);
          const message = `"${name}" (app "${hit.app}") looks like "${other.name}" (app "${other.app}"): a name typed with look-alike letters could mean either`;
          issues.push({ path, code: 'confusable_names', message });
        }
        if (hits.filter((h) => h.ascii === hit.ascii).length < 2 && !hits.some((h) => h.app === hit.app && h.ascii === hit.ascii)) {
          hits.push(hit);
          skeletons[s]!.set(skeleton, hits);
        }
      }
    }
  }
  return issues;
}

/**
 * The first cycle among the units' parents, if any. Linear: each unit is walked once; a walk stops at
 * a unit already settled, so a 4,000-deep chain costs 4,000 steps, not 4,000².
 */
function findUnitCycle(units: { id: string; parent?: string | undefined }[]): string[] | undefined {
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

/**
 * A zone named by its region (`America/New_York`, `Europe/Brussels`), or UTC. Deadlines are days in a
 * place: `EST` is UTC-5 all year (no daylight saving), so a New York deadline written in it ends an
 * hour late all summer; `US/Eastern`, `CET` and `Japan` are legacy names of region zones.
 */
function isRegionZone(tz: string): boolean {
  return (
    tz === 'UTC' ||
    tz === 'Etc/UTC' ||
    /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\/[A-Za-z]/.test(tz)
  );
}

/** Fixed offsets people write for a region that has daylight saving, with the region they most often mean. */
const REGION_MEANT: Record<string, string> = {
  EST: 'America/New_York',
  MST: 'America/Denver (or America/Phoenix, which keeps UTC-7 all year)',
  HST: 'Pacific/Honolulu',
  GMT: 'Europe/London (or UTC)',
  EST5EDT: 'America/New_York',
  CST6CDT: 'America/Chicago',
  MST7MDT: 'America/Denver',
  PST8PDT: 'America/Los_Angeles',
};

function notARegionMessage(tz: string): string {
  const fixed = /^(EST|MST|HST|GMT|Etc\/.*)$/.test(tz);
  const canonical = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  const region = REGION_MEANT[tz] ?? (isRegionZone(canonical) ? canonical : undefined);
  const what = fixed ? 'a fixed offset with no daylight saving, not a place' : 'a legacy zone name, not a region';
  const instead = region ? `, e.g. ${region}` : ' (Area/City, as America/New_York is)';
  return `"${tz}" is ${what}: deadlines are days in a place, so name the region instead${instead}`;
}
