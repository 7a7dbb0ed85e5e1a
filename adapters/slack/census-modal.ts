import type { types } from '@slack/bolt';
import type { FormView } from '../../commands/entry/handle.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import { inputOf, modal, plain } from './modals.ts';

export const CENSUS_VIEW = 'census.submit';

/** The census form for one unit, as the command layer describes it, as a modal. */
export function censusModal(census: string, unit: string, view: FormView, m: Wording): types.ModalView {
  const heading = { type: 'section' as const, text: plain(view.intro, 3000) };
  return modal(CENSUS_VIEW, { census, unit }, view.title, view.submit, m, [heading, ...view.fields.map(inputOf)]);
}
