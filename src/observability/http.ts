import { AsyncResource } from 'node:async_hooks';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { requestIdFrom, withRequestContext, type RequestContext } from './request-context.ts';

const SURFACE_ROUTES: Record<string, RequestContext['surface']> = { '/slack/events': 'slack', '/api/messages': 'teams' };

/**
 * Every request gets an id (the caller's `X-Request-Id` when it is a plain token), echoed in the
 * response and carried by every log line about it; a platform's request is timed to its answer (the ack).
 */
export function requestIds(options: { log?: Log; metrics?: Metrics }): RequestHandler {
  return (req, res, next) => {
    const surface = SURFACE_ROUTES[req.path] ?? 'http';
    const context: RequestContext = { requestId: requestIdFrom(req.headers['x-request-id']), surface };
    res.setHeader('X-Request-Id', context.requestId);
    const started = performance.now();
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      if (surface !== 'http') options.metrics?.acked(surface, seconds);
      options.log?.debug(`${req.method} ${req.path} ${res.statusCode} in ${Math.round(seconds * 1000)} ms`, {
        ...context,
        status: res.statusCode,
      });
    });
    withRequestContext(context, () => {
      // A body that arrives after the headers is read in the socket's callbacks, outside this request's
      // context (the body parsers call next() from there): the request's events are bound to it here.
      req.emit = AsyncResource.bind(req.emit.bind(req));
      next();
    });
  };
}

/** Who may read `/metrics`: with a token, whoever sends it; without one, anyone only when the server listens on loopback. */
export interface MetricsAccess {
  token?: string;
  listensOnLoopback: boolean;
}

/** `GET /metrics`: Prometheus text, to those MetricsAccess lets in; everyone else gets 401. */
export function metricsEndpoint(metrics: Metrics, access: MetricsAccess): RequestHandler {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = access.token ? digest(access.token) : undefined;
  return async (req, res) => {
    if (expected) {
      const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      // Compared as digests: in constant time, whatever the lengths.
      if (!given || !timingSafeEqual(digest(given), expected))
        return void res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('unauthorized\n');
    } else if (!access.listensOnLoopback) {
      return void res
        .status(401)
        .type('text/plain')
        .send('unauthorized: this server listens beyond loopback, so /metrics needs METRICS_TOKEN (sent as a bearer token)\n');
    }
    const { contentType, body } = await metrics.scrape();
    res.status(200).type(contentType).send(body);
  };
}
