import { appById } from '../../src/core/catalog.ts';
import {
  answerCensus,
  answerId,
  answerVersions,
  keptVersion,
  reportersFor,
  startCensus,
  unitsAnsweredBy,
  versionId,
} from '../../src/core/census.ts';
import { isApprover } from '../../src/core/exceptions.ts';
import { isAdmin, resolvePerson, unitChain } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import { put, type Census, type CensusAnswer, type CensusUse } from '../../src/core/records.ts';
import { isRealDate } from '../../src/core/time.ts';
import type { Command } from '../shared/command.ts';
import { asUnitOfWork, commitChanges, duplicateOf, inUnit, nextNumber } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { censusInvitation } from '../reminders/remind.ts';
import { pageNumber, pageOf, reply, type Block, type ListBudget } from '../shared/reply.ts';
import { wording, type Wording } from '../wording/wording.ts';
import { displayName, localTime, unitName } from '../requests/request-card.ts';

/** The census invitation's text: what is asked, of which unit, by when. */
const censusIntro = (m: Wording, c: Census, appName: string, unit: string, policy: Policy) =>
  `${m.t('census.ask', { id: c.id, app: appName, unit: unitName(policy, unit), due: c.due })}${c.question ? `\n${c.question}` : ''}`;

/** What a census form shows for one unit: the census, the app's name, the invitation and the unit's answer so far. */
export function censusForm(
  id: string,
  unit: string | undefined,
  ctx: CommandContext,
):
  | { ok: true; census: Census; unit: string; app: string; intro: string; previous: CensusAnswer | undefined }
  | { ok: false; text: string } {
  const census = ctx.store.get('censuses', id);
  if (!census || !unit) return { ok: false, text: ctx.m.t('errors.unknownCensus', { id }) };
  const app = appById(ctx.policy, census.app)?.name ?? census.app;
  return {
    ok: true,
    census,
    unit,
    app,
    intro: censusIntro(ctx.m, census, app, unit, ctx.policy),
    previous: ctx.store.get('census_answers', answerId(census.id, unit)),
  };
}

export const census: Command = {
  name: 'census',
  // `use` may be given once per use; every one is kept.
  flags: { due: 'string', units: 'string', question: 'string', unit: 'string', uses: 'string', use: 'strings', page: 'string' },
  run({ words, flags }, ctx) {
    const [verb = '', ...rest] = words;
    const { use, ...others } = flags;
    const f = others as Record<string, string | undefined>;
    if (verb === 'start') return start(rest.join(' '), f, ctx);
    if (verb === 'status' && rest.length === 1) return status(rest[0]!.toUpperCase(), f.page, ctx);
    if (verb === 'answer' && rest.length === 1) return answerFromKeyboard(rest[0]!.toUpperCase(), f, Array.isArray(use) ? use : [], ctx);
    return refused('bad_census_verb', ctx.m.t('errors.badCensusVerb', { word: words.join(' ') }));
  },
};

async function start(app: string, f: Record<string, string | undefined>, ctx: CommandContext): Promise<CommandResult> {
  const m = ctx.m;
  if (!isAdmin(ctx.person)) return refused('not_admin', m.t('errors.notAdmin', { command: 'census start' }));
  if (!app) return refused('missing_app', m.t('errors.missingApp', { command: 'census start' }));
  if (!f.due || !isRealDate(f.due)) return { ...refused('bad_date', m.t('errors.badDate', { value: f.due ?? '' })), field: 'due' };
  const units =
    !f.units || f.units === 'all'
      ? 'all'
      : f.units
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
  const now = ctx.now();
  const outcome = startCensus(
    { app, due: f.due, units, ...(f.question ? { question: f.question.slice(0, 500) } : {}) },
    ctx.person,
    ctx.policy,
    now,
    `CN-${nextNumber(ctx, 'censuses')}`,
  );
  if (!outcome.ok) return refusal(outcome, m, { command: 'census start', app });
  const c = outcome.value;
  const appName = appById(ctx.policy, c.app)?.name ?? c.app;
  const effects: Effect[] = c.units.flatMap((unit) =>
    reportersFor(ctx.policy, unit).map((p) => {
      const pm = wording(p.locale);
      return {
        kind: 'notify' as const,
        person: p.id,
        message: censusInvitation(c.id, unit, unitName(ctx.policy, unit), pm, censusIntro(pm, c, appName, unit, ctx.policy)),
      };
    }),
  );
  await commitChanges(
    ctx,
    { at: now, action: 'census.started', subject: c.id, detail: { app: c.app, due: c.due, units: c.units } },
    [put('censuses', c)],
    c.id,
    effects,
  );
  const orphans = c.units.filter((u) => !reportersFor(ctx.policy, u).length).map((u) => unitName(ctx.policy, u));
  return {
    ok: true,
    data: c,
    effects,
    reply: reply('ok', [
      { type: 'heading', text: m.t('census.started', { id: c.id, app: appName, due: c.due, units: c.units.length }) },
      ...(orphans.length ? [{ type: 'text' as const, text: m.t('census.noReporter', { units: orphans }) }] : []),
    ]),
  };
}

