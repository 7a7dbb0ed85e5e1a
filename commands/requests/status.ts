import { policyWords } from '../wording/policy-words.ts';
import { appById } from '../../src/core/catalog.ts';
import { rulesToAttest } from '../../src/core/attestations.ts';
import { attestationOf } from '../../src/core/compliance.ts';
import { effectiveStatus } from '../../src/core/request-status.ts';
import { lastValidDate } from '../../src/core/explain.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';
import type { Command } from '../shared/command.ts';
import type { CommandContext } from '../shared/context.ts';
import { refused } from '../shared/refusals.ts';
import { pageNumber, pageOf, reply, type Block, type ListBudget } from '../shared/reply.ts';

/** Two lists share one message: each gets half of what a message holds. `status --page N` turns both. */
const HALF: ListBudget = { items: 20, chars: 2_000 };
/** Buttons in one row of a message (Slack takes 25 elements an actions block; a few are plenty). */
const ATTEST_BUTTONS = 5;

/** The asker's own requests, newest first, each with its status as it stands at `now`. */
export function ownRequests(ctx: CommandContext, now: Date): ExceptionRequest[] {
  return ctx.store
    .listByPerson('requests', ctx.person.id)
    .map((r) => ({ ...r, status: effectiveStatus(r, now) }))
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
}

/** One of them in words: `EX-3 · Instagram · approved · public-communications · until the end of 30 December`. */
export function requestLine(r: ExceptionRequest, ctx: CommandContext): string {
  const m = ctx.m;
  const line = m.t('status.requestLine', {
    id: r.id,
    app: appById(ctx.policy, r.app)?.name ?? r.app,
    status: m.statusWord(r.status),
    purpose: policyWords(ctx.policy, m).purpose(r.purpose),
  });
  return r.status === 'approved' && r.expiresAt
    ? `${line} · ${m.t('status.until', { date: lastValidDate(r.expiresAt, ctx.policy.organization.timezone) })}`
    : line;
}

export const status: Command = {
  name: 'status',
  flags: { page: 'string' },
  run({ words, flags }, ctx) {
    const m = ctx.m;
    if (words.length) return refused('unexpected_text', m.t('errors.unexpectedText', { command: 'status', text: words.join(' ') }));
    const page = pageNumber(flags.page);
    if (page === undefined) return refused('invalid_input', m.t('lists.badPage', { value: String(flags.page) }));
    const now = ctx.now();
    const requests = ownRequests(ctx, now);
    const lines = requests.map((r) => requestLine(r, ctx));
    const own = ctx.store.listByPerson('attestations', ctx.person.id);
    const attested = new Set(own.map((a) => a.rule));
    const deadlines = ctx.policy.apps.flatMap((app) =>
      rulesToAttest(ctx.policy, ctx.person, app.id, now)
        .filter((r) => r.deadline)
        .map((r) =>
          m.t('status.deadlineLine', {
            app: app.name,
            rule: r.id,
            date: r.deadline!,
            attested: attestationOf(r, ctx.person, own) !== undefined,
          }),
        ),
    );
    const mine = pageOf(lines, page, HALF);
    const due = pageOf([...new Set(deadlines)], page, HALF);
    const pages = Math.max(mine.pages, due.pages);
    if (page > pages) return refused('invalid_input', m.t('lists.pastLastPage', { pages, command: `status --page ${pages}` }));
    const more = (left: number) =>
      left
        ? { more: { count: left, hint: m.t('lists.more', { how: m.t('lists.nextPage', { command: `status --page ${page + 1}` }) }) } }
        : {};
    const blocks: Block[] = [{ type: 'heading', text: m.t('status.title') }];
    if (pages > 1) blocks.push({ type: 'note', text: m.t('lists.page', { page, pages }) });
    // On a later page, a list already shown in full is left out.
    if (mine.shown.length || mine.left) blocks.push({ type: 'list', items: mine.shown, ...more(mine.left) });
    else if (page === 1) blocks.push({ type: 'text', text: m.t('status.noRequests') });
    if (due.shown.length || due.left) blocks.push({ type: 'list', items: due.shown, ...more(due.left) });
    else if (page === 1) blocks.push({ type: 'text', text: m.t('status.noDeadlines') });
    // What can be done from here: attest to each rule still owed (a surface shows them as buttons).
    const owed = [
      ...new Map(
        ctx.policy.apps
          .flatMap((app) => rulesToAttest(ctx.policy, ctx.person, app.id, now))
          .filter((r) => r.deadline && attestationOf(r, ctx.person, own) === undefined)
          .map((r) => [r.id, r] as const),
      ).values(),
    ].slice(0, ATTEST_BUTTONS);
    // One row per rule: a button's action id is unique within its row.
    if (page === 1)
      for (const r of owed)
        blocks.push({
          type: 'actions',
          buttons: [{ actionId: 'attest.removed', label: m.t('status.attestButton', { rule: r.id }), value: r.id }],
        });
    return { ok: true, reply: reply('info', blocks), effects: [], data: { requests, attested: [...attested] } };
  },
};
