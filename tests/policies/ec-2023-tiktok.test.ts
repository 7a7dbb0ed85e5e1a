// European Commission, February 2023 (seeds/003): TikTok off corporate devices and personal devices
// with work apps by 15 March, or lose the work apps; no exceptions; other platforms under review.
import { describe, expect, it } from 'vitest';
import { decideFor, loadPack } from './helpers.ts';

const ec = loadPack('ec-2023-tiktok.yaml');
const at = '2023-03-01T09:00:00Z';

describe('ec-2023-tiktok', () => {
  it('prohibits TikTok on a personal device with work apps, citing the notice, with the Brussels deadline', () => {
    const d = decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', device: 'personal-with-work-apps', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.basis).toBe('rule');
    expect(d.rules.map((r) => r.id)).toEqual(['ec-2023-tiktok']);
    expect(d.rules[0]?.source).toMatch(/European Commission.*23 February 2023/);
    expect(d.rules[0]?.effective).toBe('2023-02-23');
    expect(d.rules[0]?.review).toBe('2023-09-01');
    // 15 March is CET (UTC+1): the day ends at 23:59:59.999 Brussels time.
    expect(d.deadline).toEqual({ date: '2023-03-15', at: '2023-03-15T22:59:59.999Z', timezone: 'Europe/Brussels', passed: false });
    expect(d.consequence).toMatch(/lose access to Commission work apps/);
    expect(d.exception).toEqual({ possible: false, why: 'rule-allows-none' });
  });

  it('prohibits it on corporate devices and leaves personal devices without work apps alone', () => {
    expect(decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', device: 'corporate', at }).verdict).toBe('prohibited');
    const personal = decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', device: 'personal', at });
    expect(personal).toMatchObject({ verdict: 'allowed', basis: 'no-match', rules: [] });
    expect(personal.deadline).toBeUndefined();
    expect(personal.exception).toEqual({ possible: false, why: 'not-prohibited' });
  });

  it('reports how the other device classes fare', () => {
    const d = decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', device: 'corporate', at });
    expect(d.otherDevices).toEqual([
      { device: 'personal-with-work-apps', verdict: 'prohibited' },
      { device: 'personal', verdict: 'allowed' },
    ]);
  });

  it.each([
    'ＴｉｋＴｏｋ',
    'tik tok',
    'TIK-TOK',
    'ティックトック',
    'douyin',
    'com.zhiliaoapp.musically',
    'com.ss.android.ugc.trill',
    '835599320',
  ])('resolves %s to TikTok', (name) => {
    const d = decideFor(ec, { app: name, person: 'matteo.rossi', device: 'personal-with-work-apps', at });
    expect(d.app?.id).toBe('tiktok');
    expect(d.verdict).toBe('prohibited');
  });

  it('binds people in DGs and services below the Commission by the Commission-wide rule', () => {
    const d = decideFor(ec, { app: 'TikTok', person: 'zofia.nowak', at });
    expect(d.query.unit).toBe('ec/dg-comm/spokesperson');
    expect(d.verdict).toBe('prohibited');
    expect(d.rules[0]?.unit).toBe('ec');
  });

  it('finds people by their Slack or Teams id, and puts unlisted staff in the Commission unit', () => {
    expect(decideFor(ec, { app: 'TikTok', person: 'U04EC2CNCT9', at }).query).toMatchObject({
      person: 'matteo.rossi',
      unit: 'ec/dg-connect',
    });
    expect(decideFor(ec, { app: 'TikTok', person: '8dec4fe2-01df-4c27-a70e-45f9478329ac', at }).query.person).toBe('zofia.nowak');
    const unlisted = decideFor(ec, { app: 'TikTok', person: 'U09NOBODY00', at });
    expect(unlisted.query.unit).toBe('ec');
    expect(unlisted.verdict).toBe('prohibited');
  });

  it('does not apply before 23 February (Brussels time)', () => {
    // 22:59:59.999Z on the 22nd is still 22 February in Brussels; 23:00Z is midnight on the 23rd.
    expect(decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', at: '2023-02-22T22:59:59.999Z' })).toMatchObject({
      verdict: 'allowed',
      basis: 'no-match',
    });
    expect(decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', at: '2023-02-22T23:00:00.000Z' }).verdict).toBe('prohibited');
  });

  it('marks the deadline passed from the first millisecond of 16 March in Brussels', () => {
    const last = decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', at: '2023-03-15T22:59:59.999Z' });
    expect(last.deadline?.passed).toBe(false);
    expect(last.reasons.map((r) => r.code)).not.toContain('deadline_passed');
    const late = decideFor(ec, { app: 'TikTok', person: 'matteo.rossi', at: '2023-03-15T23:00:00.000Z' });
    expect(late.deadline?.passed).toBe(true);
    expect(late.reasons).toContainEqual({ code: 'deadline_passed', data: { date: '2023-03-15' } });
    expect(late.verdict).toBe('prohibited');
  });

  it('leaves the other platforms it keeps under review allowed', () => {
    for (const app of ['Twitter', 'X', 'Instagram', 'com.burbn.instagram']) {
      const d = decideFor(ec, { app, person: 'matteo.rossi', at });
      expect(d.verdict, app).toBe('allowed');
      expect(d.basis, app).toBe('no-match');
    }
  });

  it('treats apps it does not list as unknown, with the allow posture and suggestions', () => {
    const d = decideFor(ec, { app: 'tiktk', person: 'matteo.rossi', at });
    expect(d.verdict).toBe('unknown-app');
    expect(d.unknown).toEqual({ posture: 'allow', suggestions: ['TikTok'] });
  });
});
