import { findApp } from './catalog.ts';
import { rulesInForce } from './decide.ts';
import { unitChain, type Person } from './org.ts';
import { policyIndex } from './policy-index.ts';
import type { Policy, Rule } from './policy.ts';
import type { Attestation, AttestationStatement } from './records.ts';
import { ok, refuse, type Outcome } from './result.ts';

/** Rules that ask the person to remove the app: prohibitions in force on their unit, on any device, for any data. */
export function rulesToAttest(policy: Policy, person: Person, appId: string, at: Date): Rule[] {
  const app = policy.apps.find((a) => a.id === appId);
  if (!app) return [];
  return rulesInForce(policy, app, person.unit, at)
    .map(({ rule }) => rule)
    .filter((r) => r.effect === 'prohibit' && !r.data)
    .sort((a, b) => a.id.localeCompare(b.id));
}

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
  const already = rules.flatMap((r) => existing.filter((a) => a.person === person.id && a.rule === r.id).slice(0, 1));
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
  if (rule.effect !== 'prohibit' || !unitChain(policy, person.unit).includes(rule.unit)) return refuse('not_subject', 'rule', { rule: ruleId });
  if (statement === 'removed-work-apps' && !rule.remove_work_apps_instead) return refuse('bad_statement', 'statement', { rule: ruleId });
  const app = rule.apps?.[0] ?? rule.categories?.[0] ?? ruleId;
  const already = existing.filter((a) => a.person === person.id && a.rule === ruleId).slice(0, 1);
  if (already.length) return ok({ app, recorded: [], already });
  return ok({ app, recorded: [{ id, person: person.id, rule: ruleId, app, at: now.toISOString(), statement }], already: [] });
}
