import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { packageTeamsApp } from '../../adapters/teams/package-app.ts';
import { ROOT, tempDir } from '../support/cli.ts';

const APP_ID = '0c7d5a2e-1111-4b44-9a5b-3f3f3f3f3f3f';
const pngSize = (png: Uint8Array) => [
  new DataView(png.buffer, png.byteOffset).getUint32(16),
  new DataView(png.buffer, png.byteOffset).getUint32(20),
];

describe('Teams app package', () => {
  it('is a zip whose manifest validates against the Teams schema, with this deployment’s ids and both icons', async () => {
    const out = join(await tempDir(), 'appwarden-teams.zip');
    await packageTeamsApp(APP_ID, out);
    const files = unzipSync(await readFile(out));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'fr.json', 'ja.json', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));

    const version = manifest.manifestVersion as string;
    const schema = JSON.parse(
      await readFile(
        join(ROOT, `node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`),
        'utf8',
      ),
    );
    // CommonJS packages: `.default` is the class / plugin both at run time and for NodeNext typing.
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const valid = ajv.validate(schema, manifest);
    expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
    expect(valid).toBe(true);

    // The Japanese and French strings, in the localization schema's format, named by localizationInfo.
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: 'en-us',
      additionalLanguages: [
        { languageTag: 'ja-jp', file: 'ja.json' },
        { languageTag: 'fr-fr', file: 'fr.json' },
      ],
    });
    const ja = JSON.parse(new TextDecoder().decode(files['ja.json']));
    const localization = JSON.parse(
      await readFile(
        join(ROOT, `node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.Localization.schema.json`),
        'utf8',
      ),
    );
    // Its patterns are not valid as Unicode regular expressions (`\b]`): checked as the schema's authors wrote them.
    const plain = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
    expect(plain.validate(localization, ja), JSON.stringify(plain.errors)).toBe(true);
    expect(plain.validate(localization, { ...ja, 'description.short': 'x'.repeat(81) })).toBe(false); // it does check
    expect(ja['description.short']).toMatch(/アプリ/);
    const commands = manifest.bots[0].commandLists[0].commands.length;
    for (let i = 0; i < commands; i++) expect(ja[`bots[0].commandLists[0].commands[${i}].description`]).toBeTruthy();
    const fr = JSON.parse(new TextDecoder().decode(files['fr.json']));
    expect(plain.validate(localization, fr), JSON.stringify(plain.errors)).toBe(true);
    expect(fr['description.short']).toMatch(/application/);
    for (let i = 0; i < commands; i++) expect(fr[`bots[0].commandLists[0].commands[${i}].description`]).toBeTruthy();

    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.version).toBe(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version);
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(pngSize(files['color.png']!)).toEqual([192, 192]);
    expect(pngSize(files['outline.png']!)).toEqual([32, 32]);
  });

  it('lists the chat commands the bot really has', async () => {
    const { COMMANDS } = await import('../../commands/entry/run-command.ts');
    const manifest = JSON.parse(await readFile(join(ROOT, 'adapters/teams/manifest/manifest.json'), 'utf8'));
    const titles = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    for (const title of titles) expect(COMMANDS.map((c) => c.name)).toContain(title);
  });

  it('carries the developer’s own name and pages when given, and refuses a page that is not https', async () => {
    const out = join(await tempDir(), 'appwarden-teams.zip');
    const developer = {
      developerName: 'Ichikawa City "ICT"',
      websiteUrl: 'https://www.city.ichikawa.example.jp/appwarden',
      privacyUrl: 'https://www.city.ichikawa.example.jp/privacy',
      termsOfUseUrl: 'https://www.city.ichikawa.example.jp/terms',
    };
    await packageTeamsApp(APP_ID, out, developer);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(await readFile(out))['manifest.json']));
    expect(manifest.developer).toEqual({
      name: developer.developerName,
      websiteUrl: developer.websiteUrl,
      privacyUrl: developer.privacyUrl,
      termsOfUseUrl: developer.termsOfUseUrl,
    });
    await expect(packageTeamsApp(APP_ID, out, { privacyUrl: 'http://insecure.example/privacy' })).rejects.toThrow(
      /privacyUrl must be an https URL/,
    );
  });

  it('npm run teams:package takes the pages as flags', async () => {
    const out = join(await tempDir(), 'flags.zip');
    const { execFileSync } = await import('node:child_process');
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'adapters/teams/package-app.ts'),
        out,
        '--website-url',
        'https://a.example/',
        '--privacy-url',
        'https://a.example/p',
        '--terms-url',
        'https://a.example/t',
      ],
      { env: { ...process.env, MicrosoftAppId: APP_ID }, stdio: 'pipe' },
    );
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(await readFile(out))['manifest.json']));
    expect(manifest.developer).toMatchObject({
      websiteUrl: 'https://a.example/',
      privacyUrl: 'https://a.example/p',
      termsOfUseUrl: 'https://a.example/t',
    });
  });

  it('refuses an app id that is not a GUID', async () => {
    await expect(packageTeamsApp('my-bot', join(await tempDir(), 'x.zip'))).rejects.toThrow(/must be the bot's Microsoft Entra app id/);
  });
});
