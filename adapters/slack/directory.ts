import { webApi } from '@slack/bolt';
import type { SourcePerson, SourceSnapshot } from '../../commands/entry/handle.ts';
import { homeOf, standingOf, type Home } from './workspace.ts';

type SlackMember = NonNullable<webApi.UsersListResponse['members']>[number];

/** users.list pages: Slack's recommended size (it may answer fewer), and a bound on one read. */
const PAGE = 200;
const MAX_PAGES = 2_500;

/**
 * Slack as an identity source: every member of the workspace (users.list, `users:read` and
 * `users:read.email`), joined to the directory by email. Bots, deactivated accounts, guests and
 * other organisations' members are not people of ours. A Slack that cannot be read fails the read
 * (the client retries 429 and 5xx with back-off first), so a sync never mistakes an outage for leavers.
 */
export async function createSlackDirectory(options: {
  token: string;
  apiUrl?: string;
  retryConfig?: webApi.RetryOptions;
  fetch?: webApi.FetchFunction;
}) {
  const client = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    retryConfig: options.retryConfig ?? { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 30_000 },
    timeout: 15_000,
    logLevel: webApi.LogLevel.ERROR,
  });
  const home = homeOf(await client.auth.test());
  return {
    source: 'slack' as const,
    async read(): Promise<SourceSnapshot> {
      const people: SourcePerson[] = [];
      let pages = 0;
      for await (const page of client.paginate('users.list', { limit: PAGE }) as AsyncIterable<webApi.UsersListResponse>) {
        if (++pages > MAX_PAGES) throw new Error(`users.list gave more than ${MAX_PAGES} pages`);
        for (const member of page.members ?? []) {
          const person = personOf(member, home);
          if (person) people.push(person);
        }
      }
      return { source: 'slack', complete: true, people, removed: [] };
    },
  };
}

/** A member as a person of ours, or undefined for anyone who is not one (or has no email to join by). */
export function personOf(member: SlackMember, home: Home): SourcePerson | undefined {
  if (!member.id || standingOf(member, home) !== 'ours') return undefined;
  if (member.is_restricted || member.is_ultra_restricted) return undefined; // guests
  const email = member.profile?.email?.toLowerCase();
  if (!email) return undefined;
  const name = member.profile?.real_name || member.real_name || member.name;
  return { key: member.id, email, ...(name ? { name } : {}), ...(member.locale ? { locale: member.locale } : {}) };
}
