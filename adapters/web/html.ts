/**
 * HTML built only through `html`: every interpolated value is escaped unless it is itself a fragment
 * made by `html` (or a list of them). Text a person typed can never become markup.
 */
export interface Html {
  readonly __html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && '__html' in v;

function fragment(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (isHtml(value)) return value.__html;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return { __html: strings.reduce((out, s, i) => out + s + (i < values.length ? fragment(values[i]) : ''), '') };
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the element. */
export const jsonBlock = (id: string, data: unknown): Html => ({
  __html: `<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`,
});
