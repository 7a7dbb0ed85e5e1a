import type { Effect } from '../../commands/shared/context.ts';
import type { Wording } from '../../commands/wording/wording.ts';
import { replyText, type Reply, type Tone } from '../../commands/shared/reply.ts';

const MARKS: Record<Tone, string> = { ok: '✅', warn: '⚠️ ', stop: '⛔', info: 'ℹ️ ', error: '✖' };

/**
 * Control characters other than newline and tab, C1 controls (U+0080–U+009F, which include the one-byte
 * CSI) and bidi overrides: typed text holding them could move the cursor, recolour, retitle or rewrite
 * what a terminal shows (ANSI escapes start with ESC, U+001B). Without them an escape is inert text.
 */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Text made safe to print on a terminal: what was typed shows as characters, never as commands. */
export const inertForTerminal = (text: string) => text.replace(TERMINAL_CONTROLS, (c) => (c === '\u001B' ? '␛' : '\uFFFD'));

/** A reply for a terminal: the tone's mark before the first line, then the plain text. A file is printed as it is. */
export function renderForTerminal(reply: Reply): string {
  const file = reply.blocks.find((b) => b.type === 'file');
  if (file) return file.content.trimEnd();
  const text = replyText(reply);
  return `${MARKS[reply.tone]} ${text}`;
}

/**
 * The terminal does not post to chat, but nothing is dropped: every effect was committed to the outbox
 * with the change, and the server (or `appwarden remind`) delivers it. Said in the person's language.
 */
export function describeUndelivered(effects: Effect[], m: Wording): string[] {
  return effects.map((e) =>
    m.t('cli.queued', {
      what:
        e.kind === 'notify'
          ? m.t('cli.notify', { person: e.person })
          : e.kind === 'post'
            ? m.t('cli.post', { channel: e.channel })
            : m.t('cli.update', { subject: e.subject }),
    }),
  );
}
