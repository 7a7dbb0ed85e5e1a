import type { Settlement } from './compliance.ts';
import type { DeviceStatus } from './inventory.ts';
import { localDaysBetween, type LocalDate } from './time.ts';

/** One subject of a rule as a report sees them: how they stand, and since when (local dates). */
export interface FiguredSubject {
  person: string;
  name: string;
  unit: string;
  state: Settlement;
  /** The local day they attested. */
  attestedOn?: LocalDate;
  /** The local day the exception that settles them was granted. */
  exceptedOn?: LocalDate;
  /** With a device inventory: what their devices show (`absent`: verified clean). */
  verified?: DeviceStatus;
}

export interface UnitFigures {
  unit: string;
  total: number;
  attested: number;
  excepted: number;
  open: number;
}

/** A day on which the figures changed: how many had attested, and how many were settled (attested or excepted), by its end. */
export interface ProgressPoint {
  date: LocalDate;
  attested: number;
  settled: number;
}

/** Someone still open after the deadline, and for how many days. */
export interface Overdue {
  person: string;
  name: string;
  unit: string;
  daysLate: number;
}

/**
 * A deadline rule's figures: every number the compliance report says and the web view draws (one
 * computation for both). `verified` is today's figure only: an inventory keeps no history.
 */
export interface ComplianceFigures {
  rule: string;
  deadline?: LocalDate;
  today: LocalDate;
  total: number;
  attested: number;
  excepted: number;
  open: number;
  verified?: number;
  /** Most still open first, then in the policy's order of units. */
  units: UnitFigures[];
  /** From the rule's effective day (or the first attestation before it) to today, oldest first. */
  progress: ProgressPoint[];
  /** After the deadline: everyone still open, most days late first (all are equally late: by unit, then name). */
  overdue: Overdue[];
}

export function complianceFigures(
  rule: { id: string; effective: LocalDate; deadline?: LocalDate },
  subjects: readonly FiguredSubject[],
  today: LocalDate,
  unitOrder: readonly string[],
  withInventory: boolean,
): ComplianceFigures {
  const count = (of: readonly FiguredSubject[]) => ({
    total: of.length,
    attested: of.filter((s) => s.state === 'attested').length,
    excepted: of.filter((s) => s.state === 'excepted').length,
    open: of.filter((s) => s.state === 'open').length,
  });
  const order = new Map(unitOrder.map((u, i) => [u, i]));
  const byUnit = new Map<string, FiguredSubject[]>();
  for (const s of subjects) byUnit.set(s.unit, [...(byUnit.get(s.unit) ?? []), s]);
  const units = [...byUnit]
    .map(([unit, mine]) => ({ unit, ...count(mine) }))
    .sort((a, b) => b.open - a.open || (order.get(a.unit) ?? Infinity) - (order.get(b.unit) ?? Infinity));
  const overdue =
    rule.deadline && today > rule.deadline
      ? subjects
          .filter((s) => s.state === 'open')
          .map((s) => ({ person: s.person, name: s.name, unit: s.unit, daysLate: localDaysBetween(rule.deadline!, today) }))
          .sort((a, b) => (order.get(a.unit) ?? Infinity) - (order.get(b.unit) ?? Infinity) || a.name.localeCompare(b.name))
      : [];
  return {
    rule: rule.id,
    ...(rule.deadline ? { deadline: rule.deadline } : {}),
    today,
    ...count(subjects),
    ...(withInventory ? { verified: subjects.filter((s) => s.verified === 'absent').length } : {}),
    units,
    progress: progressOf(subjects, rule.effective, today),
    overdue,
  };
}

/** The running counts, one point a day on which something changed, plus the first day and today. */
function progressOf(subjects: readonly FiguredSubject[], effective: LocalDate, today: LocalDate): ProgressPoint[] {
  const attestedOn = subjects.flatMap((s) => (s.state === 'attested' && s.attestedOn ? [s.attestedOn] : []));
  const settledOn = subjects.flatMap((s) =>
    s.state === 'attested' && s.attestedOn ? [s.attestedOn] : s.state === 'excepted' && s.exceptedOn ? [s.exceptedOn] : [],
  );
  attestedOn.sort();
  settledOn.sort();
  const first = settledOn[0] !== undefined && settledOn[0] < effective ? settledOn[0] : effective;
  const days = [...new Set([first, ...settledOn, today])].filter((d) => d <= today).sort();
  // One sweep over the sorted dates: linear in people, whatever the number of days.
  let a = 0;
  let s = 0;
  return days.map((date) => {
    while (a < attestedOn.length && attestedOn[a]! <= date) a++;
    while (s < settledOn.length && settledOn[s]! <= date) s++;
    return { date, attested: a, settled: s };
  });
}
