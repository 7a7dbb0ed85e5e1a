import type { FormView } from '../../commands/entry/handle.ts';
import { CARD_VERSION, escapeCardText, type AdaptiveCard } from './card.ts';
import { inputsOf } from './form-card.ts';

/** The census form as a card: answered in place with Action.Execute `census.answer`; errors shown on it. */
export function censusCard(census: string, unit: string, view: FormView): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: escapeCardText(view.intro), wrap: true, weight: 'Bolder' },
      ...view.fields.flatMap((f) => inputsOf(f)),
    ],
    actions: [{ type: 'Action.Execute', title: view.submit, verb: 'census.answer', data: { value: JSON.stringify({ census, unit }) } }],
  };
}
