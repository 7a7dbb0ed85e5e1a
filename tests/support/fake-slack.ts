import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waiting } from './waiting.ts';

export interface SlackCall {
  method: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** Block Kit limits the real Slack enforces (TESTING.md); a fake that accepts anything hides bugs. */
export function blockKitProblem(body: Record<string, unknown>): string | undefined {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const view = parse(body.view) as Record<string, unknown> | undefined;
  const blocks = (parse(body.blocks) ?? view?.blocks) as Record<string, any>[] | undefined;
  if (view) {
    for (const k of ['title', 'submit', 'close'] as const)
      if (((view[k] as { text?: string })?.text ?? '').length > 24) return `view.${k} over 24`;
    if (String(view.private_metadata ?? '').length > 3000) return 'private_metadata over 3000';
    if ((blocks?.length ?? 0) > 100) return 'over 100 blocks in a view';
  } else if ((blocks?.length ?? 0) > 50) return 'over 50 blocks';
  const ids = new Set<string>();
  for (const b of blocks ?? []) {
    if (b.block_id && (ids.has(b.block_id) || b.block_id.length > 255)) return `bad block_id ${b.block_id}`;
    if (b.block_id) ids.add(b.block_id);
    if (b.type === 'section' && (b.text?.text?.length ?? 0) > 3000) return 'section text over 3000';
    if (b.type === 'section' && (b.fields?.length ?? 0) > 10) return 'over 10 fields';
    for (const f of b.fields ?? []) if (f.text.length > 2000) return 'field over 2000';
    if (b.type === 'context') {
      if (b.elements.length > 10) return 'over 10 context elements';
      for (const e of b.elements) if ((e.text?.length ?? 0) > 3000) return 'context text over 3000';
    }
    if (b.type === 'actions') {
      if (b.elements.length > 25) return 'over 25 elements';
      // Block Kit: an action_id is unique among the action_ids of its block (rows may repeat one).
      const actions = new Set<string>();
      for (const e of b.elements) {
        if (e.text.text.length > 75) return 'button text over 75';
        if ((e.value ?? '').length > 2000) return 'button value over 2000';
        if (actions.has(e.action_id)) return `duplicate action_id ${e.action_id}`;
        actions.add(e.action_id);
      }
    }
    if (b.type === 'input') {
      if ((b.label?.text?.length ?? 0) > 2000) return 'input label over 2000';
      if ((b.hint?.text?.length ?? 0) > 2000) return 'input hint over 2000';
      const problem = elementProblem(b.element ?? {});
      if (problem) return `${b.block_id}: ${problem}`;
    }
  }
  return undefined;
}

/** An input's element: Slack's limits on select menus, radio buttons and text inputs. */
function elementProblem(e: Record<string, any>): string | undefined {
  const options: Record<string, any>[] = e.options ?? [];
  if (e.type === 'static_select' && options.length > 100) return 'over 100 options';
  if ((e.type === 'radio_buttons' || e.type === 'checkboxes') && options.length > 10) return 'over 10 options';
  for (const o of options) {
    if ((o.text?.text?.length ?? 0) > 75) return 'option text over 75';
    if (String(o.value ?? '').length > 150) return 'option value over 150';
  }
  if ((e.placeholder?.text?.length ?? 0) > 150) return 'placeholder over 150';
  if (e.type === 'plain_text_input' && ((e.max_length ?? 0) > 3000 || String(e.initial_value ?? '').length > 3000))
    return 'text input over 3000';
  return undefined;
}

/**
 * What Slack answers for a message it refuses (chat.postMessage, chat.update, chat.postEphemeral, a
 * response_url, a slash command's ack): `text` over 40,000 characters is `msg_too_long`; blocks whose
 * text together passes about 12,000 characters `msg_blocks_too_long` (slackapi/bolt-js#2509); any
 * other Block Kit limit `invalid_blocks`.
 */
export function messageProblem(body: Record<string, unknown>): { error: string; detail: string } | undefined {
  if (String(body.text ?? '').length > 40_000) return { error: 'msg_too_long', detail: 'text over 40,000 characters' };
  const detail = blockKitProblem(body);
  if (detail) return { error: 'invalid_blocks', detail };
  const blocks = typeof body.blocks === 'string' ? JSON.parse(body.blocks) : body.blocks;
  const length = textLength(blocks);
  if (length > 12_000) return { error: 'msg_blocks_too_long', detail: `${length} characters of text in blocks` };
  return undefined;
}

function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (!value || typeof value !== 'object') return 0;
  return Object.entries(value).reduce((n, [k, v]) => n + (k === 'text' && typeof v === 'string' ? v.length : textLength(v)), 0);
}

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);

