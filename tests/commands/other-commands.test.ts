import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/decision.ts';
import { botOn } from '../support/bot.ts';

describe('attest', () => {
  it('records once per rule, then says it already has; status shows it', async () => {
    const { say, store } = botOn('ec-2023-tiktok.yaml', '2023-03-01T09:00:00Z');
    const first = await say('ec-staff', 'attest ＴｉｋＴｏｋ');
    expect(first.ok).toBe(true);
    expect(first.text).toMatch(/Recorded: you have removed TikTok \(ec-2023-tiktok\)/);
    expect(store.listByPerson('attestations', 'ec-staff')).toEqual([
      { id: 'AT-1', person: 'ec-staff', rule: 'ec-2023-tiktok', app: 'tiktok', at: '2023-03-01T09:00:00.000Z', statement: 'removed' },
    ]);
    const second = await say('ec-staff', 'attest tiktok --statement never-installed');
    expect(second.text).toMatch(/already attested for ec-2023-tiktok on Wednesday 1 March 2023/);
    expect(store.count('attestations')).toBe(1);
    expect((await say('ec-staff', 'status')).text).toMatch(/remove by the end of Wednesday 15 March 2023 — you attested ✓/);
  });

  it('refuses an app no rule asks to remove', async () => {
    const { say, store } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    const r = await say('pierre', 'attest signal');
    expect(r).toMatchObject({ ok: false, code: 'nothing_to_attest' });
    expect(r.text).toMatch(/No rule asks you to remove Signal/);
    expect(store.count('attestations')).toBe(0);
  });
});

describe('check', () => {
  it('answers the same for every spelling of an app', async () => {
    const { say } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    const spellings = ['TikTok', 'tik tok', 'ＴｉｋＴｏｋ', 'ティックトック', 'com.zhiliaoapp.musically', '835599320'];
    for (const s of spellings) expect(((await say('pierre', `check ${s}`)).data as Decision).app?.id, s).toBe('tiktok');
  });

  it('reads an em dash typed by a phone as --', async () => {
    const { say } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    expect(((await say('pierre', 'check tiktok —device personal')).data as Decision).verdict).toBe('allowed');
  });

  it('answers an unknown app with the default posture and suggestions', async () => {
    const { say } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    const r = await say('pierre', 'check tiktk');
    expect(r.data).toMatchObject({ verdict: 'unknown-app', unknown: { posture: 'allow', suggestions: ['TikTok'] } });
    expect(r.text).toMatch(/Did you mean: TikTok\?/);
  });

  it('speaks the person’s language: a ja person in an en organisation gets Japanese', async () => {
    const { say } = botOn('jp-2021-line.yaml', '2021-04-01T01:00:00Z');
    const ja = await say('suzuki.kenta', 'check LINE');
    expect(ja.text).toMatch(/制限/);
    const en = await say('emily.clark', 'check LINE');
    expect(en.text).toMatch(/restricted/);
  });
});

describe('policy, report, help', () => {
  it('lists rules in force and shows one in full', async () => {
    const { say } = botOn('ec-2023-tiktok.yaml', '2023-03-01T09:00:00Z');
    expect((await say('ec-staff', 'policy')).text).toMatch(/ec-2023-tiktok: TikTok banned/);
    const full = (await say('ec-staff', 'policy ec-2023-tiktok')).text;
    expect(full).toMatch(/Deadline: remove it by the end of Wednesday 15 March 2023 \(Central European Standard Time\)/);
    expect(full).toMatch(/No exceptions are possible/);
  });

  it('report compliance: who attested and who has not, as text and CSV', async () => {
    const { say } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    await say('pierre', 'attest tiktok');
    const text = (await say('olivia', 'report compliance demo-tiktok')).text;
    expect(text).toMatch(/1 of 4 people have attested/);
    // Per unit first, then every name on its own line (a long list is paged, never cut mid-name).
    expect(text).toMatch(
      /By unit, most missing first:\n• IT and Security: 0\/2 attested\n• Demo Agency: 0\/1 attested\n• Communications: 1\/1 attested/,
    );
    expect(text).toMatch(/Not yet attested \(3\):\n• Akiko Sato\n• Olivia Admin\n• Sam Lee$/);
    const csv = await say('olivia', 'report compliance demo-tiktok --format csv');
    const file = csv.reply.blocks[0];
    expect(file).toMatchObject({ type: 'file', name: 'compliance.csv', mime: 'text/csv' });
    const rows = parse((file as { content: string }).content, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.person === 'pierre')).toMatchObject({ attested: 'yes', statement: 'removed' });
    expect(
      rows
        .filter((r) => r.attested === 'no')
        .map((r) => r.person)
        .sort(),
    ).toEqual(['akiko', 'olivia', 'sam']);
  });

  it('report exceptions lists granted ones', async () => {
    const { say } = botOn('demo.yaml', '2026-12-01T09:00:00Z');
    await say('pierre', 'request instagram --purpose public-communications --reason "Campaign"');
    await say('akiko', 'approve EX-1');
    expect((await say('olivia', 'report exceptions')).text).toMatch(/EX-1 · Pierre Martin · Instagram · public communications · approved/);
  });

  it('help in both languages', async () => {
    expect((await botOn('demo.yaml', '2026-12-01T09:00:00Z').say('pierre', 'help')).text).toMatch(/check <app>/);
    expect((await botOn('jp-2021-line.yaml', '2021-04-01T01:00:00Z').say('suzuki.kenta', '')).text).toMatch(/check <アプリ名>/);
  });
});
