import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_SHORTCUT, REQUEST_SHORTCUT } from '../../adapters/slack/messages.ts';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
const socketManifest = JSON.parse(readFileSync(join(root, 'manifest.socket-mode.json'), 'utf8'));

/** The Events API subscriptions each event the code listens to needs, and their scopes (a DM's messages are `message.im`). */
const EVENT_OF: Record<string, { events: string[]; scopes: string[] }> = {
  message: { events: ['message.im'], scopes: ['im:history'] },
  app_mention: { events: ['app_mention'], scopes: ['app_mentions:read'] },
  app_home_opened: { events: ['app_home_opened'], scopes: [] },
  // Slack's reference: both need users:read, which the roster's users.list asks for anyway.
  team_join: { events: ['team_join'], scopes: ['users:read'] },
  user_change: { events: ['user_change'], scopes: ['users:read'] },
};

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
  const events = [...new Set([...code.matchAll(/app\.event\('(\w+)'/g)].map((m) => m[1]!))].sort();

  it('knows the scope of every Web API method the adapter calls', () => {
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods) expect(SCOPE_OF, `scope of ${m}`).toHaveProperty([m]);
  });

  it('asks for the scopes the code uses and no more', () => {
    const needed = new Set([...methods.flatMap((m) => SCOPE_OF[m] ?? []), ...events.flatMap((e) => EVENT_OF[e]?.scopes ?? [])]);
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

  it('lets the bot send direct messages, and people write to it (App Home messages tab)', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true); // each person's page (adapters/slack/home.ts)
  });

  it('subscribes to the events the code listens to, on the same endpoint', () => {
    expect(events).toEqual(['app_home_opened', 'app_mention', 'message', 'team_join', 'user_change']);
    for (const e of events) expect(EVENT_OF, `subscription of ${e}`).toHaveProperty([e]);
    const subscriptions = manifest.settings.event_subscriptions;
    expect([...subscriptions.bot_events].sort()).toEqual(events.flatMap((e) => EVENT_OF[e]!.events).sort());
    expect(subscriptions.request_url).toBe(manifest.features.slash_commands[0].url);
  });

  it('declares the two shortcuts by the callback ids the code listens to', () => {
    expect(code).toContain('app.shortcut(REQUEST_SHORTCUT');
    expect(code).toContain('app.shortcut(CHECK_SHORTCUT');
    const shortcuts = manifest.features.shortcuts as { name: string; type: string; callback_id: string; description: string }[];
    expect(shortcuts.map((x) => [x.type, x.callback_id])).toEqual([
      ['global', REQUEST_SHORTCUT],
      ['message', CHECK_SHORTCUT],
    ]);
    for (const x of shortcuts) {
      expect(x.name.length).toBeLessThanOrEqual(24);
      expect(x.description.length).toBeLessThanOrEqual(150);
    }
  });

  it('the Socket Mode manifest is the same app, with Socket Mode on and no request URLs', () => {
    const strip = (m: typeof manifest) => {
      const copy = structuredClone(m);
      for (const c of copy.features.slash_commands) delete c.url;
      delete copy.settings.event_subscriptions.request_url;
      delete copy.settings.interactivity.request_url;
      copy.settings.socket_mode_enabled = undefined;
      return copy;
    };
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(socketManifest.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socketManifest)).not.toContain('https://appwarden.example.org');
    expect(strip(socketManifest)).toEqual(strip(manifest));
  });
});
