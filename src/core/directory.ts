import { LOCALES, type DirectoryConfig, type Locale, type PersonEntry, type Policy, type Role } from './policy.ts';
import { policyIndex } from './policy-index.ts';

/**
 * The directory: everyone the policy governs beyond the people it lists, as the organisation's
 * identity sources know them (Microsoft Entra ID, Slack, an HR export). Each source is read as plain
 * data (a snapshot); this module joins the sources into one person per human, by email, and works out
 * each person's unit, roles and language from the policy's mapping. Pure: what the sources said comes
 * in, records and counts go out.
 */

export const DIRECTORY_SOURCES = ['entra', 'slack', 'csv'] as const;
export type DirectorySource = (typeof DIRECTORY_SOURCES)[number];

/** What one source says of one person; each source fills what it knows. */
export interface SourcePerson {
  /** The source's own id for them: the Entra object id, the Slack member id, the CSV row's id or email. */
  key: string;
  /** Lowercased: the join between sources (Entra `mail`, else `userPrincipalName`). */
  email?: string;
  name?: string;
  /** Entra `department`. */
  department?: string;
  /** CSV only: a unit id, and roles. */
  unit?: string;
  roles?: string[];
  /** As the source gives it: Entra `preferredLanguage` (`fr-FR`), a CSV `locale`. */
  locale?: string;
  /** CSV only: platform ids the export carries. */
  slack?: string;
  teams?: string;
  /** The manager as the source names them: an Entra object id, a CSV email or id. */
  manager?: string;
  /** A delta only: the fields the source emptied since the last read (a department removed, a manager unassigned). */
  cleared?: ClearableField[];
}

export type ClearableField = 'name' | 'department' | 'locale' | 'manager';

/** What one read of a source found. */
export interface SourceSnapshot {
  source: DirectorySource;
  /**
   * `true`: everyone the source has, so whoever it had before and lacks now has left it. `false` (an
   * Entra delta): only the people changed since `cursor` was handed out, and `removed`.
   */
  complete: boolean;
  people: SourcePerson[];
  /** Keys the source says are gone: Entra's `@removed`, and accounts disabled (`accountEnabled: false`). */
  removed: string[];
  /** Group object id → the keys of its members, complete for every group the mapping names (Entra). */
  groups?: Record<string, string[]>;
  /** What to hand the source next time (Entra's `@odata.deltaLink`). */
  cursor?: string;
}

/** One person of the directory as stored: what each source said of them, and when they left. */
export interface DirectoryRecord {
  /** The person id: their email, lowercased (or a CSV row's id when it has no email). */
  id: string;
  email?: string;
  sources: Partial<Record<DirectorySource, SourcePerson>>;
  /** The mapped Entra groups they belong to. */
  groups?: string[];
  since: string;
  /** When every source had dropped them, or Entra disabled or removed them: no longer a person of ours. */
  leftAt?: string;
}

/** Where a source stands: its cursor for the next read, and when it was last read. */
export interface DirectorySourceState {
  id: DirectorySource;
  cursor?: string;
  syncedAt: string;
  people: number;
}

/** The change a sync makes to the records, and its counts (what the audit entry says). */
export interface DirectorySync {
  /** The records to store: the new ones and the changed ones. */
  records: DirectoryRecord[];
  added: string[];
  changed: string[];
  left: string[];
  /** Who rejoined after having left. */
  returned: string[];
  /** People of ours now: in all, and known to each source. */
  total: number;
  perSource: Partial<Record<DirectorySource, number>>;
}

const normEmail = (email: string | undefined) => email?.trim().toLowerCase() || undefined;

/** The id a source's person is known by in the directory: their email, else (CSV) their row id. */
const personIdOf = (p: SourcePerson, source: DirectorySource): string | undefined =>
  normEmail(p.email) ?? (source === 'csv' ? p.key.toLowerCase() : undefined);

