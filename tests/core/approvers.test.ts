import { describe, expect, it } from 'vitest';
import { approversFor, approversOf, isApprover, isNamedApprover, mayDecide } from '../../src/core/exceptions.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';

function policy(): Policy {
  const r = validatePolicy({
    organization: { name: 'Test', timezone: 'Europe/Brussels', default_unit: 'org' },
    units: [
      { id: 'org', name: 'Org' },
      { id: 'org/a', name: 'A', parent: 'org' },
      { id: 'org/b', name: 'B', parent: 'org' },
    ],
    people: [
      { id: 'top', unit: 'org', roles: ['approver'] },
      { id: 'aa', unit: 'org/a', roles: ['approver'] },
      { id: 'bb', unit: 'org/b', roles: ['approver'] },
      { id: 'named', unit: 'org/b' },
      { id: 'admin', unit: 'org', roles: ['admin'] },
      { id: 'staff', unit: 'org/a', slack: 'U0STAFF' },
    ],
    apps: [
      { id: 'tiktok', name: 'TikTok' },
      { id: 'line', name: 'LINE' },
    ],
    rules: [
      {
        id: 'ban',
        title: 'Ban',
        source: 'N',
        unit: 'org',
        apps: ['tiktok'],
        effect: 'prohibit',
        effective: '2020-01-01',
        exceptions: { purposes: ['research'], max_days: 30, approvers: ['named'] },
      },
      {
        id: 'ban-a',
        title: 'Ban A',
        source: 'N',
        unit: 'org/a',
        apps: ['line'],
        effect: 'prohibit',
        effective: '2020-01-01',
        exceptions: { purposes: ['research'], max_days: 30 },
      },
      {
        id: 'closed',
        title: 'Closed',
        source: 'N',
        unit: 'org',
        apps: ['line'],
        effect: 'prohibit',
        effective: '2020-01-01',
        exceptions: 'none',
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

const p = policy();
const people = p.people.map((x) => resolvePerson(p, x.id));
const person = (id: string) => resolvePerson(p, id);
const rule = (id: string) => p.rules.find((r) => r.id === id)!;
const request = (person: string, unit: string, rules: string[]): ExceptionRequest => ({
  id: 'EX-1',
  person,
  unit,
  app: 'tiktok',
  rules,
  device: 'corporate',
  purpose: 'research',
  days: 5,
  reason: 'r',
  status: 'requested',
  requestedAt: '2020-01-02T00:00:00Z',
});

describe('mayDecide / approversFor: who may decide a request', () => {
  it.each([
    ['staff of A, rule ban', request('staff', 'org/a', ['ban']), ['top', 'aa', 'named']],
    ['staff of A, rules ban and ban-a (named must be named by every rule)', request('staff', 'org/a', ['ban', 'ban-a']), ['top', 'aa']],
    ['filed under a Slack id: the requester never decides', request('U0STAFF', 'org/a', ['ban']), ['top', 'aa', 'named']],
    ['an approver’s own request', request('aa', 'org/a', ['ban']), ['top', 'named']],
  ])('%s → %j', (_what, r, want) => {
    expect(approversFor(p, r, people).map((x) => x.id)).toEqual(want);
    expect(people.filter((x) => mayDecide(p, x, r)).map((x) => x.id)).toEqual(want);
  });
});

describe('approversOf: the approvers of a rule as a measure', () => {
  it.each([
    ['ban', ['top', 'aa', 'bb', 'named']],
    ['ban-a', ['aa']],
    ['closed', ['top', 'aa', 'bb']],
  ])('%s → %j', (id, want) => {
    expect(approversOf(p, rule(id), people).map((x) => x.id)).toEqual(want);
  });
  it('isNamedApprover and isApprover read the same names', () => {
    expect(isNamedApprover(rule('ban'), person('named'))).toBe(true);
    expect(isNamedApprover(rule('closed'), person('named'))).toBe(false);
    expect(isNamedApprover(undefined, person('named'))).toBe(false);
    expect(people.filter((x) => isApprover(p, x)).map((x) => x.id)).toEqual(['top', 'aa', 'bb', 'named', 'admin']);
  });
});

describe('approvers_only: the designees a rule names decide, and nobody else', () => {
  const designeesOnly = (): Policy => {
    const base = policy();
    return {
      ...base,
      rules: base.rules.map((r) =>
        r.id === 'ban' && r.exceptions !== 'none' ? { ...r, exceptions: { ...r.exceptions, approvers_only: true } } : r,
      ),
    };
  };
  const only = designeesOnly();
  const everyone = only.people.map((x) => resolvePerson(only, x.id));

  it("a unit approver over the requester is refused; the named designee decides for their own unit's requesters", () => {
    const r = request('staff', 'org/b', ['ban']);
    expect(mayDecide(only, resolvePerson(only, 'bb'), r)).toBe(false);
    expect(mayDecide(only, resolvePerson(only, 'top'), r)).toBe(false);
    expect(mayDecide(only, resolvePerson(only, 'named'), r)).toBe(true);
    expect(approversFor(only, r, everyone).map((x) => x.id)).toEqual(['named']);
    // A designee of unit B decides nothing for unit A.
    expect(mayDecide(only, resolvePerson(only, 'named'), request('staff', 'org/a', ['ban']))).toBe(false);
    expect(approversOf(only, only.rules.find((x) => x.id === 'ban')!, everyone).map((x) => x.id)).toEqual(['named']);
  });

  it('without it, named and unit approvers both decide (as before)', () => {
    const r = request('staff', 'org/a', ['ban']);
    expect(
      approversFor(p, r, people)
        .map((x) => x.id)
        .sort(),
    ).toEqual(['aa', 'named', 'top']);
  });

  it('a rule that takes its named approvers only must name some', () => {
    // The test policy again, its `ban` rule taking named approvers only but naming none.
    const base = policy();
    const r = validatePolicy({
      ...base,
      rules: base.rules.map((x) =>
        x.id === 'ban' && x.exceptions !== 'none'
          ? { ...x, exceptions: { purposes: ['research'], max_days: 30, approvers_only: true } }
          : x,
      ),
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toContainEqual(expect.objectContaining({ path: 'rules[0].exceptions.approvers_only', code: 'no_approvers' }));
  });
});
