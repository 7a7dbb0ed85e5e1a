// Japan, March 2021 (seeds/004): not a ban but a restriction — LINE suspended for anything that
// involves personal data; LINE WORKS stays in use.
import { describe, expect, it } from 'vitest';
import { decideException, requestException } from '../../src/core/exceptions.ts';
import { decideFor, loadPack, person, unwrap } from './helpers.ts';

const jp = loadPack('jp-2021-line.yaml');
const at = '2021-03-22T01:00:00Z';

describe('jp-2021-line', () => {
  it('restricts LINE: allowed, but not for personal data', () => {
    const d = decideFor(jp, { app: 'LINE', person: 'suzuki.kenta', at });
    expect(d.verdict).toBe('restricted');
    expect(d.basis).toBe('rule');
    expect(d.rules[0]).toMatchObject({ id: 'jp-2021-line-personal-data', scope: 'data', data: ['personal-data'], effective: '2021-03-19' });
    expect(d.rules[0]?.source).toMatch(/内閣官房・総務省.*2021年3月19日/);
    expect(d.reasons).toContainEqual({ code: 'restricted_by_rule', data: { rule: 'jp-2021-line-personal-data', data: ['personal-data'] } });
    expect(d.exception).toMatchObject({ possible: true, purposes: ['public-communications'], maxDays: 90, defaultDays: 30 });
  });

  it('prohibits LINE for personal data and allows it for other data', () => {
    const personal = decideFor(jp, { app: 'ライン', person: 'suzuki.kenta', data: 'personal-data', at });
    expect(personal.verdict).toBe('prohibited');
    expect(personal.rules[0]?.scope).toBe('full');
    expect(personal.consequence).toMatch(/3月26日までに/);
    const other = decideFor(jp, { app: 'ライン', person: 'suzuki.kenta', data: 'public-information', at });
    expect(other).toMatchObject({ verdict: 'allowed', basis: 'no-match', rules: [] });
  });

  it.each(['LINE', 'line', 'ライン', 'らいん', 'Ｌｉｎｅ', 'ﾗｲﾝ', 'jp.naver.line.android', '443904275'])('resolves %s to LINE', (name) => {
    expect(decideFor(jp, { app: name, person: 'suzuki.kenta', at }).app?.id).toBe('line');
  });

  it('keeps LINE WORKS apart from LINE and allowed by the city rule', () => {
    for (const name of ['LINE WORKS', 'ラインワークス', 'lineworks']) {
      const d = decideFor(jp, { app: name, person: 'suzuki.kenta', data: 'personal-data', at });
      expect(d.app?.id, name).toBe('line-works');
      expect(d.verdict, name).toBe('allowed');
      expect(
        d.rules.map((r) => r.id),
        name,
      ).toEqual(['jp-line-works-allowed']);
    }
    // The allow is the city's own: the ministry above it has no rule on LINE WORKS.
    expect(decideFor(jp, { app: 'LINE WORKS', person: 'tanaka.hiroshi', at })).toMatchObject({ verdict: 'allowed', basis: 'no-match' });
  });

  it('does not apply before 19 March (Tokyo time)', () => {
    expect(decideFor(jp, { app: 'LINE', person: 'suzuki.kenta', data: 'personal-data', at: '2021-03-18T14:59:59.999Z' }).verdict).toBe(
      'allowed',
    );
    expect(decideFor(jp, { app: 'LINE', person: 'suzuki.kenta', data: 'personal-data', at: '2021-03-18T15:00:00.000Z' }).verdict).toBe(
      'prohibited',
    );
  });

  it('lets the public-relations office keep LINE for public communications by exception', () => {
    const ask = {
      person: person(jp, 'takahashi.yui'),
      app: 'LINE',
      device: 'corporate' as const,
      purpose: 'public-communications',
      reason: '防災情報の一斉配信',
    };
    const filed = unwrap(requestException(ask, jp, [], new Date('2021-03-22T00:30:00Z'), 'EX-3')).request;
    expect(filed.days).toBe(30);
    expect(decideFor(jp, { app: 'LINE', person: 'takahashi.yui', at }, [filed])).toMatchObject({
      verdict: 'restricted',
      request: { id: 'EX-3', status: 'requested' },
    });

    const approved = unwrap(decideException(filed, person(jp, 'sato.akiko'), { approve: true }, jp, new Date('2021-03-22T02:00:00Z')));
    // 30 days from 22 March, Tokyo (no DST): stops at midnight on 21 April JST.
    expect(approved.expiresAt).toBe('2021-04-20T15:00:00.000Z');
    expect(approved.conditions).toMatch(/一斉配信のみ/);
    const d = decideFor(jp, { app: 'LINE', person: 'takahashi.yui', data: 'personal-data', purpose: 'public-communications', at }, [
      approved,
    ]);
    expect(d).toMatchObject({ verdict: 'allowed-by-exception', basis: 'exception', request: { conditions: approved.conditions } });
    expect(decideFor(jp, { app: 'LINE', person: 'suzuki.kenta', data: 'personal-data', at }, [approved]).verdict).toBe('prohibited');
  });

  it('sends unknown apps to review, with a suggestion', () => {
    const d = decideFor(jp, { app: 'Lime', person: 'suzuki.kenta', at });
    expect(d.verdict).toBe('unknown-app');
    expect(d.unknown).toEqual({ posture: 'review', suggestions: ['LINE'] });
  });
});
