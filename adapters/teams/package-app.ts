// `npm run teams:package`: the zip a Teams admin uploads (manifest with this deployment's ids, and the two icons).
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { zipSync } from 'fflate';

const here = dirname(new URL(import.meta.url).pathname);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The manifest template with this deployment's values in place of `{{…}}`. */
export async function buildTeamsManifest(values: { MicrosoftAppId: string; version: string }): Promise<Record<string, unknown>> {
  const template = await readFile(join(here, 'manifest/manifest.json'), 'utf8');
  return JSON.parse(template.replace(/\{\{(\w+)\}\}/g, (_, key: keyof typeof values) => values[key] ?? `{{${key}}}`));
}

export async function packageTeamsApp(appId: string, out: string): Promise<string> {
  if (!UUID.test(appId)) throw new Error(`MicrosoftAppId must be the bot's Microsoft Entra app id (a GUID), not "${appId}"`);
  const { version } = JSON.parse(await readFile(join(here, '../../package.json'), 'utf8')) as { version: string };
  const manifest = await buildTeamsManifest({ MicrosoftAppId: appId, version });
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    'color.png': await readFile(join(here, 'manifest/color.png')),
    'outline.png': await readFile(join(here, 'manifest/outline.png')),
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, zip);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(here, 'package-app.ts')) {
  const out = resolve(process.argv[2] ?? 'dist/appwarden-teams.zip');
  packageTeamsApp(process.env.MicrosoftAppId ?? '', out).then(
    (file) => console.log(`Teams app package: ${file} (upload it in Teams: Apps → Manage your apps → Upload an app)`),
    (e: Error) => {
      console.error(`teams:package: ${e.message}`);
      process.exit(2);
    },
  );
}
