import { z } from 'zod';
import { decide } from '../src/core/decide.ts';
import type { Command } from './command.ts';
import { decisionReply } from './decision-reply.ts';
import { inputFields, validate } from './inputs.ts';
import { describeRefusal, refused } from './refusals.ts';

export const check: Command = {
  name: 'check',
  flags: { device: 'string', data: 'string', purpose: 'string' },
  run({ words, flags }, ctx) {
    const app = words.join(' ');
    if (!app) return refused('missing_app', ctx.m.errors.missingApp('check'));
    const f = inputFields(ctx.policy, ctx.m);
    const input = validate(z.object({ device: f.device, data: f.data, purpose: f.purpose.optional() }), flags);
    if (!input.ok) return refused(input.code, ...describeRefusal(input, ctx.m, { command: 'check', app }));
    const { device, data, purpose } = input.value;
    const decision = decide(
      { app, person: ctx.person.id, device, ...(data ? { data } : {}), ...(purpose ? { purpose } : {}), at: ctx.now().toISOString() },
      ctx.policy,
      { requests: ctx.store.listByPerson('requests', ctx.person.id) },
    );
    return { ok: true, reply: decisionReply(decision, ctx), effects: [], data: decision };
  },
};
