#!/usr/bin/env node
/**
 * The CLI as built JavaScript: `src/cli.ts` bundled by esbuild into `dist/cli/<build>/`, split into
 * chunks so that each `import()` of src/cli.ts, src/surfaces.ts and src/storage.ts stays a file of its
 * own, loaded only by the commands that need it. The TypeScript stays the truth: `dist/cli/stamp.json`
 * names the current build and every file it was made from, with its mtime and size, and a run whose
 * files differ from those builds again (`freshBuild`, a stat per file: a few milliseconds).
 *
 *   node bin/build-cli.js               # build now (npm install runs it, as `prepare`)
 *   node bin/build-cli.js --if-possible # the same, but a failure only warns (the CLI then builds on first use)
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/cli');
const STAMP = join(OUT, 'stamp.json');
/**
 * An older build is removed once two newer ones exist and it is ten minutes old: a process started on it
 * may still load its chunks, and runs started together each make one. A temporary directory that old
 * was left by a build that died.
 */
const KEEP_OLDER = 2;
const SETTLED_MS = 10 * 60_000;

/**
 * What only some commands load stays in node_modules, imported when they need it: the chat platforms'
 * SDKs, the Microsoft and HTTP clients, `pg`. The libraries every command loads are bundled: read
 * from node_modules file by file (date-fns's index alone is 870 modules) they were most of a run.
 */
const EXTERNAL = /^(node:|@slack\/|botbuilder|botframework-|express(\/|$)|@azure\/|pg(\/|$)|undici(\/|$)|tsx(\/|$)|esbuild(\/|$))/;
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (EXTERNAL.test(args.path) ? { path: args.path, external: true } : undefined));
  },
};
/**
 * zod's index carries the messages of its 50-odd languages (half its size, 20 ms to load); AppWarden
 * words its own messages and keeps zod's English ones, so the bundle keeps only those.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /./, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: ROOT,
    }));
  },
};
/** Bundled CommonJS (yaml) requires Node's own modules: an ES module has no `require` of its own. */
const REQUIRE = "import { createRequire as __appwardenRequire } from 'node:module'; const require = __appwardenRequire(import.meta.url);";

/** The entry module of the current build, or undefined when there is none or a source has changed since. */
export function freshBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
  for (const [file, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    let now;
    try {
      now = statSync(join(ROOT, file));
    } catch {
      return undefined;
    }
    if (now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
  }
  const entry = join(OUT, stamp.build, 'cli.mjs');
  return existsSync(entry) ? entry : undefined;
}

/**
 * Builds into a directory of its own and renames it into place, then points the stamp at it (written
 * aside and renamed too): runs started together each build whole, and the last stamp written wins.
 * Returns the new build's entry module.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const started = Date.now();
  const name = `b-${started.toString(36)}-${process.pid}`;
  const temporary = join(OUT, `.tmp-${name}`);
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/cli.ts'],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      plugins: [externalPackages, zodEnglishOnly],
      banner: { js: REQUIRE },
      outdir: temporary,
      outExtension: { '.js': '.mjs' },
      // Beside each chunk, for `node --enable-source-maps`: a fault's stack then names the TypeScript lines.
      sourcemap: true,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = {};
    for (const file of stampedFiles(Object.keys(result.metafile.inputs))) {
      const { mtimeMs, size } = statSync(join(ROOT, file));
      // Changed while being built: esbuild may have read either version, so the next run builds again.
      inputs[file] = mtimeMs >= started && mtimeMs <= Date.now() ? [-1, -1] : [mtimeMs, size];
    }
    renameSync(temporary, join(OUT, name));
    writeFileSync(`${STAMP}.${name}`, `${JSON.stringify({ build: name, inputs })}\n`);
    renameSync(`${STAMP}.${name}`, STAMP);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  prune(name);
  return join(OUT, name, 'cli.mjs');
}

/**
 * The files whose change makes the build stale: the sources, this script and the settings esbuild
 * reads, and for a bundled package its package.json (rewritten by every install of another version).
 */
function stampedFiles(inputs) {
  const files = new Set([
    relative(ROOT, fileURLToPath(import.meta.url)),
    ...['package.json', 'tsconfig.json'].filter((f) => existsSync(join(ROOT, f))),
  ]);
  for (const input of inputs) {
    if (input.includes(':')) continue; // a plugin's module, made from files listed besides it
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) files.add(input);
    else {
      const [scope, name] = input.slice(at + 'node_modules/'.length).split('/');
      files.add(`${input.slice(0, at)}node_modules/${scope?.startsWith('@') ? `${scope}/${name}` : scope}/package.json`);
    }
  }
  return files;
}

/** Removes the builds and temporary directories that are settled (see SETTLED_MS). */
function prune(current) {
  const settled = readdirSync(OUT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current)
    .map((e) => ({ path: join(OUT, e.name), name: e.name, mtimeMs: statSync(join(OUT, e.name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const older = settled.filter((e) => e.name.startsWith('b-')).slice(KEEP_OLDER);
  const abandoned = settled.filter((e) => e.name.startsWith('.tmp-'));
  for (const e of [...older, ...abandoned]) if (Date.now() - e.mtimeMs > SETTLED_MS) rmSync(e.path, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifPossible = process.argv.includes('--if-possible');
  try {
    const entry = await buildCli();
    console.log(`built the CLI: ${relative(ROOT, entry)}`);
  } catch (e) {
    console.error(`appwarden: could not build the CLI (${firstLine(e)})${ifPossible ? '; it will try again on first use' : ''}`);
    if (!ifPossible) process.exitCode = 1;
  }
}

/** An error in one line: esbuild's first message, else the error's own. */
export function firstLine(e) {
  const first = e?.errors?.[0];
  if (first) return `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}`;
  return String(e?.message ?? e).split('\n')[0];
}
