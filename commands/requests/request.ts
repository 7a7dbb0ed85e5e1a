import { policyWords } from '../wording/policy-words.ts';
import { decide } from '../../src/core/decide.ts';
import type { Decision } from '../../src/core/decision.ts';
import { requestException } from '../../src/core/exceptions.ts';
import type { DeviceClass } from '../../src/core/policy.ts';
import { put, type ExceptionRequest } from '../../src/core/records.ts';
import type { Refusal } from '../../src/core/result.ts';
import type { Command } from '../shared/command.ts';
import { asUnitOfWork, commitChanges, duplicateOf, inUnit, nextNumber } from '../shared/commit.ts';
import type { CommandContext, CommandResult, Effect } from '../shared/context.ts';
import { inputFields, objectOf, optional, validate } from '../entry/inputs.ts';
import { refusal, refused } from '../shared/refusals.ts';
import { reply, type Block } from '../shared/reply.ts';
import { approverCopies, approversOf, decidersOf, requestCard } from './request-card.ts';

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

/**
 * File an exception request. What the rules say comes before what was typed: an app that allows no
 * exceptions (or needs none) says so whatever purpose, days or reason were given. No await before the
 * commit: two deliveries at once cannot both file.
 */
export async function fileRequest(raw: RequestInput, ctx: CommandContext): Promise<CommandResult> {
  if (!inUnit(ctx)) return asUnitOfWork(ctx, (inside) => fileRequest(raw, inside));
  const m = ctx.m;
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const appText = raw.app.trim();
  if (!appText) return { ...refused('missing_app', m.t('errors.missingApp', { command: 'request' })), field: 'app' };
  const f = inputFields(ctx.policy, m);
  const deviceInput = validate(
    objectOf(f, 'request.device', () => ({ device: f.device })),
    { device: raw.device },
    m,
  );
  if (!deviceInput.ok) return refusal(deviceInput, m, { command: 'request', app: appText });
  const { device } = deviceInput.value;
  const own = ctx.store.listByPerson('requests', ctx.person.id);
  const now = ctx.now();
  const options = decide({ app: appText, person: ctx.person.id, device, at: now.toISOString() }, ctx.policy, { requests: own });
  const closed = closedToRequests(options);
  if (closed) return refusal(closed, m, { command: 'request', app: options.app?.name ?? appText });

  const input = validate(
    objectOf(f, 'request', () => ({ purpose: optional(f.purpose), days: optional(f.days), reason: optional(f.reason) })),
    {
      purpose: raw.purpose,
      days: raw.days,
      reason: raw.reason,
    },
    m,
  );
  if (!input.ok) return refusal(input, m, { command: 'request', app: appText });
  const { purpose, days, reason } = input.value;
  if (!purpose && options.exception.possible)
    return {
      ...refused(
        'missing_purpose',
        m.t('errors.missingPurpose', { purposes: options.exception.purposes.map(policyWords(ctx.policy, m).purposeToType) }),
      ),
      field: 'purpose',
    };

  const id = `EX-${nextNumber(ctx, 'requests')}`;
  const ask = { person: ctx.person, app: appText, device, purpose: purpose ?? '', reason: reason ?? '', ...(days ? { days } : {}) };
  const filed = requestException(ask, ctx.policy, own, now, id);
  const app = options.app;
  if (!filed.ok)
    return refusal(filed, m, {
      command: 'request',
      app: app?.name ?? appText,
      ...(purpose ? { purpose } : {}),
      words: policyWords(ctx.policy, m),
    });
  const { app: appId, purpose: asked, days: granted, device: on } = filed.value.request;
  const { req, effects, approversNote } = await stageNewRequest(
    filed.value.request,
    { app: appId, purpose: asked, days: granted, device: on },
    ctx,
  );
  return {
    ok: true,
    data: req,
    reply: reply('ok', [
      {
        type: 'heading',
        text: m.t('request.filed', {
          id: req.id,
          app: app?.name ?? req.app,
          device: m.device(req.device),
          purpose: policyWords(ctx.policy, m).purpose(req.purpose),
          days: req.days,
        }),
      },
      approversNote,
    ]),
    effects,
  };
}

