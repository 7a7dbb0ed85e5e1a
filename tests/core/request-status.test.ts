import { describe, expect, it } from 'vitest';
import { expireException, revokeException } from '../../src/core/exceptions.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { validatePolicy } from '../../src/core/policy-schema.ts';
import type { ExceptionRequest, RequestStatus } from '../../src/core/records.ts';
import { effectiveStatus, isActiveException, isExpired } from '../../src/core/request-status.ts';

const base: ExceptionRequest = {
  id: 'EX-1',
  person: 'ana',
  unit: 'org',
  app: 'tiktok',
  rules: ['ban'],
  device: 'corporate',
  purpose: 'research',
  days: 10,
  reason: 'r',
  status: 'requested',
  requestedAt: '2020-01-01T09:00:00Z',
};
const END = '2020-01-11T00:00:00Z';
const BEFORE = new Date('2020-01-10T23:59:59.999Z');
const AT_END = new Date(END);

describe('effectiveStatus: a request at an instant', () => {
  const cases: [RequestStatus, string | undefined, Date, RequestStatus][] = [
    ['requested', undefined, AT_END, 'requested'],
    ['approved', END, BEFORE, 'approved'],
    ['approved', END, AT_END, 'expired'],
    ['approved', undefined, AT_END, 'approved'],
    ['expired', END, BEFORE, 'expired'],
    ['denied', undefined, AT_END, 'denied'],
    ['withdrawn', undefined, AT_END, 'withdrawn'],
    ['revoked', END, BEFORE, 'revoked'],
    ['revoked', END, AT_END, 'revoked'],
  ];
  it.each(cases)('stored %s, expiresAt %s, at %s → %s', (status, expiresAt, at, want) => {
    const r = { ...base, status, ...(expiresAt ? { expiresAt } : {}) };
    expect(effectiveStatus(r, at)).toBe(want);
    expect(effectiveStatus(r, at.getTime())).toBe(want);
    expect(isActiveException(r, at)).toBe(want === 'approved');
  });
  it('isExpired is about time alone: from expiresAt on', () => {
    expect(isExpired({ ...base, expiresAt: END }, BEFORE)).toBe(false);
    expect(isExpired({ ...base, expiresAt: END }, AT_END)).toBe(true);
    expect(isExpired(base, AT_END)).toBe(false);
  });
});

describe('the workflow reads the same status', () => {
  const parsed = validatePolicy({
    organization: { name: 'Test', timezone: 'Europe/Brussels', default_unit: 'org' },
    units: [{ id: 'org', name: 'Org' }],
    people: [{ id: 'boss', unit: 'org', roles: ['approver'] }],
    apps: [{ id: 'tiktok', name: 'TikTok' }],
    rules: [
      {
        id: 'ban',
        title: 'Ban',
        source: 'N',
        unit: 'org',
        apps: ['tiktok'],
        effect: 'prohibit',
        effective: '2019-01-01',
        exceptions: { purposes: ['research'], max_days: 30 },
      },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const policy = parsed.value;
  const boss = resolvePerson(policy, 'boss');
  const approved = { ...base, status: 'approved' as const, expiresAt: END };
  it('revoke: allowed while it counts; past its end (not yet marked) it is refused as expired', () => {
    expect(revokeException(approved, boss, 'r', policy, BEFORE)).toMatchObject({ ok: true, value: { status: 'revoked' } });
    expect(revokeException(approved, boss, 'r', policy, AT_END)).toMatchObject({
      ok: false,
      code: 'not_active',
      data: { status: 'expired' },
    });
  });
  it('expire: only an approved exception whose time is up, ended at its expiresAt', () => {
    expect(expireException(approved, BEFORE)).toBeUndefined();
    expect(expireException(approved, AT_END)).toMatchObject({ status: 'expired', endedAt: END, endedBy: 'system' });
    expect(expireException({ ...approved, status: 'revoked' }, AT_END)).toBeUndefined();
  });
});
