/**
 * The CLI as a V8 start-up snapshot: the heap of a process that has loaded every module the CLI bundles,
 * saved by `node --build-snapshot` (bin/build-cli.js) and started by `bin/appwarden` as
 * `node --snapshot-blob dist/cli/<build>/cli.blob …`. A run then costs little more than Node's own
 * start: compiling and evaluating the modules was most of a `check`.
 *
 * The sources stay the truth. A run whose build is no longer current (a source changed, a newer build
 * was made) is handed to `bin/appwarden.js` in a child process with the same arguments and terminal: it
 * rebuilds, and answers from the new build. Packages the CLI leaves out of its bundle (the chat SDKs,
 * the Microsoft clients, `pg`) are loaded by `require` when a command needs them, as the ES-module
 * build imports them.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startupSnapshot } from 'node:v8';
import { freshBuild } from '../bin/build-cli.js';
import { main } from './cli.ts';

// import.meta.url is the ES-module build's entry beside this snapshot (bin/build-cli.js defines it so).
const entry = fileURLToPath(import.meta.url);
const build = dirname(entry);
const root = join(build, '../../..');

startupSnapshot.setDeserializeMainFunction(async () => {
  // A snapshot's process.argv has no script: [node, ...words].
  const argv = process.argv.slice(1);
  const trace =
    process.env.APPWARDEN_LAUNCH_TRACE === '1' ? (line: string) => process.stderr.write(`appwarden launch: ${line}\n`) : () => {};
  if (freshBuild(root) !== entry) {
    trace(`snapshot of ${relative(root, entry)}, no longer the current build: handing over to bin/appwarden.js`);
    const child = spawnSync(process.execPath, [join(root, 'bin/appwarden.js'), ...argv], { stdio: 'inherit' });
    process.exitCode = child.status ?? 70;
    return;
  }
  trace(`snapshot of ${relative(root, entry)}`);
  process.exitCode = await main(argv, process.env, undefined, { policyCacheDir: join(build, 'policies') });
});
