import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack.ts';

/** What the client sent back for an envelope: its ack, and how long after the envelope it came. */
export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
  ms: number;
}

/** Envelope types Slack sends over a Socket Mode connection. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** Slack's limit for an envelope's ack. */
export const ACK_WITHIN_MS = 3_000;

/**
 * A Socket Mode server on 127.0.0.1, as Slack runs one: the fake Slack's `apps.connections.open`
 * hands out its `ws://` URL; every connection is greeted with `hello`; envelopes are sent with an
 * `envelope_id` and must be acked (`{ envelope_id, payload? }`) within 3 s. `drop()` cuts the
 * connection without a close frame, as a lost network does.
 */
export async function startFakeSocketMode(fake: FakeSlack) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/?ticket=test`;
  fake.setSocketUrl(url);
  const sockets: WebSocket[] = [];
  const acks = new Map<string, (ack: Omit<Ack, 'ms'>) => void>();
  /** Everything the clients sent that was not an ack of ours. */
  const other: unknown[] = [];
  let next = 0;
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
      const waiting = message.envelope_id ? acks.get(message.envelope_id) : undefined;
      if (!waiting) return void other.push(message);
      acks.delete(message.envelope_id!);
      waiting({ envelope_id: message.envelope_id!, ...(message.payload ? { payload: message.payload } : {}) });
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.filter((s) => s.readyState === s.OPEN).length,
        debug_info: { host: 'applink-fake', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0APP' },
      }),
    );
  });
  const open = () => sockets.filter((s) => s.readyState === s.OPEN);
  return {
    url,
    /** How many connections were ever made (a reconnection is one more). */
    connections: () => sockets.length,
    /** Connections open now. */
    open,
    other,
    /**
     * Sends one envelope on the newest open connection and resolves with its ack; rejects when none
     * comes within `timeoutMs` (Slack's 3 s). `retryAttempt` > 0 marks a redelivery, as Slack sends one.
     */
    send(
      type: EnvelopeType,
      payload: Record<string, unknown>,
      o: { envelopeId?: string; retryAttempt?: number; timeoutMs?: number } = {},
    ): Promise<Ack> {
      const socket = open().at(-1);
      if (!socket) return Promise.reject(new Error('fake Socket Mode: no open connection'));
      const envelope_id = o.envelopeId ?? `env-${++next}-${Math.random().toString(36).slice(2, 8)}`;
      const started = performance.now();
      const acked = new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(envelope_id);
          reject(new Error(`fake Socket Mode: ${type} envelope ${envelope_id} not acked within ${o.timeoutMs ?? ACK_WITHIN_MS} ms`));
        }, o.timeoutMs ?? ACK_WITHIN_MS);
        acks.set(envelope_id, (ack) => {
          clearTimeout(timer);
          resolve({ ...ack, ms: performance.now() - started });
        });
      });
      socket.send(
        JSON.stringify({
          envelope_id,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api' || o.retryAttempt !== undefined
            ? { retry_attempt: o.retryAttempt ?? 0, retry_reason: o.retryAttempt ? 'timeout' : '' }
            : {}),
        }),
      );
      return acked;
    },
    /** Cuts every open connection at once, with no close frame. */
    drop: () => open().forEach((s) => s.terminate()),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.terminate();
        server.close(() => r());
      }),
  };
}
export type FakeSocketMode = Awaited<ReturnType<typeof startFakeSocketMode>>;
