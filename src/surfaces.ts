import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import type { SlackFetch } from '../adapters/slack/slack-surface.ts';
import type { AppWarden, Deliverer } from './app.ts';
import type { Config } from './config.ts';
import type { Surface } from './http-app.ts';
import { StartupProblem } from './startup-problem.ts';

export { StartupProblem };

// Each platform's SDK is loaded only when the configuration turns the platform on: @slack/bolt and
// botbuilder take longer to load than a command takes to answer.

/** The chat surfaces the configuration turns on. */
export async function surfacesFor(config: Config, bot: AppWarden, log: (line: string) => void): Promise<Surface[]> {
  const surfaces: Surface[] = [];
  if (config.slack) {
    const slack = config.slack;
    const { createSlackSurface, SocketModeStartError } = await import('../adapters/slack/slack-surface.ts');
    const proxy = slack.mode === 'socket' ? outboundProxy() : undefined;
    try {
      surfaces.push(
        await createSlackSurface(bot, {
          token: slack.token,
          ...(slack.mode === 'http' ? { signingSecret: slack.signingSecret } : { appToken: slack.appToken }),
          ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
          ...(proxy ? { socketDispatcher: proxy } : {}),
          ...slackFetch(),
          log,
        }),
      );
    } catch (e) {
      if (e instanceof SocketModeStartError)
        throw new StartupProblem(`Slack Socket Mode could not connect (apps.connections.open with SLACK_APP_TOKEN): ${e.message}`);
      throw new StartupProblem(
        `Slack refused the bot token (auth.test): ${(e as { data?: { error?: string } }).data?.error ?? (e as Error).message}`,
      );
    }
  }
  // Bot Framework: authenticated with a MicrosoftAppId; else the emulator endpoint, only when asked for
  // (or nothing else is configured), and then the server listens on loopback only (see config.ts).
  if (config.teamsMode !== 'off') {
    const { createTeamsSurface } = await import('../adapters/teams/teams-surface.ts');
    surfaces.push(createTeamsSurface(bot, { auth: config.teams, tenants: config.teamsTenants, log }));
  }
  const web = webSurfaceOf(config, bot);
  if (web.ok) {
    const { createWebSurface } = await import('../adapters/web/web-surface.ts');
    const secureCookies = config.web.mode !== 'off' && config.web.secureCookies;
    const { clientAssets } = await import('../adapters/web/assets.ts');
    await clientAssets().catch((e: Error) => {
      throw new StartupProblem(`/admin: the chart script (adapters/web/client/charts.ts) could not be built: ${e.message}`);
    });
    const { sessionKey, sessionRevocations } = await import('./runtime/session-key.ts');
    const key = config.web.mode === 'off' ? undefined : await sessionKey(bot.store, config.web.mode, config.web.sessionSecret, bot.now());
    const keyed = { ...(key ? { sessionKey: key } : {}), revocations: sessionRevocations(bot.store) };
    if (config.web.mode === 'oidc') {
      const { createOidcSignIn } = await import('../adapters/web/oidc-sign-in.ts');
      const { issuer, clientId, clientSecret, publicUrl } = config.web;
      const oidc = await createOidcSignIn({ issuer, clientId, clientSecret, publicUrl }).catch((e: Error) => {
        throw new StartupProblem(`OIDC_ISSUER ${issuer}: its discovery document could not be read (${e.message})`);
      });
      surfaces.push(createWebSurface(bot, { signIn: { kind: 'oidc', oidc }, secureCookies, log, ...keyed }));
    } else surfaces.push(createWebSurface(bot, { signIn: { kind: 'demo', person: web.demoPerson! }, secureCookies, log, ...keyed }));
  }
  return surfaces;
}

/** Whether `/admin` is served, as whom in demo mode, and if not, why (for the start-up log). */
export function webSurfaceOf(
  config: Config,
  bot: AppWarden,
): { ok: true; demoPerson?: string; secureCookies: boolean } | { ok: false; why: string } {
  if (config.web.mode === 'off') return { ok: false, why: config.web.why };
  if (config.web.mode === 'oidc') return { ok: true, secureCookies: config.web.secureCookies };
  const admin = bot.policy.people.find((p) => p.roles?.includes('admin'));
  if (!admin) return { ok: false, why: '/admin is not served: loopback demo mode signs in as an admin, and the policy lists none' };
  return { ok: true, demoPerson: admin.id, secureCookies: config.web.secureCookies };
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * The outbound proxy (HTTPS_PROXY / HTTP_PROXY, except for the hosts NO_PROXY names), as an undici
 * dispatcher, or none: government networks reach Slack and Microsoft only through their proxy.
 * (botbuilder's clients read the same variables themselves, through @azure/core-rest-pipeline.)
 */
export function outboundProxy(): EnvHttpProxyAgent | undefined {
  return PROXY_VARIABLES.some((name) => process.env[name]?.trim()) ? new EnvHttpProxyAgent() : undefined;
}

/** `{ fetch }` for the Slack Web API's clients, going through the outbound proxy when there is one. */
export function slackFetch(): { fetch?: SlackFetch } {
  const dispatcher = outboundProxy();
  if (!dispatcher) return {};
  // undici's own fetch with its own dispatcher (Node's global fetch bundles another undici).
  return { fetch: ((url, init) => undiciFetch(url, { ...(init as object), dispatcher })) as SlackFetch };
}

/** Delivery only, for a process that serves no HTTP (`appwarden remind`): the platforms the configuration names. */
export async function deliverersFor(config: Config, bot: AppWarden, log: (line: string) => void): Promise<Deliverer[]> {
  const out: Deliverer[] = [];
  if (config.slack) {
    const { createSlackDeliverer } = await import('../adapters/slack/deliver.ts');
    try {
      out.push(await createSlackDeliverer(bot, { ...config.slack, ...slackFetch() }, log));
    } catch (e) {
      throw new StartupProblem(
        `Slack refused the bot token (auth.test): ${(e as { data?: { error?: string } }).data?.error ?? (e as Error).message}`,
      );
    }
  }
  if (config.teamsMode === 'authenticated') {
    const { createTeamsDeliverer } = await import('../adapters/teams/deliver.ts');
    out.push(createTeamsDeliverer(bot, config.teams, log));
  }
  return out;
}
