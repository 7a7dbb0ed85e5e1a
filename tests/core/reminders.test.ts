import { describe, expect, it } from 'vitest';
import { resolvePerson } from '../../src/core/org.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import type { Census, ExceptionRequest } from '../../src/core/records.ts';
import { dueReminders } from '../../src/core/reminders.ts';
import { localDate } from '../../src/core/time.ts';

function policyIn(timezone: string, deadline: string, extra: Record<string, unknown> = {}): Policy {
  const r = validatePolicy({
    organization: { name: 'Test', timezone, default_unit: 'org' },
    units: [{ id: 'org', name: 'Org' }],
    people: [
      { id: 'ana', unit: 'org' },
      { id: 'ben', unit: 'org' },
      { id: 'boss', unit: 'org', roles: ['approver'] },
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
        deadline,
        ...extra,
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Tick every `stepMinutes` from `from` to `to`, recording what is due, as the outbox does. */
function runTicks(
  policy: Policy,
  from: string,
  to: string,
  stepMinutes: number,
  recorded = new Map<string, string>(),
  settled = new Set<string>(),
  approved: ExceptionRequest[] = [],
  censuses?: { census: Census; silent: string[] }[],
) {
  const people = policy.people.map((p) => resolvePerson(policy, p.id));
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMinutes * 60_000) {
    const at = new Date(t);
    const due = dueReminders(
      policy,
      {
        subjects: () => people,
        isSettled: (_rule, p) => settled.has(p.id),
        approvers: () => people.filter((p) => p.roles.includes('approver')),
        approved,
        ...(censuses ? { censuses } : {}),
        isRecorded: (key) => recorded.has(key),
      },
      at,
    );
    for (const r of due) recorded.set(r.key, localDate(at, policy.organization.timezone));
  }
  return recorded;
}

const announcedOn = (recorded: Map<string, string>) =>
  [...recorded].filter(([k]) => k.startsWith('announce:')).map(([k, day]) => `${k.split(':').slice(3).join(':')}@${day}`);

describe('deadline reminders', () => {
  it('Europe/Brussels across the end-of-March DST change: each announcement on its calendar day', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = runTicks(policy, '2024-03-01T00:00:00Z', '2024-04-02T23:00:00Z', 10);
    expect(announcedOn(recorded).slice(0, 5)).toEqual(['14@2024-03-17', '7@2024-03-24', '3@2024-03-28', '1@2024-03-30', '0@2024-03-31']);
    // 22:00 UTC on 31 March is already 1 April in Brussels (CEST, UTC+2 since that morning).
    expect(announcedOn(recorded)[5]).toBe('overdue:2024-04-01@2024-04-01');
    expect(recorded.get('announce:ban:2024-03-31:overdue:2024-04-01')).toBe('2024-04-01');
    expect([...recorded.keys()].filter((k) => k.startsWith('direct:') && k.endsWith(':ana'))).toEqual([
      'direct:ban:2024-03-31:3:ana',
      'direct:ban:2024-03-31:1:ana',
      'direct:ban:2024-03-31:0:ana',
      'direct:ban:2024-03-31:overdue:ana',
    ]);
  });

  it('Asia/Tokyo: the day turns at 15:00 UTC', () => {
    const policy = policyIn('Asia/Tokyo', '2021-03-26');
    const recorded = runTicks(policy, '2021-03-01T00:00:00Z', '2021-03-27T00:00:00Z', 15);
    expect(announcedOn(recorded)).toEqual([
      '14@2021-03-12',
      '7@2021-03-19',
      '3@2021-03-23',
      '1@2021-03-25',
      '0@2021-03-26',
      'overdue:2021-03-27@2021-03-27',
    ]);
    const around = runTicks(policy, '2021-03-18T14:50:00Z', '2021-03-18T15:10:00Z', 10);
    expect(announcedOn(around)).toEqual(['14@2021-03-18', '7@2021-03-19']); // 15:00 UTC on the 18th is midnight on the 19th in Tokyo
  });

  it('running every five-minute tick of two months twice sends each reminder once', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const once = runTicks(policy, '2024-03-01T00:00:00Z', '2024-04-30T00:00:00Z', 5);
    const before = new Map(once);
    const twice = runTicks(policy, '2024-03-01T00:00:00Z', '2024-04-30T00:00:00Z', 5, once);
    expect(twice).toEqual(before);
    const overdueDays = [...once.keys()].filter((k) => k.startsWith('announce:ban:2024-03-31:overdue:'));
    expect(overdueDays).toHaveLength(30); // a daily notice for overdue_days (30), then silence
  });

  it('a bot down for a week catches up with the latest reminder only, not the backlog', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = runTicks(policy, '2024-03-27T12:00:00Z', '2024-03-27T12:00:00Z', 1); // first tick after an outage: D-4
    expect([...recorded.keys()].filter((k) => k.startsWith('announce:'))).toEqual(['announce:ban:2024-03-31:7']);
  });

  it('stops chasing those who attested; overdue notices stop when everyone has', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = runTicks(policy, '2024-03-28T09:00:00Z', '2024-03-28T09:00:00Z', 1, new Map(), new Set(['ana']));
    expect([...recorded.keys()].filter((k) => k.startsWith('direct:'))).toEqual([
      'direct:ban:2024-03-31:3:ben',
      'direct:ban:2024-03-31:3:boss',
    ]);
    const late = runTicks(policy, '2024-04-05T09:00:00Z', '2024-04-05T09:00:00Z', 1, new Map(), new Set(['ana', 'ben', 'boss']));
    expect([...late.keys()]).toEqual([]);
  });

  it('announces nothing for a stage that fell before the rule took effect, and follows a configured cadence', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31', {
      effective: '2024-03-20',
      reminders: { days_before: [10, 2], direct_from: 2, overdue_days: 1 },
    });
    const recorded = runTicks(policy, '2024-03-01T00:00:00Z', '2024-04-05T00:00:00Z', 60);
    expect(announcedOn(recorded)).toEqual(['10@2024-03-21', '2@2024-03-29', 'overdue:2024-04-01@2024-04-01']);
  });

  it('tells the approvers once when a measure comes up for review', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31', { review: '2024-04-10' });
    const recorded = runTicks(policy, '2024-04-01T00:00:00Z', '2024-04-30T00:00:00Z', 60, new Map(), new Set(['ana', 'ben', 'boss']));
    expect([...recorded].filter(([k]) => k.startsWith('review:'))).toEqual([['review:ban:2024-04-10:boss', '2024-04-10']]);
  });
});

