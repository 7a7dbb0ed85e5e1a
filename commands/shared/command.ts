import type { CommandContext, CommandResult } from './context.ts';
import type { FlagSpec, ParsedArgs } from '../entry/parse.ts';

/** One chat command: its flags, who may run it, and what it does. */
export interface Command {
  name: string;
  flags: FlagSpec;
  /** Approvers only: the approver or admin role, or named as an approver by a rule. Deciding a request is judged per request by the core. */
  approversOnly?: boolean;
  run(args: ParsedArgs, ctx: CommandContext): CommandResult | Promise<CommandResult>;
}

/** `ex-12`, `EX-12`, `12` all name request EX-12. */
export function requestId(word: string): string {
  const digits = /^(?:ex-?)?(\d+)$/i.exec(word.trim());
  return digits ? `EX-${digits[1]}` : word.trim();
}
