import { webApi } from '@slack/bolt';
import { BoundedCache } from './bounded-cache.ts';

/** The workspace this bot serves, as auth.test names it: its team, and its Enterprise Grid org when it is on one. */
export interface Home {
  team: string;
  enterprise?: string;
}

export function homeOf(auth: { team_id?: string; enterprise_id?: string }): Home {
  if (!auth.team_id) throw new Error('slack.no_team: auth.test named no team');
  return { team: auth.team_id, ...(auth.enterprise_id ? { enterprise: auth.enterprise_id } : {}) };
}

/**
 * `ours`: one of the organisation's people. `foreign`: anyone else — a Slack Connect member of
 * another organisation, a bot or app, a deactivated account, or someone Slack does not know.
 * `unknown`: Slack could not say just now (a 5xx, a timeout); ask again later.
 */
export type Standing = 'ours' | 'foreign' | 'unknown';

type SlackUser = NonNullable<webApi.UsersInfoResponse['user']>;

/** Slackbot is not flagged `is_bot`, so it is named. */
const SLACKBOT = 'USLACKBOT';

export function standingOf(user: SlackUser, home: Home): 'ours' | 'foreign' {
  if (user.deleted || user.is_bot || user.is_app_user || user.id === SLACKBOT || user.is_stranger) return 'foreign';
  // On a Grid org a colleague may be homed in a sister workspace: the org is what they share with us.
  const ours = home.enterprise
    ? (user.enterprise_user?.enterprise_id ?? user.enterprise_id) === home.enterprise
    : user.team_id === home.team;
  return ours ? 'ours' : 'foreign';
}

export interface Membership {
  /** Whether whoever clicked or typed a command is one of ours. */
  standing(user: string): Promise<Standing>;
  /** Of a channel's members, the organisation's people (anyone Slack cannot vouch for just now is left out). */
  ours(members: readonly string[]): Promise<string[]>;
  /** The language Slack says a user uses (`ja-JP`), if their record was looked up lately. */
  locale(user: string): string | undefined;
}

/** How long Slack's word on a user holds (a deactivation or a new guest shows within this). */
const TTL_MS = 10 * 60_000;
/** Users whose standing is remembered: the clickers of the last ten minutes, and small channels. */
const MAX_REMEMBERED = 5_000;
/**
 * Unknown channel members are looked up one by one (users.info, Tier 4: ~100 calls a minute) up to
 * ONE_BY_ONE, or up to 1 in SWEEP_BREAK_EVEN of the workspace once a sweep has counted it; beyond
 * that one users.list sweep (Tier 2: ~20 calls a minute, 200 people a call) is the quicker way
 * through. Never more than half the cache one by one, so a large channel cannot push clickers out.
 */
const ONE_BY_ONE = 100;
const SWEEP_BREAK_EVEN = 40;
const oneByOneAtMost = (workspaceSize: number) => Math.min(MAX_REMEMBERED / 2, Math.max(ONE_BY_ONE, workspaceSize / SWEEP_BREAK_EVEN));
const NOT_FOUND = new Set(['user_not_found', 'user_not_visible', 'users_not_found']);

/**
 * Who belongs to the home organisation, by Slack's user records. `lookup` answers clickers (it must
 * be quick: their ack waits on it); `sweep` lists channels in the background and may wait out retries.
 */
export function createMembership(
  home: Home,
  clients: { lookup: webApi.WebClient; sweep: webApi.WebClient },
  log: (line: string) => void,
  now: () => number = Date.now,
): Membership {
  const remembered = new BoundedCache<string, 'ours' | 'foreign'>(MAX_REMEMBERED, TTL_MS, now);
  const locales = new BoundedCache<string, string>(MAX_REMEMBERED, TTL_MS, now);
  /** The last users.list sweep, for the channel members it covered: held for TTL_MS, replaced whole. */
  let sweep: { at: number; covered: Set<string>; ours: Set<string> } | undefined;
  /** How many people the last sweep listed: the cost of the next one. */
  let workspaceSize = 0;
  /** Lookups under way, so a double click asks once; an entry lives only while its call does. */
  const inFlight = new Map<string, Promise<Standing>>();

  const known = (user: string): 'ours' | 'foreign' | undefined => {
    const cached = remembered.get(user);
    if (cached) return cached;
    if (!sweep || now() - sweep.at >= TTL_MS || !sweep.covered.has(user)) return undefined;
    return sweep.ours.has(user) ? 'ours' : 'foreign';
  };

  const lookUp = async (client: webApi.WebClient, user: string, failed: (why: string) => void): Promise<Standing> => {
    try {
      const res = await client.users.info({ user, include_locale: true });
      const standing = res.user ? standingOf(res.user, home) : 'foreign';
      remembered.set(user, standing);
      if (res.user?.locale) locales.set(user, res.user.locale);
      return standing;
    } catch (e) {
      const error = e as { code?: string; data?: { error?: string } };
      if (error.code === webApi.ErrorCode.PlatformError && NOT_FOUND.has(error.data?.error ?? '')) {
        remembered.set(user, 'foreign'); // Slack will not show us this user: not one of ours
        return 'foreign';
      }
      // A platform error's own code; a network fault's message, which names its cause (ECONNREFUSED, a timeout).
      failed(error.data?.error ?? (e as Error).message ?? error.code);
      return 'unknown';
    }
  };

  /** Everyone users.list knows, for the members of one channel; a member it does not list is not of this workspace. */
  const sweepWorkspace = async (channel: Set<string>) => {
    const ours = new Set<string>();
    let listed = 0;
    for await (const page of clients.sweep.paginate('users.list', { limit: 200 }) as AsyncIterable<{ members?: SlackUser[] }>) {
      listed += page.members?.length ?? 0;
      for (const user of page.members ?? []) if (user.id && channel.has(user.id) && standingOf(user, home) === 'ours') ours.add(user.id);
    }
    workspaceSize = listed;
    return { at: now(), covered: channel, ours };
  };

  return {
    locale: (user) => locales.get(user),
    async standing(user) {
      const standing = known(user);
      if (standing) return standing;
      let pending = inFlight.get(user);
      if (!pending) {
        pending = lookUp(clients.lookup, user, (why) => log(`slack: could not look up ${user} (users.info): ${why}`)).finally(() =>
          inFlight.delete(user),
        );
        inFlight.set(user, pending);
      }
      return pending;
    },
    async ours(members) {
      let unknown = members.filter((m) => !known(m));
      if (unknown.length > oneByOneAtMost(workspaceSize)) {
        sweep = await sweepWorkspace(new Set(members));
        unknown = [];
      }
      let unsure = 0;
      let why = '';
      const looked = new Map(
        await Promise.all(unknown.map(async (m) => [m, await lookUp(clients.sweep, m, (w) => void (unsure++, (why = w)))] as const)),
      );
      if (unsure)
        log(`slack: ${unsure} announcements channel member(s) could not be looked up (users.info: ${why}); not counted this time`);
      return members.filter((m) => (looked.get(m) ?? known(m)) === 'ours');
    },
  };
}
