/**
 * The key an app name is matched by: NFKC folds full/half width (ＴｉｋＴｏｋ, ﾃｨｯｸﾄｯｸ), case is ignored,
 * hiragana is read as katakana, and spaces, punctuation and symbols are dropped ("tik tok", "Tik-Tok").
 */
export function nameKey(name: string): string {
  let key = keys.get(name);
  if (key === undefined) {
    key = computeKey(name);
    if (keys.size >= 100_000) keys.clear();
    keys.set(name, key);
  }
  return key;
}

/** Names people type repeat (every decision normalises one): remembered, within a bound. */
const keys = new Map<string, string>();

function computeKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}
