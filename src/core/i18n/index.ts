import type { Locale } from '../policy.ts';
import { en, type Messages } from './en.ts';
import { ja } from './ja.ts';

const catalogs: Record<Locale, Messages> = { en, ja };

export function messages(locale: Locale): Messages {
  return catalogs[locale];
}
export type { Messages };
