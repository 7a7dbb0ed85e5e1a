import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The pack used when no POLICY_FILE is given and there is no ./policy.yaml: `policies/` of the
 * checkout, the nearest one above this module, which is one level below it in the sources and the
 * server's bundle (`dist/server.mjs`) and deeper in the CLI's build (`dist/cli/<build>/`).
 */
export const DEMO_POLICY_FILE = demoPolicyFile(dirname(fileURLToPath(import.meta.url)));

function demoPolicyFile(here: string): string {
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'policies/demo.yaml'))) return join(dir, 'policies/demo.yaml');
  return join(dirname(here), 'policies/demo.yaml');
}

export interface Config {
  port: number;
  /** The address to listen on: HOST, else loopback in emulator mode and every address otherwise. */
  host: string;
  dataDir: string;
  /** DATABASE_URL: the PostgreSQL store, shared by every replica; without it, the embedded store in dataDir. */
  databaseUrl?: string;
  /**
   * OUTBOX_LEASE_SECONDS: how long a replica's hold on a delivery it began lasts without renewal (default
   * 120). A replica that dies mid-delivery leaves it to the others once this has passed.
   */
  outboxLeaseMs?: number;
  policyFile: string;
  /** True when no POLICY_FILE was given and ./policy.yaml does not exist. */
  demoPolicy: boolean;
  /**
   * On when SLACK_BOT_TOKEN is set with SLACK_SIGNING_SECRET (events over HTTP, `/slack/events`) or with
   * SLACK_APP_TOKEN (Socket Mode: the bot connects out to Slack, so no public URL and no signing secret).
   */
  slack?: SlackConfig;
  /** Bot Framework settings by their standard names (MicrosoftAppId…). */
  teams: Record<string, string>;
  /**
   * How `/api/messages` is served: `off` (404), `authenticated` (MicrosoftAppId set: Bot Framework
   * tokens checked, tenants allow-listed) or `emulator` (no authentication, so loopback only).
   */
  teamsMode: TeamsMode;
  /** Tenants whose activities are served: MicrosoftAppTenantId and TEAMS_TENANTS. */
  teamsTenants: string[];
  /** Microsoft Entra ID, read through Microsoft Graph: on when AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set. */
  entra?: EntraConfig;
  /** Jamf Pro, for device inventory: on when JAMF_URL, JAMF_CLIENT_ID and JAMF_CLIENT_SECRET are set. */
  jamf?: JamfConfig;
  /** LOG_LEVEL: the least severe level the JSON log writes (default info). */
  logLevel: LogLevel;
  /**
   * METRICS_TOKEN: the bearer token `/metrics` asks for. Without it `/metrics` answers only when the
   * server listens on loopback (HOST=127.0.0.1): the metrics name people's activity and the platforms' health.
   */
  metricsToken?: string;
  /** How `/admin` is served: see readWeb. */
  web: WebAccess;
}

/**
 * `/admin`: signed in through the organisation's identity provider (OIDC_*), or, with none configured,
 * a demo admin on loopback only; never unauthenticated on a public address (`why` says so at start).
 */
export type WebAccess =
  | { mode: 'demo'; secureCookies: boolean; sessionSecret?: string }
  | {
      mode: 'oidc';
      issuer: string;
      clientId: string;
      clientSecret: string;
      publicUrl: string;
      secureCookies: boolean;
      sessionSecret?: string;
    }
  | { mode: 'off'; why: string };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface JamfConfig {
  /** JAMF_URL: the Jamf Pro server, e.g. https://agency.jamfcloud.com. */
  url: string;
  clientId: string;
  clientSecret: string;
}

export type SlackConfig =
  | { mode: 'http'; token: string; signingSecret: string; apiUrl?: string }
  | { mode: 'socket'; token: string; appToken: string; apiUrl?: string };

export interface EntraConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** AZURE_AUTHORITY_HOST (national clouds: https://login.microsoftonline.us), default https://login.microsoftonline.com. */
  authorityHost: string;
  /** GRAPH_API_URL (GCC High: https://graph.microsoft.us), default https://graph.microsoft.com. */
  graphUrl: string;
}

export type TeamsMode = 'off' | 'authenticated' | 'emulator';

