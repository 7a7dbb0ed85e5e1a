import { z } from 'zod';
import { appById } from '../src/core/catalog.ts';
import { answerVersions, isCurrentAnswer, rollUp } from '../src/core/census.ts';
import { hasRole, isWithinUnit, peopleWithin, resolvePerson } from '../src/core/org.ts';
import { policyIndex } from '../src/core/policy-index.ts';
import type { Rule } from '../src/core/policy.ts';
import { isExpired, isInForce } from '../src/core/decide.ts';
import { lastValidDate } from '../src/core/explain.ts';
import type { Command } from './command.ts';
import type { CommandContext, CommandResult } from './context.ts';
import { inputFields, validate } from './inputs.ts';
import { describeRefusal, refused } from './refusals.ts';
import { reply, type Block } from './reply.ts';
import { displayName, localTime, unitName } from './request-card.ts';
import { toCsv } from './csv.ts';

/** An approver reports on their own unit and below; an admin on everyone. */
const visibleTo = (ctx: CommandContext) => (unit: string) => hasRole(ctx.person, 'admin') || isWithinUnit(ctx.policy, unit, ctx.person.unit);

export const report: Command = {
  name: 'report',
  flags: { format: 'string' },
  approversOnly: true,
  run({ words, flags }, ctx) {
    const m = ctx.m;
    const input = validate(z.object({ format: inputFields(ctx.policy, m).format }), flags);
    if (!input.ok) return refused(input.code, ...describeRefusal(input, m, { command: 'report' }));
    const [kind, ruleId, ...rest] = words;
    if (rest.length) return refused('unexpected_text', m.errors.unexpectedText('report', rest.join(' ')));
    if (kind === 'compliance') return compliance(ruleId, input.value.format, ctx);
    if (kind === 'exceptions' && !ruleId) return exceptions(input.value.format, ctx);
    if (kind === 'census' && ruleId) return censusReport(ruleId.toUpperCase(), input.value.format, ctx);
    return refused('bad_report_kind', m.errors.badReportKind(words.join(' ')));
  },
};

function compliance(ruleId: string | undefined, format: 'text' | 'csv', ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const tz = ctx.policy.organization.timezone;
  const now = ctx.now();
  let rules: Rule[];
  if (ruleId) {
    const rule = policyIndex(ctx.policy).rulesById.get(ruleId);
    if (!rule) return refused('unknown_rule', m.errors.unknownRule(ruleId));
    rules = [rule];
  } else {
    rules = ctx.policy.rules.filter((r) => r.deadline && r.effect === 'prohibit' && isInForce(r, now, tz));
  }
  if (!rules.length) return { ok: true, reply: reply('info', [{ type: 'text', text: m.report.noDeadlineRules }]), effects: [] };
  const visible = visibleTo(ctx);
  const attestations = ctx.store.list('attestations');
  const exceptions = ctx.store.list('requests').filter((r) => r.status === 'approved' && !isExpired(r, now));
  const rows = rules.flatMap((rule) => {
    const subjects = new Map(peopleWithin(ctx.policy, rule.unit).filter((p) => visible(p.unit)).map((p) => [p.id, p]));
    for (const a of attestations) {
      const p = resolvePerson(ctx.policy, a.person);
      if (a.rule === rule.id && !subjects.has(p.id) && visible(p.unit)) subjects.set(p.id, p);
    }
    return [...subjects.values()].map((p) => {
      const a = attestations.find((x) => x.rule === rule.id && x.person === p.id);
      const x = exceptions.find((r) => r.rules.includes(rule.id) && (r.person === p.id || r.person === p.slack || r.person === p.teams));
      return { rule: rule.id, person: p.id, name: p.name, unit: p.unit, attested: a ? 'yes' : 'no', attested_at: a?.at ?? '', statement: a?.statement ?? '', exception: x?.id ?? '' };
    });
  });
  if (format === 'csv') return csvResult('compliance.csv', rows, ctx);
  const blocks: Block[] = rules.flatMap((rule) => {
    const mine = rows.filter((r) => r.rule === rule.id);
    const missing = mine.filter((r) => r.attested === 'no' && !r.exception).map((r) => r.name);
    const excepted = mine.filter((r) => r.attested === 'no' && r.exception).map((r) => `${r.name} (${r.exception})`);
    return [
      { type: 'heading', text: m.report.complianceTitle(rule.id) },
      { type: 'text', text: m.report.counts(mine.filter((r) => r.attested === 'yes').length, mine.length) },
      { type: 'text', text: missing.length ? m.report.overdue(missing) : m.report.allAttested },
      ...(excepted.length ? [{ type: 'text' as const, text: m.report.excepted(excepted) }] : []),
    ] satisfies Block[];
  });
  return { ok: true, reply: reply('info', blocks), effects: [], data: rows };
}

