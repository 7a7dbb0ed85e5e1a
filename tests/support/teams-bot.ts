import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsSurface, type TeamsOptions } from '../../adapters/teams/teams-surface.ts';
import { createAppWarden } from '../../src/app.ts';
import type { OutboxOptions } from '../../src/runtime/outbox.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from './bot.ts';
import { activityBytes, MAX_ACTIVITY_BYTES, startFakeConnector } from './fake-connector.ts';
import type { Policy } from '../../src/core/policy.ts';

/** Teams ids of the demo pack's people (AAD object ids). */
export const TEAMS = {
  akiko: '7341e0c6-b7ae-42c6-8453-529a84cf084b',
  pierre: '603680f4-d45c-4a7d-aebc-f8ab74766b34',
  sam: '7b2c4b0f-4bc5-4fd9-a9a4-a8d93d5abe6c',
  olivia: '25a073b5-0fc7-45ec-a89e-5c12da14d1bf',
  /** Japan LINE pack: 井上 咲, reporter for 市川市. */
  inoue: '5b7c3a1e-2f4d-4e8a-9c61-0d2e7f3a9b14',
};
export const APPROVALS = '19:approvals@thread.tacv2';
/** The organisation's Entra tenant, the one the bot serves. */
export const TENANT = 'tenant-1';
const BOT = { id: '28:appwarden-bot', name: 'AppWarden' };
let counter = 0;
/** A person's Teams user id (MRI), as the `from.id` of their activities and in the roster. */
export const mriOf = (who: keyof typeof TEAMS) => `29:${who}`;
/** The roster of every conversation, as the fake connector answers lookups: everyone in TEAMS (a test may change it). */
const ROSTER = (Object.keys(TEAMS) as (keyof typeof TEAMS)[]).map((who) => ({
  id: mriOf(who),
  name: who,
  aadObjectId: TEAMS[who],
  tenantId: TENANT,
}));

/** The real CloudAdapter inside the real HTTP app on 127.0.0.1:0, against a fake Bot Connector. `pack`: a file in policies/, or a policy built by the test. */
export async function startTeamsBot(
  auth: TeamsOptions['auth'] = {},
  extra: Partial<TeamsOptions> = {},
  pack: string | Policy = 'demo.yaml',
  at = '2026-11-22T09:00:00Z',
  outbox: OutboxOptions = {},
  /** Also serve /admin in the same app, signed in as this person (the loopback demo's way): a web decision beside Teams. */
  web?: { person: string },
) {
  const connector = await startFakeConnector({ roster: ROSTER });
  const store = createMemoryStore();
  const clock = testClock(at);
  const logs: string[] = [];
  const bot = createAppWarden({
    policy: typeof pack === 'string' ? loadPack(pack) : pack,
    store,
    now: clock.now,
    log: (l) => logs.push(l),
    outbox,
  });
  const surface = createTeamsSurface(bot, { auth, tenants: [TENANT], log: (l) => logs.push(l), ...extra });
  const surfaces = [surface];
  if (web) {
    const { createWebSurface } = await import('../../adapters/web/web-surface.ts');
    surfaces.push(createWebSurface(bot, { signIn: { kind: 'demo', person: web.person }, secureCookies: false, log: (l) => logs.push(l) }));
  }
  const server: Server = await new Promise((resolve) => {
    const s = buildHttpApp(bot, surfaces).listen(0, '127.0.0.1', () => resolve(s));
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;

  const personal = (who: keyof typeof TEAMS) => ({ id: `a:personal-${who}`, conversationType: 'personal', tenantId: 'tenant-1' });
  const from = (who: keyof typeof TEAMS) => ({ id: mriOf(who), name: who, aadObjectId: TEAMS[who] });
  const base = (who: keyof typeof TEAMS, conversation: Record<string, unknown>) => ({
    id: `act-${++counter}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: from(who),
    recipient: BOT,
    conversation,
    timestamp: new Date().toISOString(),
    channelData: { tenant: { id: 'tenant-1' } },
  });
  const post = async (activity: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    // An invoke's answer (a refreshed card, a message) is held to the same size as any message: Teams would not show it.
    if (activity.type === 'invoke' && text && activityBytes(JSON.parse(text)) > MAX_ACTIVITY_BYTES)
      throw new Error(`Teams would refuse this invoke response: ${activityBytes(JSON.parse(text))} bytes in UTF-16`);
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  return {
    connector,
    store,
    bot,
    logs,
    endpoint,
    /** Where /admin is, when served. */
    webUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    post,
    base,
    clock,
    personalId: (who: keyof typeof TEAMS) => personal(who).id,
    /**
     * The app installed in a person's personal chat (`conversationUpdate` with the bot added): the bot
     * answers with its welcome, which is checked and then left out of `connector.calls`, so a test that
     * installs only to be known to the bot sees what follows. lifecycle.test.ts sends the raw activities.
     */
    install: async (who: keyof typeof TEAMS) => {
      const before = connector.calls.length;
      const res = await post({ ...base(who, personal(who)), type: 'conversationUpdate', membersAdded: [BOT] });
      const welcome = connector.calls.findIndex((c, i) => i >= before && c.conversation === personal(who).id);
      if (welcome < 0 || !JSON.stringify(connector.calls[welcome]!.body).includes('check <app>'))
        throw new Error(`installing for ${who} was not answered with the welcome: ${JSON.stringify(connector.calls.slice(before))}`);
      connector.calls.splice(welcome, 1);
      return res;
    },
    /** The raw activities of the app's lifecycle in a personal chat, for lifecycle tests. */
    lifecycle: (who: keyof typeof TEAMS, activity: Record<string, unknown>) => post({ ...base(who, personal(who)), ...activity }),
    botAccount: BOT,
    say: (who: keyof typeof TEAMS, text: string, headers?: Record<string, string>) =>
      post({ ...base(who, personal(who)), type: 'message', text }, headers),
    sayInChannel: (who: keyof typeof TEAMS, channel: string, text: string) =>
      post({
        ...base(who, { id: channel, conversationType: 'channel', isGroup: true }),
        type: 'message',
        text: `<at>AppWarden</at> ${text}`,
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>AppWarden</at>' }],
      }),
    invoke: (who: keyof typeof TEAMS, verb: string, data: Record<string, unknown>, id?: string) =>
      post({
        ...base(who, { id: APPROVALS, conversationType: 'channel', isGroup: true }),
        ...(id ? { id } : {}),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data } },
      }),
    /** Stops everything; fails the test if the bot sent a message Teams would have refused as too big. */
    async stop() {
      await connector.idle();
      await new Promise<void>((r) => server.close(() => r()));
      await connector.close();
      if (connector.oversized.length)
        throw new Error(
          `Teams would have refused as too big: ${connector.oversized.map((c) => `${c.method} ${c.conversation}`).join(', ')}`,
        );
    },
  };
}
export type TeamsBot = Awaited<ReturnType<typeof startTeamsBot>>;

/** All the text of a card, for assertions. */
export const cardText = (card: unknown) => JSON.stringify(card);
export const cardOf = (activity: { attachments?: { contentType: string; content: unknown }[] }) =>
  activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
