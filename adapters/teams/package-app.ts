// `npm run teams:package`: the zip a Teams admin uploads (manifest with this deployment's ids, its
// Japanese and French strings, and the two icons).
//   npm run teams:package -- [out.zip] [--developer-name N] [--website-url URL] [--privacy-url URL] [--terms-url URL]
// or the same from TEAMS_DEVELOPER_NAME, TEAMS_WEBSITE_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';

const here = dirname(new URL(import.meta.url).pathname);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who publishes the app, as Teams shows it on the app's page: the deploying organisation's own pages. */
export interface Developer {
  developerName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsOfUseUrl: string;
}

/** Placeholders for a test deployment; an organisation's admins set their own when packaging. */
export const EXAMPLE_DEVELOPER: Developer = {
  developerName: 'AppWarden',
  websiteUrl: 'https://appwarden.example.org',
  privacyUrl: 'https://appwarden.example.org/privacy',
  termsOfUseUrl: 'https://appwarden.example.org/terms',
};

/** The manifest's string files besides the English in manifest.json (its `localizationInfo`). */
const LANGUAGE_FILES = ['ja.json', 'fr.json'];

type Values = { MicrosoftAppId: string; version: string } & Developer;

/** The manifest template with this deployment's values in place of `{{…}}` (each escaped as JSON text). */
export async function buildTeamsManifest(values: Values): Promise<Record<string, unknown>> {
  const template = await readFile(join(here, 'manifest/manifest.json'), 'utf8');
  const filled = template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) =>
    key in values ? JSON.stringify(values[key as keyof Values]).slice(1, -1) : whole,
  );
  return JSON.parse(filled);
}

/** The developer's pages must be https URLs (the manifest schema's rule, and Teams' store's). */
function checkedDeveloper(developer: Partial<Developer>): Developer {
  const d = { ...EXAMPLE_DEVELOPER, ...Object.fromEntries(Object.entries(developer).filter(([, v]) => v)) } as Developer;
  if (!d.developerName.trim() || d.developerName.length > 32)
    throw new Error(`the developer name must be 1 to 32 characters, not "${d.developerName}"`);
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl'] as const) {
    const url = d[key];
    if (!URL.canParse(url) || new URL(url).protocol !== 'https:' || url.length > 2048)
      throw new Error(`${key} must be an https URL, not "${url}"`);
  }
  return d;
}

export async function packageTeamsApp(appId: string, out: string, developer: Partial<Developer> = {}): Promise<string> {
  if (!UUID.test(appId)) throw new Error(`MicrosoftAppId must be the bot's Microsoft Entra app id (a GUID), not "${appId}"`);
  const { version } = JSON.parse(await readFile(join(here, '../../package.json'), 'utf8')) as { version: string };
  const manifest = await buildTeamsManifest({ MicrosoftAppId: appId, version, ...checkedDeveloper(developer) });
  const languages = Object.fromEntries(
    await Promise.all(LANGUAGE_FILES.map(async (file) => [file, await readFile(join(here, 'manifest', file))] as const)),
  );
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    ...languages,
    'color.png': await readFile(join(here, 'manifest/color.png')),
    'outline.png': await readFile(join(here, 'manifest/outline.png')),
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, zip);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(here, 'package-app.ts')) {
  const run = async () => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        'developer-name': { type: 'string' },
        'website-url': { type: 'string' },
        'privacy-url': { type: 'string' },
        'terms-url': { type: 'string' },
      },
    });
    const env = process.env;
    const developer = {
      developerName: values['developer-name'] ?? env.TEAMS_DEVELOPER_NAME,
      websiteUrl: values['website-url'] ?? env.TEAMS_WEBSITE_URL,
      privacyUrl: values['privacy-url'] ?? env.TEAMS_PRIVACY_URL,
      termsOfUseUrl: values['terms-url'] ?? env.TEAMS_TERMS_URL,
    };
    if (!developer.websiteUrl || !developer.privacyUrl || !developer.termsOfUseUrl)
      console.error(
        'teams:package: no website, privacy or terms URL given: the example.org placeholders are used (--website-url, --privacy-url, --terms-url or TEAMS_WEBSITE_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL)',
      );
    return packageTeamsApp(env.MicrosoftAppId ?? '', resolve(positionals[0] ?? 'dist/appwarden-teams.zip'), developer);
  };
  run().then(
    (file) => console.log(`Teams app package: ${file} (upload it in Teams: Apps → Manage your apps → Upload an app)`),
    (e: Error) => {
      console.error(`teams:package: ${e.message}`);
      process.exit(2);
    },
  );
}
