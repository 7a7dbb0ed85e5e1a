/**
 * The key an app name is matched by: NFKC folds full/half width (ＴｉｋＴｏｋ, ﾃｨｯｸﾄｯｸ), case is ignored,
 * hiragana is read as katakana, and spaces, punctuation and symbols are dropped ("tik tok", "Tik-Tok").
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}
