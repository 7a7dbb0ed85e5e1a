import { findApp } from './catalog.ts';
import { rulesInForce } from './decide.ts';
import { attestationOf, isSubject } from './compliance.ts';
import type { Person } from './org.ts';
import { policyIndex } from './policy-index.ts';
import type { Policy, Rule } from './policy.ts';
import type { Attestation, AttestationStatement } from './records.ts';
import { ok, refuse, type Outcome } from './result.ts';

/** A rule that asks for the app to be removed: a prohibition not limited to data (a data-use rule asks only not to use it for that data). */
export const isRemovalRule = (rule: Rule) => rule.effect === 'prohibit' && !rule.data;

/** Rules that ask the person to remove the app: prohibitions in force on their unit, on any device, for any data. */
export function rulesToAttest(policy: Policy, person: Person, appId: string, at: Date): Rule[] {
  const app = policy.apps.find((a) => a.id === appId);
  if (!app) return [];
  return rulesInForce(policy, app, person.unit, at)
    .map(({ rule }) => rule)
    .filter(isRemovalRule)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Whether a statement complies with a rule. "I removed the work apps instead" does only where the rule
 * offers that way out (`remove_work_apps_instead`); removing the app, or never having had it, always does.
 * The one check for every path: the typed command, a reminder's button, and so what reports count.
 */
export const isStatementAllowed = (rule: Rule, statement: AttestationStatement) =>
  statement !== 'removed-work-apps' || rule.remove_work_apps_instead === true;

/**
 * Record "I have removed it / never had it" against every removal rule for the app. Rules already
 * attested are reported, not recorded twice.
 */
export function attest(
  person: Person,
  appName: string,
  statement: AttestationStatement,
  policy: Policy,
  existing: readonly Attestation[],
  now: Date,
  newId: (rule: string) => string,
): Outcome<{ app: string; recorded: Attestation[]; already: Attestation[] }> {
  const app = findApp(policy, appName);
  if (!app) return refuse('unknown_app', 'app');
  const rules = rulesToAttest(policy, person, app.id, now);
  if (!rules.length) return refuse('nothing_to_attest', 'app', { app: app.name });
  const barred = rules.filter((r) => !isStatementAllowed(r, statement)).map((r) => r.id);
  if (barred.length) return refuse('bad_statement', 'statement', { statement, rules: barred });
  const already = rules.flatMap((r) => attestationOf(r, person, existing) ?? []);
  const recorded = rules
    .filter((r) => !already.some((a) => a.rule === r.id))
    .map((r) => ({ id: newId(r.id), person: person.id, rule: r.id, app: app.id, at: now.toISOString(), statement }));
  return ok({ app: app.id, recorded, already });
}

/**
 * Record an attestation against one rule, as a reminder's button does. Only someone the rule binds can
 * attest to it; a second attestation is reported, not recorded.
 */
export function attestRule(
  person: Person,
  ruleId: string,
  statement: AttestationStatement,
  policy: Policy,
  existing: readonly Attestation[],
  now: Date,
  id: string,
): Outcome<{ app: string; recorded: Attestation[]; already: Attestation[] }> {
  const rule = policyIndex(policy).rulesById.get(ruleId);
  if (!rule) return refuse('unknown_rule', 'rule', { rule: ruleId });
  const appId = rule.apps?.[0];
  // A data-use rule asks for nothing to be removed, so there is nothing to attest to it.
  if (rule.effect === 'prohibit' && rule.data)
    return refuse('nothing_to_attest', 'rule', {
      rule: ruleId,
      app: (appId && policyIndex(policy).appsById.get(appId)?.name) || appId || ruleId,
    });
  if (!isRemovalRule(rule) || !isSubject(rule, person, policy)) return refuse('not_subject', 'rule', { rule: ruleId });
  if (!isStatementAllowed(rule, statement)) return refuse('bad_statement', 'statement', { statement, rules: [ruleId] });
  const app = rule.apps?.[0] ?? rule.categories?.[0] ?? ruleId;
  const already = [attestationOf(rule, person, existing)].filter((a) => a !== undefined);
  if (already.length) return ok({ app, recorded: [], already });
  return ok({ app, recorded: [{ id, person: person.id, rule: ruleId, app, at: now.toISOString(), statement }], already: [] });
}
