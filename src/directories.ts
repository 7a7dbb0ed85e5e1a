import { dirname, resolve } from 'node:path';
import type { Policy } from './core/policy.ts';
import type { Config } from './config.ts';
import { csvDirectory } from './runtime/csv-directory.ts';
import type { DirectoryReader } from './runtime/directory-sync.ts';
import { StartupProblem } from './startup-problem.ts';
import { outboundProxy, slackFetch } from './surfaces.ts';

/**
 * The identity sources the configuration and the policy turn on, in the order they are applied:
 * the HR export, then Slack, then Entra ID (the organisation's record of who works there, applied
 * last so that its word on who has left stands). Entra is on with its AZURE_* credentials; Slack with
 * `directory.slack: true` and a Slack bot token; the export with `directory.csv`. Each source's client
 * is loaded only when it is on (@slack/bolt, MSAL).
 */
export async function directoryReadersFor(config: Config, policy: Policy, log: (line: string) => void): Promise<DirectoryReader[]> {
  const wanted = policy.directory;
  const readers: DirectoryReader[] = [];
  if (wanted?.csv) readers.push(csvDirectory(resolve(dirname(config.policyFile), wanted.csv), new Set(policy.units.map((u) => u.id))));
  if (wanted?.slack) {
    if (!config.slack)
      log('directory.slack is on but Slack is not configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET): Slack members are not read');
    else {
      const { createSlackDirectory } = await import('../adapters/slack/directory.ts');
      try {
        readers.push(
          await createSlackDirectory({
            token: config.slack.token,
            ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
            ...slackFetch(),
          }),
        );
      } catch (e) {
        throw new StartupProblem(
          `Slack refused the bot token (auth.test): ${(e as { data?: { error?: string } }).data?.error ?? (e as Error).message}`,
        );
      }
    }
  }
  if (config.entra) {
    const mapping = wanted?.entra;
    const groups = [...new Set([...Object.keys(mapping?.units_by_group ?? {}), ...Object.keys(mapping?.roles_by_group ?? {})])];
    // HTTPS_PROXY / NO_PROXY: a government network reaches Microsoft through its proxy.
    const proxy = outboundProxy();
    const { entraDirectory } = await import('../adapters/entra/graph-directory.ts');
    readers.push(entraDirectory({ ...config.entra, groups, log, ...(proxy ? { dispatcher: proxy } : {}) }));
  } else if (wanted?.entra)
    log('directory.entra is set but AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET are not: Entra ID is not read');
  return readers;
}
