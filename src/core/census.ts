import { findApp } from './catalog.ts';
import { hasRole, resolvePerson, unitChain, type Person } from './org.ts';
import type { Policy } from './policy.ts';
import { policyIndex } from './policy-index.ts';
import type { Census, CensusAnswer, CensusUse } from './records.ts';
import { ok, refuse, type Outcome } from './result.ts';
import { endOfLocalDay, localDate } from './time.ts';

export interface CensusAsk {
  app: string;
  due: string;
  /** Unit ids, or every unit. */
  units: string[] | 'all';
  question?: string;
}

/** Only admins start a census; the due date is today or later; every unit is one the policy knows. */
export function startCensus(ask: CensusAsk, person: Person, policy: Policy, now: Date, id: string): Outcome<Census> {
  if (!hasRole(person, 'admin')) return refuse('not_admin');
  const app = findApp(policy, ask.app);
  if (!app) return refuse('unknown_app', 'app');
  if (ask.due < localDate(now, policy.organization.timezone)) return refuse('due_in_past', 'due', { due: ask.due });
  const idx = policyIndex(policy);
  const units = ask.units === 'all' ? policy.units.map((u) => u.id) : ask.units;
  const unknown = units.filter((u) => !idx.unitsById.has(u));
  if (unknown.length) return refuse('unknown_units', 'units', { units: unknown });
  if (!units.length) return refuse('no_units', 'units');
  return ok({
    id,
    app: app.id,
    due: ask.due,
    units: [...new Set(units)],
    ...(ask.question ? { question: ask.question } : {}),
    startedBy: person.id,
    startedAt: now.toISOString(),
  });
}

/** Who answers for a unit: its reporters, else its approvers; a unit with neither is answered for by the nearest unit above that has some. */
export function reportersFor(policy: Policy, unit: string): Person[] {
  const people = policy.people.map((p) => resolvePerson(policy, p.id));
  for (const u of unitChain(policy, unit)) {
    const here = people.filter((p) => p.unit === u);
    const reporters = here.filter((p) => hasRole(p, 'reporter'));
    if (reporters.length) return reporters;
    const approvers = here.filter((p) => hasRole(p, 'approver'));
    if (approvers.length) return approvers;
  }
  return [];
}

export const isCensusOpen = (census: Census, policy: Policy, now: Date) => now <= endOfLocalDay(census.due, policy.organization.timezone);

/** The units a person answers for in this census. */
export function unitsAnsweredBy(policy: Policy, census: Census, person: Person): string[] {
  return census.units.filter((u) => reportersFor(policy, u).some((p) => p.id === person.id));
}

/** Where a unit's current answer lives: `<census>/<unit>` (as every answer did before versions were kept). */
export const answerId = (census: string, unit: string) => `${census}/${unit}`;

/** An answer superseded by a later one stays in the store under its own id, `<census>/<unit>#<revision>`. */
export const versionId = (a: Pick<CensusAnswer, 'census' | 'unit' | 'revision'>) => `${answerId(a.census, a.unit)}#${a.revision}`;

/** The unit's answer as it stands: the latest version. */
export const isCurrentAnswer = (a: CensusAnswer) => a.id === answerId(a.census, a.unit);

/** The current answer, kept under its version id once a new version supersedes it. */
export const keptVersion = (current: CensusAnswer): CensusAnswer => ({ ...current, id: versionId(current) });

/** Every version of a unit's answer, oldest first (a record from before versions were kept is its only one). */
export function answerVersions(answers: readonly CensusAnswer[], census: string, unit: string): CensusAnswer[] {
  return answers.filter((a) => a.census === census && a.unit === unit).sort((a, b) => a.revision - b.revision);
}

/**
 * Record (or correct, until the due date) a unit's answer. Every answer is a new version, whoever gives
 * it: a second reporter of the unit does not overwrite the first, whose version is kept beside it
 * (`keptVersion`). `previous` is the current answer. Shape is checked by the caller; these are the rules.
 */
export function answerCensus(
  census: Census,
  unit: string,
  answer: { usesApp: boolean; uses: CensusUse[] },
  person: Person,
  policy: Policy,
  previous: CensusAnswer | undefined,
  now: Date,
): Outcome<CensusAnswer> {
  if (!census.units.includes(unit)) return refuse('unit_not_in_census', 'unit', { unit });
  if (!unitsAnsweredBy(policy, census, person).includes(unit)) return refuse('not_a_reporter', 'unit', { unit });
  // After the due date a silent unit may still answer (late); an answer given can no longer be changed.
  if (previous && !isCensusOpen(census, policy, now)) return refuse('census_closed', undefined, { due: census.due });
  if (answer.usesApp && !answer.uses.length) return refuse('no_uses', 'uses');
  return ok({
    id: answerId(census.id, unit),
    census: census.id,
    unit,
    usesApp: answer.usesApp,
    uses: answer.usesApp ? answer.uses : [],
    answeredBy: person.id,
    answeredAt: now.toISOString(),
    revision: (previous?.revision ?? 0) + 1,
  });
}

/** One version of a unit's answer, in short. */
export interface CensusVersion {
  revision: number;
  answeredBy: string;
  answeredAt: string;
  usesApp: boolean;
  uses: number;
  personalData: number;
}

export interface CensusRollup {
  /** Each unit by its current answer; `versions` has every answer given for it, oldest first. */
  units: { unit: string; answered: boolean; usesApp: boolean; uses: number; personalData: number; versions: CensusVersion[] }[];
  uses: number;
  personalData: number;
  /** Share of uses that handle personal data, 0–100, one decimal. */
  percent: number;
  /** How many units have answered; `silent` are the others. */
  answered: number;
  silent: string[];
}

const versionOf = (a: CensusAnswer): CensusVersion => ({
  revision: a.revision,
  answeredBy: a.answeredBy,
  answeredAt: a.answeredAt,
  usesApp: a.usesApp,
  uses: a.uses.length,
  personalData: a.uses.filter((u) => u.personalData).length,
});

/**
 * The survey's answer: how many uses, how many handle personal data, by unit, and who has not answered.
 * A unit counts by its latest version; earlier ones (another reporter's, or before a correction) are listed.
 */
export function rollUp(census: Census, answers: readonly CensusAnswer[]): CensusRollup {
  const mine = answers.filter((a) => a.census === census.id);
  const units = census.units.map((unit) => {
    const versions = answerVersions(mine, census.id, unit);
    const a = versions.find(isCurrentAnswer) ?? versions.at(-1);
    return {
      unit,
      answered: !!a,
      usesApp: a?.usesApp ?? false,
      uses: a?.uses.length ?? 0,
      personalData: a?.uses.filter((u) => u.personalData).length ?? 0,
      versions: versions.map(versionOf),
    };
  });
  const uses = units.reduce((n, u) => n + u.uses, 0);
  const personalData = units.reduce((n, u) => n + u.personalData, 0);
  return {
    units,
    uses,
    personalData,
    percent: uses ? Math.round((personalData / uses) * 1000) / 10 : 0,
    answered: units.filter((u) => u.answered).length,
    silent: units.filter((u) => !u.answered).map((u) => u.unit),
  };
}
