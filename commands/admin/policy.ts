import { accountsCoveredBy } from '../../src/core/accounts.ts';
import { appById } from '../../src/core/catalog.ts';
import { accountItem } from '../compliance/accounts.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import type { Rule } from '../../src/core/policy.ts';
import { isInForce } from '../../src/core/decide.ts';
import type { Command } from '../shared/command.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { refused } from '../shared/refusals.ts';
import { pageNumber, pageOf, reply, type Block, type ListBudget } from '../shared/reply.ts';
import { unitName } from '../requests/request-card.ts';

/** A rule's title in the list of rules is a summary: `policy <rule-id>` shows it whole. */
const TITLE_IN_LIST = 200;
/** Up to this many purposes are named in the rule's own line; more get a list of their own, a page at a time. */
const PURPOSES_INLINE = 20;
const PURPOSES: ListBudget = { items: 30, chars: 3_000 };

export const policy: Command = {
  name: 'policy',
  flags: { page: 'string' },
  run({ words, flags }, ctx) {
    const m = ctx.m;
    if (words.length > 1) return refused('unexpected_text', m.errors.unexpectedText('policy', words.slice(1).join(' ')));
    const page = pageNumber(flags.page);
    if (page === undefined) return refused('invalid_input', m.lists.badPage(String(flags.page)));
    if (words.length === 1) {
      const rule = policyIndex(ctx.policy).rulesById.get(words[0]!);
      if (!rule) return refused('unknown_rule', m.errors.unknownRule(words[0]!));
      return ruleInFull(rule, page, ctx);
    }
    const tz = ctx.policy.organization.timezone;
    const now = ctx.now();
    const inForce = ctx.policy.rules.filter((r) => isInForce(r, now, tz));
    const lines = inForce.map((r) => m.policy.line(r.id, summary(r.title, TITLE_IN_LIST), r.effect));
    const { shown, left, pages } = pageOf(lines, page);
    if (page > pages) return refused('invalid_input', m.lists.pastLastPage(pages, `policy --page ${pages}`));
    const blocks: Block[] = [{ type: 'heading', text: m.policy.title(ctx.policy.organization.name) }];
    if (pages > 1) blocks.push({ type: 'note', text: m.lists.page(page, pages) });
    blocks.push(
      lines.length
        ? {
            type: 'list',
            items: shown,
            ...(left ? { more: { count: left, hint: m.lists.more(m.lists.nextPage(`policy --page ${page + 1}`)) } } : {}),
          }
        : { type: 'text', text: m.policy.none },
    );
    return { ok: true, reply: reply('info', blocks), effects: [], data: inForce.map((r) => r.id) };
  },
};

/** One rule in full; a rule with many exception purposes lists them a page at a time (`policy <rule> --page 2`). */
function ruleInFull(rule: Rule, page: number, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const unit = unitName(ctx.policy, rule.unit);
  const apps = (rule.apps ?? []).map((a) => appById(ctx.policy, a)?.name ?? a);
  const purposes = rule.exceptions === 'none' ? [] : rule.exceptions.purposes;
  const many = purposes.length > PURPOSES_INLINE;
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
    rule.exceptions === 'none'
      ? m.explain.exceptionNone
      : many
        ? m.lists.purposesBelow(purposes.length, rule.exceptions.max_days)
        : m.explain.exceptionPossible(rule.exceptions.purposes, rule.exceptions.max_days),
  ];
  const { shown, left, pages } = pageOf(many ? purposes : [], page, PURPOSES);
  if (page > pages) return refused('invalid_input', m.lists.pastLastPage(pages, `policy ${rule.id} --page ${pages}`));
  const bound = accountsCoveredBy(rule, ctx.policy);
  const blocks: Block[] = [
    { type: 'heading', text: m.policy.line(rule.id, rule.title, rule.effect) },
    ...(page === 1 ? [{ type: 'list' as const, items }] : [{ type: 'note' as const, text: m.lists.page(page, pages) }]),
    ...(many
      ? [
          {
            type: 'list' as const,
            items: shown,
            ...(left ? { more: { count: left, hint: m.lists.more(m.lists.nextPage(`policy ${rule.id} --page ${page + 1}`)) } } : {}),
          },
        ]
      : []),
    ...(bound.length && page === 1 ? [{ type: 'text' as const, text: m.accounts.inCheck(bound.map((a) => accountItem(a, ctx))) }] : []),
  ];
  return { ok: true, reply: reply('info', blocks), effects: [], data: rule };
}

/** Text shortened to `max` characters at a word boundary, marked with an ellipsis; whole when it fits. */
function summary(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.search(/\s\S*$/);
  return `${space > max / 2 ? head.slice(0, space) : head}…`;
}