/** Overrides of the Bot Framework endpoints (sovereign clouds, tests): botbuilder needs all of them or none. */
export const BOT_FRAMEWORK_ENDPOINT_KEYS = [
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromChannelTokenIssuer',
  'ToBotFromEmulatorOpenIdMetadataUrl',
  'ToChannelFromBotLoginUrl',
  'ToChannelFromBotOAuthScope',
  'CallerId',
  'ValidateAuthority',
] as const;
const BOT_FRAMEWORK_KEYS = [
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  ...BOT_FRAMEWORK_ENDPOINT_KEYS,
] as const;

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** The environment, read once at the entry point. Every problem is one plain line. */
export function readConfig(env: NodeJS.ProcessEnv, overrides: { policyFile?: string; dataDir?: string } = {}): ConfigResult {
  const problems: string[] = [];
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) problems.push(`PORT must be a port number from 0 to 65535, not "${portText}"`);
  const given = overrides.policyFile ?? env.POLICY_FILE;
  const demoPolicy = !given && !existsSync('policy.yaml');
  const policyFile = given ? resolve(given) : demoPolicy ? DEMO_POLICY_FILE : resolve('policy.yaml');
  if (given && !existsSync(policyFile)) problems.push(`POLICY_FILE ${given}: no such file`);
  const dataDir = resolve(overrides.dataDir ?? env.DATA_DIR ?? './data');
  const databaseUrl = readDatabaseUrl(env, problems);
  const lease = env.OUTBOX_LEASE_SECONDS?.trim();
  if (lease && (!/^\d+$/.test(lease) || Number(lease) < 2))
    problems.push(`OUTBOX_LEASE_SECONDS must be a whole number of seconds, at least 2, not "${lease}"`);
  const outboxLeaseMs = lease && /^\d+$/.test(lease) && Number(lease) >= 2 ? Number(lease) * 1000 : undefined;
  const slack = readSlack(env, problems);
  const teams = readTeams(env, problems);
  const teamsTenants = [
    ...new Set([teams.MicrosoftAppTenantId, ...(env.TEAMS_TENANTS ?? '').split(',')].map((t) => t?.trim()).filter((t): t is string => !!t)),
  ];
  const teamsMode = readTeamsMode(env, teams, !!slack, teamsTenants, problems);
  const host = readHost(env, teamsMode, problems);
  const entra = readEntra(env, problems);
  const jamf = readJamf(env, problems);
  const logLevel = readLogLevel(env, problems);
  const metricsToken = readMetricsToken(env, problems);
  const web = readWeb(env, host, problems);
  return problems.length
    ? { ok: false, problems }
    : {
        ok: true,
        config: {
          port,
          host,
          dataDir,
          ...(databaseUrl ? { databaseUrl } : {}),
          ...(outboxLeaseMs ? { outboxLeaseMs } : {}),
          policyFile,
          demoPolicy,
          teams,
          teamsMode,
          teamsTenants,
          ...(slack ? { slack } : {}),
          ...(entra ? { entra } : {}),
          ...(jamf ? { jamf } : {}),
          logLevel,
          ...(metricsToken ? { metricsToken } : {}),
          web,
        },
      };
}

function readLogLevel(env: NodeJS.ProcessEnv, problems: string[]): LogLevel {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${env.LOG_LEVEL}"`);
  return 'info';
}

/** A bearer token is sent in a header: printable, no spaces, and long enough not to be guessed. */
function readMetricsToken(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (!/^[A-Za-z0-9._~+/=-]{16,}$/.test(token))
    problems.push('METRICS_TOKEN must be at least 16 characters of letters, digits and ._~+/=- (e.g. openssl rand -hex 32)');
  return token;
}

const OIDC_KEYS = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

function readWeb(env: NodeJS.ProcessEnv, host: string, problems: string[]): WebAccess {
  const given = OIDC_KEYS.filter((k) => env[k]?.trim());
  const publicUrl = env.PUBLIC_URL?.trim();
  const parsed = publicUrl && URL.canParse(publicUrl) ? new URL(publicUrl) : undefined;
  if (publicUrl && !parsed) problems.push(`PUBLIC_URL must be a URL such as https://appwarden.example.org, not "${publicUrl}"`);
  if (given.length && (given.length < OIDC_KEYS.length || !publicUrl))
    problems.push(
      `${OIDC_KEYS.join(', ')} and PUBLIC_URL go together (sign-in to /admin); missing: ${[...OIDC_KEYS.filter((k) => !env[k]?.trim()), ...(publicUrl ? [] : ['PUBLIC_URL'])].join(', ')}`,
    );
  // SESSION_SECRET signs /admin's cookies: the same on every replica, so each accepts the others' sessions.
  const sessionSecret = env.SESSION_SECRET?.trim() || undefined;
  if (sessionSecret && sessionSecret.length < 32)
    problems.push('SESSION_SECRET must be at least 32 characters (e.g. openssl rand -hex 32), the same on every replica');
  const secret = sessionSecret ? { sessionSecret } : {};
  if (given.length === OIDC_KEYS.length && parsed) {
    const issuer = env.OIDC_ISSUER!.trim();
    const at = URL.canParse(issuer) ? new URL(issuer) : undefined;
    // Plain http only for an issuer on this machine (a local proxy, a test's provider).
    if (!at || (at.protocol !== 'https:' && !(at.protocol === 'http:' && isLoopbackHost(at.hostname.replace(/^\[|\]$/g, '')))))
      problems.push(`OIDC_ISSUER must be an https:// URL such as https://login.microsoftonline.com/TENANT/v2.0, not "${issuer}"`);
    return {
      mode: 'oidc',
      issuer,
      clientId: env.OIDC_CLIENT_ID!.trim(),
      clientSecret: env.OIDC_CLIENT_SECRET!.trim(),
      publicUrl: parsed.href.replace(/\/+$/, ''),
      secureCookies: parsed.protocol === 'https:',
      ...secret,
    };
  }
  if (!isLoopbackHost(host))
    return {
      mode: 'off',
      why: `/admin is not served: the server listens on ${host}, beyond loopback, and no identity provider is configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, PUBLIC_URL)`,
    };
  return { mode: 'demo', secureCookies: parsed?.protocol === 'https:', ...secret };
}