/**
 * Who has answered, and every version of each unit's answer with who gave it and when (a second
 * reporter's answer stands beside the first). What was answered (counts) only for those who may read
 * the census report, and for the unit's own reporters. Counts first; the versions and the units still
 * silent a page at a time (`census status <id> --page 2`).
 */
function status(id: string, pageFlag: string | undefined, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const page = pageNumber(pageFlag);
  if (page === undefined) return refused('invalid_input', m.t('lists.badPage', { value: String(pageFlag) }));
  const c = ctx.store.get('censuses', id);
  if (!c) return refused('unknown_census', m.t('errors.unknownCensus', { id }));
  const tz = ctx.policy.organization.timezone;
  const answers = ctx.store.where('census_answers', 'census', c.id);
  const versions = c.units.map((unit) => ({ unit, versions: answerVersions(answers, c.id, unit) })).filter((u) => u.versions.length);
  const answered = versions.map((u) => u.unit);
  const isAnswered = new Set(answered);
  const outstanding = c.units.filter((u) => !isAnswered.has(u));
  const mine = unitsAnsweredBy(ctx.policy, c, ctx.person);
  const approver = isApprover(ctx.policy, ctx.person);
  const seesCounts = (unit: string) => approver || mine.includes(unit);
  const lines = versions.flatMap(({ unit, versions: all }) =>
    [...all].reverse().map((a) => {
      const version = {
        unit: unitName(ctx.policy, unit),
        revision: a.revision,
        by: displayName(ctx.policy, a.answeredBy),
        at: localTime(a.answeredAt, tz, m),
      };
      return seesCounts(unit)
        ? m.t('census.versionCounted', {
            ...version,
            usesApp: a.usesApp,
            uses: a.uses.length,
            personal: a.uses.filter((u) => u.personalData).length,
          })
        : m.t('census.version', version);
    }),
  );
  const shown = pageOf(lines, page, CENSUS_VERSIONS);
  const silent = pageOf(
    outstanding.map((u) => unitName(ctx.policy, u)),
    page,
    CENSUS_SILENT,
  );
  const pages = Math.max(shown.pages, silent.pages);
  if (page > pages) return refused('invalid_input', m.t('lists.pastLastPage', { pages, command: `census status ${c.id} --page ${pages}` }));
  const more = (left: number) =>
    left
      ? {
          more: {
            count: left,
            hint: m.t('lists.more', { how: m.t('lists.nextPage', { command: `census status ${c.id} --page ${page + 1}` }) }),
          },
        }
      : {};
  return {
    ok: true,
    effects: [],
    data: {
      census: c,
      answered,
      outstanding,
      versions: versions.map(({ unit, versions: all }) => ({
        unit,
        versions: all.map((a) => ({
          revision: a.revision,
          answeredBy: a.answeredBy,
          answeredAt: a.answeredAt,
          ...(seesCounts(unit) ? { usesApp: a.usesApp, uses: a.uses } : {}),
        })),
      })),
    },
    reply: reply('info', [
      { type: 'heading', text: m.t('census.statusTitle', { id: c.id, app: appById(ctx.policy, c.app)?.name ?? c.app, due: c.due }) },
      { type: 'text', text: m.t('lists.unitsAnswered', { answered: answered.length, total: c.units.length }) },
      ...(pages > 1 ? [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }] : []),
      ...(shown.shown.length || shown.left ? [{ type: 'list' as const, items: shown.shown, ...more(shown.left) }] : []),
      ...(silent.shown.length || silent.left
        ? [
            { type: 'text' as const, text: m.t('lists.notYetAnswered', { n: outstanding.length }) },
            { type: 'list' as const, items: silent.shown, ...more(silent.left) },
          ]
        : page === 1
          ? [{ type: 'text' as const, text: m.t('census.allAnswered') }]
          : []),
    ]),
  };
}

