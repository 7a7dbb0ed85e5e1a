import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

// Japan, March 2021: every local government to report its LINE usage by 26 March.
const ADMIN = 'U07JP1SMU0A'; // 田中 宏, admin
const ICHIKAWA = 'U07JP6ICHI7'; // 井上 咲, reporter for 市川市
const FUNABASHI = 'U07JP7FUNA8'; // 中村 亮, reporter for 船橋市
const MATSUDO = 'U07JP8MATS9'; // 小川 芽衣, reporter for 松戸市
const UNITS = 'soumu/jichi/chiba/ichikawa,soumu/jichi/chiba/funabashi,soumu/jichi/chiba/matsudo';
const jst = (day: string) => new Date(`${day}T10:00:00+09:00`);

type Values = Record<string, Record<string, unknown>>;
const radio = (v?: string) => ({ value: { type: 'radio_buttons', selected_option: v ? { value: v } : null } });
const input = (v?: string) => ({ value: { type: 'plain_text_input', value: v ?? null } });
const number = (v?: string) => ({ value: { type: 'number_input', value: v ?? null } });
function form(usesApp: string | undefined, uses: { purpose?: string; personal?: string; people?: string; account?: string }[]): Values {
  const values: Values = { uses_app: radio(usesApp) };
  for (let n = 1; n <= 5; n++) {
    const u = uses[n - 1] ?? {};
    Object.assign(values, {
      [`use${n}_purpose`]: input(u.purpose),
      [`use${n}_personal`]: radio(u.personal),
      [`use${n}_people`]: number(u.people),
      [`use${n}_account`]: input(u.account),
    });
  }
  return values;
}

let s: SlackBot;
beforeEach(async () => (s = await startSlackBot('jp-2021-line.yaml', '2021-03-19T10:00:00+09:00')));
afterEach(async () => s.stop());

/** The reporter clicks "Answer for …" in the invitation; returns the form's private_metadata. */
async function openForm(user: string): Promise<string> {
  const invitation = await s.fake.until(
    () => s.fake.of('chat.postMessage').find((c) => c.body.channel === user && String(c.body.blocks).includes('census.open')),
    `the invitation to ${user}`,
  );
  const button = JSON.parse(String(invitation.body.blocks)).find((b: { type: string }) => b.type === 'actions').elements[0];
  const opened = s.fake.of('views.open').length;
  await s.click(user, 'census.open', button.value, { channel: 'D' + user });
  const view = await s.fake.until(() => s.fake.of('views.open')[opened], 'the census form');
  const parsed = JSON.parse(String(view.body.view));
  expect(parsed.callback_id).toBe('census.submit');
  return parsed.private_metadata;
}

