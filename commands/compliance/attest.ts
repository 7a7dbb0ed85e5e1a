import { appById, findApp } from '../../src/core/catalog.ts';
import { attestRule, attest as recordAttestation } from '../../src/core/attestations.ts';
import type { Wording } from '../wording/wording.ts';
import { put, type AttestationStatement } from '../../src/core/records.ts';
import { localDate } from '../../src/core/time.ts';
import type { Command } from '../shared/command.ts';
import { asUnitOfWork, commitChanges, duplicateOf, inUnit, nextNumber } from '../shared/commit.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { inputFields, objectOf, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply } from '../shared/reply.ts';

const SAID = {
  removed: 'attest.recorded',
  'never-installed': 'attest.recordedNever',
  'removed-work-apps': 'attest.recordedWorkApps',
} as const;
const saidFor = (m: Wording, statement: AttestationStatement) => (app: string, rules: string[]) => m.t(SAID[statement], { app, rules });

/**
 * `attest <app> [--statement …]`. The core checks the statement against every rule it would record
 * (`removed-work-apps` only where a rule offers that way out), as it does for a reminder's button.
 */
export const attest: Command = {
  name: 'attest',
  flags: { statement: 'string' },
  async run({ words, flags }, ctx) {
    const appText = words.join(' ');
    const m = ctx.m;
    if (!appText) return refused('missing_app', m.t('errors.missingApp', { command: 'attest' }));
    const f = inputFields(ctx.policy, m);
    const input = validate(
      objectOf(f, 'attest', () => ({ statement: f.statement })),
      flags,
      m,
    );
    if (!input.ok) return refusal(input, m, { command: 'attest', app: appText });
    const now = ctx.now();
    const outcome = recordAttestation(
      ctx.person,
      appText,
      input.value.statement,
      ctx.policy,
      ctx.store.listByPerson('attestations', ctx.person.id),
      now,
      () => `AT-${nextNumber(ctx, 'attestations')}`,
    );
    const appName = findApp(ctx.policy, appText)?.name ?? appText;
    if (!outcome.ok) return refusal(outcome, m, { command: 'attest', app: appName });
    const { recorded, already } = outcome.value;
    if (recorded.length) {
      const detail = { rules: recorded.map((a) => a.rule), statement: input.value.statement };
      await commitChanges(
        ctx,
        { at: now, action: 'attestation.recorded', subject: outcome.value.app, detail },
        recorded.map((a) => put('attestations', a)),
        recorded.map((a) => a.id).join(' '),
      );
    }
    const rules = recorded.map((a) => a.rule);
    const blocks = [
      ...(recorded.length ? [{ type: 'heading' as const, text: saidFor(m, input.value.statement)(appName, rules) }] : []),
      ...already.map((a) => ({
        type: 'text' as const,
        text: m.t('attest.already', { rule: a.rule, when: localDate(new Date(a.at), ctx.policy.organization.timezone) }),
      })),
    ];
    return { ok: true, data: outcome.value, reply: reply('ok', blocks), effects: [] };
  },
};

/** What a reminder's "I've removed it" button does: attest to that one rule. */
export async function attestFromReminder(ruleId: string, statement: AttestationStatement, ctx: CommandContext): Promise<CommandResult> {
  if (!inUnit(ctx)) return asUnitOfWork(ctx, (inside) => attestFromReminder(ruleId, statement, inside));
  const m = ctx.m;
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const now = ctx.now();
  const outcome = attestRule(
    ctx.person,
    ruleId,
    statement,
    ctx.policy,
    ctx.store.listByPerson('attestations', ctx.person.id),
    now,
    `AT-${nextNumber(ctx, 'attestations')}`,
  );
  if (!outcome.ok) return refusal(outcome, m, { command: 'attest' });
  const { recorded, already } = outcome.value;
  if (recorded.length)
    await commitChanges(
      ctx,
      { at: now, action: 'attestation.recorded', subject: ruleId, detail: { rules: [ruleId], statement } },
      recorded.map((a) => put('attestations', a)),
      recorded[0]!.id,
    );
  const app = appById(ctx.policy, outcome.value.app)?.name ?? outcome.value.app;
  const text = recorded.length
    ? saidFor(m, statement)(app, [ruleId])
    : m.t('attest.already', { rule: ruleId, when: localDate(new Date(already[0]!.at), ctx.policy.organization.timezone) });
  return { ok: true, data: outcome.value, effects: [], reply: reply('ok', [{ type: 'heading', text }]) };
}
