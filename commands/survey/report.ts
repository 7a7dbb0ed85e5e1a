import * as z from 'zod/mini';
import { policyWords } from '../wording/policy-words.ts';
import { appById } from '../../src/core/catalog.ts';
import { answerVersions, isCurrentAnswer, rollUp } from '../../src/core/census.ts';
import { complianceOf, rulesWithDeadlines, type Settlement } from '../../src/core/compliance.ts';
import { complianceFigures, type ComplianceFigures } from '../../src/core/compliance-figures.ts';
import { hasRole, isWithinUnit, resolvePerson } from '../../src/core/org.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import type { Rule } from '../../src/core/policy.ts';
import { effectiveStatus, exceptionSections } from '../../src/core/request-status.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import { localDateIn } from '../../src/core/time.ts';
import type { Command } from '../shared/command.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { inputFields, validate } from '../entry/inputs.ts';
import { describeRefusal, refused } from '../shared/refusals.ts';
import { pageNumber, pageOf, reply, type Block, type ListBudget } from '../shared/reply.ts';
import { displayName, localTime, unitName } from '../requests/request-card.ts';
import { toCsv } from '../shared/csv.ts';
import type { Evidence } from '../../src/core/inventory.ts';
import { deviceLine, inventoryView, sourcesLine, verifiedLine, type InventoryView } from '../compliance/inventory-evidence.ts';

/** An approver reports on their own unit and below; an admin on everyone. */
const visibleTo = (ctx: CommandContext) => (unit: string) =>
  hasRole(ctx.person, 'admin') || isWithinUnit(ctx.policy, unit, ctx.person.unit);

export const report: Command = {
  name: 'report',
  flags: { format: 'string', page: 'string' },
  approversOnly: true,
  run({ words, flags }, ctx) {
    const m = ctx.m;
    const input = validate(z.object({ format: inputFields(ctx.policy, m).format }), flags);
    if (!input.ok) return refused(input.code, ...describeRefusal(input, m, { command: 'report' }));
    const page = pageNumber(flags.page);
    if (page === undefined) return refused('invalid_input', m.t('lists.badPage', { value: String(flags.page) }));
    const [kind, ruleId, ...rest] = words;
    if (rest.length) return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'report', text: rest.join(' ') }));
    const format = input.value.format;
    if (kind === 'compliance') return compliance(ruleId, format, page, ctx);
    if (kind === 'exceptions' && !ruleId) return exceptions(format, page, ctx);
    if (kind === 'census' && ruleId) return censusReport(ruleId.toUpperCase(), format, page, ctx);
    return refused('bad_report_kind', m.t('errors.badReportKind', { value: words.join(' ') }));
  },
};

/** A compliance report's three lists share one message: per-unit counts first, then names. */
const UNITS: ListBudget = { items: 10, chars: 800 };
const NAMES: ListBudget = { items: 40, chars: 2_400 };
const EXCEPTED: ListBudget = { items: 10, chars: 800 };

const pastLast = (m: CommandContext['m'], pages: number, command: string) =>
  refused('invalid_input', m.t('lists.pastLastPage', { pages, command: `${command} --page ${pages}` }));

