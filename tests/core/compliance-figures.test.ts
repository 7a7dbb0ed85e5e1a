import { describe, expect, it } from 'vitest';
import { complianceFigures, type FiguredSubject } from '../../src/core/compliance-figures.ts';

const rule = { id: 'ban', effective: '2026-10-01', deadline: '2026-12-15' };
const subjects: FiguredSubject[] = [
  { person: 'ana', name: 'Ana', unit: 'org/a', state: 'attested', attestedOn: '2026-10-05', verified: 'absent' },
  { person: 'bo', name: 'Bo', unit: 'org/a', state: 'attested', attestedOn: '2026-11-20', verified: 'installed' },
  { person: 'cy', name: 'Cy', unit: 'org/b', state: 'excepted', exceptedOn: '2026-11-01' },
  { person: 'di', name: 'Di', unit: 'org/b', state: 'open' },
  { person: 'ed', name: 'Ed', unit: 'org/a', state: 'open' },
];

describe('complianceFigures: the numbers the compliance report says and the web view draws', () => {
  it('counts, per unit most open first, the running series of attested and settled, and who is how many days late', () => {
    const f = complianceFigures(rule, subjects, '2026-12-20', ['org', 'org/b', 'org/a'], true);
    expect(f).toMatchObject({ rule: 'ban', deadline: '2026-12-15', total: 5, attested: 2, excepted: 1, open: 2, verified: 1 });
    // org/a and org/b both have one open: the policy's order decides.
    expect(f.units).toEqual([
      { unit: 'org/b', total: 2, attested: 0, excepted: 1, open: 1 },
      { unit: 'org/a', total: 3, attested: 2, excepted: 0, open: 1 },
    ]);
    expect(f.progress).toEqual([
      { date: '2026-10-01', attested: 0, settled: 0 },
      { date: '2026-10-05', attested: 1, settled: 1 },
      { date: '2026-11-01', attested: 1, settled: 2 },
      { date: '2026-11-20', attested: 2, settled: 3 },
      { date: '2026-12-20', attested: 2, settled: 3 },
    ]);
    expect(f.overdue).toEqual([
      { person: 'di', name: 'Di', unit: 'org/b', daysLate: 5 },
      { person: 'ed', name: 'Ed', unit: 'org/a', daysLate: 5 },
    ]);
  });

  it('before the deadline nobody is overdue; without an inventory there is no verified figure', () => {
    const f = complianceFigures(rule, subjects, '2026-12-15', ['org'], false);
    expect(f.overdue).toEqual([]);
    expect(f).not.toHaveProperty('verified');
    expect(f.progress.at(-1)).toEqual({ date: '2026-12-15', attested: 2, settled: 3 });
  });

  it('an attestation before the rule took effect starts the series on its day', () => {
    const f = complianceFigures(rule, [{ ...subjects[0]!, attestedOn: '2026-09-20' }], '2026-10-02', [], false);
    expect(f.progress[0]).toEqual({ date: '2026-09-20', attested: 1, settled: 1 });
  });
});
