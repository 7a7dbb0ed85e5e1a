import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createAppWarden } from '../../src/app.ts';
import type { CensusRollup } from '../../src/core/census.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { put, type CensusAnswer } from '../../src/core/records.ts';
import type { Store } from '../../src/core/store.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { cli, tempDir } from '../support/cli.ts';
import { packPath, testClock } from '../support/bot.ts';

// Japan, March 2021: every local government reports its LINE usage. 市川市 has two reporters here:
// 井上 咲 (Japanese) and 木村 太郎 (English), who might each answer for the city.
const ICHIKAWA = 'soumu/jichi/chiba/ichikawa';
const UNITS = `${ICHIKAWA},soumu/jichi/chiba/funabashi`;
const KIMURA = '  - id: kimura.taro\n    name: 木村 太郎\n    unit: soumu/jichi/chiba/ichikawa\n    roles: [reporter]\n    locale: en\n';

function jpBot(store: Store = createMemoryStore()) {
  const text = readFileSync(packPath('jp-2021-line.yaml'), 'utf8').replace('  - id: nakamura.ryo\n', `${KIMURA}  - id: nakamura.ryo\n`);
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const clock = testClock('2021-03-19T10:00:00+09:00');
  const bot = createAppWarden({ policy: parsed.value, store, now: clock.now });
  const say = async (person: string, line: string) => {
    const result = await bot.run(line, person, 'test');
    return { ...result, text: replyText(result.reply) };
  };
  return { bot, clock, store, say };
}

const csvOf = (r: { reply: { blocks: unknown[] } }) =>
  parse((r.reply.blocks[0] as { content: string }).content, { columns: true }) as Record<string, string>[];
const THREE_USES =
  '--use "住民票の写しの交付申請 | yes | 1200" --use "市政情報の発信 | no | 30000 | @ichikawa_city" --use "防災情報の配信 | no | 50000"';

