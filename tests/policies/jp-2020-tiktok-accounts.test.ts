// Saitama / Kobe, 2020 (seeds/000, 001): official TikTok accounts suspended "until citizens' anxiety is
// dispelled"; a review date; posting only from dedicated tablets separated from office systems.
import { describe, expect, it } from 'vitest';
import { decideException, requestException } from '../../src/core/exceptions.ts';
import { decideFor, loadPack, person, unwrap } from './helpers.ts';

const saitama = loadPack('jp-2020-tiktok-accounts.yaml');
const at = '2020-08-05T03:00:00Z';

describe('jp-2020-tiktok-accounts', () => {
  it('suspends TikTok on prefecture devices from 20 July 2020, with a review date', () => {
    const d = decideFor(saitama, { app: 'てぃっくとっく', person: 'kobayashi.mai', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.rules[0]).toMatchObject({ id: 'saitama-2020-tiktok-suspended', review: '2020-12-01', effective: '2020-07-20' });
    expect(d.exception).toMatchObject({ possible: true, purposes: ['public-communications'], maxDays: 30, defaultDays: 14 });
    expect(decideFor(saitama, { app: 'TikTok', person: 'kobayashi.mai', at: '2020-07-19T14:59:59.999Z' }).verdict).toBe('allowed');
  });

  it('carries the dedicated-tablet condition on an approved exception', () => {
    const ask = {
      person: person(saitama, 'kobayashi.mai'),
      app: 'TikTok',
      device: 'corporate' as const,
      purpose: 'public-communications',
      reason: '県産品PR動画の投稿',
    };
    const filed = unwrap(requestException(ask, saitama, [], new Date('2020-08-05T01:00:00Z'), 'EX-1')).request;
    const approved = unwrap(
      decideException(filed, person(saitama, 'yamamoto.naoki'), { approve: true }, saitama, new Date('2020-08-05T02:00:00Z')),
    );
    expect(approved.conditions).toBe('庁内システムから切り離した専用タブレット端末からのみ投稿すること。');
    const d = decideFor(saitama, { app: 'TikTok', person: 'kobayashi.mai', at }, [approved]);
    expect(d.verdict).toBe('allowed-by-exception');
    expect(d.request?.conditions).toBe(approved.conditions);
    expect(decideFor(saitama, { app: 'TikTok', person: 'kobayashi.mai', device: 'personal', at }, [approved]).verdict).toBe('allowed');
  });
});
