import type { types } from '@slack/bolt';
import { CENSUS_USE_SLOTS } from '../../commands/handle.ts';
import type { Messages } from '../../src/core/i18n/index.ts';
import type { CensusAnswer } from '../../src/core/records.ts';
import { modal, plain } from './modals.ts';

export const CENSUS_VIEW = 'census.submit';

const yesNo = (m: Messages, block: string, label: string, initial: boolean | undefined, optional: boolean): types.InputBlock => {
  const options = [{ text: plain(m.census.yes), value: 'yes' }, { text: plain(m.census.no), value: 'no' }];
  const chosen = initial === undefined ? undefined : options[initial ? 0 : 1];
  return { type: 'input', block_id: block, optional, label: plain(label, 2000), element: { type: 'radio_buttons', action_id: 'value', options, ...(chosen ? { initial_option: chosen } : {}) } };
};
const text = (block: string, label: string, initial: string | undefined, max: number): types.InputBlock => ({
  type: 'input', block_id: block, optional: true, label: plain(label, 2000),
  element: { type: 'plain_text_input', action_id: 'value', max_length: max, ...(initial ? { initial_value: initial } : {}) },
});

/** The census form for one unit; a previous answer fills it in, so a correction starts from it. */
export function censusModal(census: string, unit: string, intro: string, app: string, m: Messages, previous?: CensusAnswer): types.ModalView {
  const slots = Array.from({ length: CENSUS_USE_SLOTS }, (_, i) => {
    const n = i + 1;
    const use = previous?.uses[i];
    return [
      text(`use${n}_purpose`, m.census.usePurpose(n), use?.purpose, 200),
      yesNo(m, `use${n}_personal`, m.census.personalData, use?.personalData, true),
      {
        type: 'input', block_id: `use${n}_people`, optional: true, label: plain(m.census.people, 2000),
        element: { type: 'number_input', action_id: 'value', is_decimal_allowed: false, min_value: '0', ...(use ? { initial_value: String(use.people) } : {}) },
      } as types.InputBlock,
      text(`use${n}_account`, m.census.account, use?.account, 100),
    ];
  }).flat();
  const heading = { type: 'section' as const, text: plain(intro, 3000) };
  return modal(CENSUS_VIEW, { census, unit }, m.census.formTitle, m.census.send, m, [heading, yesNo(m, 'uses_app', m.census.usesApp(app), previous?.usesApp, false), ...slots]);
}


