import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../adapters/slack/bounded-cache.ts';
import { standingOf } from '../../adapters/slack/workspace.ts';

describe('BoundedCache', () => {
  it('holds at most max entries, dropping the oldest written first', () => {
    const cache = new BoundedCache<string, number>(3, 60_000, () => 0);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) cache.set(k, i);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 9); // rewritten: now the newest
    cache.set('e', 4);
    expect([cache.get('b'), cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([9, undefined, 3, 4]);
  });

  it('forgets an entry once its time is up', () => {
    let now = 0;
    const cache = new BoundedCache<string, string>(10, 1_000, () => now);
    cache.set('u', 'ours');
    now = 999;
    expect(cache.get('u')).toBe('ours');
    now = 1_000;
    expect(cache.get('u')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('standingOf: whose account it is, by Slack’s user record', () => {
  const home = { team: 'T0TEAM' };
  const grid = { team: 'T0TEAM', enterprise: 'E0ORG' };
  const person = { id: 'U1', team_id: 'T0TEAM', deleted: false, is_bot: false, is_app_user: false };
  it.each([
    ['a member of the workspace', person, home, 'ours'],
    ['a deactivated account', { ...person, deleted: true }, home, 'foreign'],
    ['a bot', { ...person, is_bot: true }, home, 'foreign'],
    ['an app user', { ...person, is_app_user: true }, home, 'foreign'],
    ['Slackbot (not flagged is_bot)', { ...person, id: 'USLACKBOT' }, home, 'foreign'],
    ['a Slack Connect member', { ...person, team_id: 'T0PARTNER', is_stranger: true }, home, 'foreign'],
    ['another team, not flagged', { ...person, team_id: 'T0PARTNER' }, home, 'foreign'],
    [
      'Grid: a colleague homed in a sister workspace',
      { ...person, team_id: 'T0SISTER', enterprise_user: { enterprise_id: 'E0ORG' } },
      grid,
      'ours',
    ],
    ['Grid: another org', { ...person, enterprise_user: { enterprise_id: 'E0ELSE' } }, grid, 'foreign'],
    ['Grid: no org on the record', person, grid, 'foreign'],
  ] as const)('%s', (_, user, at, standing) => {
    expect(standingOf(user, at)).toBe(standing);
  });
});