function compliance(ruleId: string | undefined, format: 'text' | 'csv', page: number, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const tz = ctx.policy.organization.timezone;
  const now = ctx.now();
  let rules: Rule[];
  if (ruleId) {
    const rule = policyIndex(ctx.policy).rulesById.get(ruleId);
    if (!rule) return refused('unknown_rule', m.t('errors.unknownRule', { id: ruleId }));
    rules = [rule];
  } else {
    rules = rulesWithDeadlines(ctx.policy, now);
  }
  if (!rules.length) return { ok: true, reply: reply('info', [{ type: 'text', text: m.t('report.noDeadlineRules') }]), effects: [] };
  const visible = visibleTo(ctx);
  // Only a rule's attestations and the exceptions in force can settle anyone: indexed reads, not the whole store.
  const approved = ctx.store.where('requests', 'status', 'approved');
  const listed = ctx.policy.people.map((p) => resolvePerson(ctx.policy, p.id));
  const subjects = rules.flatMap((rule) =>
    complianceOf(rule, listed, ctx.policy, { attestations: ctx.store.where('attestations', 'rule', rule.id), requests: approved }, now)
      .filter((s) => visible(s.person.unit))
      .map((s) => ({ rule, ...s })),
  );
  // With an inventory, each person's devices the rule covers are evidence beside their word.
  const inventory = inventoryView(ctx.policy, ctx.store);
  const evidence = subjects.map(({ rule, person, attestation }) => inventory?.evidence(rule, person, attestation, now));
  const dateOf = localDateIn(tz);
  const rows = subjects.map(({ rule, person: p, attestation: a, exception: x }, i) => ({
    rule: rule.id,
    person: p.id,
    name: p.name,
    unit: p.unit,
    attested: a ? 'yes' : 'no',
    attested_on: a ? dateOf(new Date(a.at)) : '',
    attested_at: a?.at ?? '',
    statement: a?.statement ?? '',
    exception: x?.id ?? '',
    ...(inventory ? inventoryColumns(evidence[i]!) : {}),
  }));
  if (format === 'csv')
    return csvResult(
      'compliance.csv',
      rows.map((r) => (r.devices ? { ...r, devices: r.devices.map(deviceCell).join('; ') } : r)),
      [
        'rule',
        'person',
        'name',
        'unit',
        'attested',
        'attested_on',
        'attested_at',
        'statement',
        'exception',
        ...(inventory ? ['verified', 'devices'] : []),
      ],
    );
  const byRule = groupBy(
    rows.map((r, i) => ({ ...r, state: subjects[i]!.state, evidence: evidence[i] })),
    (r) => r.rule,
  );
  // Every count the reply says (and the web view draws) comes from these figures.
  const today = dateOf(now);
  const unitOrder = ctx.policy.units.map((u) => u.id);
  const figures = rules.map((rule) =>
    complianceFigures(
      rule,
      subjects.flatMap((s, i) =>
        s.rule.id === rule.id
          ? [
              {
                person: s.person.id,
                name: s.person.name,
                unit: s.person.unit,
                state: s.state,
                ...(s.attestation ? { attestedOn: dateOf(new Date(s.attestation.at)) } : {}),
                ...(s.exception?.decidedAt ? { exceptedOn: dateOf(new Date(s.exception.decidedAt)) } : {}),
                ...(evidence[i] ? { verified: evidence[i]!.status } : {}),
              },
            ]
          : [],
      ),
      today,
      unitOrder,
      inventory !== undefined,
    ),
  );
  const reply_ =
    rules.length > 1
      ? complianceOfRules(figures, byRule, page, ctx, inventory)
      : complianceOfRule(rules[0]!, figures[0]!, byRule.get(rules[0]!.id) ?? [], page, ctx, inventory);
  if ('ok' in reply_) return reply_;
  if (inventory) reply_.blocks.splice(1, 0, { type: 'note', text: sourcesLine(inventory, m, tz, now) });
  return { ok: true, reply: reply('info', reply_.blocks), effects: [], data: rows, figures };
}

/** The report's device evidence for one person and rule: `verified` and, per device, what it showed. */
function inventoryColumns(e: Evidence) {
  return {
    verified: e.status,
    devices: e.devices.map((d) => ({
      source: d.device.source,
      name: d.device.name,
      owner: d.device.owner,
      last_sync: d.device.lastSync ?? '',
      status: d.status,
      version: d.found?.version ?? '',
    })),
  };
}

/** A device in one CSV cell: `iPhone de Pierre [intune, corporate]: installed 34.1, last sync 2026-12-02T09:14:00Z`. */
const deviceCell = (d: ReturnType<typeof inventoryColumns>['devices'][number]) =>
  `${d.name} [${d.source}, ${d.owner}]: ${d.status}${d.version ? ` ${d.version}` : ''}, last sync ${d.last_sync || 'never'}`;

