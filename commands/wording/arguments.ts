import IntlMessageFormat from 'intl-messageformat';

/** How a message uses a parameter, which decides its type: a count, a day, a yes/no, or text. */
export type ArgumentKind = 'number' | 'date' | 'boolean' | 'text';

/** The parser's element kinds (`@formatjs/icu-messageformat-parser` TYPE), by the number it gives them. */
const LITERAL = 0;
const ARGUMENT = 1;
const NUMBER = 2;
const DATE = 3;
const TIME = 4;
const SELECT = 5;
const PLURAL = 6;
const TAG = 8;

interface Element {
  type: number;
  value?: string;
  options?: Record<string, { value: readonly Element[] }>;
  children?: readonly Element[];
}

/** Parses `message` as `t` does (tags are text). Throws on a message that is not ICU MessageFormat. */
export const parseMessage = (message: string, locale = 'en'): readonly Element[] =>
  // The parser's own elements, read through the part of their shape above (checked, not cast).
  new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst();

/** Every named parameter of `message`, with how it is used; a parameter used as a number anywhere is a number. */
export function argumentsOf(message: string, locale = 'en'): Map<string, ArgumentKind> {
  const found = new Map<string, ArgumentKind>();
  const note = (name: string, kind: ArgumentKind) => {
    const was = found.get(name);
    if (!was || was === 'text') found.set(name, kind);
  };
  const walk = (elements: readonly Element[]) => {
    for (const el of elements) {
      if (el.type === LITERAL || !el.value) continue;
      if (el.type === ARGUMENT) note(el.value, 'text');
      else if (el.type === NUMBER || el.type === PLURAL) note(el.value, 'number');
      else if (el.type === DATE || el.type === TIME) note(el.value, 'date');
      else if (el.type === SELECT) {
        const options = Object.keys(el.options ?? {});
        note(el.value, options.every((o) => o === 'true' || o === 'false' || o === 'other') ? 'boolean' : 'text');
      }
      for (const option of Object.values(el.options ?? {})) walk(option.value);
      if (el.type === TAG && el.children) walk(el.children);
    }
  };
  walk(parseMessage(message, locale));
  return found;
}
