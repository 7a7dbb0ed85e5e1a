import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.ts';
import { validatePolicy, type DeviceClass, type Policy } from '../../src/core/policy-schema.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';

const policy = (() => {
  const r = validatePolicy({
    organization: { name: 'Guard Test', timezone: 'Asia/Tokyo', default_unit: 'org' },
    units: [{ id: 'org', name: 'Org' }],
    apps: [{ id: 'line', name: 'LINE' }],
    rules: [
      {
        id: 'corp-ban',
        title: 'No LINE on corporate devices',
        source: 'Test',
        unit: 'org',
        apps: ['line'],
        devices: ['corporate'],
        effect: 'prohibit',
        effective: '2021-01-01',
        exceptions: { purposes: ['public-communications'], max_days: 30 },
      },
      {
        id: 'no-personal-data',
        title: 'No personal data in LINE',
        source: 'Test',
        unit: 'org',
        apps: ['line'],
        data: ['personal-data'],
        effect: 'prohibit',
        effective: '2021-01-01',
        exceptions: { purposes: ['public-communications'], max_days: 30 },
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value as Policy;
})();

const approved = (person: string, rules: string[]): ExceptionRequest => ({
  id: 'EX-1',
  person,
  unit: 'org',
  app: 'line',
  rules,
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: 'x',
  status: 'approved',
  requestedAt: '2021-04-01T00:00:00Z',
  decidedBy: 'boss',
  decidedAt: '2021-04-01T01:00:00Z',
  expiresAt: '2021-05-01T00:00:00Z',
});
const at = '2021-04-10T00:00:00Z';

describe('decide guards', () => {
  it("ignores another person's exception even when the caller passes it", () => {
    const d = decide({ app: 'LINE', person: 'b', device: 'corporate', data: 'other', at }, policy, {
      requests: [approved('a', ['corp-ban'])],
    });
    expect(d.verdict).toBe('prohibited');
  });

  it('refuses an invalid instant with a stable code instead of failing open', () => {
    expect(() => decide({ app: 'LINE', person: 'a', device: 'corporate', at: 'not a date' }, policy, { requests: [] })).toThrow(
      expect.objectContaining({ code: 'decide.bad_instant' }),
    );
  });

  it('an exception to the device ban leaves a data restriction it does not name in force', () => {
    const requests = [approved('a', ['corp-ban'])];
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', at }, policy, { requests })).toMatchObject({
      verdict: 'restricted',
      basis: 'exception',
    });
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', data: 'personal-data', at }, policy, { requests }).verdict).toBe(
      'prohibited',
    );
    const both = [approved('a', ['corp-ban', 'no-personal-data'])];
    expect(decide({ app: 'LINE', person: 'a', device: 'corporate', at }, policy, { requests: both }).verdict).toBe('allowed-by-exception');
  });
});

describe('what decisions share', () => {
  it('is frozen, so no caller can change another caller’s answer', () => {
    const query = { app: 'LINE', person: 'a', device: 'personal' as const, at };
    const first = decide(query, policy, { requests: [] });
    const json = JSON.stringify(first);
    for (const shared of [first.rules, first.reasons, first.exception, first.otherDevices, first.app])
      expect(Object.isFrozen(shared)).toBe(true);
    expect(() => first.reasons.push({ code: 'x' })).toThrow(TypeError);
    expect(JSON.stringify(decide(query, policy, { requests: [] }))).toBe(json);
  });
});

describe('the other-devices shortcut', () => {
  it('gives the same verdict as a full decision for that device, across every pack, app, person and data class', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { parsePolicyText } = await import('../../src/core/policy-text.ts');
    const { DEVICE_CLASSES, vocabulary } = await import('../../src/core/policy.ts');
    let compared = 0;
    for (const file of readdirSync('policies')) {
      const parsed = parsePolicyText(readFileSync(`policies/${file}`, 'utf8'));
      if (!parsed.ok) throw new Error(file);
      const p = parsed.value;
      const at = `${p.rules[0]?.effective ?? '2024-01-01'}T12:00:00Z`;
      for (const app of p.apps)
        for (const person of ['someone-unlisted', ...p.people.map((x) => x.id)])
          for (const data of [undefined, ...vocabulary(p).dataClasses]) {
            const byDevice = Object.fromEntries(
              DEVICE_CLASSES.map((device) => [
                device,
                decide({ app: app.id, person, device, ...(data ? { data } : {}), at }, p, { requests: [] }),
              ]),
            );
            for (const device of DEVICE_CLASSES)
              for (const other of byDevice[device]!.otherDevices ?? []) {
                expect(other.verdict, `${file} ${app.id} ${person} ${data} ${other.device}`).toBe(byDevice[other.device]!.verdict);
                compared++;
              }
          }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('agrees with the full decision when the person holds an exception or has one pending', () => {
    const requests: ExceptionRequest[] = [
      { ...approved('a', ['corp-ban']), id: 'EX-1' },
      { ...approved('a', ['corp-ban', 'no-personal-data']), id: 'EX-2', device: 'personal' },
      { ...approved('a', ['corp-ban']), id: 'EX-3', device: 'personal-with-work-apps', status: 'requested' },
    ];
    for (const data of [undefined, 'personal-data', 'other'])
      for (const purpose of [undefined, 'public-communications', 'recruitment']) {
        const q = (device: DeviceClass) =>
          decide({ app: 'LINE', person: 'a', device, at, ...(data ? { data } : {}), ...(purpose ? { purpose } : {}) }, policy, {
            requests,
          });
        for (const device of ['corporate', 'personal', 'personal-with-work-apps'] as const) {
          expect(q(device).otherDevices).toHaveLength(2);
          for (const other of q(device).otherDevices ?? [])
            expect(other.verdict, `${device}→${other.device} ${data} ${purpose}`).toBe(q(other.device).verdict);
        }
      }
  });
});

describe('what the rules say is remembered per stretch of time', () => {
  const document = {
    organization: { name: 'Span Test', timezone: 'Europe/Paris', default_unit: 'org' },
    units: [
      { id: 'org', name: 'Org' },
      { id: 'sales', name: 'Sales', parent: 'org' },
    ],
    people: [{ id: 'ana', unit: 'sales' }],
    categories: [{ id: 'social', name: 'Social' }],
    apps: [{ id: 'tiktok', name: 'TikTok', categories: ['social'] }],
    rules: [
      {
        id: 'ban',
        title: 'Ban',
        source: 'T',
        unit: 'org',
        apps: ['tiktok'],
        devices: ['corporate'],
        effect: 'prohibit',
        effective: '2026-03-01',
        deadline: '2026-03-15',
        exceptions: 'none',
      },
      {
        id: 'social',
        title: 'Social',
        source: 'T',
        unit: 'sales',
        categories: ['social'],
        effect: 'prohibit',
        effective: '2026-03-10',
        lifted: '2026-03-29',
        deadline: '2026-03-20',
        exceptions: { purposes: ['press'], max_days: 10 },
      },
    ],
  };
  const fresh = () => {
    const r = validatePolicy(structuredClone(document));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.value;
  };

  it('answers as a cold policy does when time moves back and forth across effective dates, deadlines and liftings', () => {
    const warm = fresh();
    // Around every edge, including the DST change on 29 March (the lifting) and the last millisecond of a deadline day.
    const instants = [
      '2026-02-28T22:59:59.999Z',
      '2026-02-28T23:00:00.000Z',
      '2026-03-09T23:00:00.000Z',
      '2026-03-15T22:59:59.999Z',
      '2026-03-15T23:00:00.000Z',
      '2026-03-20T22:59:59.999Z',
      '2026-03-20T23:00:00.000Z',
      '2026-03-28T22:59:59.999Z',
      '2026-03-28T23:00:00.000Z',
    ];
    const order = [4, 0, 8, 2, 6, 1, 5, 3, 7, 0, 8, 4, 4, 2];
    for (const i of order)
      for (const person of ['someone', 'ana'])
        for (const device of ['corporate', 'personal'] as const) {
          const query = { app: 'tiktok', person, device, at: instants[i]!, purpose: 'press' };
          const cold = decide(query, fresh(), { requests: [] });
          expect(JSON.stringify(decide(query, warm, { requests: [] })), `${instants[i]} ${person} ${device}`).toBe(JSON.stringify(cold));
        }
  });
});