/** A row of the report with how the person stands (src/core/compliance.ts): attested, excepted or open; and what their devices show. */
type Row = { rule: string; name: string; unit: string; attested: string; exception: string; state: Settlement; evidence?: Evidence };
const isAttested = (r: Row) => r.state === 'attested';
const isMissing = (r: Row) => r.state === 'open';
const isExcepted = (r: Row) => r.state === 'excepted';

/** Several rules: one line of counts per rule; the names are in each rule's own report. */
function complianceOfRules(
  figures: ComplianceFigures[],
  byRule: Map<string, Row[]>,
  page: number,
  ctx: CommandContext,
  inventory?: InventoryView,
): { blocks: Block[] } | CommandResult {
  const m = ctx.m;
  const lines = figures.map((f) => {
    const counts = m.t('lists.ruleCounts', { rule: f.rule, attested: f.attested, total: f.total, missing: f.open, excepted: f.excepted });
    return inventory ? `${counts} ${verifiedLine(byRule.get(f.rule) ?? [], inventory, m)}` : counts;
  });
  const { shown, left, pages } = pageOf(lines, page);
  if (page > pages) return pastLast(m, pages, 'report compliance');
  return {
    blocks: [
      { type: 'heading', text: m.t('lists.rulesWithDeadlines') },
      ...(pages > 1 ? [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }] : []),
      {
        type: 'list',
        items: shown,
        ...moreOf(
          left,
          m.t('lists.nextPageOrCsv', { command: `report compliance --page ${page + 1}`, csv: 'report compliance --format csv' }),
          m,
        ),
      },
      { type: 'note', text: m.t('lists.namesOfOneRule', { command: 'report compliance <rule-id>' }) },
    ],
  };
}

