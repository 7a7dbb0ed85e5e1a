import type { Command } from '../shared/command.ts';
import { reply, type Block } from '../shared/reply.ts';
import type { MessageKey } from '../wording/wording.ts';

/** One usage line per command, in this order. */
const LINES = [
  'help.check',
  'help.request',
  'help.decide',
  'help.withdraw',
  'help.delegate',
  'help.extend',
  'help.attest',
  'help.status',
  'help.pending',
  'help.policy',
  'help.report',
  'help.census',
  'help.accounts',
  'help.censusAnswer',
] as const satisfies readonly MessageKey[];
const OPERATOR_LINES = [
  'help.operator.validate',
  'help.operator.audit',
  'help.operator.remind',
  'help.operator.outbox',
] as const satisfies readonly MessageKey[];

/** Usage in the person's language; at the terminal, also the operators' commands only it has. */
export const help: Command = {
  name: 'help',
  flags: {},
  run(_args, ctx) {
    const m = ctx.m;
    const blocks: Block[] = [
      { type: 'heading', text: m.t('help.title') },
      { type: 'list', items: LINES.map((key) => m.t(key)) },
    ];
    if (ctx.surface === 'cli')
      blocks.push({ type: 'heading', text: m.t('help.operatorTitle') }, { type: 'list', items: OPERATOR_LINES.map((key) => m.t(key)) });
    return { ok: true, effects: [], reply: reply('info', blocks) };
  },
};
