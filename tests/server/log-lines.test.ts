import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAppWarden } from '../../src/app.ts';
import type { LogLevel } from '../../src/config.ts';
import { readConfig } from '../../src/config.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import { createLog } from '../../src/observability/log.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { withRequestContext } from '../../src/observability/request-context.ts';
import { DeliveryError } from '../../src/runtime/outbox.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack } from '../support/bot.ts';

/** A log whose lines land in an array, parsed. */
function capture(level: LogLevel, pretty = false) {
  const written: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  const log = createLog({ level, pretty, destination });
  const lines = () => written.join('').split('\n').filter(Boolean);
  return { log, lines, json: () => lines().map((l) => JSON.parse(l)) };
}

/** What the Slack Web API client throws when it cannot connect: a request error around fetch's TypeError around the socket's. */
function slackUnreachable() {
  const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  const fetchFailed = new TypeError('fetch failed', { cause: socket });
  return Object.assign(new Error('A request error occurred: fetch failed'), { code: 'slack_webapi_request_error', original: fetchFailed });
}

describe('the log: levels, faults and request context', () => {
  it('says an expected network fault as one warning with its cause, its stack (and its causes’) only at debug', () => {
    for (const [level, stack] of [
      ['info', false],
      ['debug', true],
    ] as const) {
      const { log, json } = capture(level);
      log('slack: fault 1a2b3c4d for U0STAFF: A request error occurred: fetch failed', slackUnreachable());
      const [line] = json();
      expect(line).toMatchObject({
        level: 'warn',
        surface: 'system',
        msg: 'slack: fault 1a2b3c4d for U0STAFF: A request error occurred: fetch failed',
        err: { type: 'Error', code: 'slack_webapi_request_error', message: 'A request error occurred: fetch failed' },
      });
      if (stack)
        expect(line.err.stack).toMatch(/^Error: A request error occurred[\s\S]*caused by: TypeError: fetch failed[\s\S]*ECONNREFUSED/);
      else expect(line.err.stack).toBeUndefined();
    }
  });

  it.each([
    ['a 503', Object.assign(new Error('Service Unavailable'), { statusCode: 503 })],
    ['a 429', Object.assign(new Error('Too Many Requests'), { response: { status: 429 } })],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['a delivery the platform refused', new DeliveryError('permanent', 'posting to C0X: channel_not_found')],
  ])('counts %s as expected: a warning without a stack at info', (_, error) => {
    const { log, json } = capture('info');
    log.fault('teams: could not welcome a:1', error);
    expect(json()[0]).toMatchObject({ level: 'warn', msg: 'teams: could not welcome a:1' });
    expect(json()[0].err.stack).toBeUndefined();
  });

  it('logs anything else (a bug) as an error with its stack, at any level', () => {
    const { log, json } = capture('warn');
    log('teams: fault 9f8e7d6c: x is not a function', new TypeError('x is not a function'));
    expect(json()[0]).toMatchObject({ level: 'error', err: { type: 'TypeError', message: 'x is not a function' } });
    expect(json()[0].err.stack).toMatch(/^TypeError: x is not a function\n\s+at /);
  });

  it('never logs what an error carries besides its kind, code, status and message (a request’s headers hold tokens)', () => {
    const { log, lines } = capture('debug');
    const error = Object.assign(new Error('Bad gateway'), {
      statusCode: 502,
      request: { headers: { authorization: 'Bearer secret-token' } },
    });
    log.fault('teams: posting failed', error);
    expect(lines().join('\n')).not.toContain('secret-token');
  });

  it('gives a plain line a warning when it says something went wrong, information otherwise, and drops what is below the level', () => {
    const { log, json } = capture('info');
    log('directory: Directory synced: 1 added');
    log('slack: could not look up U1 (users.info): ratelimited');
    log('outbox: x failed for good: cannot_dm_bot');
    log.debug('not shown at info');
    expect(json().map((l) => [l.level, l.msg])).toEqual([
      ['info', 'directory: Directory synced: 1 added'],
      ['warn', 'slack: could not look up U1 (users.info): ratelimited'],
      ['warn', 'outbox: x failed for good: cannot_dm_bot'],
    ]);
  });

  it('puts the request’s id, surface and person on every line logged while working for it, and on lines it started', async () => {
    const { log, json } = capture('info');
    const context = { requestId: 'req-1', surface: 'slack' as const, person: 'pierre' };
    await withRequestContext(context, async () => {
      log.info('answered');
      await new Promise((r) => setTimeout(r, 5));
      log('slack: could not deliver x');
    });
    log.info('a tick');
    expect(json().map(({ requestId, surface, person, msg }) => ({ requestId, surface, person, msg }))).toEqual([
      { requestId: 'req-1', surface: 'slack', person: 'pierre', msg: 'answered' },
      { requestId: 'req-1', surface: 'slack', person: 'pierre', msg: 'slack: could not deliver x' },
      { requestId: undefined, surface: 'system', person: undefined, msg: 'a tick' },
    ]);
  });

  it('writes human-readable lines for a terminal (pino-pretty as a stream, in this thread)', () => {
    const { log, lines } = capture('info', true);
    log.warn('slack: could not deliver x', { requestId: 'req-2' });
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: slack: could not deliver x/);
    expect(lines()[0]).toContain('req-2');
    expect(() => JSON.parse(lines()[0]!)).toThrow();
  });
});

describe('LOG_LEVEL and METRICS_TOKEN', () => {
  it('reads LOG_LEVEL in any case, info by default, and refuses anything else in one line', () => {
    const level = (LOG_LEVEL?: string) => {
      const read = readConfig({ ...(LOG_LEVEL !== undefined ? { LOG_LEVEL } : {}) });
      return read.ok ? read.config.logLevel : read.problems;
    };
    expect(level()).toBe('info');
    expect(level('DEBUG')).toBe('debug');
    expect(level('verbose')).toEqual(['LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, not "verbose"']);
  });

  it('serves /metrics to nobody without a token on a server that listens beyond loopback', async () => {
    const bot = createAppWarden({ policy: loadPack('demo.yaml'), store: createMemoryStore(), log: () => undefined });
    const metrics = createMetrics();
    metrics.watch(bot);
    // Listening on loopback for the test; told it listens beyond, as HOST=0.0.0.0 would.
    const app = buildHttpApp(bot, [], { metrics: { metrics, access: { listensOnLoopback: false } } });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/needs METRICS_TOKEN/);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      server.close();
    }
  });
});
