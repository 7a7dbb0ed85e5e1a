#!/usr/bin/env node
/**
 * The CLI as built JavaScript: `src/cli.ts` bundled by esbuild into `dist/cli/<build>/`, split into
 * chunks so that each `import()` of src/cli.ts, src/surfaces.ts and src/storage.ts stays a file of its
 * own, loaded only by the commands that need it. The TypeScript stays the truth: `dist/cli/stamp.json`
 * names the current build and every file it was made from, with its mtime and size, and a run whose
 * files differ from those builds again (`freshBuild`, a stat per file: a few milliseconds).
 * `dist/cli/current` names it too, for `bin/appwarden`, which starts the build's start-up snapshot
 * (`cli.blob`, see src/cli-snapshot.ts) where there is one.
 *
 *   node bin/build-cli.js               # build now (npm install runs it, as `prepare`)
 *   node bin/build-cli.js --if-possible # the same, but a failure only warns (the CLI then builds on first use)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/cli');
const STAMP = join(OUT, 'stamp.json');
const CURRENT = join(OUT, 'current');
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

/**
 * The entry module of the current build, or undefined when there is none or a source has changed since.
 * `root` is the checkout's: the snapshot (src/cli-snapshot.ts) asks from inside the build.
 */
export function freshBuild(root = ROOT) {
  const out = join(root, 'dist/cli');
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(out, 'stamp.json'), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [file, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    let now;
    try {
      now = statSync(join(root, file));
    } catch {
      return undefined;
    }
    if (now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
  }
  const entry = join(out, stamp.build, 'cli.mjs');
  return existsSync(entry) ? entry : undefined;
}

/**
 * Builds into a directory of its own and renames it into place, then points the stamp at it (written
 * aside and renamed too): runs started together each build whole, and the last stamp written wins.
 * Beside the ES modules, the start-up snapshot that `bin/appwarden` starts (src/cli-snapshot.ts); a Node
 * that cannot make one still has the modules. Returns the new build's entry module.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const started = Date.now();
  const name = `b-${started.toString(36)}-${process.pid}`;
  const temporary = join(OUT, `.tmp-${name}`);
  const entry = join(OUT, name, 'cli.mjs');
  const common = { absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node20', metafile: true, logLevel: 'silent' };
  try {
    const modules = await build({
      ...common,
      entryPoints: ['src/cli.ts'],
      splitting: true,
      format: 'esm',
      plugins: [externalPackages, zodEnglishOnly],
      banner: { js: REQUIRE },
      outdir: temporary,
      outExtension: { '.js': '.mjs' },
      // Beside each chunk, for `node --enable-source-maps`: a fault's stack then names the TypeScript lines.
      sourcemap: true,
    });
    const snapshot = await build({
      ...common,
      entryPoints: ['src/cli-snapshot.ts'],
      format: 'cjs',
      plugins: [externalPackages, zodEnglishOnly],
      // import() of a package left out becomes a require(): a snapshot has no ES-module loader.
      supported: { 'dynamic-import': false },
      // Each module's URL is the entry's beside it, as in the ES-module build, whose chunks share a folder.
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
      // The script's own require loads only Node's modules while the snapshot is made; this one also
      // loads packages, when a command needs one.
      banner: { js: '(function (require) {' },
      footer: { js: `})(require('node:module').createRequire(${JSON.stringify(join(ROOT, 'package.json'))}));` },
      // The source is part of the snapshot's heap, read back at every start: without spaces and comments
      // it is a third smaller (names kept, so a fault's stack still reads).
      minifyWhitespace: true,
      minifySyntax: true,
      outfile: join(temporary, 'snapshot.cjs'),
    });
    const inputs = {};
    const read = [...Object.keys(modules.metafile.inputs), ...Object.keys(snapshot.metafile.inputs)];
    for (const file of stampedFiles(read)) {
      const { mtimeMs, size } = statSync(join(ROOT, file));
      // Changed while being built: esbuild may have read either version, so the next run builds again.
      inputs[file] = mtimeMs >= started && mtimeMs <= Date.now() ? [-1, -1] : [mtimeMs, size];
    }
    renameSync(temporary, join(OUT, name));
    makeSnapshot(join(OUT, name));
    writeFileSync(`${STAMP}.${name}`, `${JSON.stringify({ build: name, inputs })}\n`);
    renameSync(`${STAMP}.${name}`, STAMP);
    // What bin/appwarden reads (a shell reads a short file quickly, not the stamp's JSON).
    writeFileSync(`${CURRENT}.${name}`, `${name}\n`);
    renameSync(`${CURRENT}.${name}`, CURRENT);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  prune(name);
  return entry;
}

/**
 * Which Node a snapshot is for, as `bin/appwarden` can tell without starting one: the size and mtime
 * (in seconds) of the binary, the same whatever the link that names it. A snapshot starts only in the
 * Node that made it.
 */
function nodeIdentity() {
  const { size, mtimeMs } = statSync(process.execPath);
  return `${size}:${Math.floor(mtimeMs / 1000)}`;
}

/**
 * `node --build-snapshot` of the build's snapshot.cjs into its cli.blob, by this Node, and beside it
 * cli.node, this Node's identity (`none <identity>` when it could not make one: it is not tried again).
 * Without one, bin/appwarden runs bin/appwarden.js: slower, same answers. Returns whether it made one.
 */
export function makeSnapshot(dir) {
  const blob = join(dir, 'cli.blob');
  const identityFile = join(dir, 'cli.node');
  const identity = nodeIdentity();
  // Runs started together may each make one: each writes aside under its own name, the last rename wins.
  const aside = `${blob}.${process.pid}.tmp`;
  let made = false;
  try {
    execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', aside, '--build-snapshot', join(dir, 'snapshot.cjs')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    renameSync(aside, blob);
    made = true;
  } catch (e) {
    rmSync(aside, { force: true });
    if (process.env.APPWARDEN_LAUNCH_TRACE === '1')
      process.stderr.write(
        `appwarden launch: no start-up snapshot (${
          String(e.stderr ?? e.message)
            .trim()
            .split('\n')[0]
        })\n`,
      );
    // Another run of this Node may have made one meanwhile: a failure here does not undo it.
    if (readIdentity(identityFile) === identity) return true;
  }
  writeFileSync(`${identityFile}.${process.pid}`, `${made ? '' : 'none '}${identity}\n`);
  renameSync(`${identityFile}.${process.pid}`, identityFile);
  return made;
}

const readIdentity = (file) => {
  try {
    return readFileSync(file, 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
};

/** Whether the build of `entry` has a snapshot for this Node, or has tried to make one. */
export function snapshotTried(entry) {
  const made = readIdentity(join(entry, '../cli.node'));
  return made === nodeIdentity() || made === `none ${nodeIdentity()}`;
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
  // Not a top-level await: src/cli-snapshot.ts bundles this file as a script.
  buildCli().then(
    (entry) => console.log(`built the CLI: ${relative(ROOT, entry)}`),
    (e) => {
      console.error(`appwarden: could not build the CLI (${firstLine(e)})${ifPossible ? '; it will try again on first use' : ''}`);
      if (!ifPossible) process.exitCode = 1;
    },
  );
}

/** An error in one line: esbuild's first message, else the error's own. */
export function firstLine(e) {
  const first = e?.errors?.[0];
  if (first) return `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}`;
  return String(e?.message ?? e).split('\n')[0];
}
