import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What `npm start` runs, so that tests and benchmarks start the server exactly so without going
 * through npm: builds the bundle (the `prestart` step), then reads the node flags and the entry point
 * from the `start` script.
 */
export function npmStartCommand(): { nodeArgs: string[]; script: string } {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.split(/\s+/);
  const script = args.pop();
  if (node !== 'node' || !script) throw new Error(`the start script is not "node [flags] <entry>": ${start}`);
  return { nodeArgs: args, script: join(ROOT, script) };
}
