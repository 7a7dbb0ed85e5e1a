import type { Wording } from '../wording/wording.ts';
import type { CensusAnswer } from '../../src/core/records.ts';
import { DEVICE_CLASSES } from '../../src/core/policy.ts';
import { CENSUS_USE_SLOTS } from '../survey/census.ts';
import type { RequestForm } from '../requests/request.ts';

/**
 * A form as the command layer describes it, for every surface to render (Slack: a modal; Teams: an
 * Adaptive Card). Text is plain; `error` is a field's problem after a submission.
 */
export interface FormField {
  id: string;
  kind: 'text' | 'number' | 'yes-no' | 'select';
  label: string;
  optional: boolean;
  /** The value it starts with (a previous answer), as text. */
  value?: string;
  /** For yes-no: the two choices, `yes` then `no`; for select, every choice. */
  options?: { value: string; label: string }[];
  maxLength?: number;
  /** For text: several lines. */
  multiline?: boolean;
  min?: number;
  /** What to type or choose, shown under the field. */
  hint?: string;
  error?: string;
}

export interface FormView {
  title: string;
  intro: string;
  submit: string;
  fields: FormField[];
}

/** Purposes as someone types them into a form's text field: each by its label with the id to type (`広報（public-communications）`). */
export const purposesToType = (form: RequestForm, purposes: readonly string[], m: Wording): string[] =>
  purposes.map((p) => {
    const label = form.purposeLabels?.[p];
    return label && label !== p ? m.t('labels.withId', { label, id: p }) : p;
  });

/** The request form: only the purposes the rule allows, days defaulted and capped by the rule. */
export function requestFormView(form: RequestForm, m: Wording): FormView {
  const purposes = form.purposes.map((p) => ({ value: p, label: form.purposeLabels?.[p] ?? p }));
  return {
    title: m.t('form.requestTitle'),
    intro: m.t('form.intro', { app: form.appName, rules: form.rules }),
    submit: m.t('form.send'),
    fields: [
      {
        id: 'purpose',
        kind: 'select',
        label: m.t('form.purpose'),
        optional: false,
        options: purposes,
        ...(purposes.length === 1 ? { value: purposes[0]!.value } : {}),
      },
      {
        id: 'device',
        kind: 'select',
        label: m.t('form.device'),
        optional: false,
        options: DEVICE_CLASSES.map((d) => ({ value: d, label: m.device(d) })),
        value: form.device,
      },
      {
        id: 'days',
        kind: 'number',
        label: m.t('form.days'),
        optional: false,
        min: 1,
        value: String(form.defaultDays),
        hint: m.t('form.daysHint', { max: form.maxDays }),
      },
      {
        id: 'reason',
        kind: 'text',
        label: m.t('form.reason'),
        optional: false,
        multiline: true,
        maxLength: 1000,
        hint: m.t('form.reasonHint'),
      },
    ],
  };
}

/** The Deny form: its reason is required unless the rule says `deny_reason: optional`. */
export function denyFormView(intro: string, reasonRequired: boolean, m: Wording): FormView {
  return {
    title: m.t('form.denyTitle'),
    intro,
    submit: m.t('form.deny'),
    fields: [{ id: 'reason', kind: 'text', label: m.t('form.denyReason'), optional: !reasonRequired, multiline: true, maxLength: 1000 }],
  };
}

/** The census form for one unit; a previous answer fills it in, so a correction starts from it. */
export function censusFormView(
  intro: string,
  app: string,
  m: Wording,
  previous?: CensusAnswer,
  errors: Record<string, string> = {},
): FormView {
  const options = [
    { value: 'yes', label: m.t('census.yes') },
    { value: 'no', label: m.t('census.no') },
  ];
  const yesNo = (value: boolean | undefined) => (value === undefined ? {} : { value: value ? 'yes' : 'no' });
  const field = (f: FormField): FormField => (errors[f.id] ? { ...f, error: errors[f.id]! } : f);
  const slots = Array.from({ length: CENSUS_USE_SLOTS }, (_, i) => {
    const n = i + 1;
    const use = previous?.uses[i];
    return [
      field({
        id: `use${n}_purpose`,
        kind: 'text',
        label: m.t('census.usePurpose', { n }),
        optional: true,
        maxLength: 200,
        ...(use ? { value: use.purpose } : {}),
      }),
      field({
        id: `use${n}_personal`,
        kind: 'yes-no',
        label: m.t('census.personalData'),
        optional: true,
        options,
        ...yesNo(use?.personalData),
      }),
      field({
        id: `use${n}_people`,
        kind: 'number',
        label: m.t('census.people'),
        optional: true,
        min: 0,
        ...(use ? { value: String(use.people) } : {}),
      }),
      field({
        id: `use${n}_account`,
        kind: 'text',
        label: m.t('census.account'),
        optional: true,
        maxLength: 100,
        ...(use?.account ? { value: use.account } : {}),
      }),
    ];
  }).flat();
  return {
    title: m.t('census.formTitle'),
    intro,
    submit: m.t('census.send'),
    fields: [
      field({
        id: 'uses_app',
        kind: 'yes-no',
        label: m.t('census.usesApp', { app }),
        optional: false,
        options,
        ...yesNo(previous?.usesApp),
      }),
      ...slots,
    ],
  };
}
