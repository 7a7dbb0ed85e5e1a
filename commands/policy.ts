import { accountsBoundBy } from '../src/core/accounts.ts';
import { appById } from '../src/core/catalog.ts';
import { accountItem } from './accounts.ts';
import { policyIndex } from '../src/core/policy-index.ts';
import type { Rule } from '../src/core/policy.ts';
import { isInForce } from '../src/core/decide.ts';
import type { Command } from './command.ts';
import type { CommandContext } from './context.ts';
import { refused } from './refusals.ts';
import { reply, type Block } from './reply.ts';
import { unitName } from './request-card.ts';

export const policy: Command = {
  name: 'policy',
  flags: {},
  run({ words }, ctx) {
    const m = ctx.m;
    if (words.length > 1) return refused('unexpected_text', m.errors.unexpectedText('policy', words.slice(1).join(' ')));
    if (words.length === 1) {
      const rule = policyIndex(ctx.policy).rulesById.get(words[0]!);
      if (!rule) return refused('unknown_rule', m.errors.unknownRule(words[0]!));
      return { ok: true, reply: reply('info', ruleInFull(rule, ctx)), effects: [], data: rule };
    }
    const tz = ctx.policy.organization.timezone;
    const now = ctx.now();
    const inForce = ctx.policy.rules.filter((r) => isInForce(r, now, tz));
    const blocks: Block[] = [{ type: 'heading', text: m.policy.title(ctx.policy.organization.name) }];
    blocks.push(inForce.length ? { type: 'list', items: inForce.map((r) => m.policy.line(r.id, r.title, r.effect)) } : { type: 'text', text: m.policy.none });
    return { ok: true, reply: reply('info', blocks), effects: [], data: inForce.map((r) => r.id) };
  },
};

function ruleInFull(rule: Rule, ctx: CommandContext): Block[] {
  const m = ctx.m;
  const unit = unitName(ctx.policy, rule.unit);
  const apps = (rule.apps ?? []).map((a) => appById(ctx.policy, a)?.name ?? a);
  const items = [
    m.policy.source(rule.source),
    m.policy.targets(apps, rule.categories ?? []),
    m.policy.units(unit),
    rule.devices ? m.policy.devices(rule.devices) : m.policy.allDevices,
    ...(rule.data ? [m.policy.data(rule.data)] : []),
    m.policy.effective(rule.effective),
    ...(rule.deadline ? [m.explain.deadline(rule.deadline, ctx.policy.organization.timezone)] : []),
    ...(rule.consequence ? [m.explain.consequence(rule.consequence)] : []),
    ...(rule.review ? [m.explain.review(rule.review)] : []),
    ...(rule.lifted ? [m.policy.lifted(rule.lifted)] : []),
    rule.exceptions === 'none' ? m.explain.exceptionNone : m.explain.exceptionPossible(rule.exceptions.purposes, rule.exceptions.max_days),
  ];
  const bound = rule.effect === 'prohibit' ? accountsBoundBy(ctx.policy, rule) : [];
  return [
    { type: 'heading', text: m.policy.line(rule.id, rule.title, rule.effect) },
    { type: 'list', items },
    ...(bound.length ? [{ type: 'text' as const, text: m.accounts.inCheck(bound.map((a) => accountItem(a, ctx))) }] : []),
  ];
}