describe('exception expiry', () => {
  it('a 10-day exception: notices 7 days and 1 day before, expired on day 10, to requester and approver', () => {
    const policy = policyIn('Europe/Brussels', '2030-01-01');
    const granted: ExceptionRequest = {
      id: 'EX-1',
      person: 'ana',
      unit: 'org',
      app: 'tiktok',
      rules: ['ban'],
      device: 'corporate',
      purpose: 'p',
      days: 10,
      reason: 'r',
      status: 'approved',
      requestedAt: '2026-11-01T08:00:00Z',
      decidedBy: 'boss',
      decidedAt: '2026-11-01T09:00:00Z',
      expiresAt: '2026-11-10T23:00:00Z',
    };
    const recorded = runTicks(policy, '2026-11-01T09:00:00Z', '2026-11-12T00:00:00Z', 30, new Map(), new Set(['ana', 'ben', 'boss']), [
      granted,
    ]);
    expect([...recorded].filter(([k]) => /^(expiring|expired):/.test(k))).toEqual([
      ['expiring:EX-1:7:ana', '2026-11-04'],
      ['expiring:EX-1:7:boss', '2026-11-04'],
      ['expiring:EX-1:1:ana', '2026-11-10'],
      ['expiring:EX-1:1:boss', '2026-11-10'],
      ['expired:EX-1:ana', '2026-11-11'],
      ['expired:EX-1:boss', '2026-11-11'],
    ]);
  });
});

