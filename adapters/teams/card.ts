import type { Block, Button, Reply, Tone } from '../../commands/reply.ts';
import { replyText } from '../../commands/reply.ts';

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string; body: unknown[] };

/** Teams renders Adaptive Cards up to 1.5. */
export const CARD_VERSION = '1.5';

const COLOURS: Record<Tone, string> = { ok: 'Good', warn: 'Warning', stop: 'Attention', info: 'Default', error: 'Attention' };
const MARKS: Record<Tone, string> = { ok: '✅', warn: '⚠️', stop: '⛔', info: 'ℹ️', error: '✖' };

/**
 * Text people typed, made inert for the markdown a TextBlock renders: no links, emphasis or lists
 * that the author did not intend, and no `{{DATE(…)}}` / `{{TIME(…)}}` functions, which the Teams
 * client evaluates in card text (a zero-width joiner between the braces keeps them as typed).
 */
export function escapeCardText(text: string): string {
  return text
    .replace(/([\\`*_[\]()<>#~|])/g, '\\$1')
    .replace(/^(\s*)([-+]|\d+\.)\s/gm, '$1\\$2 ')
    .replace(/\{(?=\{)/g, '{\u2060');
}

const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: escapeCardText(text), wrap: true, ...extra });

export interface CardOptions {
  /** Renders a `request.deny` button as a form asking for the reason (Action.ShowCard). */
  denyReasonLabel?: string;
  /** Universal Actions refresh: these Teams users get a live card on open. */
  refresh?: { verb: string; data: Record<string, unknown>; userIds: string[] };
}

/** A neutral Reply as an Adaptive Card, with its plain text as the fallback. */
export function renderCard(reply: Reply, options: CardOptions = {}): AdaptiveCard {
  const body = reply.blocks.flatMap((b, i) => renderBlock(b, i === 0 ? reply.tone : undefined));
  const buttons = reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    fallbackText: replyText(reply).slice(0, 2000),
    body,
    ...(buttons.length ? { actions: buttons.map((b) => renderButton(b, options)) } : {}),
    ...(options.refresh ? { refresh: { action: { type: 'Action.Execute', verb: options.refresh.verb, data: options.refresh.data }, userIds: options.refresh.userIds.slice(0, 60) } } : {}),
  };
}

function renderBlock(b: Block, tone: Tone | undefined): unknown[] {
  switch (b.type) {
    case 'heading':
      return [textBlock(`${tone ? `${MARKS[tone]} ` : ''}${b.text}`, { weight: 'Bolder', size: 'Medium', ...(tone ? { color: COLOURS[tone] } : {}) })];
    case 'text':
      return [textBlock(b.text)];
    case 'note':
      return [textBlock(b.text, { isSubtle: true, size: 'Small' })];
    case 'list':
      return b.items.map((item) => textBlock(`• ${item}`, { spacing: 'Small' }));
    case 'fields':
      return [{ type: 'FactSet', facts: b.fields.map((f) => ({ title: f.label, value: escapeCardText(f.value) })) }];
    case 'actions':
      return [];
    case 'file':
      return [textBlock(b.content.slice(0, 20_000), { fontType: 'Monospace', size: 'Small' })];
  }
}

function renderButton(b: Button, options: CardOptions): Record<string, unknown> {
  const execute = (data: Record<string, unknown>) => ({ type: 'Action.Execute', title: b.label, verb: b.actionId, data, ...(b.style === 'primary' ? { style: 'positive' } : b.style === 'danger' ? { style: 'destructive' } : {}) });
  if (b.actionId === 'request.deny' && options.denyReasonLabel) {
    return {
      type: 'Action.ShowCard',
      title: b.label,
      card: {
        type: 'AdaptiveCard',
        version: CARD_VERSION,
        body: [{ type: 'Input.Text', id: 'reason', label: options.denyReasonLabel, isMultiline: true, maxLength: 1000 }],
        actions: [execute({ value: b.value })],
      },
    };
  }
  return execute({ value: b.value });
}
