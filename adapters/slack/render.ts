import type { Block as NeutralBlock, Reply, Tone } from '../../commands/shared/reply.ts';
import { moreLine, replyText, shrinkToFit } from '../../commands/shared/reply.ts';
import { escapeCode, escapeMrkdwn as esc, fit } from './mrkdwn.ts';

/**
 * Slack's documented limits (Block Kit reference), and two for a whole message: `messageText`, the
 * characters of all its blocks together (Slack answers `msg_blocks_too_long` past about 12,000 — its
 * engineers' figure, slackapi/bolt-js#2509 — so we stay well under), and `text`, the fallback.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  contextText: 3000,
  messageText: 11_000,
  text: 3000,
};

const MARKS: Record<Tone, string> = {
  ok: ':white_check_mark:',
  warn: ':warning:',
  stop: ':no_entry:',
  info: ':information_source:',
  error: ':x:',
};

export type SlackBlock = Record<string, unknown>;

/**
 * A neutral Reply as Block Kit plus its plain-text fallback, within Slack's limits. A list that does
 * not fit loses whole items from its end, counted in its "N more" line; nothing is cut inside an item.
 */
export function renderBlocks(reply: Reply): { blocks: SlackBlock[]; text: string } {
  const fitted = shrinkToFit(reply, (r) => fits(blocksOf(r)));
  return { blocks: lastResort(blocksOf(fitted)), text: fallback(fitted) };
}

const blocksOf = (r: Reply) => r.blocks.flatMap((b, i) => renderBlock(b, i === 0 ? r.tone : undefined));
const fits = (blocks: SlackBlock[]) => blocks.length <= LIMITS.blocks && textLength(blocks) <= LIMITS.messageText;

/** What no list can be shortened for (very long texts): whole blocks from the end give way to a last "…". */
function lastResort(blocks: SlackBlock[]): SlackBlock[] {
  if (fits(blocks)) return blocks;
  const kept = [...blocks];
  while (kept.length && !fits([...kept, context('…')])) kept.pop();
  return [...kept, context('…')];
}

/** Every character of text in the blocks, as Slack counts them for a message's size. */
function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (!value || typeof value !== 'object') return 0;
  return Object.entries(value).reduce((n, [k, v]) => n + (k === 'text' && typeof v === 'string' ? v.length : textLength(v)), 0);
}

/** The notification text: whole lines of the reply, as many as fit. */
function fallback(r: Reply): string {
  const lines = esc(replyText(r)).split('\n');
  let text = '';
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > LIMITS.text - 2) return text ? `${text}\n…` : fit(line, LIMITS.text);
    text = next;
  }
  return text;
}

// `verbatim`: Slack must not turn bare @here, #channel or URLs in our text into mentions or links.
const mrkdwn = (text: string, max: number) => ({ type: 'mrkdwn', text: fit(text, max), verbatim: true });
const section = (text: string): SlackBlock => ({ type: 'section', text: mrkdwn(text, LIMITS.sectionText) });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [mrkdwn(text, LIMITS.contextText)] });

function renderBlock(b: NeutralBlock, tone: Tone | undefined): SlackBlock[] {
  switch (b.type) {
    case 'heading':
      // Our asterisks outside, the escaped text inside: typed text can neither close nor reopen the bold.
      return [section(`${tone ? `${MARKS[tone]} ` : ''}*${esc(b.text)}*`)];
    case 'text':
      return chunkLines([esc(b.text)], LIMITS.sectionText).map(section);
    case 'note':
      return [context(esc(b.text))];
    case 'list':
      return [
        ...chunkLines(
          b.items.map((i) => `• ${esc(i)}`),
          LIMITS.sectionText,
        ).map(section),
        ...(b.more ? [context(esc(moreLine(b.more)))] : []),
      ];
    case 'fields':
      return chunk(b.fields, LIMITS.fields).map((fs) => ({
        type: 'section',
        fields: fs.map((f) => mrkdwn(`*${esc(f.label)}*\n${esc(f.value)}`, LIMITS.fieldText)),
      }));
    case 'actions':
      return [
        {
          type: 'actions',
          elements: b.buttons.map((btn) => ({
            type: 'button',
            action_id: btn.actionId,
            text: { type: 'plain_text', text: fit(btn.label, LIMITS.buttonText) },
            value: btn.value.slice(0, LIMITS.buttonValue),
            ...(btn.style ? { style: btn.style } : {}),
          })),
        },
      ];
    case 'file': {
      // Ephemeral replies cannot carry files; show the first whole rows and say where the rest is.
      const rows = b.content.trimEnd().split('\n');
      const shown = wholeLines(rows, LIMITS.sectionText - 10);
      return [
        section(`\`\`\`${escapeCode(shown.join('\n'))}\`\`\``),
        context(esc(`${b.name} · ${shown.length < rows.length ? `${shown.length - 1}/` : ''}${rows.length - 1} rows`)),
      ];
    }
  }
}

/** The first lines whose total, with their line breaks, stays within `max`. */
function wholeLines(lines: string[], max: number): string[] {
  const out: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max) break;
    out.push(line);
    length += line.length + 1;
  }
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Lines packed into sections of at most `max` characters; a line longer than that continues in the next, split between words. */
function chunkLines(lines: string[], max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of lines.flatMap((l) => splitLong(l, max))) {
    const next = cur ? `${cur}\n${line}` : line;
    if (next.length > max && cur) {
      out.push(cur);
      cur = line;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

/** A line longer than `max` as pieces that each fit: split at the last space, else between characters (never inside `&amp;` or a UTF-16 pair). */
function splitLong(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let at = rest.lastIndexOf(' ', max);
    if (at < max * 0.6) {
      at = max;
      const entity = /&[a-z#0-9]{0,5}$/i.exec(rest.slice(0, at));
      if (entity) at -= entity[0].length;
      if (/[\uD800-\uDBFF]/.test(rest[at - 1] ?? '')) at--;
    }
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  return [...pieces, rest];
}