/** What `census status` shows at a time: versions, then the units still silent. */
const CENSUS_VERSIONS: ListBudget = { items: 30, chars: 3_000 };
const CENSUS_SILENT: ListBudget = { items: 20, chars: 1_200 };

/** Uses a census form offers; an answer holds at most this many, from the keyboard too (a form shows them all for a correction). */
export const CENSUS_USE_SLOTS = 5;

/** A use as typed in a form or after --use "purpose | yes | 120 | @account". */
export interface RawUse {
  purpose?: string;
  personalData?: string;
  people?: string;
  account?: string;
}

const YES = new Set(['yes', 'y', 'true', 'はい']);
const NO = new Set(['no', 'n', 'false', 'いいえ']);

/**
 * Record a unit's census answer from raw form or keyboard values. Every field's problem is reported at
 * once (`fields`), keyed `uses_app`, `use1_purpose`, `use1_personal`, `use1_people`, …
 */
export async function submitCensusAnswer(
  id: string,
  unit: string | undefined,
  raw: { usesApp?: string; uses: RawUse[] },
  ctx: CommandContext,
): Promise<CommandResult> {
  if (!inUnit(ctx)) return asUnitOfWork(ctx, (inside) => submitCensusAnswer(id, unit, raw, inside));
  const m = ctx.m;
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const c = ctx.store.get('censuses', id);
  if (!c) return refused('unknown_census', m.t('errors.unknownCensus', { id }));
  const mine = unitsAnsweredBy(ctx.policy, c, ctx.person);
  // Someone who answers for no unit of the census is told about their own unit, not every unit asked.
  if (!mine.length)
    return refusal({ code: 'not_a_reporter', path: 'unit', data: notReporterData(c, ctx) }, m, { command: 'census answer' });
  const target = unit ?? (mine.length === 1 ? mine[0] : undefined);
  if (!target) return refusal({ code: 'which_unit', path: 'unit', data: { units: mine } }, m, { command: 'census answer' });

  const fields: Record<string, string> = {};
  const usesAppText = (raw.usesApp ?? '').trim().toLowerCase();
  if (!YES.has(usesAppText) && !NO.has(usesAppText)) fields.uses_app = m.t('errors.badYesNo', { value: raw.usesApp ?? '' });
  const uses: CensusUse[] = [];
  raw.uses.forEach((u, i) => {
    const n = i + 1;
    const filled = [u.purpose, u.personalData, u.people, u.account].some((v) => v?.trim());
    if (!filled) return;
    const purpose = (u.purpose ?? '').trim();
    const personal = (u.personalData ?? '').trim().toLowerCase();
    const people = (u.people ?? '').trim();
    if (!purpose) fields[`use${n}_purpose`] = m.t('errors.purposeMissing');
    else if (purpose.length > 200) fields[`use${n}_purpose`] = m.t('errors.textTooLong', { max: 200 });
    if (!YES.has(personal) && !NO.has(personal)) fields[`use${n}_personal`] = m.t('errors.badYesNo', { value: u.personalData ?? '' });
    if (!/^\d{1,8}$/.test(people)) fields[`use${n}_people`] = m.t('errors.badPeople', { value: u.people ?? '' });
    if ((u.account ?? '').length > 100) fields[`use${n}_account`] = m.t('errors.textTooLong', { max: 100 });
    uses.push({
      purpose,
      personalData: YES.has(personal),
      people: Number(people),
      ...(u.account?.trim() ? { account: u.account.trim() } : {}),
    });
  });
  if (YES.has(usesAppText) && !uses.length && !Object.keys(fields).length) fields.use1_purpose = m.t('errors.noUses');
  if (Object.keys(fields).length) return { ...refused('invalid_answer', ...Object.values(fields)), fields };

  const previous = ctx.store.get('census_answers', answerId(c.id, target));
  const outcome = answerCensus(c, target, { usesApp: YES.has(usesAppText), uses }, ctx.person, ctx.policy, previous, ctx.now());
  if (!outcome.ok) {
    const said = { ...outcome, data: { ...outcome.data, unitName: unitName(ctx.policy, target), census: c.id, due: c.due } };
    return { ...refusal(said, m, { command: 'census answer' }), field: outcome.code === 'no_uses' ? 'use1_purpose' : 'unit' };
  }
  const a = outcome.value;
  // The version it supersedes is kept; whoever gave an earlier version (another reporter) is told.
  const others = [
    ...new Set(answerVersions(ctx.store.where('census_answers', 'census', c.id), c.id, target).map((v) => v.answeredBy)),
  ].filter((p) => p !== ctx.person.id);
  const unitLabel = unitName(ctx.policy, target);
  const effects: Effect[] = others.map((p) => {
    const pm = wording(resolvePerson(ctx.policy, p).locale);
    return {
      kind: 'notify',
      person: p,
      message: reply('info', [
        {
          type: 'heading',
          text: pm.t('census.newVersion', { id: c.id, unit: unitLabel, by: displayName(ctx.policy, ctx.person.id), revision: a.revision }),
        },
      ]),
    };
  });
  const detail = {
    uses: a.uses.length,
    personalData: a.uses.filter((u) => u.personalData).length,
    revision: a.revision,
    ...(previous ? { previous: { revision: previous.revision, answeredBy: previous.answeredBy } } : {}),
  };
  // The subject names the version, so each version's notices have outbox ids of their own.
  const event = { at: ctx.now(), action: previous ? 'census.corrected' : 'census.answered', subject: versionId(a), detail };
  await commitChanges(
    ctx,
    event,
    [...(previous ? [put('census_answers', keptVersion(previous))] : []), put('census_answers', a)],
    a.id,
    effects,
  );
  const blocks: Block[] = [
    {
      type: 'heading',
      text: m.t('census.recorded', { unit: unitLabel, uses: a.uses.length, corrected: previous?.answeredBy === ctx.person.id }),
    },
  ];
  if (others.length)
    blocks.push({
      type: 'text',
      text: m.t('census.keptBeside', {
        id: c.id,
        revision: a.revision,
        others: others.map((p) => m.t('name.person', { name: displayName(ctx.policy, p) })),
      }),
    });
  return { ok: true, data: a, effects, reply: reply('ok', blocks) };
}

