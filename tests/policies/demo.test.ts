// The embedded demo pack: every kind of rule, small enough to read in one screen.
import { describe, expect, it } from 'vitest';
import { resolvePerson } from '../../src/core/org.ts';
import { decideFor, loadPack } from './helpers.ts';

const demo = loadPack('demo.yaml');
const at = '2026-11-22T09:00:00Z';

describe('demo', () => {
  it('has the people and channels the adapters and their tests expect', () => {
    expect(demo.organization).toMatchObject({ name: 'Demo Agency', timezone: 'Europe/Brussels', default_unit: 'demo' });
    expect(demo.units.filter((u) => u.parent === 'demo')).toHaveLength(2);
    expect(resolvePerson(demo, 'U0APPROVER')).toMatchObject({ id: 'akiko', roles: ['approver'], listed: true });
    expect(resolvePerson(demo, 'U0STAFF')).toMatchObject({ id: 'pierre', roles: [], unit: 'demo/comms' });
    expect(demo.people.filter((p) => p.roles.includes('admin'))).toHaveLength(1);
    expect(demo.channels).toEqual({
      approvals: { slack: 'C0APPROVALS', teams: '19:approvals@thread.tacv2' },
      announcements: { slack: 'C0ANNOUNCE', teams: '19:announcements@thread.tacv2' },
    });
  });

  it('prohibits TikTok with a December deadline and no exceptions', () => {
    const d = decideFor(demo, { app: 'tik tok', person: 'U0STAFF', device: 'personal-with-work-apps', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.deadline).toEqual({ date: '2026-12-15', at: '2026-12-15T22:59:59.999Z', timezone: 'Europe/Brussels', passed: false });
    expect(d.consequence).toBe('Work apps are blocked on devices that still have TikTok.');
    expect(d.exception).toEqual({ possible: false, why: 'rule-allows-none' });
    // On a corporate device the recreational ban matches too; its exceptions cannot lift the TikTok ban.
    const corporate = decideFor(demo, { app: 'TikTok', person: 'U0STAFF', at });
    expect(corporate.rules.map((r) => r.id)).toEqual(['demo-recreational', 'demo-tiktok']);
    expect(corporate.exception).toEqual({ possible: false, why: 'rule-allows-none' });
  });

  it('prohibits recreational apps on corporate devices, with exceptions for public communications', () => {
    for (const app of ['Candy Crush', 'Instagram', 'X', 'twitter']) {
      const d = decideFor(demo, { app, person: 'U0STAFF', at });
      expect(d.verdict, app).toBe('prohibited');
      expect(d.exception, app).toEqual({
        possible: true,
        purposes: ['public-communications'],
        maxDays: 90,
        defaultDays: 30,
        rules: ['demo-recreational'],
      });
    }
    expect(decideFor(demo, { app: 'Candy Crush', person: 'U0STAFF', device: 'personal', at }).verdict).toBe('allowed');
  });

  it('restricts LINE for personal data, allows Signal by rule and WhatsApp by default', () => {
    expect(decideFor(demo, { app: 'LINE', person: 'sam', at }).verdict).toBe('restricted');
    expect(decideFor(demo, { app: 'ライン', person: 'sam', data: 'personal-data', at }).verdict).toBe('prohibited');
    expect(decideFor(demo, { app: 'Signal', person: 'sam', at })).toMatchObject({ verdict: 'allowed', basis: 'rule' });
    expect(decideFor(demo, { app: 'WhatsApp', person: 'sam', at })).toMatchObject({ verdict: 'allowed', basis: 'no-match' });
  });

  it('answers an unknown app with the allow posture and did-you-mean', () => {
    expect(decideFor(demo, { app: 'tiktk', person: 'sam', at }).unknown).toEqual({ posture: 'allow', suggestions: ['TikTok'] });
  });
});
