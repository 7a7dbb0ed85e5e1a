#!/usr/bin/env node
// Runs the CLI built from the TypeScript sources (bin/build-cli.js), building it first when a source has
// changed since: loading the sources through tsx cost more than a second a run. Should the build fail,
// the sources run through tsx as before. APPWARDEN_LAUNCH_TRACE=1 says on stderr which it was.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli, firstLine, freshBuild, makeSnapshot, ROOT, snapshotTried } from './build-cli.js';

// Node 22.1 and later keep the compiled code of the modules on disk between runs (most of a run's time
// after loading is compiling); Node 20 has no such cache, and this is a no-op there.
module.enableCompileCache?.();

const trace = process.env.APPWARDEN_LAUNCH_TRACE === '1' ? (line) => process.stderr.write(`appwarden launch: ${line}\n`) : () => {};
let entry = freshBuild();
if (entry) {
  trace(`built ${entry.slice(ROOT.length)}`);
  // Made by another Node (a snapshot starts only in the Node that made it): make one for this Node, once.
  if (!snapshotTried(entry)) {
    const started = performance.now();
    const made = makeSnapshot(dirname(entry));
    trace(`${made ? 'made' : 'could not make'} the start-up snapshot for this Node in ${Math.round(performance.now() - started)} ms`);
  }
} else
  try {
    const started = performance.now();
    entry = await buildCli();
    trace(`rebuilt ${entry.slice(ROOT.length)} in ${Math.round(performance.now() - started)} ms`);
  } catch (e) {
    process.stderr.write(`appwarden: could not build the CLI (${firstLine(e)}); running the TypeScript sources through tsx\n`);
  }

let main;
let launch = {};
if (entry) {
  ({ main } = await import(pathToFileURL(entry).href));
  // Inside the build: a new build (new sources, maybe a new schema) starts with no policy validated.
  launch = { policyCacheDir: join(dirname(entry), 'policies') };
} else {
  trace('tsx');
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2), process.env, undefined, launch);
