import { validated } from '../../bench/lib/policy-gen.ts';
import type { Policy } from '../../src/core/policy.ts';
import { put } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';

export interface LargeOrgOptions {
  people: number;
  units: number;
  apps?: number;
  /** More purposes than a policy file may give a rule (100, a Slack select's options): set after validation. */
  purposes?: string[];
  /** Platform ids of the chief (an admin-approver) and of person `p<i>`, e.g. `{ slack: 'UP3' }`. */
  identity?: (who: 'chief' | number) => Record<string, string>;
}

/**
 * `units` units under one root, `people` people spread over them (the first of each unit its
 * reporter), one admin-approver ("chief"); two TikTok rules, one of them with exceptions.
 */
export function largeOrg(o: LargeOrgOptions): Policy {
  const id = o.identity ?? (() => ({}));
  const units = [
    { id: 'org', name: 'Organisation' },
    ...Array.from({ length: o.units - 1 }, (_, i) => ({ id: `u${i + 1}`, name: `Unit ${i + 1}`, parent: 'org' })),
  ];
  const people = [
    { id: 'chief', name: 'Chief Officer', unit: 'org', roles: ['admin', 'approver'], ...id('chief') },
    ...Array.from({ length: o.people - 1 }, (_, i) => ({
      id: `p${i}`,
      name: `Person ${i} Example`,
      unit: units[i % units.length]!.id,
      roles: i < units.length ? ['reporter'] : [],
      ...id(i),
    })),
  ];
  const apps = [
    { id: 'tiktok', name: 'TikTok', categories: ['social'] },
    ...Array.from({ length: o.apps ?? 0 }, (_, i) => ({ id: `app-${i}`, name: `App ${i}`, categories: ['social'] })),
  ];
  const policy = validated({
    organization: { name: 'Large Org', timezone: 'Europe/Brussels', default_unit: 'org' },
    units,
    people,
    apps,
    categories: [{ id: 'social', name: 'Social' }],
    rules: [
      {
        id: 'ban',
        title: 'TikTok banned',
        source: 'Notice 1',
        unit: 'org',
        apps: ['tiktok'],
        effect: 'prohibit',
        effective: '2026-01-01',
        deadline: '2026-12-15',
        exceptions: 'none',
      },
      {
        id: 'social-ban',
        title: 'Social apps banned',
        source: 'Notice 2',
        unit: 'org',
        categories: ['social'],
        effect: 'prohibit',
        effective: '2026-01-01',
        deadline: '2026-12-20',
        exceptions: { purposes: ['public-communications'], max_days: 90 },
      },
    ],
  });
  const rule = policy.rules[1]!;
  if (o.purposes && rule.exceptions !== 'none') rule.exceptions.purposes = o.purposes;
  return policy;
}

/** Every fifth person (p0, p5, …) has attested to `ban`: recorded in one commit, as `attest` records them. */
export async function attestEveryFifth(store: Store, people: number, at = '2026-11-22T09:00:00.000Z') {
  const records = Array.from({ length: Math.ceil(people / 5) }, (_, k) => ({
    id: `AT-${k + 1}`,
    person: `p${k * 5}`,
    rule: 'ban',
    app: 'tiktok',
    at,
    statement: 'removed' as const,
  }));
  await store.commit(
    { at, actor: 'test', action: 'attestation.recorded', subject: 'tiktok' },
    records.map((a) => put('attestations', a)),
  );
}
