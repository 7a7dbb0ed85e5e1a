import type { FormField, FormView } from '../../commands/entry/handle.ts';
import { CARD_VERSION, escapeCardText, type AdaptiveCard } from './card.ts';

/** A neutral form field as card inputs, its problem (if any) shown under it. */
function inputsOf(f: FormField): Record<string, unknown>[] {
  const error = f.error ? [{ type: 'TextBlock', text: escapeCardText(f.error), color: 'Attention', wrap: true, size: 'Small' }] : [];
  if (f.kind === 'yes-no') {
    const choices = (f.options ?? []).map((o) => ({ title: o.label, value: o.value }));
    return [
      {
        type: 'Input.ChoiceSet',
        id: f.id,
        label: f.label,
        style: 'expanded',
        ...(f.value === undefined ? {} : { value: f.value }),
        choices,
        ...(f.error ? { errorMessage: f.error } : {}),
      },
      ...error,
    ];
  }
  if (f.kind === 'number')
    return [
      {
        type: 'Input.Number',
        id: f.id,
        label: f.label,
        ...(f.min === undefined ? {} : { min: f.min }),
        ...(f.value === undefined ? {} : { value: Number(f.value) }),
      },
      ...error,
    ];
  return [
    {
      type: 'Input.Text',
      id: f.id,
      label: f.label,
      ...(f.maxLength ? { maxLength: f.maxLength } : {}),
      ...(f.value === undefined ? {} : { value: f.value }),
    },
    ...error,
  ];
}

/** The census form as a card: answered in place with Action.Execute `census.answer`; errors shown on it. */
export function censusCard(census: string, unit: string, view: FormView): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body: [{ type: 'TextBlock', text: escapeCardText(view.intro), wrap: true, weight: 'Bolder' }, ...view.fields.flatMap(inputsOf)],
    actions: [{ type: 'Action.Execute', title: view.submit, verb: 'census.answer', data: { value: JSON.stringify({ census, unit }) } }],
  };
}
