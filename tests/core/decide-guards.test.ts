import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.ts';
import { validatePolicy, type Policy } from '../../src/core/policy.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';

const policy = (() => {
  const r = validatePolicy({
    organization: { name: 'Guard Test', timezone: 'Asia/Tokyo', default_unit: 'org' },
    units: [{ id: 'org', name: 'Org' }],
    apps: [{ id: 'line', name: 'LINE' }],
    rules: [
      { id: 'corp-ban', title: 'No LINE on corporate devices', source: 'Test', unit: 'org', apps: ['line'], devices: ['corporate'], effect: 'prohibit', effective: '2021-01-01', exceptions: { purposes: ['public-communications'], max_days: 30 } },
      { id: 'no-personal-data', title: 'No personal data in LINE', source: 'Test', unit: 'org', apps: ['line'], data: ['personal-data'], effect: 'prohibit', effective: '2021-01-01', exceptions: { purposes: ['public-communications'], max_days: 30 } },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value as Policy;
})();

const approved = (person: string, rules: string[]): ExceptionRequest => ({
  id: 'EX-1', person, unit: 'org', app: 'line', rules, device: 'corporate', purpose: 'public-communications', days: 30, reason: 'x',
  status: 'approved', requestedAt: '2021-04-01T00:00:00Z', decidedBy: 'boss', decidedAt: '2021-04-01T01:00:00Z', expiresAt: '2021-05-01T00:00:00Z',
});
const at = '2021-04-10T00:00:00Z';

describe('decide guards', () => {
  it("ignores another person's exception even when the caller passes it", () => {
    const d = decide({ app: 'LINE', person: 'b', device: 'corporate', data: 'other', at }, policy, { requests: [approved('a', ['corp-ban'])] });
    expect(d.verdict).toBe('prohibited');
  });

  it('refuses an invalid instant with a stable code instead of failing open', () => {
    expect(() => decide({ app: 'LINE', person: 'a', device: 'corporate', at: 'not a date' }, policy, { requests: [] })).toThrow(
      expect.objectContaining({ code: 'decide.bad_instant' }),
    );
  });

  it('an exception to the device ban leaves a data restriction it does not name in force', () => {
    const requests = [approved('a', ['corp-ban'])];
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', at }, policy, { requests })).toMatchObject({ verdict: 'restricted', basis: 'exception' });
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', data: 'personal-data', at }, policy, { requests }).verdict).toBe('prohibited');
    const both = [approved('a', ['corp-ban', 'no-personal-data'])];
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', at }, policy, { requests: both }).verdict).toBe('allowed-by-exception');
  });
});
