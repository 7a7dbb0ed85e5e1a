import { policyWords } from '../wording/policy-words.ts';
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
    if (words.length > 1)
      return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'policy', text: words.slice(1).join(' ') }));
    const page = pageNumber(flags.page);
    if (page === undefined) return refused('invalid_input', m.t('lists.badPage', { value: String(flags.page) }));
    if (words.length === 1) {
      const rule = policyIndex(ctx.policy).rulesById.get(words[0]!);
      if (!rule) return refused('unknown_rule', m.t('errors.unknownRule', { id: words[0]! }));
      return ruleInFull(rule, page, ctx);
    }
    const tz = ctx.policy.organization.timezone;
    const now = ctx.now();
    const inForce = ctx.policy.rules.filter((r) => isInForce(r, now, tz));
    const lines = inForce.map((r) =>
      m.t('policy.line', { id: r.id, title: summary(policyWords(ctx.policy, m).text(r.title), TITLE_IN_LIST), effect: r.effect }),
    );
    const { shown, left, pages } = pageOf(lines, page);
    if (page > pages) return refused('invalid_input', m.t('lists.pastLastPage', { pages, command: `policy --page ${pages}` }));
    const blocks: Block[] = [{ type: 'heading', text: m.t('policy.title', { org: ctx.policy.organization.name }) }];
    if (pages > 1) blocks.push({ type: 'note', text: m.t('lists.page', { page, pages }) });
    blocks.push(
      lines.length
        ? {
            type: 'list',
            items: shown,
            ...(left
              ? { more: { count: left, hint: m.t('lists.more', { how: m.t('lists.nextPage', { command: `policy --page ${page + 1}` }) }) } }
              : {}),
          }
        : { type: 'text', text: m.t('policy.none') },
    );
    return { ok: true, reply: reply('info', blocks), effects: [], data: inForce.map((r) => r.id) };
  },
};

/** One rule in full; a rule with many exception purposes lists them a page at a time (`policy <rule> --page 2`). */
function ruleInFull(rule: Rule, page: number, ctx: CommandContext): CommandResult {
  const m = ctx.m;
  const p = policyWords(ctx.policy, m);
  const unit = unitName(ctx.policy, rule.unit);
  const apps = (rule.apps ?? []).map((a) => appById(ctx.policy, a)?.name ?? a);
  const purposes = rule.exceptions === 'none' ? [] : rule.exceptions.purposes;
  const many = purposes.length > PURPOSES_INLINE;
  const items = [
    m.t('policy.source', { text: p.text(rule.source) }),
    m.t('policy.targets', {
      targets: [...apps, ...(rule.categories ?? []).map((category) => m.t('policy.category', { category: p.category(category) }))],
    }),
    m.t('policy.units', { unit }),
    rule.devices ? m.t('policy.devices', { devices: rule.devices.map((d) => m.device(d)) }) : m.t('policy.allDevices'),
    ...(rule.data ? [m.t('policy.data', { data: rule.data.map(p.dataClass) })] : []),
    m.t('policy.effective', { date: rule.effective }),
    ...(rule.deadline
      ? [m.t('explain.deadline', { date: rule.deadline, tz: m.zone(ctx.policy.organization.timezone, rule.deadline) })]
      : []),
    ...(rule.consequence ? [m.t('explain.consequence', { text: p.text(rule.consequence) })] : []),
    ...(rule.review ? [m.t('explain.review', { date: rule.review })] : []),
    ...(rule.lifted ? [m.t('policy.lifted', { date: rule.lifted })] : []),
    rule.exceptions === 'none'
      ? m.t('explain.exceptionNone')
      : many
        ? m.t('lists.purposesBelow', { n: purposes.length, maxDays: rule.exceptions.max_days })
        : m.t('explain.exceptionPossible', { purposes: rule.exceptions.purposes.map(p.purposeToType), maxDays: rule.exceptions.max_days }),
  ];
  const { shown, left, pages } = pageOf(many ? purposes : [], page, PURPOSES);
  if (page > pages) return refused('invalid_input', m.t('lists.pastLastPage', { pages, command: `policy ${rule.id} --page ${pages}` }));
  const bound = accountsCoveredBy(rule, ctx.policy);
  const blocks: Block[] = [
    { type: 'heading', text: m.t('policy.line', { id: rule.id, title: p.text(rule.title), effect: rule.effect }) },
    ...(page === 1 ? [{ type: 'list' as const, items }] : [{ type: 'note' as const, text: m.t('lists.page', { page, pages }) }]),
    ...(many
      ? [
          {
            type: 'list' as const,
            items: shown,
            ...(left
              ? {
                  more: {
                    count: left,
                    hint: m.t('lists.more', { how: m.t('lists.nextPage', { command: `policy ${rule.id} --page ${page + 1}` }) }),
                  },
                }
              : {}),
          },
        ]
      : []),
    ...(bound.length && page === 1
      ? [{ type: 'text' as const, text: m.t('accounts.inCheck', { items: bound.map((a) => accountItem(a, ctx)) }) }]
      : []),
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
