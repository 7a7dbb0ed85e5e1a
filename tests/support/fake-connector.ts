import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waiting } from './waiting.ts';

export interface ConnectorCall {
  method: string;
  /** Decoded: `/v3/conversations/{conversation}/activities/{activity}`. */
  conversation: string;
  activity?: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/**
 * Teams refuses a message over about 28 KB, card included, with 413 `MessageSizeTooBig`; it counts
 * the activity in UTF-16, two bytes a character of its JSON. A fake that takes anything hides oversized cards.
 */
export const MAX_ACTIVITY_BYTES = 28 * 1024;
export const activityBytes = (activity: unknown) => JSON.stringify(activity).length * 2;

/** Errors the real Bot Connector answers, by status: https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis */
const CONNECTOR_ERRORS: Record<number, { code: string; message: string }> = {
  403: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' },
  404: { code: 'ConversationNotFound', message: 'Conversation not found.' },
  412: { code: 'PreconditionFailed', message: 'Precondition failed, please try again.' },
  429: { code: 'Throttled', message: 'Too many requests.' },
  500: { code: 'ServiceError', message: 'Internal server error.' },
  502: { code: 'ServiceError', message: 'Bad gateway.' },
  503: { code: 'ServiceUnavailable', message: 'Service unavailable.' },
};

/**
 * A scripted failure: the next `times` calls matching `to` (a conversation id, or every one) answer
 * `status`, or never answer. `on`: which calls, messages (sends and updates, the default), roster lookups or chats created (`POST /v3/conversations`).
 */
export interface ConnectorFault {
  to?: string;
  on?: 'activities' | 'members' | 'conversations';
  status: number | 'hang';
  times: number;
  retryAfterSeconds?: number;
}

/** A member as the roster answers it (`TeamsChannelAccount`): `id` is the user's MRI (`29:…`). */
export interface RosterMember {
  id: string;
  name?: string;
  aadObjectId: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export interface FakeConnectorOptions {
  /** The members every conversation's roster holds (a test may change `roster` later). */
  roster?: readonly RosterMember[];
  /** When set, every call must carry exactly this `Authorization` header, else 401 (as Bot Connector refuses a bad token). */
  authorization?: string;
}

/**
 * A small Bot Connector on 127.0.0.1: records replies, proactive sends and updates, answering `{ id }`;
 * answers roster lookups (`GET /v3/conversations/{id}/members/{userId}`, by Entra object id or MRI)
 * from its roster, 404 `MemberNotFoundInConversation` for anyone else.
 */
export async function startFakeConnector(options: FakeConnectorOptions = {}) {
  const calls: ConnectorCall[] = [];
  /** Roster lookups answered (found or not), kept apart from `calls`, which are messages. */
  const lookups: (ConnectorCall & { member: string; status: number })[] = [];
  const roster = new Map<string, RosterMember>((options.roster ?? []).map((m) => [m.aadObjectId, m]));
  const findMember = (id: string) =>
    roster.get(id) ?? [...roster.values()].find((m) => m.aadObjectId.toLowerCase() === id.toLowerCase() || m.id === id);
  const faults: ConnectorFault[] = [];
  /** Calls answered with an error (or never), kept apart from `calls`, which the connector took. */
  const refused: (ConnectorCall & { status: number | 'hang' })[] = [];
  /** Messages refused as too big (413 MessageSizeTooBig): the bot should never send one. */
  const oversized: ConnectorCall[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (options.authorization !== undefined && req.headers.authorization !== options.authorization) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ message: 'Authorization has been denied for this request.' }));
      }
      if (req.method === 'POST' && /^\/v3\/conversations\/?(\?|$)/.test(req.url ?? '')) return createConversation(req, raw, res);
      const member = /^\/v3\/conversations\/([^/]+)\/members\/([^/?]+)/.exec(req.url ?? '');
      if (member && req.method === 'GET') return getMember(req, decodeURIComponent(member[1]!), decodeURIComponent(member[2]!), res);
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const body = raw ? JSON.parse(raw) : {};
      const conversation = decodeURIComponent(m[1]!);
      const fault = takeFault('activities', conversation);
      if (fault) {
        refused.push({ method: req.method!, conversation, headers: req.headers, body, status: fault.status });
        return answerFault(fault, res);
      }
      const call = {
        method: req.method!,
        conversation,
        ...(m[2] ? { activity: decodeURIComponent(m[2]) } : {}),
        headers: req.headers,
        body,
      };
      if (activityBytes(body) > MAX_ACTIVITY_BYTES) {
        refused.push({ ...call, status: 413 });
        oversized.push(call);
        res.writeHead(413, { 'Content-Type': 'application/json' });
        return void res.end(
          JSON.stringify({
            error: {
              code: 'MessageSizeTooBig',
              message: `The message is ${activityBytes(body)} bytes (UTF-16); the limit is ${MAX_ACTIVITY_BYTES}.`,
            },
          }),
        );
      }
      calls.push(call);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: m[2] && req.method === 'PUT' ? decodeURIComponent(m[2]) : `activity-${++n}` }));
    });
  });
  const takeFault = (on: 'activities' | 'members' | 'conversations', conversation: string) => {
    const fault = faults.find((f) => f.times > 0 && (f.on ?? 'activities') === on && (!f.to || f.to === conversation));
    if (fault) fault.times--;
    return fault;
  };
  const answerFault = (fault: ConnectorFault, res: import('node:http').ServerResponse) => {
    if (fault.status === 'hang') return; // never answers; the socket stays open until the server closes
    res.writeHead(fault.status, {
      'Content-Type': 'application/json',
      ...(fault.retryAfterSeconds ? { 'Retry-After': String(fault.retryAfterSeconds) } : {}),
    });
    res.end(JSON.stringify({ error: CONNECTOR_ERRORS[fault.status] ?? { code: 'Error', message: `status ${fault.status}` } }));
  };
  /** One member of a conversation's roster, by Entra object id or MRI, as `TeamsInfo.getMember` asks. */
  const getMember = (req: IncomingMessage, conversation: string, id: string, res: import('node:http').ServerResponse) => {
    const fault = takeFault('members', conversation);
    const record = (status: number) => lookups.push({ method: 'GET', conversation, member: id, headers: req.headers, body: {}, status });
    if (fault) {
      record(fault.status === 'hang' ? 0 : fault.status);
      return answerFault(fault, res);
    }
    const found = findMember(id);
    record(found ? 200 : 404);
    if (!found)
      return void res.writeHead(404, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'MemberNotFoundInConversation', message: 'The member could not be found in the conversation.' },
        }),
      );
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(found));
  };
  /**
   * Opening a personal chat (`POST /v3/conversations`), as the Bot Connector answers Teams bots: the
   * tenant (`tenantId` or `channelData.tenant.id`) and exactly one member are required, else 400 with
   * the connector's own error (`BadSyntax` "Could not parse tenant id", `BadArgument` for the members);
   * a member the roster does not hold cannot be reached (403). The new chat's id is `a:`-style.
   */
  const createConversation = (req: IncomingMessage, raw: string, res: import('node:http').ServerResponse) => {
    const body = raw ? JSON.parse(raw) : {};
    const call = { method: 'CREATE', conversation: '', headers: req.headers, body };
    const refuse = (status: number, code: string, message: string) => {
      refused.push({ ...call, status });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
    };
    const fault = takeFault('conversations', '');
    if (fault) {
      refused.push({ ...call, status: fault.status });
      return answerFault(fault, res);
    }
    const tenant = body.tenantId ?? body.channelData?.tenant?.id;
    if (typeof tenant !== 'string' || !tenant) return refuse(400, 'BadSyntax', 'Could not parse tenant id');
    if (
      !Array.isArray(body.members) ||
      !body.members.length ||
      !body.members.every((m: { id?: unknown }) => typeof m?.id === 'string' && m.id)
    )
      return refuse(400, 'BadArgument', 'Conversation creation requires a member with an id.');
    if (body.members.length !== 1 || body.isGroup === true)
      return refuse(400, 'BadArgument', 'A bot can only create a one-to-one conversation with a single member.');
    if (roster.size && !findMember(body.members[0].id))
      return refuse(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
    calls.push(call);
    // The same person's chat is the same conversation, however often it is created (as Teams does).
    const id = created.get(body.members[0].id) ?? `a:personal-created-${++n}`;
    created.set(body.members[0].id, id);
    res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id, serviceUrl: url }));
  };
  const created = new Map<string, string>();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let last = Date.now();
  server.on('request', () => (last = Date.now()));
  return {
    url,
    calls,
    lookups,
    /** Who the roster holds, by Entra object id: add or delete members. */
    roster,
    refused,
    oversized,
    /** Script failures: `fail({ status: 503, times: 4 })`, `fail({ to: APPROVALS, status: 403, times: 1 })`, `fail({ status: 'hang', times: 1 })`. */
    fail: (fault: ConnectorFault) => void faults.push({ ...fault }),
    to: (conversation: string) => calls.filter((c) => c.conversation === conversation),
    ...waiting(
      'fake connector',
      () => calls.map((c) => `${c.method} ${c.conversation}`).join(', '),
      () => last,
    ),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
export type FakeConnector = Awaited<ReturnType<typeof startFakeConnector>>;
