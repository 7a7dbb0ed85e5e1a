import { describe, expect, it } from 'vitest';
import {
  attestationOf,
  complianceOf,
  isSettled,
  isSubject,
  rulesWithDeadlines,
  settlementOf,
  subjectsOf,
  type Settlement,
} from '../../src/core/compliance.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import type { Attestation, ExceptionRequest } from '../../src/core/records.ts';

function policy(): Policy {
  const r = validatePolicy({
    organization: { name: 'Test', timezone: 'Europe/Brussels', default_unit: 'org' },
    units: [
      { id: 'org', name: 'Org' },
      { id: 'org/a', name: 'A', parent: 'org' },
      { id: 'other', name: 'Other' },
    ],
    people: [
      { id: 'ana', unit: 'org/a', slack: 'U0ANA' },
      { id: 'ben', unit: 'org' },
      { id: 'cy', unit: 'org/a' },
      { id: 'dee', unit: 'org' },
      { id: 'eve', unit: 'other' },
    ],
    apps: [{ id: 'tiktok', name: 'TikTok' }],
    rules: [
      {
        id: 'ban',
        title: 'Ban',
        source: 'Notice',
        unit: 'org',
        apps: ['tiktok'],
        effect: 'prohibit',
        effective: '2020-01-01',
        deadline: '2020-02-01',
        exceptions: { purposes: ['research'], max_days: 30 },
      },
      { id: 'ban-a', title: 'Ban in A', source: 'Notice', unit: 'org/a', apps: ['tiktok'], effect: 'prohibit', effective: '2020-01-01' },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

const p = policy();
const people = p.people.map((x) => resolvePerson(p, x.id));
const rule = (id: string) => p.rules.find((r) => r.id === id)!;
const AT = new Date('2020-03-01T12:00:00Z');

const attestation = (person: string, ruleId = 'ban'): Attestation => ({
  id: `AT-${person}`,
  person,
  rule: ruleId,
  app: 'tiktok',
  at: '2020-01-10T09:00:00Z',
  statement: 'removed',
});
const request = (
  id: string,
  person: string,
  status: ExceptionRequest['status'],
  expiresAt?: string,
  rules = ['ban'],
): ExceptionRequest => ({
  id,
  person,
  unit: 'org',
  app: 'tiktok',
  rules,
  device: 'corporate',
  purpose: 'research',
  days: 30,
  reason: 'r',
  status,
  requestedAt: '2020-01-05T09:00:00Z',
  ...(expiresAt ? { expiresAt } : {}),
});

describe('subjectsOf: who must comply with a rule', () => {
  it.each([
    ['ban', ['ana', 'ben', 'cy', 'dee']],
    ['ban-a', ['ana', 'cy']],
  ])('%s binds %j (its unit and below, each once)', (id, want) => {
    expect(subjectsOf(rule(id), [...people, ...people], p).map((x) => x.id)).toEqual(want);
    expect(people.filter((x) => isSubject(rule(id), x, p)).map((x) => x.id)).toEqual(want);
  });
  it('an unlisted platform user belongs to the default unit, so a rule there binds them', () => {
    expect(subjectsOf(rule('ban'), [resolvePerson(p, 'U0STRANGER')], p).map((x) => x.id)).toEqual(['U0STRANGER']);
    expect(subjectsOf(rule('ban-a'), [resolvePerson(p, 'U0STRANGER')], p)).toEqual([]);
  });
});

describe('settlementOf / isSettled: attested, excepted or open', () => {
  const cases: [string, Attestation[], ExceptionRequest[], Settlement][] = [
    ['nothing recorded', [], [], 'open'],
    ['attested to this rule', [attestation('ben')], [], 'attested'],
    ['attested to another rule only', [attestation('ben', 'ban-a')], [], 'open'],
    ['someone else attested', [attestation('dee')], [], 'open'],
    ['approved, unexpired exception', [], [request('EX-1', 'ben', 'approved', '2020-04-01T00:00:00Z')], 'excepted'],
    ['approved exception past expiresAt (not yet marked)', [], [request('EX-1', 'ben', 'approved', '2020-03-01T12:00:00Z')], 'open'],
    ['exception to another rule', [], [request('EX-1', 'ben', 'approved', '2020-04-01T00:00:00Z', ['ban-a'])], 'open'],
    ['a request still waiting', [], [request('EX-1', 'ben', 'requested')], 'open'],
    ['revoked', [], [request('EX-1', 'ben', 'revoked', '2020-04-01T00:00:00Z')], 'open'],
    ['denied', [], [request('EX-1', 'ben', 'denied')], 'open'],
    [
      'attested and excepted: attested wins',
      [attestation('ben')],
      [request('EX-1', 'ben', 'approved', '2020-04-01T00:00:00Z')],
      'attested',
    ],
  ];
  it.each(cases)('%s', (_what, attestations, requests, want) => {
    const ben = resolvePerson(p, 'ben');
    expect(settlementOf(rule('ban'), ben, { attestations, requests }, AT).state).toBe(want);
    expect(isSettled(rule('ban'), ben, { attestations, requests }, AT)).toBe(want !== 'open');
  });
  it('records filed under a platform id count for the person listed with it', () => {
    const ana = resolvePerson(p, 'ana');
    expect(settlementOf(rule('ban'), ana, { attestations: [attestation('U0ANA')], requests: [] }, AT).state).toBe('attested');
    expect(
      settlementOf(rule('ban'), ana, { attestations: [], requests: [request('EX-1', 'U0ANA', 'approved', '2020-04-01T00:00:00Z')] }, AT),
    ).toMatchObject({ state: 'excepted', exception: { id: 'EX-1' } });
  });
});

describe('complianceOf: every subject with how they stand, one meaning for tick, digest and report', () => {
  it('attested, excepted and open; an attester outside the units is still counted; each agrees with settlementOf', () => {
    const records = {
      attestations: [attestation('ana'), attestation('eve'), attestation('U0NEW')],
      requests: [
        request('EX-1', 'ben', 'approved', '2020-04-01T00:00:00Z'),
        request('EX-2', 'cy', 'approved', '2020-02-01T00:00:00Z'),
        request('EX-3', 'dee', 'requested'),
      ],
    };
    const subjects = complianceOf(rule('ban'), people, p, records, AT);
    expect(subjects.map((s) => [s.person.id, s.state, s.exception?.id ?? ''])).toEqual([
      ['ana', 'attested', ''],
      ['ben', 'excepted', 'EX-1'],
      ['cy', 'open', ''],
      ['dee', 'open', ''],
      ['eve', 'attested', ''],
      ['U0NEW', 'attested', ''],
    ]);
    for (const s of subjects) expect(settlementOf(rule('ban'), s.person, records, AT).state).toBe(s.state);
  });
  it('the same exception settles until its expiresAt and not from that instant on', () => {
    const records = { attestations: [], requests: [request('EX-1', 'ben', 'approved', '2020-03-01T12:00:00Z')] };
    const ben = (at: string) => complianceOf(rule('ban'), people, p, records, new Date(at)).find((s) => s.person.id === 'ben')!.state;
    expect(ben('2020-03-01T11:59:59.999Z')).toBe('excepted');
    expect(ben('2020-03-01T12:00:00Z')).toBe('open');
  });
});

describe('rulesWithDeadlines and attestationOf', () => {
  it('prohibitions in force with a deadline; none before they take effect', () => {
    expect(rulesWithDeadlines(p, AT).map((r) => r.id)).toEqual(['ban']);
    expect(rulesWithDeadlines(p, new Date('2019-12-31T00:00:00Z'))).toEqual([]);
  });
  it.each([
    ['under the person id', [attestation('ana')], 'AT-ana'],
    ['under their Slack id', [attestation('U0ANA')], 'AT-U0ANA'],
    ['to another rule', [attestation('ana', 'ban-a')], undefined],
    ['by someone else', [attestation('ben')], undefined],
  ])('%s', (_what, attestations, want) => {
    expect(attestationOf(rule('ban'), resolvePerson(p, 'ana'), attestations)?.id).toBe(want);
  });
});
