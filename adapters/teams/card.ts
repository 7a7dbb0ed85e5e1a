import type { Block, Button, Reply, Tone } from '../../commands/shared/reply.ts';
import { moreLine, replyText, shrinkToFit } from '../../commands/shared/reply.ts';

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string; body: unknown[] };

/** Teams renders Adaptive Cards up to 1.5. */
export const CARD_VERSION = '1.5';

/**
 * Teams refuses a message over about 28 KB (`MessageSizeTooBig`), measured in UTF-16: two bytes a
 * character of the activity's JSON, card included. A card stays within 24 KB, leaving the rest for
 * the activity around it (addresses, ids, the attachment's envelope).
 */
export const MAX_CARD_BYTES = 24 * 1024;
export const utf16Bytes = (value: unknown) => JSON.stringify(value).length * 2;
/** Teams refreshes a card automatically for at most this many users (`refresh.userIds`). */
export const MAX_REFRESH_USERS = 60;
/** The plain-text fallback: whole lines, at most this many characters. */
const FALLBACK_CHARS = 2000;

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

/** How much of a file a card shows, in characters. */
const FILE_CHARS = 6_000;

const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'TextBlock',
  text: escapeCardText(text),
  wrap: true,
  ...extra,
});

export interface CardOptions {
  /** Renders a `request.deny` button as a form asking for the reason (Action.ShowCard). */
  denyReasonLabel?: string;
  /** Universal Actions refresh: these Teams users (MRIs, at most 60) get a live card on open. */
  refresh?: { verb: string; data: Record<string, unknown>; userIds: readonly string[] };
  /** Each row of buttons beside what it is about (an ActionSet in place), even when there is only one. */
  inlineActions?: boolean;
  /** Data every Action.Execute on the card also sends (what the card is, so its answer can redraw it). */
  actionData?: Record<string, unknown>;
  /** People to @-mention at the card's foot (Teams notifies them): their Entra object id and name, after `label`. */
  mentions?: { label: string; people: readonly { id: string; name: string }[] };
}

/**
 * A neutral Reply as an Adaptive Card, with its plain text as the fallback, within Teams' size limit:
 * a list that does not fit loses whole items from its end, counted in its "N more" line.
 */
export function renderCard(reply: Reply, options: CardOptions = {}): AdaptiveCard {
  // Teams takes at most 60: who is left out is the caller's to choose and to say, never dropped silently here.
  if ((options.refresh?.userIds.length ?? 0) > MAX_REFRESH_USERS)
    throw new RangeError(`a card refreshes for at most ${MAX_REFRESH_USERS} users, not ${options.refresh?.userIds.length}`);
  const fitted = shrinkToFit(reply, (r) => utf16Bytes(build(r, options)) <= MAX_CARD_BYTES);
  const card = build(fitted, options);
  // What no list can be shortened for (a very long text): body elements from the end give way to a "…".
  while (utf16Bytes(card) > MAX_CARD_BYTES && card.body.length > 1) card.body.splice(-2, 2, textBlock('…'));
  return card;
}

function build(reply: Reply, options: CardOptions): AdaptiveCard {
  // One row of buttons is the card's own actions; several (one per item of a list) stay where they are.
  const inline = options.inlineActions || reply.blocks.filter((b) => b.type === 'actions').length > 1;
  const body = reply.blocks.flatMap((b, i) =>
    inline && b.type === 'actions'
      ? [{ type: 'ActionSet', actions: b.buttons.map((button) => renderButton(button, options)) }]
      : renderBlock(b, i === 0 ? reply.tone : undefined),
  );
  const buttons = inline ? [] : reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    fallbackText: wholeLines(replyText(reply), FALLBACK_CHARS),
    body,
    ...(buttons.length ? { actions: buttons.map((b) => renderButton(b, options)) } : {}),
    ...mentionsOf(options, body),
    ...(options.refresh
      ? {
          refresh: {
            action: { type: 'Action.Execute', verb: options.refresh.verb, data: options.refresh.data },
            userIds: [...options.refresh.userIds],
          },
        }
      : {}),
  };
}

/**
 * Mentions as Teams takes them in a card: `<at>Name</at>` in a TextBlock, and an entity per mention
 * naming the user by Entra object id. The name is escaped once, and the entity's text is the same.
 */
function mentionsOf(options: CardOptions, body: unknown[]): { msteams?: { entities: unknown[] } } {
  const people = options.mentions?.people ?? [];
  if (!people.length) return {};
  const tags = people.map((p) => ({ ...p, tag: `<at>${escapeCardText(p.name).replace(/[<>]/g, '')}</at>` }));
  body.push({
    type: 'TextBlock',
    text: `${escapeCardText(options.mentions!.label)} ${tags.map((t) => t.tag).join(' ')}`,
    wrap: true,
    isSubtle: true,
  });
  return { msteams: { entities: tags.map((t) => ({ type: 'mention', text: t.tag, mentioned: { id: t.id, name: t.name } })) } };
}

/** The first whole lines of a text within `max` characters (a first line longer than that, cut after a word). */
function wholeLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max - 2);
  if (cut > 0) return `${text.slice(0, cut)}\n…`;
  const space = text.lastIndexOf(' ', max - 1);
  const at = space > max / 2 ? space : /[\uD800-\uDBFF]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, at)}…`;
}

function renderBlock(b: Block, tone: Tone | undefined): unknown[] {
  switch (b.type) {
    case 'heading':
      return [
        textBlock(`${tone ? `${MARKS[tone]} ` : ''}${b.text}`, {
          weight: 'Bolder',
          size: 'Medium',
          ...(tone ? { color: COLOURS[tone] } : {}),
        }),
      ];
    case 'text':
      return [textBlock(b.text)];
    case 'note':
      return [textBlock(b.text, { isSubtle: true, size: 'Small' })];
    case 'list':
      return [
        ...b.items.map((item) => textBlock(`• ${item}`, { spacing: 'Small' })),
        ...(b.more ? [textBlock(moreLine(b.more), { isSubtle: true, size: 'Small' })] : []),
      ];
    case 'fields':
      return [{ type: 'FactSet', facts: b.fields.map((f) => ({ title: f.label, value: escapeCardText(f.value) })) }];
    case 'actions':
      return [];
    case 'file': {
      // A bot cannot hand a file over in Teams without a consent card: the header and the first whole rows are shown.
      const rows = b.content.trimEnd().split('\n');
      const shown = wholeLines(b.content.trimEnd(), FILE_CHARS);
      const shownRows = shown.split('\n').filter((l) => l !== '…').length - 1;
      return [
        textBlock(shown, { fontType: 'Monospace', size: 'Small' }),
        ...(shownRows < rows.length - 1
          ? [textBlock(`${b.name} · ${shownRows}/${rows.length - 1}`, { isSubtle: true, size: 'Small' })]
          : []),
      ];
    }
  }
}

function renderButton(b: Button, options: CardOptions): Record<string, unknown> {
  const execute = (data: Record<string, unknown>) => ({
    type: 'Action.Execute',
    title: b.label,
    verb: b.actionId,
    data: { ...options.actionData, ...data },
    ...(b.style === 'primary' ? { style: 'positive' } : b.style === 'danger' ? { style: 'destructive' } : {}),
  });
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
