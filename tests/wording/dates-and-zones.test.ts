// Issue 22: dates with their weekday in each language, and zones by their long local name (CLDR through
// Intl), never the IANA id; and the Japanese wording a ministry reader asked for.
import { describe, expect, it } from 'vitest';
import { replyText } from '../../commands/shared/reply.ts';
import { wording } from '../../commands/wording/wording.ts';
import { botOn } from '../support/bot.ts';

describe('days and zones in the person’s language', () => {
  it('a day has its weekday: Thursday 31 December 2026, 2026年12月31日（木）, jeudi 31 décembre 2026', () => {
    expect(wording('en').day('2026-12-31')).toBe('Thursday 31 December 2026');
    expect(wording('ja').day('2026-12-31')).toBe('2026年12月31日（木）');
    expect(wording('fr').day('2026-12-31')).toBe('jeudi 31 décembre 2026');
  });

  it('a zone is named as the language names it, standard or summer time as on that day', () => {
    expect(wording('ja').zone('America/New_York', '2026-12-31')).toBe('米国東部標準時');
    expect(wording('fr').zone('Europe/Paris', '2026-12-31')).toBe('heure normale d’Europe centrale');
    expect(wording('fr').zone('Europe/Paris', '2026-07-01')).toBe('heure d’été d’Europe centrale');
    expect(wording('en').zone('Europe/Brussels', '2026-12-15')).toBe('Central European Standard Time');
    expect(wording('en').zone('Not/AZone', '2026-12-15')).toBe('Not/AZone');
  });

  it.each([
    ['en', 'Deadline: remove it by the end of Tuesday 15 December 2026 (Central European Standard Time).'],
    ['ja', '期限：2026年12月15日（火）中（中央ヨーロッパ標準時）に削除してください。'],
    ['fr', 'Échéance : à désinstaller au plus tard le mardi 15 décembre 2026 à 24 heures (heure normale d’Europe centrale).'],
  ] as const)('check TikTok in %s names the deadline’s day and zone in words', async (locale, line) => {
    const { say } = botOn('demo.yaml', '2026-10-05T08:00:00Z', undefined, locale);
    const text = (await say('pierre', 'check TikTok')).text;
    expect(text).toContain(line.replace(/ ([:;?!])/g, '\u202f$1'));
    expect(text).not.toMatch(/Europe\/Brussels/);
  });
});

describe('times of day name their zone in words, never by its IANA id', () => {
  const IANA = /Europe\/Brussels|Asia\/Tokyo|America\/New_York/;
  it.each([
    ['en', '2026-10-05 10:00 (Central European Summer Time)', '2026-12-07 09:30 (Central European Standard Time)'],
    ['ja', '2026-10-05 10:00（中央ヨーロッパ夏時間）', '2026-12-07 09:30（中央ヨーロッパ標準時）'],
    ['fr', '2026-10-05 10:00 (heure d’été d’Europe centrale)', '2026-12-07 09:30 (heure normale d’Europe centrale)'],
  ] as const)(
    '%s: the approvals card, a refusal and a census answer say when, with the zone as on that day',
    async (locale, october, december) => {
      const { say, clock } = botOn('demo.yaml', '2026-10-05T08:00:00Z', undefined, locale);
      await say('pierre', 'request Candy Crush --purpose public-communications --reason "press office"');
      const approved = await say('akiko', 'approve EX-1');
      const card = approved.effects.find((e) => e.kind === 'update' && e.subject === 'EX-1');
      expect(card && 'message' in card && replyText(card.message)).toContain(october);
      const refusal = await say('pierre', 'withdraw EX-1');
      expect(refusal.text).toContain(october);
      // Winter time in December: the zone's name changes with the instant, not with today.
      clock.set('2026-12-07T08:30:00Z');
      await say('olivia', 'census start LINE --due 2026-12-20 --units all');
      await say('olivia', 'census answer CN-1 --unit demo/it --uses none');
      const status = await say('olivia', 'census status CN-1');
      expect(status.text).toContain(december);
      for (const text of [approved.text, refusal.text, status.text]) expect(text).not.toMatch(IANA);
    },
  );

  it('an instant in a zone named by Intl, in each language; an unknown zone as itself', () => {
    const at = new Date('2026-12-31T15:00:00Z');
    expect(wording('ja').zone('America/New_York', at)).toBe('米国東部標準時');
    expect(wording('en').zone('America/New_York', at)).toBe('Eastern Standard Time');
    expect(wording('fr').zone('Europe/Paris', at)).toBe('heure normale d’Europe centrale');
    expect(wording('fr').zone('Not/AZone', at)).toBe('Not/AZone');
  });
});

describe('Japanese that reads like a ministry (issue 22)', () => {
  const ja = wording('ja');
  it.each([
    [ja.t('next.attest', { app: 'TikTok' }), '削除後は、次のコマンドで報告してください：attest TikTok'],
    [ja.t('pending.title'), '承認待ちの申請'],
    [ja.t('status.title'), '申請状況と期限'],
    [ja.t('errors.alreadyDecided', { id: 'EX-2', status: ja.statusWord('denied') }), 'EX-2は既に却下されています。'],
    [ja.t('census.rollupTitle', { id: 'CN-1', app: 'LINE' }), 'LINE利用状況調査（CN-1）'],
    [ja.t('census.silent', { units: ['広報課'] }), '未回答：広報課'],
    [ja.t('explain.noRule'), 'この利用に該当する組織のルールはありません。'],
    [ja.t('explain.otherDevices', { items: ['私物端末：利用可'] }), '他の端末では：私物端末：利用可'],
    [ja.t('request.reasonGiven', { reason: '広報' }), '理由：広報'],
  ])('%s', (got, want) => expect(got).toBe(want));

  it('the rest of the list', () => {
    expect(ja.t('errors.notAnApprover', { id: 'EX-2' })).toMatch(/^EX-2を承認・却下する権限がありません。/);
    expect(ja.t('accounts.changed', { handle: '@x', status: '停止' })).toMatch(/担当者に通知しました。$/);
    expect(ja.t('lists.silent', { n: 2 })).toBe('未回答（2部署）：');
  });
});
