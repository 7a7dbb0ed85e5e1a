import { isApprover } from '../src/core/exceptions.ts';
import { account, accounts } from './accounts.ts';
import { attest } from './attest.ts';
import { census } from './census.ts';
import { check } from './check.ts';
import type { Command } from './command.ts';
import type { CommandContext, CommandResult } from './context.ts';
import { approve, deny, revoke, withdraw } from './decide-request.ts';
import { help } from './help.ts';
import { duplicateOf } from './commit.ts';
import { parseArgs } from './parse.ts';
import { pending } from './pending.ts';
import { policy } from './policy.ts';
import { describeRefusal, refused } from './refusals.ts';
import { report } from './report.ts';
import { request } from './request.ts';
import { status } from './status.ts';

export const COMMANDS: readonly Command[] = [check, request, approve, deny, withdraw, revoke, attest, status, pending, policy, report, census, accounts, account, help];
const byName = new Map(COMMANDS.map((c) => [c.name, c]));

/** Past this a message is not a command someone typed. A 10 kB reason still gets its own, more specific answer. */
const MAX_TEXT = 20_000;

export type { CommandContext, CommandResult } from './context.ts';

/**
 * The same words on every surface: `check tiktok --device personal`. Empty text is `help`. A delivery
 * whose idempotency key is already stored was handled before: it answers `duplicate` and does nothing.
 */
export async function runCommand(text: string, ctx: CommandContext): Promise<CommandResult> {
  const m = ctx.m;
  if (text.length > MAX_TEXT) return refused('text_too_long', m.errors.textTooLong(MAX_TEXT));
  const trimmed = text.trim();
  const first = trimmed ? trimmed.split(/\s+/, 1)[0]! : 'help';
  const command = byName.get(first.toLowerCase());
  if (!command) return refused('unknown_command', m.errors.unknownCommand(first, COMMANDS.map((c) => c.name)));
  if (command.approversOnly && !isApprover(ctx.policy, ctx.person))
    return refused('not_permitted', m.errors.onlyApprovers(command.name));
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const args = parseArgs(trimmed.slice(first.length), command.flags);
  if (!args.ok) return refused(args.code, ...describeRefusal(args, m, { command: command.name }));
  return command.run(args.value, ctx);
}
