/** Options the CLI itself takes; everything else is the command text, as typed in chat. */
export interface CliArgs {
  policy?: string;
  data?: string;
  as?: string;
  json: boolean;
  help: boolean;
  /** The command words, re-quoted where the shell had split on quotes. */
  text: string;
  words: string[];
}

const VALUED = new Set(['--policy', '--data', '--as']);

/**
 * `--policy`, `--data` and `--as` are the CLI's only before the command word: after it, `--data` is the
 * command's data class (`check LINE --data personal-data`). `--json` and `--help` count anywhere.
 */
export function parseCliArgs(argv: readonly string[]): { ok: true; args: CliArgs } | { ok: false; problem: string } {
  const args: CliArgs = { json: false, help: false, text: '', words: [] };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    // Maintenance commands take no chat flags, so their options may follow them too.
    const maintenance = rest[0] === 'audit' || rest[0] === 'remind';
    if (VALUED.has(flag) && (rest.length === 0 || maintenance)) {
      const value = inline ?? argv[++i];
      if (!value) return { ok: false, problem: `${flag} needs a value` };
      args[flag.slice(2) as 'policy' | 'data' | 'as'] = value;
    } else if (arg === '--json') args.json = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else rest.push(arg);
  }
  args.words = rest;
  args.text = rest.map(requote).join(' ');
  return { ok: true, args };
}

/** The shell removed the quotes around "Candy Crush"; put them back so the command parser sees one value. */
function requote(word: string): string {
  if (!/\s/.test(word) && word !== '') return word;
  const quote = ['"', "'", '「'].find((q) => !word.includes(q === '「' ? '」' : q)) ?? '"';
  return quote === '「' ? `「${word}」` : `${quote}${word}${quote}`;
}
