import type { Command } from '../shared/command.ts';
import { reply, type Block } from '../shared/reply.ts';

/** Usage in the person's language; at the terminal, also the operators' commands only it has. */
export const help: Command = {
  name: 'help',
  flags: {},
  run(_args, ctx) {
    const h = ctx.m.help;
    const blocks: Block[] = [
      { type: 'heading', text: h.title },
      { type: 'list', items: h.lines },
    ];
    if (ctx.surface === 'cli') blocks.push({ type: 'heading', text: h.operatorTitle }, { type: 'list', items: h.operatorLines });
    return { ok: true, effects: [], reply: reply('info', blocks) };
  },
};
