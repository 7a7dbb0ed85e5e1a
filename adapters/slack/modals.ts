import { createHash } from 'node:crypto';
import type { FormField, FormView, RequestForm } from '../../commands/entry/handle.ts';
import { purposesToType } from '../../commands/shared/form.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import { vocabulary, type Policy } from '../../src/core/policy.ts';
import type { types } from '@slack/bolt';
import { fit } from './mrkdwn.ts';

export const REQUEST_VIEW = 'request.submit';
export const DENY_VIEW = 'request.deny.submit';
/** The first step of a request begun with no app known (the global shortcut): which app. */
export const REQUEST_APP_VIEW = 'request.app';

export const plain = (text: string, max = 75): types.PlainTextElement => ({ type: 'plain_text', text: fit(text, max) });

/** A modal's envelope: Slack's limits on title, submit and close (24) applied once, here. */
export function modal(
  callbackId: string,
  metadata: Record<string, string>,
  title: string,
  submit: string,
  m: Wording,
  blocks: types.KnownBlock[],
): types.ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(title, 24),
    submit: plain(submit, 24),
    close: plain(m.t('form.cancel'), 24),
    blocks,
  };
}
const option = (value: string, text: string): types.PlainTextOption => ({ text: plain(text), value });

/** Slack's limits for a static_select: 100 options, option text 75 characters, value 150. */
export const SELECT = { options: 100, text: 75, value: 150, hint: 2000 };

/**
 * A purpose as an option's value: the id itself when it fits Slack's 150 characters, else `#` and a
 * hash of it (no purpose id starts with `#`), mapped back on submit by `submittedPurpose`.
 */
export const purposeValue = (purpose: string) =>
  purpose.length <= SELECT.value ? purpose : `#${createHash('sha256').update(purpose).digest('base64url').slice(0, 32)}`;

/** The purpose a request form sent: the option's purpose (a hashed value mapped back), or what was typed. */
export function submittedPurpose(values: StateValues, policy: Policy): string | undefined {
  const value = submitted(values, 'purpose');
  if (!value?.startsWith('#')) return value;
  return vocabulary(policy).purposes.find((p) => purposeValue(p) === value) ?? value;
}

/**
 * The purpose field: a dropdown of the purposes the rule allows, or, past Slack's 100 options, a text
 * field whose hint names as many of them as it holds (the command layer checks what is typed).
 */
function purposeInput(form: RequestForm, m: Wording): types.InputBlock {
  if (form.purposes.length <= SELECT.options) {
    const options = form.purposes.map((p) => option(purposeValue(p), form.purposeLabels?.[p] ?? p));
    return {
      type: 'input',
      block_id: 'purpose',
      label: plain(m.t('form.purpose')),
      element: { type: 'static_select', action_id: 'value', options, ...(options.length === 1 ? { initial_option: options[0] } : {}) },
    };
  }
  const command = `policy ${form.rules[0] ?? ''}`.trim();
  let shown = form.purposes.length;
  while (
    shown > 0 &&
    Array.from(
      m.t('lists.purposeHint', {
        shown: purposesToType(form, form.purposes.slice(0, shown), m),
        more: form.purposes.length - shown,
        command,
      }),
    ).length > SELECT.hint
  )
    shown--;
  return {
    type: 'input',
    block_id: 'purpose',
    label: plain(m.t('form.purpose')),
    hint: plain(
      m.t('lists.purposeHint', {
        shown: purposesToType(form, form.purposes.slice(0, shown), m),
        more: form.purposes.length - shown,
        command,
      }),
      SELECT.hint,
    ),
    element: { type: 'plain_text_input', action_id: 'value', max_length: 3000 },
  };
}

/** The request form, as the command layer describes it; purposes past Slack's 100 options become a text field with a hint. */
export function requestModal(form: RequestForm, view: FormView, m: Wording): types.ModalView {
  const blocks = view.fields.map((f) => (f.id === 'purpose' ? purposeInput(form, m) : inputOf(f)));
  return modal(REQUEST_VIEW, { app: form.app }, view.title, view.submit, m, [
    { type: 'section', text: plain(view.intro, 3000) },
    ...blocks,
  ]);
}

/**
 * Which app a request is for, asked first when nothing names one yet (the "Request an exception"
 * shortcut): its submission is answered with the request form for that app, whose purposes and days
 * depend on the app's rules.
 */
export function requestAppModal(m: Wording): types.ModalView {
  return modal(REQUEST_APP_VIEW, {}, m.t('form.requestTitle'), m.t('form.next'), m, [
    { type: 'section', text: plain(m.t('form.appIntro'), 3000) },
    {
      type: 'input',
      block_id: 'app',
      label: plain(m.t('form.app'), 2000),
      hint: plain(m.t('form.appHint'), 150),
      element: { type: 'plain_text_input', action_id: 'value', max_length: APP_NAME_MAX },
    },
  ]);
}

/** The longest app name the form takes (the catalog's names are far shorter). */
export const APP_NAME_MAX = 200;

/** A neutral form field as a Slack input block (its problem comes back in the ack, not here). */
export function inputOf(f: FormField): types.InputBlock {
  const block = { type: 'input' as const, block_id: f.id, optional: f.optional, label: plain(f.label, 2000) };
  if (f.kind === 'yes-no') {
    const options = (f.options ?? []).map((o) => ({ text: plain(o.label), value: o.value }));
    const chosen = options.find((o) => o.value === f.value);
    return {
      ...block,
      element: { type: 'radio_buttons', action_id: 'value', options, ...(chosen ? { initial_option: chosen } : {}) },
    };
  }
  const hinted = { ...block, ...(f.hint ? { hint: plain(f.hint, 150) } : {}) };
  if (f.kind === 'select') {
    const options = (f.options ?? []).map((o) => option(o.value, o.label));
    const chosen = options.find((o) => o.value === f.value);
    return {
      ...hinted,
      element: { type: 'static_select', action_id: 'value', options, ...(chosen ? { initial_option: chosen } : {}) },
    };
  }
  if (f.kind === 'number') {
    return {
      ...hinted,
      element: {
        type: 'number_input',
        action_id: 'value',
        is_decimal_allowed: false,
        ...(f.min === undefined ? {} : { min_value: String(f.min) }),
        ...(f.value ? { initial_value: f.value } : {}),
      },
    };
  }
  return {
    ...hinted,
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      ...(f.multiline ? { multiline: true } : {}),
      ...(f.maxLength ? { max_length: f.maxLength } : {}),
      ...(f.value ? { initial_value: f.value } : {}),
    },
  };
}

/** The Deny form, as the command layer describes it; `channel`: where the approvals message is. */
export function denyModal(id: string, view: FormView, channel: string, m: Wording): types.ModalView {
  return modal(DENY_VIEW, { id, channel }, view.title, view.submit, m, [
    { type: 'section', text: plain(view.intro, 3000) },
    ...view.fields.map(inputOf),
  ]);
}

export type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** The submitted value of an input block, whatever its element. */
export function submitted(values: StateValues, block: string): string | undefined {
  const v = values[block]?.value;
  return v?.selected_option?.value ?? v?.value ?? undefined;
}

/** Every input block's submitted value, by block id: a form's fields as the command layer reads them. */
export const submittedValues = (values: StateValues): Record<string, string | undefined> =>
  Object.fromEntries(Object.keys(values).map((block) => [block, submitted(values, block)]));
