import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));

/** The bot scopes each Web API method the code calls needs (Slack's method reference); public and private channels and DMs. */
const SCOPE_OF: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'views.open': [],
  'conversations.open': ['im:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.members': ['channels:read', 'groups:read'],
  filesUploadV2: ['files:write'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
};

describe('Slack app manifest', () => {
  const code = readdirSync(join(root, 'adapters/slack'))
    .map((f) => readFileSync(join(root, 'adapters/slack', f), 'utf8'))
    .join('\n');
  const called = [...code.matchAll(/client\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`);
  const paginated = [...code.matchAll(/paginate\('([\w.]+)'/g)].map((m) => m[1]!);
  const helpers = [...code.matchAll(/client\.(filesUploadV2)\(/g)].map((m) => m[1]!);
  const methods = [...new Set([...called, ...paginated, ...helpers])].sort();

  it('knows the scope of every Web API method the adapter calls', () => {
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods) expect(SCOPE_OF, `scope of ${m}`).toHaveProperty([m]);
  });

  it('asks for the scopes the code uses and no more', () => {
    const needed = new Set(methods.flatMap((m) => SCOPE_OF[m] ?? []));
    if (code.includes("app.command('/apps'")) needed.add('commands');
    // Slack leaves `profile.email` out of user records unless the token has users:read.email.
    if (/profile\?\.email/.test(code)) needed.add('users:read.email');
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('declares /apps with a usage hint, and interactivity on the same endpoint', () => {
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: '/apps', url: expect.stringMatching(/\/slack\/events$/) });
    expect(command.usage_hint.length).toBeGreaterThan(0);
    expect(command.description.length).toBeLessThanOrEqual(2000);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: command.url });
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
  });

  it('lets the bot send direct messages (App Home messages tab)', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });
});