/** Whether HOST is a loopback address: what is served there is reachable from this machine only. */
export const isLoopbackHost = (host: string) => LOOPBACK.test(host);

const ENTRA_KEYS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

function readEntra(env: NodeJS.ProcessEnv, problems: string[]): EntraConfig | undefined {
  const [tenantId, clientId, clientSecret] = ENTRA_KEYS.map((k) => env[k]?.trim());
  const https = (key: string, fallback: string) => {
    const value = (env[key]?.trim() || fallback).replace(/\/+$/, '');
    if (!URL.canParse(value) || new URL(value).protocol !== 'https:') problems.push(`${key} must be an https:// URL, not "${value}"`);
    return value;
  };
  const authorityHost = https('AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.com');
  const graphUrl = https('GRAPH_API_URL', 'https://graph.microsoft.com');
  if (!tenantId && !clientId && !clientSecret) return undefined;
  const missing = ENTRA_KEYS.filter((k) => !env[k]?.trim());
  if (missing.length) {
    problems.push(`${ENTRA_KEYS.join(', ')} go together (the directory's app registration); missing: ${missing.join(', ')}`);
    return undefined;
  }
  return { tenantId: tenantId!, clientId: clientId!, clientSecret: clientSecret!, authorityHost, graphUrl };
}

const JAMF_KEYS = ['JAMF_URL', 'JAMF_CLIENT_ID', 'JAMF_CLIENT_SECRET'] as const;

function readJamf(env: NodeJS.ProcessEnv, problems: string[]): JamfConfig | undefined {
  const [url, clientId, clientSecret] = JAMF_KEYS.map((k) => env[k]?.trim());
  if (!url && !clientId && !clientSecret) return undefined;
  const missing = JAMF_KEYS.filter((k) => !env[k]?.trim());
  if (missing.length) {
    problems.push(`${JAMF_KEYS.join(', ')} go together (a Jamf Pro API client); missing: ${missing.join(', ')}`);
    return undefined;
  }
  const base = url!.replace(/\/+$/, '');
  if (!URL.canParse(base) || new URL(base).protocol !== 'https:') {
    problems.push(`JAMF_URL must be an https:// URL such as https://agency.jamfcloud.com, not "${base}"`);
    return undefined;
  }
  return { url: base, clientId: clientId!, clientSecret: clientSecret! };
}

function readDatabaseUrl(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const url = env.DATABASE_URL?.trim();
  if (!url) return undefined;
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    problems.push('DATABASE_URL must be a PostgreSQL URL such as postgres://appwarden:PASSWORD@db.example.org:5432/appwarden');
  return url;
}

/**
 * The emulator endpoint answers unauthenticated requests, so it is on only when asked for
 * (TEAMS_EMULATOR=1) or when nothing else is configured (a newcomer's first `npm start`).
 */
