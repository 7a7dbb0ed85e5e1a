import { describe, expect, it } from 'vitest';
import { accountsCoveredBy } from '../../src/core/accounts.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';

function policy(): Policy {
  const r = validatePolicy({
    organization: { name: 'Test', timezone: 'Asia/Tokyo', default_unit: 'city' },
    units: [
      { id: 'city', name: 'City' },
      { id: 'city/pr', name: 'PR', parent: 'city' },
      { id: 'city/parks', name: 'Parks', parent: 'city' },
      { id: 'town', name: 'Town' },
    ],
    people: [{ id: 'owner', unit: 'city/pr' }],
    apps: [
      { id: 'tiktok', name: 'TikTok', categories: ['social-media'] },
      { id: 'line', name: 'LINE', categories: ['messaging'] },
    ],
    accounts: [
      { id: 'pr-tiktok', app: 'tiktok', handle: '@city_pr', unit: 'city/pr', owner: 'owner' },
      { id: 'parks-tiktok', app: 'tiktok', handle: '@city_parks', unit: 'city/parks', owner: 'owner' },
      { id: 'city-line', app: 'line', handle: 'City LINE', unit: 'city', owner: 'owner' },
      { id: 'town-tiktok', app: 'tiktok', handle: '@town', unit: 'town', owner: 'owner' },
    ],
    rules: [
      { id: 'ban', title: 'Ban', source: 'N', unit: 'city', apps: ['tiktok'], effect: 'prohibit', effective: '2020-01-01' },
      {
        id: 'ban-social',
        title: 'Social',
        source: 'N',
        unit: 'city/pr',
        categories: ['social-media'],
        effect: 'prohibit',
        effective: '2020-01-01',
      },
      { id: 'allow', title: 'Allow', source: 'N', unit: 'city', apps: ['tiktok', 'line'], effect: 'allow', effective: '2020-01-01' },
      {
        id: 'line-data',
        title: 'LINE data',
        source: 'N',
        unit: 'city',
        apps: ['line'],
        data: ['personal-data'],
        effect: 'prohibit',
        effective: '2020-01-01',
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

const p = policy();
const rule = (id: string) => p.rules.find((r) => r.id === id)!;

describe('accountsCoveredBy: the official accounts a ban covers', () => {
  it.each([
    ['ban', undefined, ['pr-tiktok', 'parks-tiktok']],
    ['ban', 'city/pr', ['pr-tiktok']],
    ['ban', 'city', ['pr-tiktok', 'parks-tiktok']],
    ['ban', 'town', []],
    ['ban-social', undefined, ['pr-tiktok']],
    ['ban-social', 'city/parks', []],
    ['allow', undefined, []],
    ['line-data', undefined, ['city-line']],
    ['line-data', 'city/parks', ['city-line']],
  ])('%s near %s → %j', (id, near, want) => {
    expect(accountsCoveredBy(rule(id), p, near).map((a) => a.id)).toEqual(want);
  });
});
