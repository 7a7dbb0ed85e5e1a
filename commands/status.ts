import { appById } from '../src/core/catalog.ts';
import { rulesToAttest } from '../src/core/attestations.ts';
import { isExpired } from '../src/core/decide.ts';
import { lastValidDate } from '../src/core/explain.ts';
import type { Command } from './command.ts';
import { refused } from './refusals.ts';
import { reply, type Block } from './reply.ts';

const SHOWN = 20;

export const status: Command = {
  name: 'status',
  flags: {},
  run({ words }, ctx) {
    const m = ctx.m;
    if (words.length) return refused('unexpected_text', m.errors.unexpectedText('status', words.join(' ')));
    const now = ctx.now();
    const tz = ctx.policy.organization.timezone;
    const requests = ctx.store
      .listByPerson('requests', ctx.person.id)
      .map((r) => (r.status === 'approved' && isExpired(r, now) ? { ...r, status: 'expired' as const } : r))
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    const lines = requests.slice(0, SHOWN).map((r) => {
      const line = m.status.requestLine(r.id, appById(ctx.policy, r.app)?.name ?? r.app, r.status, r.purpose);
      return r.status === 'approved' && r.expiresAt ? `${line} · ${m.status.until(lastValidDate(r.expiresAt, tz))}` : line;
    });
    const attested = new Set(ctx.store.listByPerson('attestations', ctx.person.id).map((a) => a.rule));
    const deadlines = ctx.policy.apps.flatMap((app) =>
      rulesToAttest(ctx.policy, ctx.person, app.id, now)
        .filter((r) => r.deadline)
        .map((r) => m.status.deadlineLine(app.name, r.id, r.deadline!, attested.has(r.id))),
    );
    const blocks: Block[] = [{ type: 'heading', text: m.status.title }];
    blocks.push(lines.length ? { type: 'list', items: lines } : { type: 'text', text: m.status.noRequests });
    blocks.push(deadlines.length ? { type: 'list', items: [...new Set(deadlines)] } : { type: 'text', text: m.status.noDeadlines });
    return { ok: true, reply: reply('info', blocks), effects: [], data: { requests, attested: [...attested] } };
  },
};