/** A user record as users.info and users.list give it: Slack adds the locale only when asked (include_locale). */
function asAsked({ locale, ...rest }: FakeUser, body: Record<string, unknown>) {
  return String(body.include_locale) === 'true' && locale ? { ...rest, locale } : rest;
}

/** A user record as users.info and users.list give it (the fields AppWarden reads, and a few more). */
export interface FakeUser {
  id: string;
  team_id: string;
  name: string;
  real_name?: string;
  deleted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  /** Only on someone from another organisation, seen through a Slack Connect channel. */
  is_stranger?: boolean;
  /** Enterprise Grid: the org the user belongs to. */
  enterprise_user?: { id: string; enterprise_id: string; enterprise_name: string; is_admin: boolean; is_owner: boolean; teams: string[] };
  /** `email` only for a token with `users:read.email`, as Slack gives it. */
  profile: { real_name: string; display_name: string; email?: string };
  locale?: string;
}

export const HOME_TEAM = 'T0TEAM';
/** The demo pack's people, the bot's own user and Slackbot: who the demo workspace holds from the start. */
const DEMO_WORKSPACE = ['U0APPROVER', 'U0ADMIN', 'U0STAFF', 'U0STAFF2'];

export interface FakeSlackOptions {
  /** The install is on an Enterprise Grid org with this id (auth.test says so; our users carry it). */
  enterprise?: string;
  /** Answer users.info for any unknown U…/W… id as an ordinary member (load benches with made-up users). */
  anyoneIsMember?: boolean;
  /**
   * Slack's per-method rate limits (TIER_LIMITS), answered 429 + Retry-After as Slack does once a
   * method's minute is spent; on unless a bench turns them off to measure something else.
   */
  tierLimits?: boolean;
  /** People in the directory from the start, besides the demo workspace (as `addUsers` takes them). */
  users?: (Partial<FakeUser> & { id: string })[];
}

/**
 * Calls a minute Slack allows an app in a workspace (api.slack.com/methods: users.info Tier 4,
 * users.list Tier 2), as a bucket that holds a minute's calls and refills evenly: a burst passes,
 * a steady excess is refused.
 */
export const TIER_LIMITS: Record<string, number> = { 'users.info': 100, 'users.list': 20 };

/**
 * A small Slack Web API on 127.0.0.1: records every call, answers like Slack, and can answer a
 * method with 429 + Retry-After (or a 5xx) a given number of times. `POST /respond/*` stands for
 * response_urls. It holds a user directory: users.info answers `user_not_found` for anyone not in it.
 */
