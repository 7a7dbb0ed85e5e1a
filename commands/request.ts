import { z } from 'zod';
import { findApp } from '../src/core/catalog.ts';
import { decide } from '../src/core/decide.ts';
import { requestException } from '../src/core/exceptions.ts';
import type { DeviceClass } from '../src/core/policy.ts';
import { put } from '../src/core/records.ts';
import type { Command } from './command.ts';
import { commitChanges, duplicateOf } from './commit.ts';
import type { CommandContext, CommandResult, Effect } from './context.ts';
import { inputFields, validate } from './inputs.ts';
import { describeRefusal, refused } from './refusals.ts';
import { reply } from './reply.ts';
import { approversOf, requestCard } from './request-card.ts';

/** What a person fills in to ask for an exception, as typed (flags or form fields): validated here. */
export interface RequestInput {
  app: string;
  purpose?: string;
  days?: string;
  device?: string;
  reason?: string;
}

export const request: Command = {
  name: 'request',
  flags: { purpose: 'string', days: 'string', device: 'string', reason: 'string' },
  run: ({ words, flags }, ctx) => fileRequest({ app: words.join(' '), ...(flags as Omit<RequestInput, 'app'>) }, ctx),
};

/** File an exception request. No await before the commit: two deliveries at once cannot both file. */
export async function fileRequest(raw: RequestInput, ctx: CommandContext): Promise<CommandResult> {
  const m = ctx.m;
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const appText = raw.app.trim();
  if (!appText) return { ...refused('missing_app', m.errors.missingApp('request')), field: 'app' };
  const f = inputFields(ctx.policy, m);
  const input = validate(z.object({ device: f.device, purpose: f.purpose.optional(), days: f.days.optional(), reason: f.reason.optional() }), {
    device: raw.device,
    purpose: raw.purpose,
    days: raw.days,
    reason: raw.reason,
  });
  if (!input.ok) return { ...refused(input.code, ...describeRefusal(input, m, { command: 'request', app: appText })), ...(input.path ? { field: input.path } : {}) };
  const { device, purpose, days, reason } = input.value;
  const own = ctx.store.listByPerson('requests', ctx.person.id);
  const now = ctx.now();
  const app = findApp(ctx.policy, appText);
  if (app && !purpose) {
    const options = decide({ app: appText, person: ctx.person.id, device, at: now.toISOString() }, ctx.policy, { requests: own }).exception;
    if (options.possible) return { ...refused('missing_purpose', m.errors.missingPurpose(options.purposes)), field: 'purpose' };
  }

  const id = `EX-${ctx.store.count('requests') + 1}`;
  const ask = { person: ctx.person, app: appText, device, purpose: purpose ?? '', reason: reason ?? '', ...(days ? { days } : {}) };
  const filed = requestException(ask, ctx.policy, own, now, id);
  if (!filed.ok) {
    const lines = describeRefusal(filed, m, { command: 'request', app: app?.name ?? appText, ...(purpose ? { purpose } : {}) });
    return { ...refused(filed.code, ...lines), ...(filed.path ? { field: filed.path } : {}) };
  }
  const req = filed.value.request;
  const effects: Effect[] = [{ kind: 'post', channel: 'approvals', subject: req.id, message: requestCard(req, ctx.policy) }];
  await commitChanges(ctx, { at: now, action: 'request.filed', subject: req.id, detail: { app: req.app, purpose: req.purpose, days: req.days, device: req.device } }, [put('requests', req)], req.id, effects);
  const approvers = approversOf(ctx.policy, req).map((p) => p.name);
  return {
    ok: true,
    data: req,
    reply: reply('ok', [
      { type: 'heading', text: m.request.filed(req.id, app?.name ?? req.app, req.device, req.purpose, req.days) },
      { type: 'note', text: approvers.length ? m.request.approversAre(approvers) : m.request.noApprover },
    ]),
    effects,
  };
}

/** What a request form offers for an app: only the purposes and days its rules allow. */
export interface RequestForm {
  app: string;
  appName: string;
  device: DeviceClass;
  purposes: string[];
  defaultDays: number;
  maxDays: number;
  /** The rules the exception would be to. */
  rules: string[];
}

/** The form for `request <app>` with nothing else, or the reason there can be none (unknown app, no exceptions, …). */
export function requestForm(appText: string, device: DeviceClass, ctx: CommandContext): { ok: true; form: RequestForm } | { ok: false; result: CommandResult } {
  const m = ctx.m;
  if (!appText.trim()) return { ok: false, result: refused('missing_app', m.errors.missingApp('request')) };
  const own = ctx.store.listByPerson('requests', ctx.person.id);
  const decision = decide({ app: appText, person: ctx.person.id, device, at: ctx.now().toISOString() }, ctx.policy, { requests: own });
  const app = decision.app;
  const why =
    !app ? { code: 'unknown_app', data: { suggestions: decision.unknown?.suggestions ?? [] } }
    : decision.request ? { code: 'already_requested', data: { request: decision.request.id, status: decision.request.status } }
    : !decision.exception.possible ? { code: decision.exception.why === 'not-prohibited' ? 'not_prohibited' : 'no_exceptions', data: { rules: decision.rules.filter((r) => r.exceptions === 'none').map((r) => r.id) } }
    : undefined;
  if (why || !app || !decision.exception.possible) {
    const lines = describeRefusal({ ok: false, code: why?.code ?? 'no_exceptions', data: why?.data ?? {} }, m, { command: 'request', app: app?.name ?? appText });
    return { ok: false, result: refused(why?.code ?? 'no_exceptions', ...lines) };
  }
  const x = decision.exception;
  return { ok: true, form: { app: app.id, appName: app.name, device, purposes: x.purposes, defaultDays: x.defaultDays, maxDays: x.maxDays, rules: x.rules } };
}
