import { accountsCoveredBy } from '../../src/core/accounts.ts';
import { decide } from '../../src/core/decide.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import { accountItem } from '../compliance/accounts.ts';
import type { Command } from '../shared/command.ts';
import { decisionReply } from './decision-reply.ts';
import { inputFields, objectOf, optional, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { inventoryView, stillHasLine } from '../compliance/inventory-evidence.ts';

export const check: Command = {
  name: 'check',
  flags: { device: 'string', data: 'string', purpose: 'string' },
  run({ words, flags }, ctx) {
    const app = words.join(' ');
    if (!app) return refused('missing_app', ctx.m.t('errors.missingApp', { command: 'check' }));
    const f = inputFields(ctx.policy, ctx.m);
    const input = validate(
      objectOf(f, 'check', () => ({ device: f.device, data: f.data, purpose: optional(f.purpose) })),
      flags,
      ctx.m,
    );
    if (!input.ok) return refusal(input, ctx.m, { command: 'check', app });
    const { device, data, purpose } = input.value;
    const decision = decide(
      { app, person: ctx.person.id, device, ...(data ? { data } : {}), ...(purpose ? { purpose } : {}), at: ctx.now().toISOString() },
      ctx.policy,
      { requests: ctx.store.listByPerson('requests', ctx.person.id) },
    );
    const reply = decisionReply(decision, ctx);
    // Official accounts of the asker's unit (or units around it) that a prohibition here covers.
    const rules = policyIndex(ctx.policy).rulesById;
    const bound = decision.rules
      .flatMap((r) => accountsCoveredBy(rules.get(r.id)!, ctx.policy, ctx.person.unit))
      .filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i);
    if (bound.length) {
      const beforeNextStep = reply.blocks.findIndex((b) => b.type === 'note' || b.type === 'actions');
      reply.blocks.splice(beforeNextStep < 0 ? reply.blocks.length : beforeNextStep, 0, {
        type: 'text',
        text: ctx.m.t('accounts.inCheck', { items: bound.map((a) => accountItem(a, ctx)) }),
      });
    }
    // Their own device still carrying it is the most useful thing to tell them: say which.
    const inventory = decision.app && decision.verdict !== 'allowed' ? inventoryView(ctx.policy, ctx.store) : undefined;
    const mine = inventory?.devicesOf(ctx.person) ?? [];
    const still = mine.flatMap((device) => {
      const found = device.apps.find((a) => a.app === decision.app?.id);
      return found ? [{ device, status: 'installed' as const, found }] : [];
    });
    if (still.length) {
      const at = reply.blocks.findIndex((b) => b.type === 'note' || b.type === 'actions');
      const tz = ctx.policy.organization.timezone;
      reply.blocks.splice(
        at < 0 ? reply.blocks.length : at,
        0,
        ...still.map((e) => ({ type: 'text' as const, text: stillHasLine(e, ctx.m, tz) })),
      );
    }
    return { ok: true, reply, effects: [], data: decision };
  },
};