describe('a LINE usage census on Slack', () => {
  it('3 units asked; two answer through the form, one does not; the silent one is chased; the roll-up and CSV are right', async () => {
    await s.command(ADMIN, `census start LINE --due 2021-03-26 --units ${UNITS} --question "住民向けサービスを含めて回答してください"`);
    await s.fake.until(() => s.responses().some((r) => r.includes('CN-1')), 'the confirmation');
    for (const reporter of [ICHIKAWA, FUNABASHI, MATSUDO])
      await s.fake.until(() => s.fake.of('chat.postMessage').find((c) => c.body.channel === reporter), `the invitation to ${reporter}`);

    const ichikawa = await openForm(ICHIKAWA);
    const answered = await s.submit(
      ICHIKAWA,
      'census.submit',
      ichikawa,
      form('yes', [
        { purpose: '住民票の写しの交付申請', personal: 'yes', people: '1200' },
        { purpose: '市政情報の発信', personal: 'no', people: '30000', account: '@ichikawa_city' },
      ]),
      'V-ich',
      'h1',
    );
    expect(answered).toMatchObject({ status: 200, text: '' });
    const funabashi = await openForm(FUNABASHI);
    await s.submit(
      FUNABASHI,
      'census.submit',
      funabashi,
      form('yes', [{ purpose: '観光情報の発信', personal: 'no', people: '8000' }]),
      'V-fun',
      'h1',
    );
    expect(s.store.list('census_answers').map((a) => [a.unit, a.uses.length, a.answeredBy])).toEqual([
      ['soumu/jichi/chiba/ichikawa', 2, 'inoue.saki'],
      ['soumu/jichi/chiba/funabashi', 1, 'nakamura.ryo'],
    ]);

    // Only the silent unit is reminded: 3 and 1 days before, on the day, then overdue.
    const scheduler = createScheduler(s.bot, () => undefined);
    const reminded: string[] = [];
    for (const day of ['2021-03-22', '2021-03-23', '2021-03-24', '2021-03-25', '2021-03-26', '2021-03-27']) {
      const tick = await scheduler.tick(jst(day));
      for (const r of tick.queued) if (r.kind === 'census') reminded.push(`${day} ${r.person} ${r.daysLeft}`);
    }
    expect(reminded).toEqual(['2021-03-23 ogawa.mei 3', '2021-03-25 ogawa.mei 1', '2021-03-26 ogawa.mei 0', '2021-03-27 ogawa.mei -1']);
    await s.fake.idle();
    expect(
      s.fake.of('chat.postMessage').filter((c) => c.body.channel === MATSUDO && String(c.body.blocks).includes('松戸市')),
    ).toHaveLength(5);

    const rollup = await s.bot.run('report census CN-1', 'tanaka.hiroshi', 'test');
    const text = JSON.stringify(rollup.reply);
    expect(rollup.data).toMatchObject({ uses: 3, personalData: 1, percent: 33.3, silent: ['soumu/jichi/chiba/matsudo'] });
    expect(text).toContain('松戸市');
    const csv = await s.bot.run('report census CN-1 --format csv', 'tanaka.hiroshi', 'test');
    const rows = parse((csv.reply.blocks[0] as { content: string }).content, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.unit_name, r.purpose, r.personal_data, r.people])).toEqual([
      ['市川市', '住民票の写しの交付申請', 'yes', '1200'],
      ['市川市', '市政情報の発信', 'no', '30000'],
      ['船橋市', '観光情報の発信', 'no', '8000'],
    ]);
    const status = await s.bot.run('census status CN-1', 'tanaka.hiroshi', 'test');
    expect(status.data).toMatchObject({ outstanding: ['soumu/jichi/chiba/matsudo'] });
  });

  it('a form with missing answers is refused field by field; a non-reporter cannot answer; a correction is audited', async () => {
    await s.command(ADMIN, `census start LINE --due 2021-03-26 --units ${UNITS}`);
    const meta = await openForm(ICHIKAWA);
    const missing = await s.submit(
      ICHIKAWA,
      'census.submit',
      meta,
      form(undefined, [{ purpose: '住民票の写しの交付申請', people: 'many' }]),
      'V1',
      'h1',
    );
    const errors = JSON.parse(missing.text);
    expect(errors.response_action).toBe('errors');
    expect(Object.keys(errors.errors).sort()).toEqual(['use1_people', 'use1_personal', 'uses_app']);
    const nothing = await s.submit(ICHIKAWA, 'census.submit', meta, form('yes', []), 'V1', 'h2');
    expect(Object.keys(JSON.parse(nothing.text).errors)).toEqual(['use1_purpose']);
    expect(s.store.count('census_answers')).toBe(0);

    const other = await s.submit('U07JP3SMIN4', 'census.submit', meta, form('no', []), 'V2', 'h1'); // 鈴木 健太, not a reporter
    expect(JSON.stringify(JSON.parse(other.text).errors)).toMatch(/市川市/);
    expect(s.store.count('census_answers')).toBe(0);

    await s.submit(ICHIKAWA, 'census.submit', meta, form('no', []), 'V1', 'h3');
    await s.submit(ICHIKAWA, 'census.submit', meta, form('yes', [{ purpose: '広報', personal: 'no', people: '100' }]), 'V1', 'h4');
    expect(s.store.get('census_answers', 'CN-1/soumu/jichi/chiba/ichikawa')).toMatchObject({ revision: 2, usesApp: true });
    const actions: string[] = [];
    for await (const e of s.store.readAudit()) actions.push(e.action);
    expect(actions.filter((a) => a.startsWith('census.'))).toEqual(['census.started', 'census.answered', 'census.corrected']);
  });

  it('only admins start a census, and a due date in the past is refused', async () => {
    expect((await s.bot.run(`census start LINE --due 2021-03-26 --units ${UNITS}`, 'inoue.saki', 'test')).code).toBe('not_admin');
    expect((await s.bot.run(`census start LINE --due 2021-03-01 --units ${UNITS}`, 'tanaka.hiroshi', 'test')).code).toBe('due_in_past');
    expect((await s.bot.run('census start LINE --due 2021-02-30', 'tanaka.hiroshi', 'test')).code).toBe('bad_date');
    expect(s.store.count('censuses')).toBe(0);
  });
});
