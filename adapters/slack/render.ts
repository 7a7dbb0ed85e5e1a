import type { Block as NeutralBlock, Reply, Tone } from '../../commands/reply.ts';
import { replyText } from '../../commands/reply.ts';
import { escapeCode, escapeMrkdwn as esc, fit } from './mrkdwn.ts';

/** Slack's documented limits (Block Kit reference). */
export const LIMITS = { blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, buttonText: 75, buttonValue: 2000, contextText: 3000 };

const MARKS: Record<Tone, string> = { ok: ':white_check_mark:', warn: ':warning:', stop: ':no_entry:', info: ':information_source:', error: ':x:' };

export type SlackBlock = Record<string, unknown>;

/** A neutral Reply as Block Kit plus its plain-text fallback, within Slack's limits. */
export function renderBlocks(reply: Reply): { blocks: SlackBlock[]; text: string } {
  const blocks = reply.blocks.flatMap((b, i) => renderBlock(b, i === 0 ? reply.tone : undefined));
  const capped = blocks.length <= LIMITS.blocks ? blocks : [...blocks.slice(0, LIMITS.blocks - 1), context(`… ${blocks.length - LIMITS.blocks + 1} more`)];
  return { blocks: capped, text: fit(esc(replyText(reply)), LIMITS.sectionText) };
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
      return [section(esc(b.text))];
    case 'note':
      return [context(esc(b.text))];
    case 'list':
      return chunkLines(b.items.map((i) => `• ${esc(i)}`), LIMITS.sectionText).map(section);
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
      // Ephemeral replies cannot carry files; show the start and say where the rest is.
      const shown = fit(b.content, LIMITS.sectionText - 10);
      return [section(`\`\`\`${escapeCode(shown)}\`\`\``), context(esc(`${b.name} · ${b.content.split('\n').length - 1} rows`))];
    }
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Lines packed into sections of at most `max` characters. */
function chunkLines(lines: string[], max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of lines) {
    const next = cur ? `${cur}\n${line}` : line;
    if (next.length > max && cur) {
      out.push(cur);
      cur = line;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}
