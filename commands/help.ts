import type { Command } from './command.ts';
import { reply } from './reply.ts';

export const help: Command = {
  name: 'help',
  flags: {},
  run(_args, ctx) {
    return { ok: true, effects: [], reply: reply('info', [{ type: 'heading', text: ctx.m.help.title }, { type: 'list', items: ctx.m.help.lines }]) };
  },
};