function exceptions(format: 'text' | 'csv', ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const visible = visibleTo(ctx);
  const now = ctx.now();
  const tz = ctx.policy.organization.timezone;
  // An approved exception past its expiry is reported as expired, whether or not the scheduler has marked it yet.
  const granted = ctx.store
    .list('requests')
    .filter((r) => r.status !== 'denied' && r.expiresAt && visible(r.unit))
    .map((r) => (r.status === 'approved' && isExpired(r, now) ? { ...r, status: 'expired' as const } : r));
  const rows = granted.map((r) => ({
    id: r.id, person: r.person, name: resolvePerson(ctx.policy, r.person).name, unit: r.unit, app: r.app, purpose: r.purpose, device: r.device,
    days: r.days, reason: r.reason, status: r.status, decided_by: r.decidedBy ?? '', decided_at: r.decidedAt ?? '', decision_reason: r.decisionReason ?? '',
    expires_at: r.expiresAt ?? '', ended_by: r.endedBy ?? '', ended_at: r.endedAt ?? '',
  }));
  if (format === 'csv') return csvResult('exceptions.csv', rows, ctx);
  const items = granted.map((r) => m.report.exceptionLine(r.id, resolvePerson(ctx.policy, r.person).name, appById(ctx.policy, r.app)?.name ?? r.app, r.purpose, r.status, lastValidDate(r.expiresAt!, tz)));
  const blocks: Block[] = [{ type: 'heading', text: m.report.exceptionsTitle }, items.length ? { type: 'list', items } : { type: 'text', text: m.report.noExceptions }];
  return { ok: true, reply: reply('info', blocks), effects: [], data: rows };
}

/**
 * The survey's answer: uses, how many handle personal data, by unit (its latest version counts); one
 * CSV row per use of every version, with who gave it, when, and whether it is the one that counts.
 */
function censusReport(id: string, format: 'text' | 'csv', ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const census = ctx.store.get('censuses', id);
  if (!census) return refused('unknown_census', m.errors.unknownCensus(id));
  const answers = ctx.store.list('census_answers').filter((a) => a.census === id);
  const r = rollUp(census, answers);
  if (format === 'csv') {
    const rows = census.units.flatMap((unit) => answerVersions(answers, id, unit)).flatMap((a) => a.uses.map((u) => ({
      census: id, unit: a.unit, unit_name: unitName(ctx.policy, a.unit), version: a.revision, current: isCurrentAnswer(a) ? 'yes' : 'no',
      purpose: u.purpose, personal_data: u.personalData ? 'yes' : 'no', people: u.people, account: u.account ?? '', answered_by: a.answeredBy, answered_at: a.answeredAt,
    })));
    const content = toCsv(rows, ['census', 'unit', 'unit_name', 'version', 'current', 'purpose', 'personal_data', 'people', 'account', 'answered_by', 'answered_at']);
    return { ok: true, reply: reply('info', [{ type: 'file', name: `census-${id}.csv`, mime: 'text/csv', content }]), effects: [], data: rows };
  }
  const tz = ctx.policy.organization.timezone;
  // A unit answered more than once (a correction, or a second reporter) shows every version under its line.
  const items = r.units.filter((u) => u.answered).flatMap((u) => [
    m.census.unitLine(unitName(ctx.policy, u.unit), u.usesApp, u.uses, u.personalData),
    ...(u.versions.length > 1 ? [...u.versions].reverse().map((v) => m.census.version(unitName(ctx.policy, u.unit), v.revision, displayName(ctx.policy, v.answeredBy), localTime(v.answeredAt, tz), { usesApp: v.usesApp, uses: v.uses, personal: v.personalData })) : []),
  ]);
  const blocks: Block[] = [
    { type: 'heading', text: m.census.rollupTitle(id, appById(ctx.policy, census.app)?.name ?? census.app) },
    { type: 'text', text: m.census.totals(r.uses, r.personalData, r.percent) },
    { type: 'list', items },
    ...(r.silent.length ? [{ type: 'text' as const, text: m.census.silent(r.silent.map((u) => unitName(ctx.policy, u))) }] : []),
  ];
  return { ok: true, reply: reply('info', blocks), effects: [], data: r };
}

function csvResult(name: string, rows: Record<string, unknown>[], ctx: CommandContext): CommandResult {
  const content = toCsv(rows, rows[0] ? Object.keys(rows[0]) : ['id']);
  return { ok: true, reply: reply('info', [{ type: 'file', name, mime: 'text/csv', content }]), effects: [], data: rows };
}