describe('census answer from the keyboard', () => {
  it('keeps every --use, the one with personal data too; report census counts all three and its CSV has a row each', async () => {
    const { say, store } = jpBot();
    await say('tanaka.hiroshi', `census start LINE --due 2021-03-26 --units ${UNITS}`);
    const answered = await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} ${THREE_USES}`);
    expect(answered.ok, answered.text).toBe(true);
    expect(answered.text).toMatch(/市川市の回答を記録しました：利用3件/);
    expect(store.get('census_answers', `CN-1/${ICHIKAWA}`)!.uses).toEqual([
      { purpose: '住民票の写しの交付申請', personalData: true, people: 1200 },
      { purpose: '市政情報の発信', personalData: false, people: 30000, account: '@ichikawa_city' },
      { purpose: '防災情報の配信', personalData: false, people: 50000 },
    ]);

    const report = await say('tanaka.hiroshi', 'report census CN-1');
    expect(report.data).toMatchObject({ uses: 3, personalData: 1, percent: 33.3 });
    expect(report.text).toMatch(/市川市：利用3件（うち個人情報あり1件）/);
    const rows = csvOf(await say('tanaka.hiroshi', 'report census CN-1 --format csv'));
    expect(rows.map((r) => [r.unit_name, r.purpose, r.personal_data, r.people, r.account, r.answered_by])).toEqual([
      ['市川市', '住民票の写しの交付申請', 'yes', '1200', '', 'inoue.saki'],
      ['市川市', '市政情報の発信', 'no', '30000', "'@ichikawa_city", 'inoue.saki'], // a cell cannot start a formula
      ['市川市', '防災情報の配信', 'no', '50000', '', 'inoue.saki'],
    ]);
  });

  it("the same through the appwarden binary's entry point, quotes as the shell leaves them", async () => {
    const data = await tempDir();
    const as = (who: string, ...words: string[]) => cli(['--policy', packPath('jp-2021-line.yaml'), '--data', data, '--as', who, ...words]);
    expect((await as('tanaka.hiroshi', 'census', 'start', 'LINE', '--due', '2099-03-26', '--units', UNITS)).code).toBe(0);
    const uses = ['住民票の写しの交付申請 | yes | 1200', '市政情報の発信 | no | 30000 | @ichikawa_city', '防災情報の配信 | no | 50000'];
    const answered = await as('inoue.saki', 'census', 'answer', 'CN-1', ...uses.flatMap((u) => ['--use', u]));
    expect(answered.code, answered.stderr).toBe(0);
    const report = await as('tanaka.hiroshi', '--json', 'report', 'census', 'CN-1');
    expect(JSON.parse(report.stdout)).toMatchObject({ uses: 3, personalData: 1 });
  });

  it('refuses more uses than a form holds, and --uses none beside a --use; nothing is recorded', async () => {
    const { say, store } = jpBot();
    await say('tanaka.hiroshi', `census start LINE --due 2021-03-26 --units ${UNITS}`);
    const six = Array.from({ length: 6 }, (_, i) => `--use "用途${i + 1} | no | 10"`).join(' ');
    const tooMany = await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} ${six}`);
    expect(tooMany).toMatchObject({ ok: false, code: 'too_many_uses', field: 'use' });
    expect(tooMany.text).toMatch(/5件までです（6件指定されました）/);
    const both = await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} --uses none --use "広報 | no | 10"`);
    expect(both).toMatchObject({ ok: false, code: 'uses_none_with_use' });
    expect(store.count('census_answers')).toBe(0);
  });
});

describe('two reporters of one unit', () => {
  it('the second answer is a new version, by its reporter; the first is kept beside it, its reporter told; status, report and CSV show both', async () => {
    const { say, store, clock } = jpBot();
    await say('tanaka.hiroshi', `census start LINE --due 2021-03-26 --units ${UNITS}`);
    clock.set('2021-03-20T09:30:00+09:00');
    await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} ${THREE_USES}`);
    clock.set('2021-03-22T14:05:00+09:00');
    const second = await say('kimura.taro', `census answer CN-1 --unit ${ICHIKAWA} --use "Tourism news | no | 8000"`);
    expect(second.ok, second.text).toBe(true);
    expect(second.text).toMatch(/Recorded for 市川市: 1 use/);
    expect(second.text).toMatch(
      /version 2 of the unit's answer, and the one that counts\. The earlier answer by 井上 咲 is kept beside it \(census status CN-1\), and they have been told/,
    );

    // Nothing is lost: the first answer stays, whole, under its version id.
    expect(store.get('census_answers', `CN-1/${ICHIKAWA}`)).toMatchObject({
      revision: 2,
      answeredBy: 'kimura.taro',
      answeredAt: '2021-03-22T05:05:00.000Z',
      uses: [{ purpose: 'Tourism news' }],
    });
    const first = store.get('census_answers', `CN-1/${ICHIKAWA}#1`)!;
    expect(first).toMatchObject({ revision: 1, answeredBy: 'inoue.saki', answeredAt: '2021-03-20T00:30:00.000Z' });
    expect(first.uses.map((u) => u.personalData)).toEqual([true, false, false]);
    // The first reporter hears of it, in her language.
    expect(second.effects).toEqual([
      {
        kind: 'notify',
        person: 'inoue.saki',
        message: expect.objectContaining({
          blocks: [{ type: 'heading', text: expect.stringMatching(/木村 太郎さんが市川市について新しい回答（第2版）/) }],
        }),
      },
    ]);
    expect(store.get('outbox', `census.corrected:CN-1/${ICHIKAWA}#2:0`)).toMatchObject({ status: 'due' });

    const status = await say('tanaka.hiroshi', 'census status CN-1');
    expect(status.text).toMatch(
      /市川市 — 第2版（木村 太郎、2021-03-22 14:05（日本標準時））：利用1件（うち個人情報あり0件）\n.*市川市 — 第1版（井上 咲、2021-03-20 09:30（日本標準時））：利用3件（うち個人情報あり1件）/,
    );
    expect(status.data).toMatchObject({
      answered: [ICHIKAWA],
      versions: [
        {
          unit: ICHIKAWA,
          versions: [
            { revision: 1, answeredBy: 'inoue.saki' },
            { revision: 2, answeredBy: 'kimura.taro' },
          ],
        },
      ],
    });
    // Anyone may see who answered when; what was answered, only those who may read the report and the unit's reporters.
    const colleague = await say('suzuki.kenta', 'census status CN-1');
    expect(colleague.text).toMatch(/市川市 — 第1版（井上 咲、2021-03-20 09:30（日本標準時））/);
    expect(colleague.text).not.toMatch(/利用3件/);

    const report = await say('tanaka.hiroshi', 'report census CN-1');
    const rollup = report.data as CensusRollup;
    expect(rollup).toMatchObject({ uses: 1, personalData: 0 }); // the unit counts by its latest version
    expect(rollup.units[0]!.versions).toEqual([
      { revision: 1, answeredBy: 'inoue.saki', answeredAt: '2021-03-20T00:30:00.000Z', usesApp: true, uses: 3, personalData: 1 },
      { revision: 2, answeredBy: 'kimura.taro', answeredAt: '2021-03-22T05:05:00.000Z', usesApp: true, uses: 1, personalData: 0 },
    ]);
    const rows = csvOf(await say('tanaka.hiroshi', 'report census CN-1 --format csv'));
    expect(rows.map((r) => [r.purpose, r.personal_data, r.answered_by, r.answered_at]).sort()).toEqual([
      ['Tourism news', 'no', 'kimura.taro', '2021-03-22T05:05:00.000Z'],
      ['住民票の写しの交付申請', 'yes', 'inoue.saki', '2021-03-20T00:30:00.000Z'],
      ['市政情報の発信', 'no', 'inoue.saki', '2021-03-20T00:30:00.000Z'],
      ['防災情報の配信', 'no', 'inoue.saki', '2021-03-20T00:30:00.000Z'],
    ]);

    const events: { action: string; subject?: string; detail?: Record<string, unknown> }[] = [];
    for await (const e of store.readAudit()) if (e.action.startsWith('census.')) events.push(e);
    expect(events.map((e) => [e.action, e.subject])).toEqual([
      ['census.started', 'CN-1'],
      ['census.answered', `CN-1/${ICHIKAWA}#1`],
      ['census.corrected', `CN-1/${ICHIKAWA}#2`],
    ]);
    expect(events[2]!.detail).toMatchObject({ revision: 2, previous: { revision: 1, answeredBy: 'inoue.saki' } });
  });

  it('a reporter correcting their own answer keeps every version too, and hears "corrected", not "kept beside"', async () => {
    const { say, store } = jpBot();
    await say('tanaka.hiroshi', `census start LINE --due 2021-03-26 --units ${UNITS}`);
    await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} ${THREE_USES}`);
    await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} --uses none`);
    const third = await say('inoue.saki', `census answer CN-1 --unit ${ICHIKAWA} --use "広報 | no | 100"`);
    expect(third.text).toMatch(/市川市の回答を訂正しました：利用1件/);
    expect(third.text).not.toMatch(/併せて保存/);
    expect(third.effects).toEqual([]);
    expect(
      store
        .list('census_answers')
        .map((a) => [a.id, a.revision, a.uses.length])
        .sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual([
      [`CN-1/${ICHIKAWA}#1`, 1, 3],
      [`CN-1/${ICHIKAWA}#2`, 2, 0],
      [`CN-1/${ICHIKAWA}`, 3, 1],
    ]);
  });

  it('an answer stored before versions were kept reads as it was; the next answer keeps it as its own version', async () => {
    const store = createMemoryStore();
    const { say } = jpBot(store);
    await say('tanaka.hiroshi', `census start LINE --due 2021-03-26 --units ${UNITS}`);
    const legacy: CensusAnswer = {
      id: `CN-1/${ICHIKAWA}`,
      census: 'CN-1',
      unit: ICHIKAWA,
      usesApp: true,
      uses: [{ purpose: '広報', personalData: false, people: 100 }],
      answeredBy: 'inoue.saki',
      answeredAt: '2021-03-19T02:00:00.000Z',
      revision: 2,
    };
    await store.commit({ at: legacy.answeredAt, actor: 'inoue.saki', action: 'census.corrected', subject: legacy.id }, [
      put('census_answers', legacy),
    ]);
    expect((await say('tanaka.hiroshi', 'report census CN-1')).data).toMatchObject({ uses: 1, silent: ['soumu/jichi/chiba/funabashi'] });
    expect((await say('tanaka.hiroshi', 'census status CN-1')).text).toMatch(
      /市川市 — 第2版（井上 咲、2021-03-19 11:00（日本標準時））：利用1件/,
    );
    await say('kimura.taro', `census answer CN-1 --unit ${ICHIKAWA} --uses none`);
    expect(store.get('census_answers', `CN-1/${ICHIKAWA}#2`)).toEqual({ ...legacy, id: `CN-1/${ICHIKAWA}#2` });
    expect(store.get('census_answers', `CN-1/${ICHIKAWA}`)).toMatchObject({ revision: 3, usesApp: false, answeredBy: 'kimura.taro' });
  });
});
