import { CENSUS_USE_SLOTS } from '../../commands/handle.ts';
import type { Messages } from '../../src/core/i18n/index.ts';
import type { CensusAnswer } from '../../src/core/records.ts';
import { CARD_VERSION, escapeCardText, type AdaptiveCard } from './card.ts';


/** The census form as a card: answered in place with Action.Execute `census.answer`; errors shown on it. */
export function censusCard(census: string, unit: string, intro: string, app: string, m: Messages, previous?: CensusAnswer, errors: Record<string, string> = {}): AdaptiveCard {
  const yesNo = (id: string, label: string, value: boolean | undefined) => ({
    type: 'Input.ChoiceSet', id, label, style: 'expanded', ...(value === undefined ? {} : { value: value ? 'yes' : 'no' }),
    choices: [{ title: m.census.yes, value: 'yes' }, { title: m.census.no, value: 'no' }], ...(errors[id] ? { errorMessage: errors[id] } : {}),
  });
  const error = (id: string) => (errors[id] ? [{ type: 'TextBlock', text: escapeCardText(errors[id]!), color: 'Attention', wrap: true, size: 'Small' }] : []);
  const slots = Array.from({ length: CENSUS_USE_SLOTS }, (_, i) => {
    const n = i + 1;
    const use = previous?.uses[i];
    return [
      { type: 'Input.Text', id: `use${n}_purpose`, label: m.census.usePurpose(n), maxLength: 200, ...(use ? { value: use.purpose } : {}) }, ...error(`use${n}_purpose`),
      yesNo(`use${n}_personal`, m.census.personalData, use?.personalData), ...error(`use${n}_personal`),
      { type: 'Input.Number', id: `use${n}_people`, label: m.census.people, min: 0, ...(use ? { value: use.people } : {}) }, ...error(`use${n}_people`),
      { type: 'Input.Text', id: `use${n}_account`, label: m.census.account, maxLength: 100, ...(use?.account ? { value: use.account } : {}) },
    ];
  }).flat();
  return {
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body: [{ type: 'TextBlock', text: escapeCardText(intro), wrap: true, weight: 'Bolder' }, yesNo('uses_app', m.census.usesApp(app), previous?.usesApp), ...error('uses_app'), ...slots],
    actions: [{ type: 'Action.Execute', title: m.census.send, verb: 'census.answer', data: { value: JSON.stringify({ census, unit }) } }],
  };
}