/** Two records alike whatever the order of their keys (a stored record may come back with them sorted). */
const sameRecord = (a: unknown, b: unknown): boolean => sortedJson(a) === sortedJson(b);
const sortedJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(sortedJson).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => `${JSON.stringify(k)}:${sortedJson(x)}`)
          .join(',')}}`
      : JSON.stringify(v);

/**
 * Applies snapshots to the stored records, in the order given. A person a complete snapshot lacks, or
 * a delta removes, loses that source; a person no source has any more has left. Entra is the
 * organisation's record of who works there: when it removes or disables someone they have left,
 * whatever Slack or the export still say. Records are never deleted: a leaver keeps their record
 * (with `leftAt`), so their history still names them.
 */
export function applySnapshots(before: readonly DirectoryRecord[], snapshots: readonly SourceSnapshot[], at: string): DirectorySync {
  const byId = new Map(before.map((r) => [r.id, structuredClone(r)] as const));
  const entraLeft = new Set<string>();
  for (const snap of snapshots) {
    const keyIndex = new Map<string, string>();
    for (const r of byId.values()) {
      const key = r.sources[snap.source]?.key;
      if (key !== undefined) keyIndex.set(key, r.id);
    }
    const seen = new Set<string>();
    for (const person of snap.people) {
      const known = keyIndex.get(person.key);
      const previous = known ? byId.get(known)!.sources[snap.source] : undefined;
      // A delta may carry only the fields that changed: the rest stay as they were, less what it emptied.
      const merged = snap.complete || !previous ? withoutCleared(person) : mergeDelta(previous, person);
      const id = personIdOf(merged, snap.source) ?? known;
      if (!id) continue; // no email to join on (a Slack member without one): not a person we can know
      if (known && known !== id) delete byId.get(known)!.sources[snap.source]; // their email changed: they move
      const record = byId.get(id) ?? { id, sources: {}, since: at };
      record.sources[snap.source] = merged;
      if (merged.email) record.email = normEmail(merged.email);
      byId.set(id, record);
      keyIndex.set(merged.key, id);
      seen.add(id);
    }
    const drop = (id: string) => {
      const record = byId.get(id);
      if (!record?.sources[snap.source]) return;
      delete record.sources[snap.source];
      if (snap.source === 'entra') entraLeft.add(id);
    };
    for (const key of snap.removed) {
      const id = keyIndex.get(key);
      if (id && !seen.has(id)) drop(id);
    }
    if (snap.complete) for (const r of byId.values()) if (r.sources[snap.source] && !seen.has(r.id)) drop(r.id);
    if (snap.groups) {
      const groupsOf = new Map<string, string[]>();
      for (const [group, keys] of Object.entries(snap.groups))
        for (const key of keys) {
          const id = keyIndex.get(key);
          if (id) groupsOf.set(id, [...(groupsOf.get(id) ?? []), group]);
        }
      for (const r of byId.values()) {
        const groups = (groupsOf.get(r.id) ?? []).sort();
        if (groups.length) r.groups = groups;
        else delete r.groups;
      }
    }
  }

  const previousById = new Map(before.map((r) => [r.id, r] as const));
  const records: DirectoryRecord[] = [];
  const result: DirectorySync = { records, added: [], changed: [], left: [], returned: [], total: 0, perSource: {} };
  for (const record of byId.values()) {
    const old = previousById.get(record.id);
    const gone = Object.keys(record.sources).length === 0 || entraLeft.has(record.id);
    if (gone) {
      if (old && !old.leftAt) {
        record.leftAt = at;
        result.left.push(record.id);
      } else if (old?.leftAt) record.leftAt = old.leftAt;
      else continue; // came and went within this one sync
    } else {
      delete record.leftAt;
      if (!old) result.added.push(record.id);
      else if (old.leftAt) result.returned.push(record.id);
    }
    if (old && !sameRecord(old, record)) {
      records.push(record);
      if (!gone && !old.leftAt) result.changed.push(record.id);
    } else if (!old) records.push(record);
    if (gone) continue;
    result.total++;
    for (const source of Object.keys(record.sources) as DirectorySource[]) result.perSource[source] = (result.perSource[source] ?? 0) + 1;
  }
  return result;
}

function definedOnly(p: SourcePerson): Partial<SourcePerson> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<SourcePerson>;
}

/** What is stored of a source's person: never the `cleared` list, which only says what a delta removed. */
function withoutCleared({ cleared: _, ...person }: SourcePerson): SourcePerson {
  return person;
}

function mergeDelta(previous: SourcePerson, change: SourcePerson): SourcePerson {
  const merged = { ...previous, ...definedOnly(withoutCleared(change)) };
  for (const field of change.cleared ?? []) delete merged[field];
  return merged;
}

/** Where a fact about a person came from: `policy`, a source and the field it read, or the default. */
export type Provenance = string;

/** A person as the directory makes them, with where each fact came from. */
export interface DirectoryPerson {
  entry: PersonEntry;
  from: Partial<Record<'name' | 'unit' | 'roles' | 'locale' | 'slack' | 'teams' | 'email' | 'manager', Provenance>>;
  manager?: string;
}

/** A language tag as a source gives it (`fr-FR`, `ja`, `EN_us`) as one of ours, if we have it. */
export function localeOf(tag: string | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(primary ?? '') ? (primary as Locale) : undefined;
}

/** What the directory says of one person, under the policy's mapping. */
export function directoryPerson(record: DirectoryRecord, policy: Policy): DirectoryPerson {
  const { entra, slack, csv } = record.sources;
  const mapping: DirectoryConfig['entra'] = policy.directory?.entra;
  // The policy's own index, not a set of its units per record: a sync or a join calls this for everyone.
  const units = policyIndex(policy).unitsById;
  const from: DirectoryPerson['from'] = {};
  const pick = <T>(field: keyof DirectoryPerson['from'], ...candidates: [T | undefined, Provenance][]): T | undefined => {
    for (const [value, where] of candidates)
      if (value !== undefined && value !== '') {
        from[field] = where;
        return value;
      }
    return undefined;
  };
  const groups = record.groups ?? [];
  const groupUnit = groups.map((g) => [mapping?.units_by_group[g], `entra group ${g}`] as [string | undefined, string]);
  const departmentUnit: [string | undefined, string] = [
    entra?.department === undefined ? undefined : mapping?.units_by_department[entra.department],
    `entra department "${entra?.department}"`,
  ];
  const unit =
    pick<string>('unit', ...groupUnit, departmentUnit, [csv?.unit && units.has(csv.unit) ? csv.unit : undefined, 'csv']) ??
    pick<string>('unit', [policy.organization.default_unit, 'organization.default_unit'])!;
  const groupRoles = groups.flatMap((g) => mapping?.roles_by_group[g] ?? []);
  const csvRoles = (csv?.roles ?? []).filter((r): r is Role => ['approver', 'admin', 'reporter'].includes(r));
  const roles = [...new Set<Role>([...groupRoles, ...csvRoles])];
  if (roles.length) from.roles = [groupRoles.length ? 'entra groups' : '', csvRoles.length ? 'csv' : ''].filter(Boolean).join(' + ');
  const name = pick<string>('name', [entra?.name, 'entra'], [csv?.name, 'csv'], [slack?.name, 'slack']);
  const locale = pick<Locale>('locale', [localeOf(entra?.locale), 'entra preferredLanguage'], [localeOf(csv?.locale), 'csv']);
  const slackId = pick<string>('slack', [slack?.key, 'slack'], [csv?.slack, 'csv']);
  const teamsId = pick<string>('teams', [entra?.key, 'entra object id'], [csv?.teams, 'csv']);
  const manager = pick<string>('manager', [entra?.manager, 'entra'], [csv?.manager, 'csv']);
  if (record.email) from.email = entra?.email ? 'entra' : csv?.email ? 'csv' : 'slack';
  return {
    entry: {
      id: record.id,
      ...(name ? { name } : {}),
      unit,
      roles,
      ...(locale ? { locale } : {}),
      ...(record.email ? { email: record.email } : {}),
      ...(slackId ? { slack: slackId } : {}),
      ...(teamsId ? { teams: teamsId } : {}),
    },
    from,
    ...(manager ? { manager } : {}),
  };
}

/** The people the policy lists, by email, by platform id and by id: built once for a join over many records. */
export interface ListedPeople {
  byEmail: ReadonlyMap<string, PersonEntry>;
  byPlatform: ReadonlyMap<string, PersonEntry>;
  byId: ReadonlyMap<string, PersonEntry>;
}

export function listedPeople(policy: Policy): ListedPeople {
  const byId = new Map<string, PersonEntry>();
  // The first person of an id, as a search from the top would find.
  for (const p of policy.people) if (!byId.has(p.id)) byId.set(p.id, p);
  return {
    byEmail: new Map(policy.people.flatMap((p) => (p.email ? [[p.email.toLowerCase(), p] as const] : []))),
    byPlatform: new Map(
      policy.people.flatMap((p) => [
        ...(p.slack ? [[`slack:${p.slack}`, p] as const] : []),
        ...(p.teams ? [[`teams:${p.teams}`, p] as const] : []),
      ]),
    ),
    byId,
  };
}

/** The person the policy lists who is this directory record's human, if any; pass `listed` when asking for many records. */
export function listedPersonOf(policy: Policy, record: DirectoryRecord, listed = listedPeople(policy)): PersonEntry | undefined {
  return listedMatch(directoryPerson(record, policy).entry, listed);
}

/** The policy person a directory person is, if the policy lists them: by email, else a platform id, else their id. */
function listedMatch(person: PersonEntry, listed: ListedPeople) {
  return (
    (person.email ? listed.byEmail.get(person.email) : undefined) ??
    (person.slack ? listed.byPlatform.get(`slack:${person.slack}`) : undefined) ??
    (person.teams ? listed.byPlatform.get(`teams:${person.teams}`) : undefined) ??
    listed.byId.get(person.id)
  );
}

/**
 * The policy as the engine should see it: its own people, each completed by what the directory knows
 * of them (what the policy says wins, field by field), then everyone else the directory brings who has
 * not left. Answers the policy itself when there is no directory.
 */
export function withDirectory(policy: Policy, records: readonly DirectoryRecord[]): Policy {
  if (!records.length) return policy;
  const listedIndex = listedPeople(policy);
  const completed = new Map<string, PersonEntry>();
  const others: PersonEntry[] = [];
  /** Each person's manager as the directory names them (an Entra object id, an email, an id), resolved below. */
  const managers = new Map<string, string>();
  /** Entra object id → person id: an Entra manager is named by object id, whoever's Teams id that became. */
  const personOfEntraKey = new Map<string, string>();
  const taken = new Set(policy.people.flatMap((p) => [p.id, p.slack, p.teams].filter((x): x is string => !!x)));
  for (const record of records) {
    if (record.leftAt) continue;
    const { entry, manager } = directoryPerson(record, policy);
    const listed = listedMatch(entry, listedIndex);
    const entraKey = record.sources.entra?.key;
    if (entraKey) personOfEntraKey.set(entraKey, listed?.id ?? entry.id);
    if (listed) {
      completed.set(listed.id, completeListed(listed, entry, taken));
      if (manager && !listed.manager) managers.set(listed.id, manager);
      continue;
    }
    if (manager) managers.set(entry.id, manager);
    if (taken.has(entry.id)) continue; // an email that is some listed person's id or platform id: never theirs
    // A platform id some listed person holds is theirs: the directory's copy is dropped, not shared.
    const own = { ...entry };
    if (own.slack && taken.has(own.slack)) delete own.slack;
    if (own.teams && taken.has(own.teams)) delete own.teams;
    others.push(own);
  }
  const people = [...policy.people.map((p) => completed.get(p.id) ?? p), ...others];
  if (managers.size) {
    const byRef = new Map<string, string>();
    for (const p of people) for (const ref of [p.id, p.email?.toLowerCase(), p.teams]) if (ref) byRef.set(ref, p.id);
    for (const [key, id] of personOfEntraKey) byRef.set(key, id);
    for (const [i, p] of people.entries()) {
      const ref = managers.get(p.id);
      const id = ref ? (byRef.get(ref) ?? byRef.get(ref.toLowerCase())) : undefined;
      if (id && id !== p.id) people[i] = { ...p, manager: id };
    }
  }
  return { ...policy, people };
}

/** A listed person completed by the directory: every field the policy sets is kept. */
function completeListed(listed: PersonEntry, found: PersonEntry, taken: ReadonlySet<string>): PersonEntry {
  const free = (platformId: string | undefined) => (platformId && !taken.has(platformId) ? platformId : undefined);
  const slack = listed.slack ?? free(found.slack);
  const teams = listed.teams ?? free(found.teams);
  const name = listed.name ?? found.name;
  const locale = listed.locale ?? found.locale;
  const email = listed.email ?? found.email;
  return {
    ...listed,
    ...(name ? { name } : {}),
    unit: listed.unit ?? found.unit,
    roles: listed.roles.length ? listed.roles : found.roles,
    ...(locale ? { locale } : {}),
    ...(email ? { email } : {}),
    ...(slack ? { slack } : {}),
    ...(teams ? { teams } : {}),
  };
}

/** One fact about a person and where it came from, for `appwarden directory show`. */
export interface PersonFact {
  field: string;
  value: string;
  from: Provenance;
}

export interface PersonFacts {
  id: string;
  facts: PersonFact[];
  /** The sources that know them, and since when the directory does. */
  sources: DirectorySource[];
  since?: string;
  leftAt?: string;
  /** The policy's own entry for them, whose fields win. */
  listed?: string;
}

/**
 * Everything known of one person (by person id, email, or a Slack or Entra id), each fact with its
 * source: the policy where it sets the field, else the directory source it was read from.
 */
export function personFacts(policy: Policy, records: readonly DirectoryRecord[], ref: string): PersonFacts | undefined {
  const wanted = ref.trim().toLowerCase();
  const listedByRef = policy.people.find(
    (p) =>
      p.id.toLowerCase() === wanted ||
      p.email?.toLowerCase() === wanted ||
      p.slack?.toLowerCase() === wanted ||
      p.teams?.toLowerCase() === wanted,
  );
  const listedIndex = listedPeople(policy);
  const record = records.find(
    (r) =>
      r.id === wanted ||
      Object.values(r.sources).some((s) => s?.key.toLowerCase() === wanted) ||
      (listedByRef !== undefined && listedPersonOf(policy, r, listedIndex)?.id === listedByRef.id),
  );
  const listed = listedByRef ?? (record ? listedPersonOf(policy, record, listedIndex) : undefined);
  if (!record && !listed) return undefined;
  const found = record ? directoryPerson(record, policy) : undefined;
  const facts: PersonFact[] = [];
  const fields = ['name', 'email', 'unit', 'roles', 'locale', 'slack', 'teams'] as const;
  for (const field of fields) {
    const own = listed?.[field];
    const ownSet = Array.isArray(own) ? own.length > 0 : own !== undefined;
    if (listed && ownSet) facts.push({ field, value: Array.isArray(own) ? own.join(', ') : String(own), from: 'policy' });
    else if (found?.entry[field] !== undefined && (field !== 'roles' || found.entry.roles.length)) {
      const value = found.entry[field]!;
      facts.push({ field, value: Array.isArray(value) ? value.join(', ') : String(value), from: found.from[field] ?? 'directory' });
    }
  }
  if (listed?.manager) facts.push({ field: 'manager', value: listed.manager, from: 'policy' });
  else if (found?.manager) {
    // As the engine resolves it: the manager's person id, or the source's own reference when it names nobody of ours.
    const resolved = withDirectory(policy, records).people.find((p) => p.id === (listed?.id ?? record!.id))?.manager;
    facts.push({ field: 'manager', value: resolved ?? `${found.manager} (not a person of ours)`, from: found.from.manager ?? 'directory' });
  }
  return {
    id: listed?.id ?? record!.id,
    facts,
    sources: record ? DIRECTORY_SOURCES.filter((source) => record.sources[source]) : [],
    ...(record ? { since: record.since } : {}),
    ...(record?.leftAt ? { leftAt: record.leftAt } : {}),
    ...(listed ? { listed: listed.id } : {}),
  };
}
