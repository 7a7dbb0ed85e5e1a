import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const read = (file: string) => readFileSync(join(root, file), 'utf8');

function imports(file: string): string[] {
  const text = read(file);
  return [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

/** Where a relative import lands, as a top-level folder path (`src/core/…`, `adapters/…`). */
const target = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec);
const isRelative = (spec: string) => spec.startsWith('.');

/** A chat platform's SDK: its types and clients stay inside `adapters/` (STYLE.md point 4). */
const SDK = /^(@slack\/|botbuilder|botframework-|@microsoft\/teams)/;
/**
 * Libraries that only compute on data: what the core and the commands may use. A date-fns locale is
 * imported by its own module, never `date-fns/locale` (every locale: a third of a second to load).
 */
const DATA_LIBRARIES = [
  'zod',
  'zod/mini',
  'yaml',
  'js-yaml',
  'date-fns',
  'date-fns/locale/en-GB',
  'date-fns/locale/fr',
  'date-fns/locale/ja',
  '@date-fns/tz',
  'fastest-levenshtein',
  'unhomoglyph',
];
const COMMAND_LIBRARIES = [...DATA_LIBRARIES, 'csv-stringify/sync', 'intl-messageformat'];
/** The store port's methods. An adapter that names one is reading or writing the store itself. */
const STORE_ACCESS =
  /\.store\b|\bstore\s*\.\s*(get|list|listByPerson|commit|count|readAudit|verifyAudit)\b|\{[^}]*\bstore\b[^}]*\}\s*=\s*\w/;
/**
 * The command layer's work besides `handle`: what adapters called directly before there was one way in.
 * `displayName` counts only as a call: it is also a property of Microsoft Graph's users (adapters/entra).
 */
