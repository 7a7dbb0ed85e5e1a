// US OMB M-23-13 (27 February 2023): TikTok removed from government devices within 30 days;
// exceptions only for law enforcement, national security and security research, approved by the agency.
import { describe, expect, it } from 'vitest';
import { decideException, requestException } from '../../src/core/exceptions.ts';
import { localDaysBetween } from '../../src/core/time.ts';
import { decideFor, loadPack, person, unwrap } from './helpers.ts';

const omb = loadPack('us-omb-m-23-13.yaml');
const at = '2023-03-01T14:00:00Z';

describe('us-omb-m-23-13', () => {
  it('prohibits TikTok on government devices, with removal due 30 days after the memo, end of day in Washington', () => {
    const d = decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.query.unit).toBe('fed/dhs/cisa');
    expect(d.rules[0]).toMatchObject({ id: 'omb-m-23-13', unit: 'fed', effective: '2023-02-27' });
    expect(d.rules[0]?.source).toMatch(/M-23-13.*27 February 2023/);
    expect(localDaysBetween('2023-02-27', d.deadline?.date ?? '')).toBe(30);
    // 29 March is after the 12 March DST change: EDT, UTC-4.
    expect(d.deadline).toEqual({ date: '2023-03-29', at: '2023-03-30T03:59:59.999Z', timezone: 'America/New_York', passed: false });
    expect(d.consequence).toMatch(/remove/i);
  });

  it('covers government devices only', () => {
    expect(decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', device: 'personal', at }).verdict).toBe('allowed');
    expect(decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', device: 'personal-with-work-apps', at }).verdict).toBe('allowed');
  });

  it('offers exceptions only for law enforcement, national security and security research', () => {
    const d = decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', at });
    expect(d.exception).toEqual({
      possible: true,
      purposes: ['law-enforcement', 'national-security', 'security-research'],
      maxDays: 365,
      defaultDays: 180,
      rules: ['omb-m-23-13'],
    });
    expect(decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', purpose: 'public-communications', at }).exception).toEqual({
      possible: false,
      why: 'purpose-not-allowed',
    });
    expect(decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', purpose: 'security-research', at }).exception.possible).toBe(true);
  });

  it('has the exception approved by the requester’s own agency, and honours it for that purpose only', () => {
    const ask = {
      person: person(omb, 'angela.ortiz'),
      app: 'TikTok',
      device: 'corporate' as const,
      purpose: 'law-enforcement',
      reason: 'Undercover investigation accounts',
    };
    const filed = unwrap(requestException(ask, omb, [], new Date('2023-03-02T15:00:00Z'), 'EX-7')).request;
    expect(filed.unit).toBe('fed/doj/fbi');
    const now = new Date('2023-03-02T18:00:00Z');
    expect(decideException(filed, person(omb, 'marcus.ellison'), { approve: true }, omb, now)).toMatchObject({
      ok: false,
      code: 'not_an_approver',
    });
    expect(decideException(filed, person(omb, 'dana.whitfield'), { approve: true }, omb, now)).toMatchObject({
      ok: false,
      code: 'not_an_approver',
    });
    const approved = unwrap(decideException(filed, person(omb, 'priya.raman'), { approve: true }, omb, now));
    expect(approved.conditions).toMatch(/agency CIO/);

    const later = '2023-04-10T14:00:00Z';
    expect(decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', at: later }, [approved]).verdict).toBe('allowed-by-exception');
    expect(decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', purpose: 'law-enforcement', at: later }, [approved]).verdict).toBe(
      'allowed-by-exception',
    );
    expect(decideFor(omb, { app: 'TikTok', person: 'angela.ortiz', purpose: 'security-research', at: later }, [approved]).verdict).toBe(
      'prohibited',
    );
    expect(decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', at: later }, [approved]).verdict).toBe('prohibited');
  });

  it('marks the deadline passed from midnight on 30 March in Washington', () => {
    expect(decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', at: '2023-03-30T03:59:59.999Z' }).deadline?.passed).toBe(false);
    const late = decideFor(omb, { app: 'TikTok', person: 'tyler.brooks', at: '2023-03-30T04:00:00.000Z' });
    expect(late.deadline?.passed).toBe(true);
    expect(late.reasons.map((r) => r.code)).toContain('deadline_passed');
  });

  it('resolves TikTok Lite and its package to the covered app', () => {
    expect(decideFor(omb, { app: 'TikTok Lite', person: 'tyler.brooks', at }).app?.id).toBe('tiktok');
    expect(decideFor(omb, { app: 'com.zhiliaoapp.musically.go', person: 'tyler.brooks', at }).verdict).toBe('prohibited');
  });
});
