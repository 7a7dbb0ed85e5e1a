import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import { surfacesFor } from '../../src/surfaces.ts';
import type { Store } from '../../src/core/store.ts';
import { botOn } from './bot.ts';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startFakeOidc } from './fake-oidc.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The server's HTTP app signing in with the fake provider; PUBLIC_URL is where it really listens (loopback, port 0). */
export async function serveWithOidc(
  options: {
    at?: string;
    env?: Record<string, string>;
    before?: (bot: ReturnType<typeof botOn>) => Promise<void>;
    /** A store another server uses too: two replicas of one deployment. */
    store?: Store;
  } = {},
) {
  const idp = await startFakeOidc();
  closers.push(idp.close);
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const read = readConfig({
    TEAMS_EMULATOR: '0',
    HOST: '0.0.0.0', // with an identity provider, /admin needs no loopback
    OIDC_ISSUER: idp.url,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    PUBLIC_URL: url,
    ...options.env,
  });
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const demo = botOn('demo.yaml', options.at ?? '2026-12-03T10:00:00Z', options.store);
  await options.before?.(demo);
  const { bot } = demo;
  const surfaces = await surfacesFor(read.config, bot, () => undefined);
  server.on('request', buildHttpApp(bot, surfaces));
  return { idp, url, bot };
}

/**
 * The server's HTTP app as configured for HOST with no identity provider, served on loopback port 0 in
 * this process, its clock at `at`; `before` runs on the bot first (an attestation, a request).
 */
export async function serveWithoutIdp(
  host: string,
  at = '2026-12-03T10:00:00Z',
  before?: (bot: ReturnType<typeof botOn>) => Promise<void>,
) {
  const read = readConfig({ TEAMS_EMULATOR: '0', HOST: host });
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const demo = botOn('demo.yaml', at);
  await before?.(demo);
  const { bot } = demo;
  const server: Server = createServer(buildHttpApp(bot, await surfacesFor(read.config, bot, () => undefined)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, config: read.config, bot };
}
