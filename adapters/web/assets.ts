import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The chart script and its styles, as served under /admin/assets. */
export interface ClientAssets {
  js: string;
  css: string;
}

/** The project's root: where package.json is, above this module (adapters/web/ under tsx, dist/ when bundled). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'adapters/web/client/charts.ts'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('adapters/web/client/charts.ts not found above the server module');
    dir = up;
  }
  return dir;
}

let built: Promise<ClientAssets> | undefined;

/**
 * Bundles adapters/web/client/charts.ts (and uPlot) with esbuild, in memory, once per process: every
 * way the server starts (`npm start`, tests, a container) serves the script built from the sources it
 * runs, with no build step to forget and no stale file in dist/.
 */
export function clientAssets(): Promise<ClientAssets> {
  built ??= (async () => {
    const { build } = await import('esbuild');
    const root = projectRoot();
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['adapters/web/client/charts.ts'],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      write: false,
      outdir: 'dist/admin',
      logLevel: 'silent',
    });
    const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
    return { js: text('.js'), css: text('.css') };
  })();
  built.catch(() => (built = undefined));
  return built;
}