/** One rule: how many have attested, then per unit (most missing first), then who has not, by name. */
function complianceOfRule(
  rule: Rule,
  figures: ComplianceFigures,
  rows: Row[],
  page: number,
  ctx: CommandContext,
  inventory?: InventoryView,
): { blocks: Block[] } | CommandResult {
  const m = ctx.m;
  const tz = ctx.policy.organization.timezone;
  const units = figures.units;
  const missing = rows.filter(isMissing).map((r) => r.name);
  const excepted = rows.filter(isExcepted).map((r) => `${r.name} (${r.exception})`);
  const unitPage = pageOf(
    units.length > 1
      ? units.map((u) => m.t('lists.unitCounts', { unit: unitName(ctx.policy, u.unit), attested: u.attested, total: u.total }))
      : [],
    page,
    UNITS,
  );
  const namePage = pageOf(missing, page, NAMES);
  const exceptedPage = pageOf(excepted, page, EXCEPTED);
  // Who still has the app on a device, and where: the names an auditor asks for first.
  const installed = rows.flatMap((r) =>
    r.evidence?.status === 'installed'
      ? [
          `${r.name}${m.t('labels.separator')}${m.list(
            r.evidence.devices.filter((d) => d.status === 'installed').map((d) => deviceLine(d, m, tz)),
            'groups',
          )}`,
        ]
      : [],
  );
  const installedPage = pageOf(installed, page, EXCEPTED);
  const pages = Math.max(unitPage.pages, namePage.pages, exceptedPage.pages, installedPage.pages);
  const command = `report compliance ${rule.id}`;
  if (page > pages) return pastLast(m, pages, command);
  const more = (left: number) =>
    moreOf(left, m.t('lists.nextPageOrCsv', { command: `${command} --page ${page + 1}`, csv: `${command} --format csv` }), m);
  const section = (label: string, p: { shown: string[]; left: number }): Block[] =>
    p.shown.length || p.left
      ? [
          { type: 'text', text: label },
          { type: 'list', items: p.shown, ...more(p.left) },
        ]
      : [];
  return {
    blocks: [
      { type: 'heading', text: m.t('report.complianceTitle', { rule: rule.id }) },
      ...(inventory ? [{ type: 'text' as const, text: verifiedLine(rows, inventory, m) }] : []),
      { type: 'text', text: m.t('report.counts', { attested: figures.attested, total: figures.total }) },
      ...(pages > 1 ? [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }] : []),
      ...section(m.t('lists.byUnit'), unitPage),
      ...(missing.length
        ? section(m.t('lists.notYet', { n: missing.length }), namePage)
        : page === 1
          ? [{ type: 'text' as const, text: m.t('report.allAttested') }]
          : []),
      ...section(m.t('lists.excepted', { n: excepted.length }), exceptedPage),
      ...section(m.t('inventory.stillInstalled', { n: installed.length }), installedPage),
    ],
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const moreOf = (left: number, how: string, m: CommandContext['m']) =>
  left ? { more: { count: left, hint: m.t('lists.more', { how }) } } : {};

/** Exceptions granted (as text), and in the CSV every decided request, denied ones included, with local dates beside ISO instants. */
function exceptions(format: 'text' | 'csv', page: number, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const visible = visibleTo(ctx);
  const now = ctx.now();
  const tz = ctx.policy.organization.timezone;
  const dateOf = localDateIn(tz);
  const on = (iso: string | undefined) => (iso ? dateOf(new Date(iso)) : '');
  // An approved exception past its expiry is reported as expired, whether or not the scheduler has marked it yet.
  const decided = ctx.store
    .list('requests')
    .filter((r) => (r.status === 'denied' || r.expiresAt) && visible(r.unit))
    .map((r) => ({ ...r, status: effectiveStatus(r, now) }));
  if (format === 'csv') {
    const rows = decided.map((r) => ({
      id: r.id,
      person: r.person,
      name: resolvePerson(ctx.policy, r.person).name,
      unit: r.unit,
      app: r.app,
      purpose: r.purpose,
      device: r.device,
      days: r.days,
      reason: r.reason,
      status: r.status,
      requested_on: on(r.requestedAt),
      requested_at: r.requestedAt,
      decided_by: r.decidedBy ?? '',
      decided_on: on(r.decidedAt),
      decided_at: r.decidedAt ?? '',
      decision_reason: r.decisionReason ?? '',
      // The last day it counts, as every message says ("until the end of 28 February"); the instant it stops beside it.
      expires_on: r.expiresAt ? lastValidDate(r.expiresAt, tz) : '',
      expires_at: r.expiresAt ?? '',
      ended_by: r.endedBy ?? '',
      ended_on: on(r.endedAt),
      ended_at: r.endedAt ?? '',
    }));
    return csvResult('exceptions.csv', rows, EXCEPTION_COLUMNS);
  }
  const granted = decided.filter((r) => r.status !== 'denied');
  const items = granted.map((r) =>
    m.t('report.exceptionLine', {
      id: r.id,
      person: resolvePerson(ctx.policy, r.person).name,
      app: appById(ctx.policy, r.app)?.name ?? r.app,
      purpose: policyWords(ctx.policy, m).purpose(r.purpose),
      status: m.statusWord(r.status),
      until: lastValidDate(r.expiresAt!, tz),
    }),
  );
  const { shown, left, pages } = pageOf(items, page);
  if (page > pages) return pastLast(m, pages, 'report exceptions');
  const blocks: Block[] = [
    { type: 'heading', text: m.t('report.exceptionsTitle') },
    ...(pages > 1 ? [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }] : []),
    items.length
      ? {
          type: 'list',
          items: shown,
          ...moreOf(
            left,
            m.t('lists.nextPageOrCsv', { command: `report exceptions --page ${page + 1}`, csv: 'report exceptions --format csv' }),
            m,
          ),
        }
      : { type: 'text', text: m.t('report.noExceptions') },
  ];
  return { ok: true, reply: reply('info', blocks), effects: [], data: granted, figures: exceptionSections(decided, now) };
}

const EXCEPTION_COLUMNS = [
  'id',
  'person',
  'name',
  'unit',
  'app',
  'purpose',
  'device',
  'days',
  'reason',
  'status',
  'requested_on',
  'requested_at',
  'decided_by',
  'decided_on',
  'decided_at',
  'decision_reason',
  'expires_on',
  'expires_at',
  'ended_by',
  'ended_on',
  'ended_at',
];

/**
 * The survey's answer: uses, how many handle personal data, by unit (its latest version counts); one
 * CSV row per use of every version, with who gave it, when, and whether it is the one that counts.
 */
