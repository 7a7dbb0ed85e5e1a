// How each language punctuates, as patterns the wording tests look for in replies.

/** A Japanese character, or the full-width brackets that close a Japanese phrase. */
const JAPANESE = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー）」』]';
/** An ASCII colon written after Japanese text: 「理由: 」, the form the ministry reader asked to be rid of. */
export const ASCII_COLON_AFTER_JAPANESE = new RegExp(`${JAPANESE} ?:`, 'u');
/** A French high mark (: ; ! ?) after a letter or a plain space rather than a no-break space; `https:` aside. */
export const FRENCH_MARK_WITHOUT_NBSP = /(?<![\u202f\u00a0])(?<=[\p{L}\d)»”]| )[:;!?](?=\s|$)/u;
