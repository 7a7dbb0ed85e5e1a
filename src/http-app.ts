import express, { type Express } from 'express';
import type { AppWarden } from './app.ts';
import { metricsEndpoint, requestIds, type MetricsAccess } from './observability/http.ts';
import type { Log } from './observability/log.ts';
import type { Metrics } from './observability/metrics.ts';

export interface Surface {
  name: string;
  /** How it runs, for the start-up line (e.g. "local emulator mode"). */
  mode?: string;
  /** `web`: pages for people (/admin), not a chat platform; /healthz and the start line name the chat surfaces. */
  kind?: 'chat' | 'web';
  /** Mounts the surface's routes on the shared express app. */
  mount(app: Express): void;
  /** What /healthz says of it under its name (Slack: its roster of the workspace). */
  health?(): Record<string, unknown>;
}

/** The server's log and metrics; `/metrics` is served when metrics are given. */
export interface Observability {
  log?: Log;
  metrics?: { metrics: Metrics; access: MetricsAccess };
}

/** One HTTP server for every surface: `/slack/events`, `/api/messages`, `/healthz`, `/metrics`. */
export function buildHttpApp(bot: AppWarden, surfaces: Surface[], observability: Observability = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIds({ ...(observability.log ? { log: observability.log } : {}), metrics: observability.metrics?.metrics }));
  if (observability.metrics) app.get('/metrics', metricsEndpoint(observability.metrics.metrics, observability.metrics.access));
  app.get('/healthz', (_req, res) => {
    const failure = bot.store.failure ?? bot.store.unavailable;
    if (failure) return void res.status(503).json({ ok: false, problem: failure.message });
    const { waiting, failed } = bot.outbox.counts();
    // The full audit chain is checked in the background after start; a failure there is reported, not fatal:
    // what is served was verified when it was loaded.
    const chain = bot.store.chainCheck;
    res.json({
      ok: true,
      organization: bot.policy.organization.name,
      surfaces: surfaces.filter((s) => s.kind !== 'web').map((s) => s.name),
      outbox: { waiting, failed },
      ...(chain ? { auditChain: chain } : {}),
      ...Object.fromEntries(surfaces.flatMap((s) => (s.health ? [[s.name, s.health()]] : []))),
    });
  });
  for (const surface of surfaces) surface.mount(app);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  return app;
}
