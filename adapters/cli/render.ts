import type { Effect } from '../../commands/context.ts';
import { replyText, type Reply, type Tone } from '../../commands/reply.ts';

const MARKS: Record<Tone, string> = { ok: '✅', warn: '⚠️ ', stop: '⛔', info: 'ℹ️ ', error: '✖' };

/** A reply for a terminal: the tone's mark before the first line, then the plain text. A file is printed as it is. */
export function renderForTerminal(reply: Reply): string {
  const file = reply.blocks.find((b) => b.type === 'file');
  if (file) return file.content.trimEnd();
  const text = replyText(reply);
  return `${MARKS[reply.tone]} ${text}`;
}

/** The terminal cannot post to chat: say what a chat surface would have delivered. */
export function describeUndelivered(effects: Effect[]): string[] {
  return effects.map((e) =>
    e.kind === 'notify' ? `(not sent from the terminal: a message to ${e.person})`
    : e.kind === 'post' ? `(not sent from the terminal: a post to the ${e.channel} channel)`
    : `(not sent from the terminal: an update of the chat message about ${e.subject})`,
  );
}