/**
 * What a person who answers for no unit of the census is told: the census unit their own unit reports
 * through (the unit itself or the nearest above it that the census asks), and who answers for it.
 */
function notReporterData(c: Census, ctx: CommandContext) {
  const own = ctx.person.unit;
  const through = unitChain(ctx.policy, own).find((u) => c.units.includes(u));
  return {
    anyUnit: true,
    census: c.id,
    ownUnit: unitName(ctx.policy, own),
    censusUnit: through ? unitName(ctx.policy, through) : '',
    reporters: through ? reportersFor(ctx.policy, through).map((p) => p.name) : [],
  };
}

/**
 * `census answer CN-1 [--unit U] --uses none`, or one `--use "purpose | yes | 120 | @account"` per use
 * (as many as the form takes).
 */
function answerFromKeyboard(
  id: string,
  f: Record<string, string | undefined>,
  use: readonly string[],
  ctx: CommandContext,
): Promise<CommandResult> | CommandResult {
  const m = ctx.m;
  const none = f.uses?.trim().toLowerCase() === 'none';
  if (none && use.length) return refusal({ code: 'uses_none_with_use', path: 'use' }, m, { command: 'census answer' });
  if (use.length > CENSUS_USE_SLOTS)
    return refusal({ code: 'too_many_uses', path: 'use', data: { given: use.length, max: CENSUS_USE_SLOTS } }, m, {
      command: 'census answer',
    });
  const uses = use.map((text) => {
    const [purpose, personalData, people, account] = text.split('|').map((s) => s.trim());
    return { purpose, personalData, people, account };
  });
  return submitCensusAnswer(id, f.unit, { usesApp: none ? 'no' : uses.length ? 'yes' : '', uses }, ctx);
}