describe('a series never runs backwards (the clock set back)', () => {
  const tick = (
    policy: Policy,
    at: string,
    recorded: Map<string, string>,
    approved: ExceptionRequest[] = [],
    censuses?: { census: Census; silent: string[] }[],
  ) => runTicks(policy, at, at, 1, recorded, new Set(), approved, censuses);
  const keys = (recorded: Map<string, string>, prefix: string) => [...recorded.keys()].filter((k) => k.startsWith(prefix));

  it('after the 1-day announcement and direct reminders, a tick at D-14 or D-3 queues no earlier stage; the day itself still comes', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = tick(policy, '2024-03-30T09:00:00Z', new Map()); // D-1
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:1']);
    expect(keys(recorded, 'direct:')).toEqual([
      'direct:ban:2024-03-31:1:ana',
      'direct:ban:2024-03-31:1:ben',
      'direct:ban:2024-03-31:1:boss',
    ]);
    tick(policy, '2024-03-17T09:00:00Z', recorded); // D-14
    tick(policy, '2024-03-28T09:00:00Z', recorded); // D-3
    expect(recorded.size).toBe(4);
    tick(policy, '2024-03-31T09:00:00Z', recorded); // D
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:1', 'announce:ban:2024-03-31:0']);
    expect(keys(recorded, 'direct:').filter((k) => k.endsWith(':ana'))).toEqual([
      'direct:ban:2024-03-31:1:ana',
      'direct:ban:2024-03-31:0:ana',
    ]);
  });

  it('after an overdue notice, no countdown stage and no earlier overdue day; the next day still comes', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = tick(policy, '2024-04-03T09:00:00Z', new Map()); // 3 days late
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:overdue:2024-04-03']);
    for (const at of ['2024-04-01T09:00:00Z', '2024-04-02T09:00:00Z', '2024-03-30T09:00:00Z', '2024-03-17T09:00:00Z'])
      tick(policy, at, recorded);
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:overdue:2024-04-03']);
    expect(keys(recorded, 'digest:')).toEqual(['digest:ban:2024-03-31:2024-04-03']);
    // The direct series has its own stages: its one overdue message (the day after the deadline) was owed, and then no "1 day left".
    expect(keys(recorded, 'direct:')).toEqual([
      'direct:ban:2024-03-31:overdue:ana',
      'direct:ban:2024-03-31:overdue:ben',
      'direct:ban:2024-03-31:overdue:boss',
    ]);
    tick(policy, '2024-04-04T09:00:00Z', recorded);
    expect(keys(recorded, 'announce:')).toEqual([
      'announce:ban:2024-03-31:overdue:2024-04-03',
      'announce:ban:2024-03-31:overdue:2024-04-04',
    ]);
  });

  it('an exception said to end tomorrow is never said to end in 7 days', () => {
    const policy = policyIn('Europe/Brussels', '2030-01-01');
    const granted: ExceptionRequest = {
      id: 'EX-1',
      person: 'ana',
      unit: 'org',
      app: 'tiktok',
      rules: ['ban'],
      device: 'corporate',
      purpose: 'p',
      days: 10,
      reason: 'r',
      status: 'approved',
      requestedAt: '2026-11-01T08:00:00Z',
      decidedBy: 'boss',
      decidedAt: '2026-11-01T09:00:00Z',
      expiresAt: '2026-11-10T23:00:00Z',
    };
    const recorded = tick(policy, '2026-11-10T09:00:00Z', new Map(), [granted]);
    tick(policy, '2026-11-04T09:00:00Z', recorded, [granted]);
    expect(keys(recorded, 'expiring:')).toEqual(['expiring:EX-1:1:ana', 'expiring:EX-1:1:boss']);
  });

  it('a census reminder "due today" is not followed by "3 days left"', () => {
    const policy = policyIn('Europe/Brussels', '2030-01-01');
    const census: Census = {
      id: 'CN-1',
      app: 'tiktok',
      due: '2024-03-31',
      units: ['org'],
      startedBy: 'boss',
      startedAt: '2024-03-01T09:00:00Z',
    };
    const silent = [{ census, silent: ['org'] }];
    const recorded = tick(policy, '2024-03-31T09:00:00Z', new Map(), [], silent);
    tick(policy, '2024-03-28T09:00:00Z', recorded, [], silent);
    tick(policy, '2024-04-02T09:00:00Z', recorded, [], silent);
    tick(policy, '2024-04-01T09:00:00Z', recorded, [], silent);
    expect(keys(recorded, 'census:')).toEqual(['census:CN-1:0:org:boss', 'census:CN-1:overdue:2024-04-02:org:boss']);
  });

  it('still catches up once: a first tick at D-4 sends the 7-day stage and no backlog, then the 3-day stage comes', () => {
    const policy = policyIn('Europe/Brussels', '2024-03-31');
    const recorded = tick(policy, '2024-03-27T09:00:00Z', new Map());
    tick(policy, '2024-03-27T10:00:00Z', recorded);
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:7']);
    tick(policy, '2024-03-28T09:00:00Z', recorded);
    expect(keys(recorded, 'announce:')).toEqual(['announce:ban:2024-03-31:7', 'announce:ban:2024-03-31:3']);
  });
});