/**
 * A new request (or extension) on its way to its approvers, staged in the unit of work with its audit
 * entry: the approvals post, each approver's own copy (recorded on the request), and the note naming
 * who will decide, for the requester's answer.
 */
export async function stageNewRequest(filed: ExceptionRequest, detail: Record<string, unknown>, ctx: CommandContext) {
  const copies = approverCopies(filed, ctx.policy);
  const req = copies.notified.length ? { ...filed, notified: copies.notified } : filed;
  const effects: Effect[] = [
    { kind: 'post', channel: 'approvals', subject: req.id, message: requestCard(req, ctx.policy), deciders: decidersOf(ctx.policy, req) },
    ...copies.effects,
  ];
  await commitChanges(ctx, { at: ctx.now(), action: 'request.filed', subject: req.id, detail }, [put('requests', req)], req.id, effects);
  const approvers = approversOf(ctx.policy, req).map((p) => p.name);
  const m = ctx.m;
  const approversNote: Block = {
    type: 'note',
    text: approvers.length ? m.t('request.approversAre', { names: approvers }) : m.t('request.noApprover'),
  };
  return { req, effects, approversNote };
}

/**
 * Why no request can be filed for the app on this device, whatever else is typed: unknown, already
 * asked for, not prohibited, or closed to exceptions by a rule. A purpose-specific refusal is not one.
 */
function closedToRequests(decision: Decision): Pick<Refusal, 'code' | 'path' | 'data'> | undefined {
  if (!decision.app) return { code: 'unknown_app', path: 'app', data: { suggestions: decision.unknown?.suggestions ?? [] } };
  if (decision.request)
    return { code: 'already_requested', path: 'app', data: { request: decision.request.id, status: decision.request.status } };
  const x = decision.exception;
  if (x.possible) return undefined;
  if (x.why === 'not-prohibited') return { code: 'not_prohibited', path: 'app' };
  return {
    code: 'no_exceptions',
    path: 'app',
    data: { rules: decision.rules.filter((r) => r.effect === 'prohibit' && r.exceptions === 'none').map((r) => r.id) },
  };
}

/** What a request form offers for an app: only the purposes and days its rules allow. */
export interface RequestForm {
  app: string;
  appName: string;
  device: DeviceClass;
  purposes: string[];
  /** Each purpose by its label in the person's language (`public-communications` → 広報); one left out shows as its id. */
  purposeLabels?: Readonly<Record<string, string>>;
  defaultDays: number;
  maxDays: number;
  /** The rules the exception would be to. */
  rules: string[];
}

/** The form for `request <app>` with nothing else, or the reason there can be none (unknown app, no exceptions, …). */
export function requestForm(
  appText: string,
  device: DeviceClass,
  ctx: CommandContext,
): { ok: true; form: RequestForm } | { ok: false; result: CommandResult } {
  const m = ctx.m;
  if (!appText.trim()) return { ok: false, result: refused('missing_app', m.t('errors.missingApp', { command: 'request' })) };
  const own = ctx.store.listByPerson('requests', ctx.person.id);
  const decision = decide({ app: appText, person: ctx.person.id, device, at: ctx.now().toISOString() }, ctx.policy, { requests: own });
  const app = decision.app;
  const closed = closedToRequests(decision);
  if (closed || !app || !decision.exception.possible)
    return { ok: false, result: refusal(closed ?? { code: 'no_exceptions' }, m, { command: 'request', app: app?.name ?? appText }) };
  const x = decision.exception;
  const words = policyWords(ctx.policy, m);
  const purposeLabels = Object.fromEntries(x.purposes.map((p) => [p, words.purpose(p)]));
  return {
    ok: true,
    form: {
      app: app.id,
      appName: app.name,
      device,
      purposes: x.purposes,
      purposeLabels,
      defaultDays: x.defaultDays,
      maxDays: x.maxDays,
      rules: x.rules,
    },
  };
}
