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

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

/** Where a relative import lands, as a top-level folder path (`src/core/…`, `adapters/…`). */
const target = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec);

// STYLE.md point 1: layers are checked, not hoped for.
describe('layering', () => {
  const core = sources('src/core');
  it('finds the core', () => expect(core.length).toBeGreaterThan(10));

  it.each(core)('%s imports only core files and pure libraries', (file) => {
    const allowedPackages = ['zod', 'yaml', 'date-fns', 'date-fns/locale', '@date-fns/tz', 'fastest-levenshtein', 'unhomoglyph'];
    for (const spec of imports(file)) {
      const to = target(file, spec);
      if (spec.startsWith('.')) expect(to, `${file} imports ${spec}`).toMatch(/^src\/core\//);
      else expect(allowedPackages, `${file} imports package ${spec}`).toContain(spec);
    }
  });

  it.each(core)('%s does no I/O and reads no clock', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(text).not.toMatch(/Date\.now\(\)|new Date\(\)|process\.|require\(/);
  });

  it.each(sources('commands'))('%s imports core and libraries, never adapters, storage or an SDK', (file) => {
    for (const spec of imports(file)) {
      const to = target(file, spec);
      expect(to, `${file} imports ${spec}`).not.toMatch(/^(adapters|storage)\//);
      expect(spec).not.toMatch(/^(@slack|botbuilder|node:(fs|http|net))/);
    }
  });

  it.each(sources('storage'))('%s implements core ports without reaching into commands or adapters', (file) => {
    for (const spec of imports(file)) expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^(commands|adapters)\//);
  });

  it.each(sources('adapters'))('%s holds no policy logic: it never calls the decision engine itself', (file) => {
    for (const spec of imports(file)) expect(target(file, spec), `${file} imports ${spec}`).not.toMatch(/^src\/core\/(decide|exceptions|attestations)\.ts$/);
  });
});