function readTeamsMode(
  env: NodeJS.ProcessEnv,
  teams: Record<string, string>,
  slack: boolean,
  tenants: string[],
  problems: string[],
): TeamsMode {
  const emulator = env.TEAMS_EMULATOR?.trim();
  if (emulator && emulator !== '1' && emulator !== '0') problems.push(`TEAMS_EMULATOR must be 1 (on) or 0 (off), not "${emulator}"`);
  if (teams.MicrosoftAppId) {
    if (emulator === '1')
      problems.push(
        'TEAMS_EMULATOR=1 and MicrosoftAppId are both set: the emulator endpoint is unauthenticated, so it cannot serve a real bot; unset one',
      );
    if (!tenants.length)
      problems.push(
        "MicrosoftAppId is set but no tenant is: set MicrosoftAppTenantId (your Entra tenant id; SingleTenant) or TEAMS_TENANTS (a comma-separated list), so other organisations' users are refused",
      );
    return 'authenticated';
  }
  if (emulator === '1' || (emulator !== '0' && !slack)) return 'emulator';
  return 'off';
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

function readHost(env: NodeJS.ProcessEnv, teamsMode: TeamsMode, problems: string[]): string {
  const host = env.HOST?.trim();
  if (!host) return teamsMode === 'emulator' ? '127.0.0.1' : '0.0.0.0';
  if (!isIP(host) && host !== 'localhost')
    problems.push(`HOST must be an IP address to listen on (e.g. 0.0.0.0, 127.0.0.1, ::), not "${host}"`);
  else if (teamsMode === 'emulator' && !LOOPBACK.test(host))
    problems.push(
      `HOST=${host} with the Teams emulator endpoint on: it takes unauthenticated requests, so it listens on loopback only (HOST=127.0.0.1); set TEAMS_EMULATOR=0, or configure Slack or Teams`,
    );
  return host;
}

function readTeams(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const teams = Object.fromEntries(BOT_FRAMEWORK_KEYS.flatMap((k) => (env[k]?.trim() ? [[k, env[k]!.trim()]] : []))) as Record<
    string,
    string
  >;
  const type = teams.MicrosoftAppType ?? (teams.MicrosoftAppTenantId ? 'SingleTenant' : 'MultiTenant');
  if (!['MultiTenant', 'SingleTenant', 'UserAssignedMSI'].includes(type))
    problems.push(`MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, not "${type}"`);
  if (!teams.MicrosoftAppId && (teams.MicrosoftAppPassword || teams.MicrosoftAppTenantId))
    problems.push("MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is not: Teams needs the bot's app id");
  if (teams.MicrosoftAppId && !teams.MicrosoftAppPassword && type !== 'UserAssignedMSI')
    problems.push("MicrosoftAppId is set but MicrosoftAppPassword is not (the client secret of the bot's app registration)");
  if (type !== 'MultiTenant' && teams.MicrosoftAppId && !teams.MicrosoftAppTenantId)
    problems.push(`MicrosoftAppType ${type} needs MicrosoftAppTenantId`);
  const endpoints = BOT_FRAMEWORK_ENDPOINT_KEYS.filter((k) => teams[k]);
  if (endpoints.length && endpoints.length < BOT_FRAMEWORK_ENDPOINT_KEYS.length)
    problems.push(
      `Bot Framework endpoint overrides come all together or not at all; missing: ${BOT_FRAMEWORK_ENDPOINT_KEYS.filter((k) => !teams[k]).join(', ')}`,
    );
  return teams.MicrosoftAppId ? { ...teams, MicrosoftAppType: type } : teams;
}

function readSlack(env: NodeJS.ProcessEnv, problems: string[]): Config['slack'] {
  const token = env.SLACK_BOT_TOKEN?.trim();
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  const appToken = env.SLACK_APP_TOKEN?.trim();
  if (!token && !signingSecret && !appToken) {
    if (env.SLACK_API_URL) problems.push('SLACK_API_URL is set but Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET too');
    return undefined;
  }
  if (!token)
    problems.push(
      appToken
        ? 'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both (the bot token starts with xoxb-)'
        : 'SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: Slack needs both (the bot token starts with xoxb-)',
    );
  // Socket Mode (SLACK_APP_TOKEN): Slack's events come over the bot's own connection, so nothing is signed.
  if (!signingSecret && !appToken)
    problems.push(
      'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack needs both (Basic Information → Signing Secret), or SLACK_APP_TOKEN for Socket Mode',
    );
  if (token && !token.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN must be a bot token (xoxb-…), from OAuth & Permissions');
  if (appToken && !appToken.startsWith('xapp-'))
    problems.push(
      'SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, from Basic Information → App-Level Tokens',
    );
  let apiUrl = env.SLACK_API_URL?.trim();
  if (apiUrl) {
    if (!URL.canParse(apiUrl)) problems.push(`SLACK_API_URL must be a URL such as https://slack.com/api/, not "${apiUrl}"`);
    else if (!apiUrl.endsWith('/')) apiUrl += '/';
  }
  const api = apiUrl ? { apiUrl } : {};
  if (token && appToken) return { mode: 'socket', token, appToken, ...api };
  return token && signingSecret ? { mode: 'http', token, signingSecret, ...api } : undefined;
}
