import { z } from 'zod';
import { findApp } from '../src/core/catalog.ts';
import { decide } from '../src/core/decide.ts';
import { approversFor, requestException } from '../src/core/exceptions.ts';
import { resolvePerson } from '../src/core/org.ts';
import { put } from '../src/core/records.ts';
import { typable, type Command } from './command.ts';
import { inputFields, validate } from './inputs.ts';
import { describeRefusal, refused } from './refusals.ts';
import { reply } from './reply.ts';
import { requestCard } from './request-card.ts';

export const request: Command = {
  name: 'request',
  flags: { purpose: 'string', days: 'string', device: 'string', reason: 'string' },
  async run({ words, flags }, ctx) {
    const appText = words.join(' ');
    const m = ctx.m;
    if (!appText) return refused('missing_app', m.errors.missingApp('request'));
    const f = inputFields(ctx.policy, m);
    const input = validate(
      z.object({ device: f.device, purpose: f.purpose.optional(), days: f.days.optional(), reason: f.reason.optional() }),
      flags,
    );
    if (!input.ok) return refused(input.code, ...describeRefusal(input, m, { command: 'request', app: appText }));
    const { device, purpose, days, reason } = input.value;
    const own = ctx.store.listByPerson('requests', ctx.person.id);
    const now = ctx.now();
    const app = findApp(ctx.policy, appText);
    if (app && !purpose) {
      const options = decide({ app: appText, person: ctx.person.id, device, at: now.toISOString() }, ctx.policy, { requests: own }).exception;
      if (options.possible) return refused('missing_purpose', m.errors.missingPurpose(options.purposes));
    }

    const id = `EX-${ctx.store.count('requests') + 1}`;
    const filed = requestException(
      { person: ctx.person, app: appText, device, purpose: purpose ?? '', reason: reason ?? '', ...(days ? { days } : {}) },
      ctx.policy,
      own,
      now,
      id,
    );
    if (!filed.ok) {
      const name = app?.name ?? appText;
      return refused(filed.code, ...describeRefusal(filed, m, { command: 'request', app: name, ...(purpose ? { purpose } : {}) }));
    }
    const req = filed.value.request;
    await ctx.store.commit(
      { at: now.toISOString(), actor: ctx.person.id, action: 'request.filed', subject: req.id, detail: { app: req.app, purpose: req.purpose, days: req.days, device: req.device, surface: ctx.surface } },
      [put('requests', req)],
    );
    const listed = ctx.policy.people.map((p) => resolvePerson(ctx.policy, p.id));
    const approvers = approversFor(ctx.policy, req, listed).map((p) => p.name);
    const appName = app?.name ?? req.app;
    return {
      ok: true,
      data: req,
      reply: reply('ok', [
        { type: 'heading', text: m.request.filed(req.id, typable(appName), req.device, req.purpose, req.days) },
        { type: 'note', text: approvers.length ? m.request.approversAre(approvers) : m.request.noApprover },
      ]),
      effects: [{ kind: 'post', channel: 'approvals', subject: req.id, message: requestCard(req, ctx.policy) }],
    };
  },
};
