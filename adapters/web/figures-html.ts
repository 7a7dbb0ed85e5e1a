import type { AuditEntry, AuditQuery } from '../../commands/entry/handle.ts';
import type { CommandContext } from '../../commands/shared/context.ts';
import { resolvePerson } from '../../src/core/org.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import type { Policy } from '../../src/core/policy.ts';
import { appById } from '../../src/core/catalog.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import { EXPIRING_WITHIN_DAYS, type ExceptionSections } from '../../src/core/request-status.ts';
import type { CensusRollup } from '../../src/core/census.ts';
import type { ComplianceFigures } from '../../src/core/compliance-figures.ts';
import { progressChart, unitBars, type BarChart } from './chart-data.ts';
import { html, jsonBlock, type Html } from './html.ts';

/** A person's and a unit's names as the policy gives them (their ids when it does not). */
const personName = (policy: Policy, person: string) => resolvePerson(policy, person).name;
const unitName = (policy: Policy, unit: string) => policyIndex(policy).unitsById.get(unit)?.name ?? unit;

/**
 * The report's figures (result.figures, made in src/core) as charts and tables: the tables say
 * everything without JavaScript; the charts are drawn from the same figures by /admin/assets/charts.js.
 */
export function complianceSections(result: { figures?: unknown }, ctx: CommandContext): Html {
  const all = (result.figures as ComplianceFigures[] | undefined) ?? [];
  return html`${all.map((f) => ruleSection(f, ctx))}`;
}

const chart = (id: string, data: unknown, attrs: Html = html``) =>
  html`<div class="chart" data-chart="${id}" ${attrs}></div>${jsonBlock(id, data)}`;

function ruleSection(f: ComplianceFigures, ctx: CommandContext): Html {
  const m = ctx.m;
  const name = (unit: string) => unitName(ctx.policy, unit);
  const title = f.deadline
    ? m.t('web.progressTitle', { rule: f.rule, deadline: f.deadline })
    : m.t('web.progressNoDeadline', { rule: f.rule });
  const counts = html`data-total="${f.total}" data-attested="${f.attested}" data-excepted="${f.excepted}" data-open="${f.open}"${
    f.verified !== undefined ? html` data-verified="${f.verified}"` : ''
  }`;
  return html`<section class="figures" id="figures-${f.rule}">
<h2>${title}</h2>
${chart(`chart-progress-${f.rule}`, progressChart(f, m), counts)}
<details><summary>${m.t('web.col.date')}</summary><table class="progress"><thead><tr><th>${m.t('web.col.date')}</th><th>${m.t('web.chart.attested')}</th><th>${m.t('web.chart.settled')}</th></tr></thead>
<tbody>${f.progress.map((p) => html`<tr><td>${p.date}</td><td>${p.attested}</td><td>${p.settled}</td></tr>`)}</tbody></table></details>
<h3>${m.t('web.byUnit')}</h3>
${chart(`chart-units-${f.rule}`, unitBars(f, m, name))}
<table class="units"><thead><tr><th>${m.t('web.col.unit')}</th><th>${m.t('web.chart.attested')}</th><th>${m.t('web.chart.excepted')}</th><th>${m.t('web.chart.open')}</th><th>${m.t('web.col.total')}</th></tr></thead>
<tbody>${f.units.map(
    (u) =>
      html`<tr data-unit="${u.unit}"><td>${name(u.unit)}</td><td>${u.attested}</td><td>${u.excepted}</td><td>${u.open}</td><td>${u.total}</td></tr>`,
  )}</tbody></table>
<h3>${m.t('web.overdueTitle', { n: f.overdue.length })}</h3>
${
  f.overdue.length
    ? html`<table class="overdue"><thead><tr><th>${m.t('web.col.person')}</th><th>${m.t('web.col.unit')}</th><th>${m.t('web.col.daysLate')}</th></tr></thead>
<tbody>${f.overdue.map((o) => html`<tr data-person="${o.person}"><td>${o.name}</td><td>${name(o.unit)}</td><td>${o.daysLate}</td></tr>`)}</tbody></table>`
    : html`<p class="note">${m.t('web.noOverdue')}</p>`
}
</section>`;
}

/** A census roll-up (`report census ID`'s figures): answered and silent units, uses and personal data, by unit. */
export function censusSections(result: { figures?: unknown }, ctx: CommandContext): Html {
  const r = result.figures as CensusRollup | undefined;
  if (!r) return html``;
  const m = ctx.m;
  const name = (unit: string) => unitName(ctx.policy, unit);
  const bars: BarChart = {
    kind: 'bars',
    categories: r.units.map((u) => name(u.unit)),
    series: [
      { label: m.t('web.census.uses'), values: r.units.map((u) => u.uses) },
      { label: m.t('web.census.personal'), values: r.units.map((u) => u.personalData) },
    ],
    labels: { category: m.t('web.chart.unit') },
  };
  const answered = r.answered;
  return html`<section class="figures">
<h2>${m.t('web.census.chartTitle')}</h2>
${chart('chart-census', bars, html`data-answered="${answered}" data-silent="${r.silent.length}"`)}
<table class="census"><thead><tr><th>${m.t('web.col.unit')}</th><th>${m.t('web.census.answered')}</th><th>${m.t('web.census.uses')}</th><th>${m.t('web.census.personal')}</th></tr></thead>
<tbody>${r.units.map(
    (u) =>
      html`<tr data-unit="${u.unit}"><td>${name(u.unit)}</td><td>${u.answered ? m.t('web.census.answered') : m.t('web.census.silent')}</td><td>${u.uses}</td><td>${u.personalData}</td></tr>`,
  )}</tbody></table>
<p>${m.t('web.census.answered')}: ${answered} · ${m.t('web.census.silent')}: ${r.silent.length}</p>
</section>`;
}

