import type { types } from '@slack/bolt';
import type { FormField, FormView } from '../../commands/handle.ts';
import type { Messages } from '../../src/core/i18n/index.ts';
import { modal, plain } from './modals.ts';

export const CENSUS_VIEW = 'census.submit';

/** A neutral form field as a Slack input block (its problem comes back in the ack, not here). */
function inputOf(f: FormField): types.InputBlock {
  const label = plain(f.label, 2000);
  if (f.kind === 'yes-no') {
    const options = (f.options ?? []).map((o) => ({ text: plain(o.label), value: o.value }));
    const chosen = options.find((o) => o.value === f.value);
    return { type: 'input', block_id: f.id, optional: f.optional, label, element: { type: 'radio_buttons', action_id: 'value', options, ...(chosen ? { initial_option: chosen } : {}) } };
  }
  if (f.kind === 'number') {
    return { type: 'input', block_id: f.id, optional: f.optional, label, element: { type: 'number_input', action_id: 'value', is_decimal_allowed: false, ...(f.min === undefined ? {} : { min_value: String(f.min) }), ...(f.value ? { initial_value: f.value } : {}) } };
  }
  return { type: 'input', block_id: f.id, optional: f.optional, label, element: { type: 'plain_text_input', action_id: 'value', ...(f.maxLength ? { max_length: f.maxLength } : {}), ...(f.value ? { initial_value: f.value } : {}) } };
}

/** The census form for one unit, as the command layer describes it, as a modal. */
export function censusModal(census: string, unit: string, view: FormView, m: Messages): types.ModalView {
  const heading = { type: 'section' as const, text: plain(view.intro, 3000) };
  return modal(CENSUS_VIEW, { census, unit }, view.title, view.submit, m, [heading, ...view.fields.map(inputOf)]);
}