function censusReport(id: string, format: 'text' | 'csv', page: number, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const census = ctx.store.get('censuses', id);
  if (!census) return refused('unknown_census', m.t('errors.unknownCensus', { id }));
  const answers = ctx.store.where('census_answers', 'census', id);
  const r = rollUp(census, answers);
  if (format === 'csv') {
    const rows = census.units
      .flatMap((unit) => answerVersions(answers, id, unit))
      .flatMap((a) =>
        a.uses.map((u) => ({
          census: id,
          unit: a.unit,
          unit_name: unitName(ctx.policy, a.unit),
          version: a.revision,
          current: isCurrentAnswer(a) ? 'yes' : 'no',
          purpose: u.purpose,
          personal_data: u.personalData ? 'yes' : 'no',
          people: u.people,
          account: u.account ?? '',
          answered_by: a.answeredBy,
          answered_at: a.answeredAt,
        })),
      );
    const content = toCsv(rows, [
      'census',
      'unit',
      'unit_name',
      'version',
      'current',
      'purpose',
      'personal_data',
      'people',
      'account',
      'answered_by',
      'answered_at',
    ]);
    return {
      ok: true,
      reply: reply('info', [{ type: 'file', name: `census-${id}.csv`, mime: 'text/csv', content }]),
      effects: [],
      data: rows,
    };
  }
  const tz = ctx.policy.organization.timezone;
  // A unit answered more than once (a correction, or a second reporter) shows every version under its line.
  const items = r.units
    .filter((u) => u.answered)
    .flatMap((u) => [
      m.t('census.unitLine', { unit: unitName(ctx.policy, u.unit), usesApp: u.usesApp, uses: u.uses, personal: u.personalData }),
      ...(u.versions.length > 1
        ? [...u.versions].reverse().map((v) =>
            m.t('census.versionCounted', {
              unit: unitName(ctx.policy, u.unit),
              revision: v.revision,
              by: displayName(ctx.policy, v.answeredBy),
              at: localTime(v.answeredAt, tz, m),
              usesApp: v.usesApp,
              uses: v.uses,
              personal: v.personalData,
            }),
          )
        : []),
    ]);
  const units = pageOf(items, page, CENSUS_UNITS);
  const silent = pageOf(
    r.silent.map((u) => unitName(ctx.policy, u)),
    page,
    CENSUS_SILENT,
  );
  const pages = Math.max(units.pages, silent.pages);
  const command = `report census ${id}`;
  if (page > pages) return pastLast(m, pages, command);
  const blocks: Block[] = [
    { type: 'heading', text: m.t('census.rollupTitle', { id, app: appById(ctx.policy, census.app)?.name ?? census.app }) },
    { type: 'text', text: m.t('census.totals', { uses: r.uses, personal: r.personalData, percent: r.percent }) },
    ...(pages > 1 ? [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }] : []),
    ...(units.shown.length || units.left
      ? [
          {
            type: 'list' as const,
            items: units.shown,
            ...moreOf(
              units.left,
              m.t('lists.nextPageOrCsv', { command: `${command} --page ${page + 1}`, csv: `${command} --format csv` }),
              m,
            ),
          },
        ]
      : []),
    ...(silent.shown.length || silent.left
      ? [
          { type: 'text' as const, text: m.t('lists.silent', { n: r.silent.length }) },
          {
            type: 'list' as const,
            items: silent.shown,
            ...moreOf(silent.left, m.t('lists.nextPage', { command: `${command} --page ${page + 1}` }), m),
          },
        ]
      : []),
  ];
  return { ok: true, reply: reply('info', blocks), effects: [], data: r, figures: r };
}

/** The unit lines of a census report and its silent units share one message. */
const CENSUS_UNITS: ListBudget = { items: 30, chars: 3_000 };
const CENSUS_SILENT: ListBudget = { items: 20, chars: 1_200 };

function csvResult(name: string, rows: Record<string, unknown>[], columns: string[]): CommandResult {
  const content = toCsv(rows, columns);
  return { ok: true, reply: reply('info', [{ type: 'file', name, mime: 'text/csv', content }]), effects: [], data: rows };
}
