import { moreLine, type Block, type Button, type Reply } from '../../commands/shared/reply.ts';
import { html, type Html } from './html.ts';

/** What a rendered button needs: the form's CSRF token, and the words of a deny form's reason field. */
export interface ButtonForms {
  csrf: string;
  reasonLabel: string;
}

/**
 * A neutral Reply as HTML, block by block, as the Slack and Teams renderers do for their platforms:
 * the numbers and sentences are the command layer's; this only marks them up. A button becomes a
 * small form posted to /admin/actions, so it works without JavaScript.
 */
export function renderReply(reply: Reply, forms?: ButtonForms): Html {
  return html`<section class="reply tone-${reply.tone}">${reply.blocks.map((b) => renderBlock(b, forms))}</section>`;
}

function renderBlock(block: Block, forms?: ButtonForms): Html {
  switch (block.type) {
    case 'heading':
      return html`<h2>${block.text}</h2>`;
    case 'text':
      return html`<p>${block.text}</p>`;
    case 'note':
      return html`<p class="note">${block.text}</p>`;
    case 'list':
      return html`<ul>${block.items.map((i) => html`<li>${i}</li>`)}${block.more ? html`<li class="note">${moreLine(block.more)}</li>` : ''}</ul>`;
    case 'fields':
      return html`<dl>${block.fields.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>`;
    case 'actions':
      return forms ? html`<div class="actions">${block.buttons.map((b) => buttonForm(b, forms))}</div>` : html``;
    case 'file':
      return html`<p class="note">${block.name}</p>`;
  }
}

function buttonForm(button: Button, forms: ButtonForms): Html {
  const deny = button.actionId === 'request.deny';
  return html`<form method="post" action="/admin/actions" class="action">
<input type="hidden" name="csrf" value="${forms.csrf}">
<input type="hidden" name="action" value="${button.actionId}">
<input type="hidden" name="value" value="${button.value}">
${deny ? html`<label>${forms.reasonLabel} <input name="reason" maxlength="500"></label>` : ''}
<button type="submit" class="${button.style ?? ''}">${button.label}</button>
</form>`;
}
