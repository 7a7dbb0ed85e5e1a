import { tokenize } from '../../commands/tokenize.ts';

/** `request <app>` with nothing else: the app's words, for opening the form; undefined for any other text. */
export function bareRequestApp(text: string): string | undefined {
  const words = tokenize(text);
  if (!words.ok) return undefined;
  const [first, ...rest] = words.value;
  if (first?.toLowerCase() !== 'request' || !rest.length || rest.some((w) => w.startsWith('--'))) return undefined;
  return rest.join(' ');
}