const COMMAND_ENTRIES =
  /\b(runCommand|applyTransition|refusalFor|fileRequest|requestForm|censusForm|submitCensusAnswer|attestFromReminder|denyForm|displayName(?=\s*\()|requestCardView|runTick|queueReminders|queueFailureDigest|describeReminder)\b/;
/**
 * What of the command layer a surface may import: the one way in, the neutral shapes it renders
 * (`shared/`: reply, form, context), what it records of its platform (`delivery/`), and the words
 * it says itself (`wording/wording.ts`: a surface's own sentences come from the same catalogues).
 */
const SURFACE_FACING = /^commands\/(entry\/handle\.ts$|shared\/|delivery\/|wording\/wording\.ts$)/;
/** The wording: one catalogue per locale, and the module that renders them. */
const WORDING = 'commands/wording/';
/** The processes' entry points: they alone read the environment and assemble storage and surfaces. */
const ENTRY_POINTS = [
  'src/server.ts',
  'src/cli.ts',
  'src/cli-snapshot.ts',
  'src/surfaces.ts',
  'src/storage.ts',
  'src/directories.ts',
  'src/inventories.ts',
];

/**
 * Imports the rules below do not yet allow, each with its reason; the list only shrinks. A listed
 * import that is gone fails too, so a fix cannot leave a stale exemption behind.
 */
const KNOWN_EXCEPTIONS: Record<string, { spec: string; why: string }[]> = {};
/**
 * Adapters of one vendor's API that share its client, not each other's translations: Intune is read
 * over Microsoft Graph with the app registration and the client the Entra directory uses (tokens,
 * retries, pacing under Intune's limit).
 */
const SHARED_CLIENTS: Record<string, string[]> = { intune: ['adapters/entra/graph-client.ts', 'adapters/entra/request-pacer.ts'] };
const exempt = (file: string, spec: string) => KNOWN_EXCEPTIONS[file]?.some((e) => e.spec === spec) ?? false;

/** A surface (an adapter, the runtime, the CLI) calls no command-layer work but handle, and imports only what SURFACE_FACING allows. */
function enterOnlyThroughHandle(file: string) {
  const hits = read(file)
    .split('\n')
    .flatMap((line, i) => (COMMAND_ENTRIES.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
  expect(hits).toEqual([]);
  for (const spec of imports(file))
    if (target(file, spec).startsWith('commands/') && !exempt(file, spec))
      expect(target(file, spec), `${file} imports ${spec}`).toMatch(SURFACE_FACING);
}

// STYLE.md point 1: layers are checked, not hoped for. DESIGN.md: imports point inward only.
describe('layering', () => {
  const core = sources('src/core');
  const commands = sources('commands');
  const adapters = sources('adapters');
  const storage = sources('storage');
  const wiring = sources('src').filter((f) => !f.startsWith('src/core/'));
  it('finds every layer', () => {
    expect(core.length).toBeGreaterThan(10);
    expect(commands.length).toBeGreaterThan(10);
    expect(adapters.length).toBeGreaterThan(10);
    expect(storage.length).toBeGreaterThan(5);
    expect(wiring).toEqual(expect.arrayContaining(['src/app.ts', ...ENTRY_POINTS]));
  });

  describe('src/core: pure', () => {
    it.each(core)('%s imports only core files and pure libraries', (file) => {
      for (const spec of imports(file)) {
        const to = target(file, spec);
        if (isRelative(spec)) expect(to, `${file} imports ${spec}`).toMatch(/^src\/core\//);
        else expect(DATA_LIBRARIES, `${file} imports package ${spec}`).toContain(spec);
      }
    });

    it.each(core)('%s imports no node: module (no I/O)', (file) => {
      for (const spec of imports(file))
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^node:|^(fs|http|https|net|child_process|os|path)(\/|$)/);
    });

    it.each(core)('%s does no I/O and reads no clock', (file) => {
      expect(read(file)).not.toMatch(/Date\.now\(\)|new Date\(\)|process\.|require\(/);
    });

    // The core knows no language: it returns codes and data, and the command layer words them.
    it('holds no catalogue: no message file, no i18n folder, no message library', () => {
      const all = (dir: string): string[] =>
        readdirSync(join(root, dir)).flatMap((name) =>
          statSync(join(root, dir, name)).isDirectory() ? all(join(dir, name)) : [join(dir, name)],
        );
      expect(all('src/core').filter((f) => !f.endsWith('.ts'))).toEqual([]);
      expect(core.filter((f) => /i18n|wording|messages?\b/i.test(f))).toEqual([]);
      for (const file of core)
        expect(
          imports(file).filter((spec) => /intl-messageformat|wording/.test(spec)),
          file,
        ).toEqual([]);
    });

    it('says none of the sentences the catalogues hold', () => {
      const english: Record<string, string> = JSON.parse(read(`${WORDING}en.json`));
      // Long enough to be a sentence and not a word that is also a code (`approved`, `Deny`).
      const sentences = Object.values(english).flatMap((text) => text.split(/\{[^}]*\}/).filter((part) => part.trim().length >= 24));
      expect(sentences.length).toBeGreaterThan(100);
      for (const file of core) {
        // Comments may say what a sentence says; code may not.
        const text = read(file).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        expect(
          sentences.filter((s) => text.includes(s)),
          file,
        ).toEqual([]);
      }
    });
  });

  describe('commands/: orchestrate the core, know no platform and no backend', () => {
    it.each(commands)('%s imports core and libraries, never adapters, storage or an SDK', (file) => {
      for (const spec of imports(file)) {
        const to = target(file, spec);
        expect(to, `${file} imports ${spec}`).not.toMatch(/^(adapters|storage)\//);
        expect(spec).not.toMatch(/^(@slack|botbuilder|node:(fs|http|net))/);
      }
    });

    // Issue 14 item 3: every change is one unit of work (store.transact; commitChanges stages into one).
    it.each([...commands, ...wiring.filter((f) => f.startsWith('src/runtime/'))])(
      '%s changes the store only through a unit of work, never a bare commit',
      (file) => {
        const hits = read(file)
          .split('\n')
          .flatMap((line, i) => (/\bstore\s*\.\s*commit\s*\(/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
        expect(hits).toEqual([]);
      },
    );

    it.each(commands)('%s imports only its own folder, src/core and data libraries', (file) => {
      for (const spec of imports(file)) {
        if (exempt(file, spec)) continue;
        if (isRelative(spec)) expect(target(file, spec), `${file} imports ${spec}`).toMatch(/^(commands|src\/core)\//);
        else expect(COMMAND_LIBRARIES, `${file} imports package ${spec}`).toContain(spec);
      }
    });
  });

  describe('adapters/: translate, never decide and never touch the store', () => {
    it.each(adapters)('%s holds no policy logic: it never calls the decision engine itself', (file) => {
      for (const spec of imports(file))
        expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^src\/core\/(decide|exceptions|attestations)\.ts$/);
    });

    it.each(adapters)('%s never imports storage/ nor the store port', (file) => {
      for (const spec of imports(file))
        expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^storage\/|^src\/core\/store\.ts$/);
    });

    it.each(adapters)('%s never reads or writes the store (it asks the command layer)', (file) => {
      const hits = read(file)
        .split('\n')
        .flatMap((line, i) => (STORE_ACCESS.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
      expect(hits).toEqual([]);
    });

    it.each(adapters)('%s enters the command layer only through handle (commands/handle.ts)', enterOnlyThroughHandle);

    it.each(adapters)('%s imports no other adapter: one platform knows nothing of another', (file) => {
      const own = file.split('/')[1] ?? '';
      for (const spec of imports(file)) {
        const to = target(file, spec);
        // adapters/http/: what every outbound client shares, knowing no platform.
        if (to.startsWith('adapters/') && !to.startsWith('adapters/http/') && !SHARED_CLIENTS[own]?.includes(to))
          expect(to.split('/')[1], `${file} imports ${spec}`).toBe(own);
      }
    });

    it('a shared client is closed: it imports nothing of its adapter but what is shared with it', () => {
      for (const shared of Object.values(SHARED_CLIENTS))
        for (const file of shared) {
          expect(adapters).toContain(file);
          for (const spec of imports(file))
            if (isRelative(spec) && !target(file, spec).startsWith('adapters/http/'))
              expect(shared, `${file} imports ${spec}`).toContain(target(file, spec));
        }
    });
  });

  describe('commands/wording/: the catalogues and the one module that renders them', () => {
    const wording = commands.filter((f) => f.startsWith(WORDING));
    it('finds the wording module and a catalogue per locale', () => {
      expect(wording).toEqual(expect.arrayContaining([`${WORDING}wording.ts`, `${WORDING}locales.ts`]));
      expect(readdirSync(join(root, WORDING)).filter((f) => f.endsWith('.json'))).toEqual(expect.arrayContaining(['en.json', 'ja.json']));
    });

    it.each(wording)("%s imports only its own folder, the core's types and its libraries (no command logic)", (file) => {
      for (const spec of imports(file))
        if (isRelative(spec)) expect(target(file, spec), `${file} imports ${spec}`).toMatch(/^(commands\/wording|src\/core)\//);
    });

    it.each(commands.filter((f) => !f.startsWith(WORDING)))('%s reads no catalogue file itself (it asks wording.ts)', (file) => {
      for (const spec of imports(file)) expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^commands\/wording\/.*\.json$/);
    });
  });

  describe('storage/: implements the core ports', () => {
    it.each(storage)('%s implements core ports without reaching into commands or adapters', (file) => {
      for (const spec of imports(file)) expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^(commands|adapters)\//);
    });

    it.each(storage)('%s imports only its own folder, src/core, node: modules and its database library', (file) => {
      for (const spec of imports(file)) {
        if (isRelative(spec)) expect(target(file, spec), `${file} imports ${spec}`).toMatch(/^(storage|src\/core)\//);
        else expect(spec, `${file} imports package ${spec}`).toMatch(/^(node:|lowdb(\/|$)|pg(\/|$))/);
      }
    });
  });

  describe('src/ wiring: assembles the layers', () => {
    // The runtime (scheduler ticks, the outbox), the CLI and the server are surfaces too: one way in.
    it('includes the runtime and the CLI', () => {
      expect(wiring).toEqual(expect.arrayContaining(['src/cli.ts', 'src/runtime/scheduler.ts', 'src/runtime/outbox.ts']));
    });
    it.each(wiring)('%s enters the command layer only through handle (commands/handle.ts)', enterOnlyThroughHandle);

    it.each(wiring.filter((f) => !ENTRY_POINTS.includes(f)))(
      '%s (not an entry point) imports no adapter and no storage backend',
      (file) => {
        for (const spec of imports(file)) expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^(adapters|storage)\//);
      },
    );
  });

  describe('no SDK type leaves adapters/', () => {
    it.each([...core, ...commands, ...storage, ...wiring])('%s imports no chat platform SDK', (file) => {
      for (const spec of imports(file)) expect(spec, `${file} imports ${spec}`).not.toMatch(SDK);
    });
  });

  it.each([...core, ...commands, ...adapters, ...storage, ...wiring])(
    '%s casts nothing through unknown (a type it cannot name is checked, not forced)',
    (file) => {
      expect(read(file)).not.toMatch(/\bas unknown as\b/);
    },
  );

  it("zod's full API is the policy schema's alone: commands use zod/mini, so a command loads neither it nor the schema", () => {
    const full = [...core, ...commands, ...adapters, ...storage, ...wiring].filter((f) =>
      /^import (?!type )[^;]*from 'zod';/m.test(read(f)),
    );
    expect(full).toEqual(['src/core/policy-schema.ts']);
  });

  it('only entry points read the environment (STYLE.md point 4)', () => {
    const readers = [...core, ...commands, ...adapters, ...storage, ...wiring].filter((f) => /process\.env\b/.test(read(f)));
    // The Teams app packager is a script of its own (`npm run teams:package`).
    expect(readers.filter((f) => f !== 'adapters/teams/package-app.ts' && !ENTRY_POINTS.includes(f))).toEqual([]);
  });

  it('every known exception is still needed', () => {
    for (const [file, exceptions] of Object.entries(KNOWN_EXCEPTIONS))
      for (const e of exceptions) expect(imports(file), `${file}: ${e.why}`).toContain(e.spec);
  });
});
