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

/** Teams' limit for a card payload is about 28 KB; a fake that takes anything hides oversized cards. */
const MAX_CARD_BYTES = 28 * 1024;

/** A small Bot Connector on 127.0.0.1: records replies, proactive sends and updates; answers `{ id }`. */
export async function startFakeConnector() {
  const calls: ConnectorCall[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method === 'POST' && /^\/v3\/conversations\/?(\?|$)/.test(req.url ?? '')) return createConversation(req, raw, res);
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const body = raw ? JSON.parse(raw) : {};
      const tooBig = (body.attachments ?? []).some((a: { content?: unknown }) => JSON.stringify(a.content ?? {}).length > MAX_CARD_BYTES);
      calls.push({ method: req.method!, conversation: decodeURIComponent(m[1]!), ...(m[2] ? { activity: decodeURIComponent(m[2]) } : {}), headers: req.headers, body });
      res.writeHead(tooBig ? 413 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(tooBig ? { error: { code: 'MessageSizeTooBig' } } : { id: m[2] && req.method === 'PUT' ? decodeURIComponent(m[2]) : `activity-${++n}` }));
    });
  });
  /** Opening a personal chat: Teams needs the tenant and exactly one member, and answers the new conversation's id. */
  const createConversation = (req: IncomingMessage, raw: string, res: import('node:http').ServerResponse) => {
    const body = raw ? JSON.parse(raw) : {};
    calls.push({ method: 'CREATE', conversation: '', headers: req.headers, body });
    const tenant = body.tenantId ?? body.channelData?.tenant?.id;
    if (!tenant || !Array.isArray(body.members) || body.members.length !== 1 || !body.members[0]?.id) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'BadArgument', message: 'Tenant id and one member are required' } }));
      return;
    }
    res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `a:personal-created-${++n}`, serviceUrl: url }));
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let last = Date.now();
  server.on('request', () => (last = Date.now()));
  return {
    url,
    calls,
    to: (conversation: string) => calls.filter((c) => c.conversation === conversation),
    ...waiting('fake connector', () => calls.map((c) => `${c.method} ${c.conversation}`).join(', '), () => last),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type FakeConnector = Awaited<ReturnType<typeof startFakeConnector>>;
