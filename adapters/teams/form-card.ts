import type { FormField, FormView, RequestForm } from '../../commands/entry/handle.ts';
import { purposesToType } from '../../commands/shared/form.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import { CARD_VERSION, escapeCardText, MAX_CARD_BYTES, utf16Bytes, type AdaptiveCard } from './card.ts';

/** The verb of the request form's Send: the invoke carries the app in `data` and the inputs beside it. */
export const REQUEST_FORM_VERB = 'request.submit';

export interface InputOptions {
  /** What Teams says under a required field left empty (or out of range): with it, required fields are marked `isRequired`. */
  required?: (f: FormField) => string;
  /** For a number: the largest value it takes. */
  max?: number;
}

const note = (text: string, extra: Record<string, unknown>) => ({ type: 'TextBlock', text: escapeCardText(text), wrap: true, ...extra });

/**
 * A neutral form field as card inputs: its hint under it, and its problem after a submission (the
 * command layer's words, which may quote what was typed: escaped). An input's value is plain text
 * to the card (no markdown, no functions), so what was typed goes back as it was.
 */
export function inputsOf(f: FormField, options: InputOptions = {}): Record<string, unknown>[] {
  const after = [
    ...(f.hint ? [note(f.hint, { isSubtle: true, size: 'Small', spacing: 'Small' })] : []),
    ...(f.error ? [note(f.error, { color: 'Attention', size: 'Small' })] : []),
  ];
  const required = !f.optional && options.required ? { isRequired: true } : {};
  const errorMessage = f.error ?? (required.isRequired ? options.required!(f) : undefined);
  const common = { id: f.id, label: f.label, ...required, ...(errorMessage ? { errorMessage } : {}) };
  if (f.kind === 'yes-no' || f.kind === 'select') {
    const choices = (f.options ?? []).map((o) => ({ title: o.label, value: o.value }));
    const chosen = choices.some((c) => c.value === f.value);
    return [
      {
        type: 'Input.ChoiceSet',
        ...common,
        style: f.kind === 'yes-no' ? 'expanded' : 'compact',
        ...(chosen ? { value: f.value } : {}),
        choices,
      },
      ...after,
    ];
  }
  if (f.kind === 'number') {
    const value = f.value === undefined || f.value.trim() === '' ? Number.NaN : Number(f.value);
    return [
      {
        type: 'Input.Number',
        ...common,
        ...(f.min === undefined ? {} : { min: f.min }),
        ...(options.max === undefined ? {} : { max: options.max }),
        ...(Number.isFinite(value) ? { value } : {}),
      },
      ...after,
    ];
  }
  return [
    {
      type: 'Input.Text',
      ...common,
      ...(f.multiline ? { isMultiline: true } : {}),
      ...(f.maxLength ? { maxLength: f.maxLength } : {}),
      ...(f.value === undefined ? {} : { value: f.value }),
    },
    ...after,
  ];
}

/** What Teams says under a required field of ours: choose one, fill it in, or a number within its range. */
export const requiredWords =
  (m: Wording, max?: number) =>
  (f: FormField): string => {
    if (f.kind === 'select' || f.kind === 'yes-no') return m.t('teams.formChoose', { field: f.label });
    if (f.kind === 'number' && max !== undefined) return m.t('teams.formNumberRange', { field: f.label, min: f.min ?? 0, max });
    return m.t('teams.formFillIn', { field: f.label });
  };

/**
 * The request form as a card, sent in place of the refusal `request <app>` alone used to get: the
 * purposes the rule allows, the device, the days capped by the rule, the reason; Send is
 * Action.Execute `request.submit`, answered with the form again (each problem on its field) or the
 * filed request. Within Teams' size limit: purposes too many for one card become a text field whose
 * hint names as many as fit, as Slack's form does past its 100 options.
 */
export function requestFormCard(request: RequestForm, view: FormView, m: Wording): AdaptiveCard {
  // A problem can be long (one quoting every purpose the policy knows): cut, the last resort, before the card is.
  let card = fittedRequestCard(request, view, m);
  for (const max of ERROR_CUTS) {
    if (utf16Bytes(card) <= MAX_CARD_BYTES) break;
    card = fittedRequestCard(request, { ...view, fields: view.fields.map((f) => (f.error ? { ...f, error: cut(f.error, max) } : f)) }, m);
  }
  return card;
}

/** How long a field's problem may stay when the form does not fit otherwise, in characters: tried in turn. */
const ERROR_CUTS = [1000, 300, 100];

/** The first `max` characters of a text, after a whole word where there is one, and "…". */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${space > head.length / 2 ? head.slice(0, space) : head}…`;
}

function fittedRequestCard(request: RequestForm, view: FormView, m: Wording): AdaptiveCard {
  const card = (purpose?: (f: FormField) => Record<string, unknown>[]): AdaptiveCard => ({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    fallbackText: `${view.title}${m.t('labels.separator')}${view.intro}`,
    body: [
      note(view.title, { weight: 'Bolder', size: 'Medium' }),
      note(view.intro, {}),
      ...view.fields.flatMap((f) => {
        if (f.id === 'purpose' && purpose) return purpose(f);
        const max = f.id === 'days' ? request.maxDays : undefined;
        return inputsOf(f, { required: requiredWords(m, max), ...(max === undefined ? {} : { max }) });
      }),
    ],
    actions: [{ type: 'Action.Execute', title: view.submit, verb: REQUEST_FORM_VERB, data: { app: request.app }, style: 'positive' }],
  });
  const full = card();
  if (utf16Bytes(full) <= MAX_CARD_BYTES) return full;
  // Too many purposes to list: typed instead, the command layer checking what is typed.
  const command = `policy ${request.rules[0] ?? ''}`.trim();
  const typed = (shown: number) =>
    card((f) =>
      inputsOf(
        {
          ...f,
          kind: 'text',
          maxLength: 1000,
          hint: m.t('lists.purposeHint', {
            shown: purposesToType(request, request.purposes.slice(0, shown), m),
            more: request.purposes.length - shown,
            command,
          }),
        },
        { required: requiredWords(m) },
      ),
    );
  // The most purposes whose hint still fits (fewer always fit better).
  let [fits, over] = [0, request.purposes.length + 1];
  while (over - fits > 1) {
    const mid = Math.floor((fits + over) / 2);
    if (utf16Bytes(typed(mid)) <= MAX_CARD_BYTES) fits = mid;
    else over = mid;
  }
  return typed(fits);
}
