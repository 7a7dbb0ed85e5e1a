import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_POLICY_FILE } from './policy-file.ts';

export interface Config {
  port: number;
  dataDir: string;
  policyFile: string;
  /** True when no POLICY_FILE was given and ./policy.yaml does not exist. */
  demoPolicy: boolean;
  /** On when both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set. */
  slack?: { token: string; signingSecret: string; apiUrl?: string };
  /** Bot Framework settings by their standard names; empty is local emulator mode. */
  teams: Record<string, string>;
}

/** Overrides of the Bot Framework endpoints (sovereign clouds, tests): botbuilder needs all of them or none. */
export const BOT_FRAMEWORK_ENDPOINT_KEYS = [
  'ToBotFromChannelOpenIdMetadataUrl', 'ToBotFromChannelTokenIssuer', 'ToBotFromEmulatorOpenIdMetadataUrl',
  'ToChannelFromBotLoginUrl', 'ToChannelFromBotOAuthScope', 'CallerId', 'ValidateAuthority',
] as const;
const BOT_FRAMEWORK_KEYS = ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId', ...BOT_FRAMEWORK_ENDPOINT_KEYS] as const;

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
  const slack = readSlack(env, problems);
  const teams = readTeams(env, problems);
  return problems.length ? { ok: false, problems } : { ok: true, config: { port, dataDir, policyFile, demoPolicy, teams, ...(slack ? { slack } : {}) } };
}

function readTeams(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const teams = Object.fromEntries(BOT_FRAMEWORK_KEYS.flatMap((k) => (env[k]?.trim() ? [[k, env[k]!.trim()]] : []))) as Record<string, string>;
  const type = teams.MicrosoftAppType ?? 'MultiTenant';
  if (!['MultiTenant', 'SingleTenant', 'UserAssignedMSI'].includes(type)) problems.push(`MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, not "${type}"`);
  if (!teams.MicrosoftAppId && (teams.MicrosoftAppPassword || teams.MicrosoftAppTenantId)) problems.push('MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is not: Teams needs the bot\'s app id');
  if (teams.MicrosoftAppId && !teams.MicrosoftAppPassword && type !== 'UserAssignedMSI') problems.push('MicrosoftAppId is set but MicrosoftAppPassword is not (the client secret of the bot\'s app registration)');
  if (type !== 'MultiTenant' && teams.MicrosoftAppId && !teams.MicrosoftAppTenantId) problems.push(`MicrosoftAppType ${type} needs MicrosoftAppTenantId`);
  const endpoints = BOT_FRAMEWORK_ENDPOINT_KEYS.filter((k) => teams[k]);
  if (endpoints.length && endpoints.length < BOT_FRAMEWORK_ENDPOINT_KEYS.length)
    problems.push(`Bot Framework endpoint overrides come all together or not at all; missing: ${BOT_FRAMEWORK_ENDPOINT_KEYS.filter((k) => !teams[k]).join(', ')}`);
  return teams;
}

function readSlack(env: NodeJS.ProcessEnv, problems: string[]): Config['slack'] {
  const token = env.SLACK_BOT_TOKEN?.trim();
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  if (!token && !signingSecret) {
    if (env.SLACK_API_URL) problems.push('SLACK_API_URL is set but Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET too');
    return undefined;
  }
  if (!token) problems.push('SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: Slack needs both (the bot token starts with xoxb-)');
  if (!signingSecret) problems.push('SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack needs both (Basic Information → Signing Secret)');
  if (token && !token.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN must be a bot token (xoxb-…), from OAuth & Permissions');
  let apiUrl = env.SLACK_API_URL?.trim();
  if (apiUrl) {
    if (!URL.canParse(apiUrl)) problems.push(`SLACK_API_URL must be a URL such as https://slack.com/api/, not "${apiUrl}"`);
    else if (!apiUrl.endsWith('/')) apiUrl += '/';
  }
  return token && signingSecret ? { token, signingSecret, ...(apiUrl ? { apiUrl } : {}) } : undefined;
}