/** `report exceptions`'s sections (src/core/request-status.ts): in force, ending soon, denied with the reasons given. */
export function exceptionTables(result: { figures?: unknown }, ctx: CommandContext): Html {
  const sections = result.figures as ExceptionSections | undefined;
  if (!sections) return html``;
  const m = ctx.m;
  const tz = ctx.policy.organization.timezone;
  const app = (id: string) => appById(ctx.policy, id)?.name ?? id;
  const none = html`<p class="note">${m.t('web.ex.none')}</p>`;
  const granted = (rows: ExceptionRequest[], cls: string) =>
    rows.length
      ? html`<table class="${cls}"><thead><tr><th>${m.t('web.col.id')}</th><th>${m.t('web.col.person')}</th><th>${m.t('web.col.unit')}</th><th>${m.t('web.col.app')}</th><th>${m.t('web.col.purpose')}</th><th>${m.t('web.col.until')}</th><th>${m.t('web.col.reason')}</th><th>${m.t('web.col.decidedBy')}</th></tr></thead>
<tbody>${rows.map(
          (r) =>
            html`<tr data-id="${r.id}"><td>${r.id}</td><td>${personName(ctx.policy, r.person)}</td><td>${unitName(ctx.policy, r.unit)}</td><td>${app(r.app)}</td><td>${r.purpose}</td><td>${r.expiresAt ? lastValidDate(r.expiresAt, tz) : ''}</td><td>${r.reason}</td><td>${r.decidedBy ? personName(ctx.policy, r.decidedBy) : ''}</td></tr>`,
        )}</tbody></table>`
      : none;
  return html`<section class="exceptions" id="active"><h2>${m.t('web.ex.active')} (${sections.active.length})</h2>${granted(sections.active, 'active')}</section>
<section class="exceptions" id="expiring"><h2>${m.t('web.ex.expiring', { days: EXPIRING_WITHIN_DAYS })} (${sections.expiring.length})</h2>${granted(sections.expiring, 'expiring')}</section>
<section class="exceptions" id="denied"><h2>${m.t('web.ex.denied')} (${sections.denied.length})</h2>${
    sections.denied.length
      ? html`<table class="denied"><thead><tr><th>${m.t('web.col.id')}</th><th>${m.t('web.col.person')}</th><th>${m.t('web.col.app')}</th><th>${m.t('web.col.purpose')}</th><th>${m.t('web.col.reason')}</th><th>${m.t('web.col.decidedBy')}</th><th>${m.t('web.col.decisionReason')}</th></tr></thead>
<tbody>${sections.denied.map(
          (r) =>
            html`<tr data-id="${r.id}"><td>${r.id}</td><td>${personName(ctx.policy, r.person)}</td><td>${app(r.app)}</td><td>${r.purpose}</td><td>${r.reason}</td><td>${r.decidedBy ? personName(ctx.policy, r.decidedBy) : ''}</td><td>${r.decisionReason ?? ''}</td></tr>`,
        )}</tbody></table>`
      : none
  }</section>`;
}

/** How many entries the audit page lists (newest first); the export has them all. */
export const AUDIT_SHOWN = 200;

/** The audit search: a GET form (it changes nothing), with the verify button beside it. */
export function auditSearchForm(query: AuditQuery, locale: string, ctx: CommandContext): Html {
  const m = ctx.m;
  const input = (name: keyof AuditQuery, label: string, type = 'text') =>
    html`<label>${label} <input name="${name}" type="${type}" value="${query[name] ?? ''}" maxlength="200"></label>`;
  return html`<form method="get" action="/admin/audit" class="search"><input type="hidden" name="lang" value="${locale}">
${input('person', m.t('web.audit.person'))}${input('rule', m.t('web.audit.rule'))}${input('action', m.t('web.audit.action'))}${input('from', m.t('web.audit.from'), 'date')}${input('to', m.t('web.audit.to'), 'date')}
<button type="submit" class="primary">${m.t('web.audit.search')}</button>
<button type="submit" name="verify" value="1">${m.t('web.audit.verify')}</button></form>`;
}

/** Entries as a table: when, who (by name), what, about what. */
export function auditTable(entries: readonly AuditEntry[], ctx: CommandContext): Html {
  if (!entries.length) return html``;
  const m = ctx.m;
  const who = (actor: string) => (actor === 'system' ? actor : personName(ctx.policy, actor));
  return html`<table class="audit"><thead><tr><th>${m.t('web.col.seq')}</th><th>${m.t('web.col.at')}</th><th>${m.t('web.col.actor')}</th><th>${m.t('web.col.action')}</th><th>${m.t('web.col.subject')}</th></tr></thead>
<tbody>${entries.map(
    (e) =>
      html`<tr data-seq="${e.seq}"><td>${e.seq}</td><td>${e.at}</td><td>${who(e.actor)}</td><td>${e.action}</td><td>${e.subject ?? ''}</td></tr>`,
  )}</tbody></table>`;
}
