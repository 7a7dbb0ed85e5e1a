// France, 24 March 2023 (seeds/002): "recreational" apps banned on officials' work phones; officials
// may ask permission for professional use such as public communications; ANSSI monitors.
import { describe, expect, it } from 'vitest';
import { decideException, requestException } from '../../src/core/exceptions.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { decideFor, loadPack, person, unwrap } from './helpers.ts';

const fr = loadPack('fr-2023-recreational.yaml');
const at = '2023-04-03T09:00:00Z';
const filedAt = new Date('2023-04-03T08:00:00Z');

function fileCandyCrush(who: string, id = 'EX-1'): ExceptionRequest {
  const ask = {
    person: person(fr, who),
    app: 'Candy Crush',
    device: 'corporate' as const,
    purpose: 'public-communications',
    reason: 'Running the ministry campaign on games',
  };
  return unwrap(requestException(ask, fr, [], filedAt, id)).request;
}

describe('fr-2023-recreational', () => {
  it('prohibits Candy Crush on work phones through the recreational category, with exceptions for public communications', () => {
    const d = decideFor(fr, { app: 'Candy Crush', person: 'camille.bernard', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.rules).toHaveLength(1);
    expect(d.rules[0]).toMatchObject({ id: 'fr-2023-recreational', via: { category: 'recreational' }, effective: '2023-03-24' });
    expect(d.rules[0]?.source).toMatch(/Guerini.*24 mars 2023/); // the organisation's language (locale: fr)
    expect(d.consequence).toMatch(/ANSSI/);
    expect(d.deadline).toBeUndefined();
    expect(d.exception).toEqual({
      possible: true,
      purposes: ['public-communications'],
      maxDays: 180,
      defaultDays: 90,
      rules: ['fr-2023-recreational'],
    });
  });

  it.each([
    'Twitter',
    'X',
    'Instagram',
    'Netflix',
    'Candy Crush Saga',
    'TikTok',
    'Tinder',
    'Meetic',
    'com.king.candycrushsaga',
    'キャンディークラッシュ',
  ])('prohibits %s on a work phone as recreational', (app) => {
    const d = decideFor(fr, { app, person: 'camille.bernard', at });
    expect(d.verdict).toBe('prohibited');
    expect(d.reasons).toContainEqual({ code: 'prohibited_by_rule', data: { rule: 'fr-2023-recreational', category: 'recreational' } });
  });

  it('covers work phones only, and keeps Tchap explicitly allowed', () => {
    expect(decideFor(fr, { app: 'Instagram', person: 'camille.bernard', device: 'personal-with-work-apps', at }).verdict).toBe('allowed');
    expect(decideFor(fr, { app: 'Instagram', person: 'camille.bernard', device: 'personal', at }).verdict).toBe('allowed');
    const tchap = decideFor(fr, { app: 'Tchap', person: 'camille.bernard', at });
    expect(tchap).toMatchObject({ verdict: 'allowed', basis: 'rule' });
    expect(tchap.rules.map((r) => r.id)).toEqual(['fr-tchap-allowed']);
  });

  it('does not apply before 24 March (Paris time)', () => {
    expect(decideFor(fr, { app: 'Netflix', person: 'camille.bernard', at: '2023-03-23T22:59:59.999Z' }).verdict).toBe('allowed');
    expect(decideFor(fr, { app: 'Netflix', person: 'camille.bernard', at: '2023-03-23T23:00:00.000Z' }).verdict).toBe('prohibited');
  });

  it('shows a filed request as pending', () => {
    const filed = fileCandyCrush('julien.moreau');
    const d = decideFor(fr, { app: 'Candy Crush', person: 'julien.moreau', at }, [filed]);
    expect(d.verdict).toBe('exception-pending');
    expect(d.request).toMatchObject({ id: 'EX-1', status: 'requested', purpose: 'public-communications', days: 90 });
  });

  it('turns the prohibition into allowed-by-exception for the requester once approved, and only for them', () => {
    const filed = fileCandyCrush('julien.moreau');
    const approved = unwrap(decideException(filed, person(fr, 'helene.lefebvre'), { approve: true }, fr, new Date('2023-04-03T10:00:00Z')));
    // 90 days from 3 April (Paris): counts through 1 July, stops at midnight on 2 July (CEST, UTC+2).
    expect(approved.expiresAt).toBe('2023-07-01T22:00:00.000Z');
    expect(approved.conditions).toMatch(/comptes officiels/);

    const mine = decideFor(fr, { app: 'Candy Crush', person: 'julien.moreau', at }, [approved]);
    expect(mine).toMatchObject({ verdict: 'allowed-by-exception', basis: 'exception' });
    expect(mine.request).toMatchObject({ id: 'EX-1', status: 'approved', expiresAt: '2023-07-01T22:00:00.000Z' });

    const someoneElse = decideFor(fr, { app: 'Candy Crush', person: 'camille.bernard', at }, [approved]);
    expect(someoneElse.verdict).toBe('prohibited');
    expect(someoneElse.request).toBeUndefined();

    const otherApp = decideFor(fr, { app: 'Instagram', person: 'julien.moreau', at }, [approved]);
    expect(otherApp.verdict).toBe('prohibited');

    expect(decideFor(fr, { app: 'Candy Crush', person: 'julien.moreau', at: '2023-07-01T21:59:59.999Z' }, [approved]).verdict).toBe(
      'allowed-by-exception',
    );
    expect(decideFor(fr, { app: 'Candy Crush', person: 'julien.moreau', at: '2023-07-01T22:00:00.000Z' }, [approved]).verdict).toBe(
      'prohibited',
    );
  });

  it('lets only the named approver decide, never the requester or an admin', () => {
    const filed = fileCandyCrush('julien.moreau');
    const now = new Date('2023-04-03T10:00:00Z');
    expect(decideException(filed, person(fr, 'julien.moreau'), { approve: true }, fr, now)).toMatchObject({
      ok: false,
      code: 'own_request',
    });
    expect(decideException(filed, person(fr, 'nicolas.garnier'), { approve: true }, fr, now)).toMatchObject({
      ok: false,
      code: 'not_an_approver',
    });
    expect(decideException(filed, person(fr, 'camille.bernard'), { approve: true }, fr, now)).toMatchObject({
      ok: false,
      code: 'not_an_approver',
    });
  });

  it('refuses requests for purposes other than public communications, or beyond 180 days', () => {
    const base = { person: person(fr, 'camille.bernard'), app: 'Netflix', device: 'corporate' as const, reason: 'Watching documentaries' };
    expect(requestException({ ...base, purpose: 'leisure' }, fr, [], filedAt, 'EX-2')).toMatchObject({
      ok: false,
      code: 'purpose_not_allowed',
      data: { purposes: ['public-communications'] },
    });
    expect(requestException({ ...base, purpose: 'public-communications', days: 181 }, fr, [], filedAt, 'EX-3')).toMatchObject({
      ok: false,
      code: 'over_max_days',
      data: { max: 180 },
    });
    expect(requestException({ ...base, purpose: 'public-communications', days: 180 }, fr, [], filedAt, 'EX-4').ok).toBe(true);
  });

  it('sends apps it does not know to review, suggesting near names', () => {
    const d = decideFor(fr, { app: 'Netflx', person: 'camille.bernard', at });
    expect(d.verdict).toBe('unknown-app');
    expect(d.unknown).toEqual({ posture: 'review', suggestions: ['Netflix'] });
  });
});
