import { distance } from 'fastest-levenshtein';
import { isApprover } from '../../src/core/exceptions.ts';
import { MAX_NAME_LENGTH, nameLength } from '../../src/core/names.ts';
import { account, accounts } from '../compliance/accounts.ts';
import { attest } from '../compliance/attest.ts';
import { census } from '../survey/census.ts';
import { check } from '../checking/check.ts';
import type { Command } from '../shared/command.ts';
import type { CommandContext, CommandResult } from '../shared/context.ts';
import { approve, deny, revoke, withdraw } from '../requests/decide-request.ts';
import { delegate } from '../requests/delegate.ts';
import { extend } from '../requests/extend.ts';
import { help } from './help.ts';
import { asUnitOfWork, duplicateOf } from '../shared/commit.ts';
import { parseArgs, type ParsedArgs } from './parse.ts';
import { pending } from '../requests/pending.ts';
import { policy } from '../admin/policy.ts';
import { refusal } from '../shared/refusals.ts';
import { report } from '../survey/report.ts';
import { request } from '../requests/request.ts';
import { status } from '../requests/status.ts';

export const COMMANDS: readonly Command[] = [
  check,
  request,
  approve,
  deny,
  withdraw,
  revoke,
  delegate,
  extend,
  attest,
  status,
  pending,
  policy,
  report,
  census,
  accounts,
  account,
  help,
];
const byName = new Map(COMMANDS.map((c) => [c.name, c]));

/**
 * Past this a message is not a command someone typed, as sent and after NFKC (which writes ﷺ as 18
 * characters). A 10 kB reason still gets its own, more specific answer.
 */
const MAX_TEXT = 20_000;

export type { CommandContext, CommandResult } from '../shared/context.ts';

/** The longest command name, and then some: a longer first word is no command, and is not normalised to find out. */
const MAX_COMMAND_WORD = 32;

/** The command a text names, for counting: one of COMMANDS, `help` for nothing, else `unknown` (never the word itself). */
export function commandNameOf(text: string): string {
  const first = /\S+/.exec(text)?.[0];
  if (!first) return 'help';
  if (first.length > MAX_COMMAND_WORD) return 'unknown';
  return byName.get(first.normalize('NFKC').toLowerCase())?.name ?? 'unknown';
}

/**
 * The same words on every surface: `check tiktok --device personal`. Empty text is `help`. A delivery
 * whose idempotency key is already stored was handled before: it answers `duplicate` and does nothing.
 */
/** A command typed on any surface, run as one unit of work (see asUnitOfWork). */
export const runCommand = (text: string, ctx: CommandContext): Promise<CommandResult> => asUnitOfWork(ctx, (unit) => run(text, unit));

async function run(text: string, ctx: CommandContext): Promise<CommandResult> {
  const m = ctx.m;
  if (text.length > MAX_TEXT) return refusal({ code: 'text_too_long', data: { max: MAX_TEXT } }, m, { command: '' });
  const trimmed = text.trim();
  const first = trimmed ? trimmed.split(/\s+/, 1)[0]! : 'help';
  const command = byName.get(first.normalize('NFKC').toLowerCase());
  if (!command)
    return refusal(
      { code: 'unknown_command', data: { word: first, commands: COMMANDS.map((c) => c.name), suggestions: nearestCommands(first) } },
      m,
      { command: '' },
    );
  // Approvers and admins (isApprover counts both) may use these.
  if (command.approversOnly && !isApprover(ctx.policy, ctx.person)) return refusal({ code: 'not_permitted' }, m, { command: command.name });
  const duplicate = duplicateOf(ctx);
  if (duplicate) return duplicate;
  const args = parseArgs(trimmed.slice(first.length), command.flags);
  if (!args.ok) return refusal(args, m, { command: command.name });
  const overlong = overlongName(args.value);
  if (overlong !== undefined)
    return refusal({ code: 'name_too_long', data: { length: overlong, max: MAX_NAME_LENGTH } }, m, { command: command.name });
  const spelledOut = text.normalize('NFKC').length;
  if (spelledOut > MAX_TEXT)
    return refusal({ code: 'text_too_long', data: { normalized: true, length: spelledOut, max: MAX_TEXT } }, m, { command: command.name });
  return command.run(args.value, ctx);
}

/**
 * The commands a mistyped word was probably meant to be (`chek` → check): within an edit distance of
 * a third of its length (at least 1), nearest first.
 */
function nearestCommands(word: string): string[] {
  const typed = word.normalize('NFKC').toLowerCase();
  if (typed.length > 40) return [];
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const near = COMMANDS.map((c) => ({ name: c.name, d: distance(typed, c.name) })).filter((c) => c.d <= limit);
  const best = Math.min(...near.map((c) => c.d));
  return near.filter((c) => c.d === best).map((c) => c.name);
}

/**
 * A command's words name one thing (an app, a request, a rule, an account), as does `--app`: past
 * MAX_NAME_LENGTH after NFKC, that name's length. Refused here, before any lookup normalises, matches
 * or remembers it.
 */
function overlongName({ words, flags }: ParsedArgs): number | undefined {
  for (const name of [words.join(' '), typeof flags.app === 'string' ? flags.app : '']) {
    const length = nameLength(name);
    if (length > MAX_NAME_LENGTH) return length;
  }
  return undefined;
}