export async function startFakeSlack(options: FakeSlackOptions = {}) {
  const calls: SlackCall[] = [];
  /** Every message or view Slack would have refused, with its error and what was wrong. */
  const rejected: { method: string; error: string; detail: string }[] = [];
  const limited = new Map<string, { times: number; retryAfter: number }>();
  const failing = new Map<string, { times: number; status: number }>();
  /** Scripted refusals: the next calls of a method answer `{ ok: false, error }`, as Slack does. */
  const refusals = new Map<string, { times: number; error: string }>();
  /** Scripted faults that Slack's own HTTP layer produces: a post taken but its answer lost, or no answer at all. */
  const faults = new Map<string, { times: number; kind: 'accept-then-500' | 'hang' }>();
  const users = new Map<string, FakeUser>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Seconds until `method` may be called again, or 0 if this call is within its tier (and is counted). */
  const overTier = (method: string): number => {
    const perMinute = options.tierLimits === false ? undefined : TIER_LIMITS[method];
    if (!perMinute) return 0;
    const bucket = buckets.get(method) ?? { tokens: perMinute, at: Date.now() };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((Date.now() - bucket.at) * perMinute) / 60_000);
    bucket.at = Date.now();
    buckets.set(method, bucket);
    if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) * 60) / perMinute);
    bucket.tokens--;
    return 0;
  };
  /** A user as Slack records them: a member of our workspace unless told otherwise. */
  const userOf = (u: Partial<FakeUser> & { id: string }): FakeUser => {
    const team = u.team_id ?? HOME_TEAM;
    const grid =
      options.enterprise && team === HOME_TEAM && !u.is_stranger
        ? {
            enterprise_user: {
              id: u.id,
              enterprise_id: options.enterprise,
              enterprise_name: 'Demo Org',
              is_admin: false,
              is_owner: false,
              teams: [team],
            },
          }
        : {};
    return {
      name: u.id.toLowerCase(),
      deleted: false,
      is_bot: false,
      is_app_user: false,
      is_restricted: false,
      is_ultra_restricted: false,
      profile: { real_name: u.real_name ?? u.id, display_name: u.name ?? u.id.toLowerCase() },
      ...grid,
      ...u,
      team_id: team,
    };
  };
  const addUsers = (...list: (Partial<FakeUser> & { id: string })[]) => {
    for (const u of list) users.set(u.id, userOf(u));
  };
  addUsers(
    ...DEMO_WORKSPACE.map((id) => ({ id })),
    { id: 'UBOT', name: 'appwarden', is_bot: true },
    { id: 'USLACKBOT', name: 'slackbot', real_name: 'Slackbot' },
    ...(options.users ?? []),
  );
  /** What was posted, by channel (a DM to U123 lands in D-U123), newest last, with its metadata. */
  const history = new Map<string, { ts: string; metadata?: unknown; thread_ts?: string }[]>();
  let members: string[] = [];
  /** Channels whose members a test named: an ephemeral message there reaches only one of them. */
  const channelMembers = new Map<string, Set<string>>();
  /** The WebSocket URL apps.connections.open hands out (a fake Socket Mode server), if any. */
  let socketUrl: string | undefined;
  /** Files uploaded through files.getUploadURLExternal → upload URL → files.completeUploadExternal. */
  const uploads = new Map<string, string>();
  let serverUrl = '';
  const dmOf = (channel: string) => (/^[UW]/.test(channel) ? `D-${channel}` : channel);
  // Message timestamps are Slack's clock: seconds since the epoch, unique and increasing.
  let ts = Math.floor(Date.now() / 1000);
  let lastActivity = Date.now();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      lastActivity = Date.now();
      const method = (req.url ?? '').replace(/^\/api\//, '').replace(/^\//, '');
      if (method.startsWith('upload/')) {
        // The client posts the file as multipart form data; keep the file's text.
        const id = method.slice('upload/'.length);
        calls.push({ method: 'upload', headers: req.headers, body: { file: id } });
        void new Response(raw, { headers: { 'content-type': String(req.headers['content-type'] ?? 'text/plain') } })
          .formData()
          .then(
            async (form) => {
              const part = [...form.values()][0];
              uploads.set(id, typeof part === 'string' ? part : await (part as Blob).text());
            },
            () => uploads.set(id, raw),
          )
          .finally(() => {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.end('OK');
          });
        return;
      }
      const body = (req.headers['content-type'] ?? '').includes('json')
        ? JSON.parse(raw || '{}')
        : Object.fromEntries(new URLSearchParams(raw));
      const failure = failing.get(method);
      if (failure && failure.times > 0) {
        failure.times--;
        calls.push({ method: `${method} (${failure.status})`, headers: req.headers, body });
        res.writeHead(failure.status, { 'Content-Type': 'text/html' });
        return res.end('<html>Service Unavailable</html>');
      }
      const fault = faults.get(method);
      if (fault && fault.times > 0) {
        fault.times--;
        calls.push({ method: `${method} (${fault.kind})`, headers: req.headers, body });
        if (fault.kind === 'hang') return; // never answers; the socket stays open until the server closes
        if (method === 'chat.postMessage') record(body); // taken and posted, but the answer is lost
        res.writeHead(500, { 'Content-Type': 'text/html' });
        return res.end('<html>Internal Server Error</html>');
      }
      const refusal = refusals.get(method);
      if (refusal && refusal.times > 0) {
        refusal.times--;
        calls.push({ method: `${method} (${refusal.error})`, headers: req.headers, body });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: refusal.error }));
      }
      const limit = limited.get(method);
      const scripted = limit && limit.times > 0 ? (limit.times--, limit.retryAfter) : 0;
      const retryAfter = scripted || overTier(method);
      if (retryAfter) {
        calls.push({ method: `${method} (429)`, headers: req.headers, body });
        res.writeHead(429, { 'Retry-After': String(retryAfter), 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      calls.push({ method, headers: req.headers, body });
      const answer = (data: Record<string, unknown>) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (method.startsWith('respond/')) {
        // A response_url refuses as incoming webhooks do: HTTP 400 and the error as plain text.
        const refused = messageProblem(body);
        if (!refused) return answer({ ok: true });
        calls[calls.length - 1]!.method = `${method} (${refused.error})`;
        rejected.push({ method, ...refused });
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return res.end(refused.error);
      }
      const refused = MESSAGE_METHODS.has(method) ? (messageProblem(body) ?? threadProblem(body)) : undefined;
      if (refused) return (rejected.push({ method, ...refused }), answer({ ok: false, ...refused }));
      const problem = blockKitProblem(body);
      if (problem)
        return (
          rejected.push({ method, error: 'invalid_blocks', detail: problem }),
          answer({ ok: false, error: 'invalid_blocks', detail: problem })
        );
      switch (method) {
        case 'auth.test':
          return answer({
            ok: true,
            url: 'https://demo.slack.com/',
            team: 'Demo',
            user: 'appwarden',
            team_id: HOME_TEAM,
            user_id: 'UBOT',
            bot_id: 'BBOT',
            is_enterprise_install: false,
            ...(options.enterprise ? { enterprise_id: options.enterprise } : {}),
          });
        case 'users.info': {
          const id = String(body.user ?? '');
          const found = users.get(id) ?? (options.anyoneIsMember && /^[UW][A-Z0-9]+$/.test(id) ? userOf({ id }) : undefined);
          return answer(found ? { ok: true, user: asAsked(found, body) } : { ok: false, error: 'user_not_found' });
        }
        case 'users.list': {
          // The workspace's own members, deactivated ones and bots included; never another organisation's.
          const all = [...users.values()].filter((u) => u.team_id === HOME_TEAM && !u.is_stranger);
          const start = Number(body.cursor ? Buffer.from(String(body.cursor), 'base64').toString().replace('offset:', '') : 0);
          const limit = Number(body.limit ?? 0) || all.length;
          const next = start + limit < all.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
          return answer({
            ok: true,
            members: all.slice(start, start + limit).map((u) => asAsked(u, body)),
            cache_ts: Math.floor(Date.now() / 1000),
            response_metadata: { next_cursor: next },
          });
        }
        case 'chat.postMessage': {
          // Slack refuses a DM to a bot user; the message never exists.
          if (users.get(String(body.channel))?.is_bot) return answer({ ok: false, error: 'cannot_dm_bot' });
          const { channel, posted } = record(body);
          return answer({ ok: true, channel, ts: posted.ts, message: {} });
        }
        case 'files.getUploadURLExternal': {
          const id = `F${++ts}`;
          return answer({ ok: true, file_id: id, upload_url: `${serverUrl}/upload/${id}` });
        }
        case 'files.completeUploadExternal':
          return answer({ ok: true, files: JSON.parse(String(body.files)).map((f: { id: string }) => ({ id: f.id })) });
        case 'conversations.open':
          return answer({ ok: true, channel: { id: dmOf(String(body.users)) } });
        case 'conversations.history': {
          // Newest first, after `oldest` (exclusive), `limit` a page (Slack: default 100, at most 999), with a cursor.
          const oldest = Number(body.oldest ?? 0);
          const all = [...(history.get(String(body.channel)) ?? [])].reverse().filter((m) => Number(m.ts) > oldest);
          const start = Number(body.cursor || 0);
          const limit = Math.min(999, Number(body.limit ?? 100) || 100);
          const more = start + limit < all.length;
          return answer({
            ok: true,
            messages: all.slice(start, start + limit),
            has_more: more,
            response_metadata: { next_cursor: more ? String(start + limit) : '' },
          });
        }
        case 'conversations.members': {
          const start = Number(body.cursor || 0);
          const limit = Number(body.limit ?? 100);
          const next = start + limit < members.length ? String(start + limit) : '';
          return answer({ ok: true, members: members.slice(start, start + limit), response_metadata: { next_cursor: next } });
        }
        case 'chat.update':
          return answer({ ok: true, channel: body.channel, ts: body.ts });
        case 'chat.postEphemeral': {
          // Slack shows an ephemeral message to one person who is in the channel, or to no one.
          const user = users.get(String(body.user ?? ''));
          if (!body.channel) return answer({ ok: false, error: 'channel_not_found' });
          if (!user || user.deleted) return answer({ ok: false, error: 'user_not_found' });
          const inChannel = channelMembers.get(String(body.channel));
          if (inChannel && !inChannel.has(user.id)) return answer({ ok: false, error: 'user_not_in_channel' });
          return answer({ ok: true, message_ts: `${++ts}.000200` });
        }
        case 'apps.connections.open': {
          // Socket Mode: only an app-level token opens a connection; Slack answers a bot token `not_allowed_token_type`.
          const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
          if (!bearer.startsWith('xapp-')) return answer({ ok: false, error: bearer ? 'not_allowed_token_type' : 'not_authed' });
          if (!socketUrl) return answer({ ok: false, error: 'socket_mode_not_enabled' });
          return answer({ ok: true, url: socketUrl });
        }
        case 'views.open':
          return answer({ ok: true, view: { id: `V${++ts}` } });
        default:
          return answer({ ok: true });
      }
    });
  });
  /** A reply names its thread by the parent message's `ts`, in Slack's seconds.micros form. */
  function threadProblem(body: Record<string, unknown>): { error: string; detail: string } | undefined {
    if (body.thread_ts === undefined) return undefined;
    if (!/^\d{9,10}\.\d{6}$/.test(String(body.thread_ts))) return { error: 'invalid_thread_ts', detail: `thread_ts ${body.thread_ts}` };
    return undefined;
  }
  function record(body: Record<string, unknown>) {
    const channel = dmOf(String(body.channel));
    const posted = {
      ts: `${++ts}.000100`,
      metadata: typeof body.metadata === 'string' ? JSON.parse(body.metadata) : body.metadata,
      ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
    };
    history.set(channel, [...(history.get(channel) ?? []), posted]);
    return { channel, posted };
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  serverUrl = url;
  return {
    uploads,
    rejected,
    url,
    apiUrl: `${url}/api/`,
    calls,
    of: (method: string) => calls.filter((c) => c.method === method),
    rateLimit: (method: string, times: number, retryAfter: number) => void limited.set(method, { times, retryAfter }),
    /** Answer a method with an HTTP error (default 503) the next `times` times, as Slack does when it is down. */
    fail: (method: string, times: number, status = 503) => void failing.set(method, { times, status }),
    /** The next `times` calls of `method` are refused with Slack's `error` (`is_archived`, `channel_not_found`…). */
    refuse: (method: string, error: string, times: number) => void refusals.set(method, { times, error }),
    /** The next `times` calls of `method` are taken (a post is posted) but answered 500, as when Slack's answer is lost after the write. */
    acceptThenFail: (method: string, times: number) => void faults.set(method, { times, kind: 'accept-then-500' }),
    /** The next `times` calls of `method` are never answered. */
    hang: (method: string, times: number) => void faults.set(method, { times, kind: 'hang' }),
    /** Every message in a channel (or `D-<user>` for a DM), oldest first. */
    history: (channel: string) => history.get(channel) ?? [],
    /** The announcements channel's members, as conversations.members pages them; ids not yet in the directory join it as ordinary members. */
    setMembers: (ids: string[]) => {
      members = ids;
      for (const id of ids) if (!users.has(id)) addUsers({ id });
    },
    /** Name a channel's members: chat.postEphemeral there is refused (`user_not_in_channel`) for anyone else. */
    setChannelMembers: (channel: string, ids: string[]) => void channelMembers.set(channel, new Set(ids)),
    /** Where apps.connections.open sends a Socket Mode client (a fake Socket Mode server's ws:// URL). */
    setSocketUrl: (url: string | undefined) => void (socketUrl = url),
    /** Put people in the directory: `{ id }` is a member of our workspace; give `team_id`, `is_stranger`, `deleted`, `is_bot`… for anyone else. */
    addUsers,
    users,
    /** Messages posted to a person's DM. */
    dmsTo: (user: string) => history.get(`D-${user}`) ?? [],
    ...waiting(
      'fake Slack',
      () => calls.map((c) => c.method).join(', '),
      () => lastActivity,
    ),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
