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
  /**
   * Lists the whole workspace (users.list, paginated) into the roster that answers `standing` without a
   * call; one listing at a time (a second call while one runs gets the same). Resolves once it is done
   * or has failed (logged; the last roster, or lookups, serve meanwhile).
   */
  listWorkspace(): Promise<void>;
  /** A user record Slack sent unasked (`user_change`, `team_join`): it updates what is known at once. */
  heard(user: SlackUser): void;
  /** The roster, for /healthz: whether a listing is under way, how many people it holds and since when. */
  roster(): RosterHealth;
}

export interface RosterHealth {
  /** `listing`: the first listing is under way; `listed`: a roster answers; `lookups`: none (failed, stale or too large). */
  state: 'listing' | 'listed' | 'lookups';
  people: number;
  listedAt?: string;
}

/** How long Slack's word on a user holds (a deactivation or a new guest shows within this). */
const TTL_MS = 10 * 60_000;
/** Users whose standing is remembered: the clickers of the last ten minutes, and small channels. */
const MAX_REMEMBERED = 5_000;
/**
 * Unknown channel members are looked up one by one (users.info, Tier 4: ~100 calls a minute) up to
 * ONE_BY_ONE, or up to 1 in LISTING_BREAK_EVEN of the workspace once a listing has counted it;
 * beyond that a listing of the whole workspace (users.list, Tier 2: ~20 calls a minute, 200 people a
 * call) is the quicker way through. Never more than half the cache one by one, so a large channel cannot push clickers out.
 */
const ONE_BY_ONE = 100;
const LISTING_BREAK_EVEN = 40;
const oneByOneAtMost = (workspaceSize: number) => Math.min(MAX_REMEMBERED / 2, Math.max(ONE_BY_ONE, workspaceSize / LISTING_BREAK_EVEN));
const NOT_FOUND = new Set(['user_not_found', 'user_not_visible', 'users_not_found']);
/**
 * The roster answers for this long after its listing began; it is listed again every RELIST_EVERY_MS, so a
 * failed listing or two leave it in service. A deactivation reaches it at once by `user_change`, or by
 * the next listing should that event be lost.
 */
const ROSTER_VALID_MS = 3 * TTL_MS;
/** How often the surface lists the workspace again. */
export const RELIST_EVERY_MS = TTL_MS;
/** A workspace larger than this is not held whole (~100 bytes a person): its clickers are looked up one by one. */
const MAX_ROSTER = 500_000;

interface Roster {
  /** When its listing began: anything Slack said after that is newer. */
  at: number;
  standings: Map<string, 'ours' | 'foreign'>;
  locales: Map<string, string>;
}

/**
 * Who belongs to the home organisation, by Slack's user records: a roster of the whole workspace,
 * listed in the background and kept current by Slack's user events, and, for anyone it does not hold,
 * a lookup. `lookup` answers clickers (it must be quick: their ack waits on it); `background` lists the
 * workspace and looks up channel members in the background, and may wait out retries.
 */
export function createMembership(
  home: Home,
  clients: { lookup: webApi.WebClient; background: webApi.WebClient },
  log: (line: string) => void,
  now: () => number = Date.now,
): Membership {
  const remembered = new BoundedCache<string, 'ours' | 'foreign'>(MAX_REMEMBERED, TTL_MS, now);
  const locales = new BoundedCache<string, string>(MAX_REMEMBERED, TTL_MS, now);
  /** How many people the last listing held: the cost of the next one. */
  let workspaceSize = 0;
  /** Lookups under way, so a double click asks once; an entry lives only while its call does. */
  const inFlight = new Map<string, Promise<Standing>>();

  /** The whole workspace as the last complete listing found it, kept current by the user events since. */
  let roster: Roster | undefined;
  /** The listing under way, and what Slack said of users while it ran (applied on top when it ends). */
  let listing: Promise<void> | undefined;
  let heardWhileListing = new Map<string, SlackUser>();
  let everListed = false;
  const rosterFresh = () => !!roster && now() - roster.at < ROSTER_VALID_MS;

  const known = (user: string): 'ours' | 'foreign' | undefined => {
    const cached = remembered.get(user);
    if (cached) return cached;
    return rosterFresh() ? roster!.standings.get(user) : undefined;
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

  const enter = (into: Roster, user: SlackUser) => {
    if (!user.id) return;
    into.standings.set(user.id, standingOf(user, home));
    // user_change carries no locale: the listed one stays.
    if (user.locale) into.locales.set(user.id, user.locale);
  };

  const listWhole = async () => {
    const next: Roster = { at: now(), standings: new Map(), locales: new Map() };
    heardWhileListing = new Map();
    try {
      for await (const page of clients.background.paginate('users.list', { limit: 200, include_locale: true }) as AsyncIterable<{
        members?: SlackUser[];
      }>) {
        for (const user of page.members ?? []) enter(next, user);
        if (next.standings.size > MAX_ROSTER) {
          roster = undefined;
          log(`slack: the workspace has more than ${MAX_ROSTER} people: not held whole; clickers are looked up one by one`);
          return;
        }
      }
    } catch (e) {
      const error = e as { data?: { error?: string }; message?: string };
      log(
        `slack: could not list the workspace (users.list): ${error.data?.error ?? error.message}; ${rosterFresh() ? 'the last listing serves' : 'clickers are looked up one by one'}`,
      );
      return;
    }
    for (const user of heardWhileListing.values()) enter(next, user);
    roster = next;
    workspaceSize = next.standings.size;
    if (!everListed) log(`slack: the workspace listed: ${next.standings.size} people in ${((now() - next.at) / 1000).toFixed(1)} s`);
    everListed = true;
  };

  const listWorkspace = () => {
    listing ??= listWhole().finally(() => (listing = undefined));
    return listing;
  };

  return {
    locale: (user) => locales.get(user) ?? (rosterFresh() ? roster!.locales.get(user) : undefined),
    listWorkspace,
    heard(user) {
      if (!user.id) return;
      const standing = standingOf(user, home);
      remembered.set(user.id, standing);
      if (user.locale) locales.set(user.id, user.locale);
      // Both bounded as the roster is: a flood of events cannot grow them past a listing's size.
      if (roster && (roster.standings.has(user.id) || roster.standings.size < MAX_ROSTER)) enter(roster, user);
      if (listing && heardWhileListing.size < MAX_ROSTER) heardWhileListing.set(user.id, user);
    },
    roster: () => ({
      state: rosterFresh() ? 'listed' : listing && !everListed ? 'listing' : 'lookups',
      people: rosterFresh() ? roster!.standings.size : 0,
      ...(rosterFresh() ? { listedAt: new Date(roster!.at).toISOString() } : {}),
    }),
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
        // Too many to look up one by one: a listing answers for them all, and whom it does not hold is
        // not of this workspace (someone who joined since, unannounced, waits for the next listing).
        if (!roster || now() - roster.at >= TTL_MS) await listWorkspace();
        if (!rosterFresh())
          throw new Error(`the workspace could not be listed (users.list): ${unknown.length} channel members are unknown`);
        unknown = [];
      }
      let unsure = 0;
      let why = '';
      const looked = new Map(
        await Promise.all(unknown.map(async (m) => [m, await lookUp(clients.background, m, (w) => void (unsure++, (why = w)))] as const)),
      );
      if (unsure)
        log(`slack: ${unsure} announcements channel member(s) could not be looked up (users.info: ${why}); not counted this time`);
      return members.filter((m) => (looked.get(m) ?? known(m)) === 'ours');
    },
  };
}
