import { policyWords } from '../wording/policy-words.ts';
import { requestException } from '../../src/core/exceptions.ts';
import { DEVICE_CLASSES, type DeviceClass } from '../../src/core/policy.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { inputFields, objectOf, optional, validate } from '../entry/inputs.ts';
import { requestFormView, type FormView } from '../shared/form.ts';
import { describeRefusal } from '../shared/refusals.ts';
import { replyText } from '../shared/reply.ts';
import { requestForm, type RequestForm, type RequestInput } from './request.ts';

/** The request form's fields a refusal can be about, in the order a person reads them. */
const FIELDS = ['purpose', 'device', 'days', 'reason'] as const;
type Field = (typeof FIELDS)[number];
const isField = (f: string | undefined): f is Field => (FIELDS as readonly string[]).includes(f ?? '');

/**
 * A request form sent back refused on one of its fields: every field's problem at once (`fields`), and
 * the form again with what was typed kept and each problem under its field, so a person fixes them
 * all in one go. A refusal about the app itself (unknown, closed to requests) stays as it is.
 */
export function requestFormAgain(
  refused: CommandResult,
  raw: RequestInput,
  ctx: CommandContext,
): CommandResult & { form?: { form: 'request'; request: RequestForm; view: FormView } } {
  if (refused.ok || !isField(refused.field)) return refused;
  const device = DEVICE_CLASSES.includes(raw.device as DeviceClass) ? (raw.device as DeviceClass) : 'corporate';
  const open = requestForm(raw.app, device, ctx);
  if (!open.ok) return refused;
  // Each field's own problem; the refusal's words stand in for its field should the checks one by one not find it.
  const fields = { [refused.field]: replyText(refused.reply), ...fieldProblems(raw, device, open.form, ctx) };
  const typed: Record<Field, string | undefined> = { purpose: raw.purpose, device: raw.device, days: raw.days, reason: raw.reason };
  const view = requestFormView(open.form, ctx.m);
  return {
    ...refused,
    fields,
    form: {
      form: 'request',
      request: open.form,
      view: {
        ...view,
        fields: view.fields.map((f) => {
          const value = isField(f.id) ? typed[f.id] : undefined;
          return { ...f, ...(value === undefined || value === '' ? {} : { value }), ...(fields[f.id] ? { error: fields[f.id] } : {}) };
        }),
      },
    },
  };
}

/**
 * Each field's problem on its own, checked as filing checks it (the input rules, then the exception's
 * terms), with the other fields as the form would accept them: a purpose the rule allows, its default
 * days and some reason. A field that is fine keeps its typed value for the checks after it.
 */
function fieldProblems(raw: RequestInput, device: DeviceClass, form: RequestForm, ctx: CommandContext): Record<string, string> {
  const m = ctx.m;
  const f = inputFields(ctx.policy, m);
  const subject = { command: 'request', app: form.appName };
  const problems: Record<string, string> = {};
  const good: { purpose: string; days?: number; reason: string } = { purpose: form.purposes[0] ?? '', reason: '-' };
  const own = ctx.store.listByPerson('requests', ctx.person.id);
  const terms = (ask: typeof good) =>
    requestException({ person: ctx.person, app: form.app, device, ...ask }, ctx.policy, own, ctx.now(), 'EX-0');

  const purpose = validate(
    objectOf(f, 'request.purpose', () => ({ purpose: optional(f.purpose) })),
    { purpose: raw.purpose },
    m,
  );
  if (!purpose.ok) problems.purpose = describeRefusal(purpose, m, subject).join(' ');
  else if (!purpose.value.purpose)
    problems.purpose = m.t('errors.missingPurpose', { purposes: form.purposes.map(policyWords(ctx.policy, m).purposeToType) });
  else {
    const filed = terms({ ...good, purpose: purpose.value.purpose });
    if (!filed.ok && filed.path === 'purpose') problems.purpose = describeRefusal(filed, m, subject).join(' ');
    else good.purpose = purpose.value.purpose;
  }

  const days = validate(
    objectOf(f, 'request.days', () => ({ days: optional(f.days) })),
    { days: raw.days },
    m,
  );
  if (!days.ok) problems.days = describeRefusal(days, m, subject).join(' ');
  else if (days.value.days !== undefined) {
    const filed = terms({ ...good, days: days.value.days });
    if (!filed.ok && filed.path === 'days') problems.days = describeRefusal(filed, m, subject).join(' ');
    else good.days = days.value.days;
  }

  const reason = validate(
    objectOf(f, 'request.reason', () => ({ reason: optional(f.reason) })),
    { reason: raw.reason },
    m,
  );
  if (!reason.ok) problems.reason = describeRefusal(reason, m, subject).join(' ');
  else {
    const filed = terms({ ...good, reason: reason.value.reason ?? '' });
    if (!filed.ok && filed.path === 'reason') problems.reason = describeRefusal(filed, m, subject).join(' ');
  }
  return problems;
}
