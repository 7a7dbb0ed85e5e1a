// Issue 22: a label and its value are joined as each language writes them: `Reason: x` in English,
// 「理由：x」 in Japanese (full-width colon, no space), `Motif : x` in French (a narrow no-break space before
// the colon). The separator is the catalogue's (`labels.separator`), on every surface that joins them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderForTerminal } from '../../adapters/cli/render.ts';
import { renderBlocks } from '../../adapters/slack/render.ts';
import { renderCard } from '../../adapters/teams/card.ts';
import { requestCard } from '../../commands/requests/request-card.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { LOCALE_WORDS } from '../../commands/wording/locales.ts';
import type { Locale } from '../../src/core/policy.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { loadPack } from '../support/bot.ts';
import { ASCII_COLON_AFTER_JAPANESE, FRENCH_MARK_WITHOUT_NBSP } from '../support/punctuation.ts';

const demo = loadPack('demo.yaml');
const REQUEST = {
  id: 'EX-1',
  person: 'pierre',
  app: 'candy-crush',
  device: 'corporate',
  purpose: 'public-communications',
  days: 10,
  reason: 'press office',
  rules: ['demo-recreational', 'demo-tiktok'],
  status: 'denied',
  requestedAt: '2026-10-05T08:00:00Z',
  decidedBy: 'akiko',
  decidedAt: '2026-10-05T09:00:00Z',
  decisionReason: 'use the web form',
} as unknown as ExceptionRequest;

describe('the separator is the catalogue’s', () => {
  it.each([
    ['en', ': '],
    ['ja', '：'],
    ['fr', '\u202f: '],
  ] as const)('%s: labels.separator', (locale, separator) => {
    expect(LOCALE_WORDS[locale].catalogue['labels.separator']).toBe(separator);
  });
});

describe('the punctuation checks (used on every reply too)', () => {
  it('find the forms they forbid, and pass the right ones', () => {
    expect(['理由: 広報', '理由:広報', '（A）: x'].map((t) => ASCII_COLON_AFTER_JAPANESE.test(t))).toEqual([true, true, true]);
    expect(['理由：広報', 'revoke EX-1: x', 'attest TikTok'].map((t) => ASCII_COLON_AFTER_JAPANESE.test(t))).toEqual([false, false, false]);
    expect(['Motif : x', 'Motif: x', 'Vraiment ?', 'a ; b'].map((t) => FRENCH_MARK_WITHOUT_NBSP.test(t))).toEqual([true, true, true, true]);
    expect(['Motif\u202f: x', 'Motif\u00a0: x', 'Vraiment\u202f?', '10:00'].map((t) => FRENCH_MARK_WITHOUT_NBSP.test(t))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe.each([
  [
    'en',
    'Requested by: Pierre Martin',
    'Exception to: demo-recreational, demo-tiktok',
    'Reason: use the web form',
    'Purpose: public communications',
  ],
  ['ja', '申請者：Pierre Martin', '対象ルール：demo-recreational、demo-tiktok', '理由：use the web form', '目的：広報'],
  [
    'fr',
    'Demandeur\u202f: Pierre Martin',
    'Dérogation à\u202f: demo-recreational, demo-tiktok',
    'Justification\u202f: use the web form',
    'Motif\u202f: communication publique',
  ],
] as const)('the approvals card in %s', (locale, requester, rule, reason, purpose) => {
  const card = requestCard(REQUEST, demo, locale as Locale);

  it('in plain text (the terminal, notifications, screen readers): each field joined the language’s way', () => {
    const lines = replyText(card).split('\n');
    expect(lines).toContain(requester);
    expect(lines).toContain(rule);
    expect(lines).toContain(reason);
    // The purpose by its label, and not under the same word as the reason.
    expect(lines).toContain(purpose);
    expect(renderForTerminal(card)).toContain(requester);
  });

  it('on Teams and Slack: the card’s text and its fallback hold no other language’s colon', () => {
    const teams = JSON.stringify(renderCard(card));
    const slack = renderBlocks(card);
    expect(teams).toContain(JSON.stringify(reason).slice(1, -1));
    // Slack's emoji codes (:no_entry:) are markup, not punctuation.
    for (const text of [teams, slack.text, JSON.stringify(slack.blocks)].map((t) => t.replace(/:[a-z_]+:/g, ''))) {
      if (locale === 'ja') expect(text).not.toMatch(ASCII_COLON_AFTER_JAPANESE);
      if (locale === 'fr') expect(text.replace(/https?:/g, '')).not.toMatch(FRENCH_MARK_WITHOUT_NBSP);
      if (locale === 'en') expect(text).not.toMatch(/[：\u202f]/);
    }
  });
});

describe('every message of a catalogue punctuates as its language does (web pages and all)', () => {
  const catalogue = (locale: string): Record<string, string> =>
    JSON.parse(readFileSync(join(import.meta.dirname, `../../commands/wording/${locale}.json`), 'utf8'));
  it('ja: no ASCII colon after Japanese text or after a parameter', () => {
    const bad = Object.entries(catalogue('ja')).filter(([, text]) => ASCII_COLON_AFTER_JAPANESE.test(text) || /\}: /.test(text));
    expect(bad).toEqual([]);
  });
  it('fr: a narrow no-break space before every colon, semicolon, question and exclamation mark', () => {
    const bad = Object.entries(catalogue('fr')).filter(([, text]) => FRENCH_MARK_WITHOUT_NBSP.test(text.replace(/https?:/g, '')));
    expect(bad).toEqual([]);
  });
});
