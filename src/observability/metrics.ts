import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Observer } from '../app.ts';
import { DIRECTORY_SOURCES } from '../core/directory.ts';
import { INVENTORY_SOURCES } from '../core/inventory.ts';
import type { Store } from '../core/store.ts';
import type { Log } from './log.ts';

/** What the gauges read at each scrape: the store's records and the outbox's counts. */
export interface Watched {
  store: Pick<Store, 'get'>;
  outbox: { counts(): { waiting: number; failed: number } };
}

export type SyncKind = 'directory' | 'inventory';

/**
 * The server's Prometheus metrics, on a registry of its own. Every label takes a bounded set of values:
 * command names from the command list (see interactionName), surfaces, platforms, source names; never
 * what someone typed.
 */
export function createMetrics(now: () => Date = () => new Date()) {
  let watching: Watched | undefined;
  const watched = () => watching;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const commands = new Counter({
    name: 'appwarden_commands_total',
    help: 'Interactions that entered the command layer, by command (or button, form, view, tick, sync), surface and outcome',
    labelNames: ['command', 'surface', 'outcome'] as const,
    registers,
  });
  const ack = new Histogram({
    name: 'appwarden_ack_seconds',
    help: 'Time from a platform request received to its HTTP answer (the ack), by surface; Slack gives up at 3 s',
    labelNames: ['surface'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers,
  });
  const commit = new Histogram({
    name: 'appwarden_store_commit_seconds',
    help: "Time from a unit of work's change staged to its audit entry durable (written and synced)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const deliveries = new Counter({
    name: 'appwarden_deliveries_total',
    help: 'Outbox delivery attempts on each platform, by outcome: delivered, retry (tried again later), failed (for good)',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });
  const lag = new Histogram({
    name: 'appwarden_outbox_lag_seconds',
    help: 'Time from an outbox item queued (a reminder when it fell due, a notice with its change) to delivered everywhere',
    buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600],
    registers,
  });
  new Gauge({
    name: 'appwarden_outbox_waiting',
    help: 'Outbox items not yet delivered everywhere',
    registers,
    collect() {
      const w = watched();
      if (w) this.set(w.outbox.counts().waiting);
    },
  });
  new Gauge({
    name: 'appwarden_outbox_failed',
    help: 'Outbox items a platform refused for good (see `appwarden outbox`)',
    registers,
    collect() {
      const w = watched();
      if (w) this.set(w.outbox.counts().failed);
    },
  });

  const lastResult = new Map<string, number>();
  const syncGauges = (kind: SyncKind, sources: readonly string[]) => {
    const collection = kind === 'directory' ? 'directory_sources' : 'inventory_sources';
    new Gauge({
      name: `appwarden_${kind}_sync_age_seconds`,
      help: `Seconds since each ${kind} source was last read and applied, from the store (any replica's sync counts)`,
      labelNames: ['source'] as const,
      registers,
      collect() {
        this.reset();
        const w = watched();
        for (const source of sources) {
          const at = w?.store.get(collection, source)?.syncedAt;
          if (at) this.set({ source }, Math.max(0, (now().getTime() - Date.parse(at)) / 1000));
        }
      },
    });
    new Gauge({
      name: `appwarden_${kind}_sync_ok`,
      help: `1 when this process's last ${kind} sync was applied, 0 when it failed (nothing was changed); absent before the first`,
      labelNames: ['source'] as const,
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          const ok = lastResult.get(`${kind}:${source}`);
          if (ok !== undefined) this.set({ source }, ok);
        }
      },
    });
  };
  syncGauges('directory', DIRECTORY_SOURCES);
  syncGauges('inventory', INVENTORY_SOURCES);

  return {
    registry,
    /** What the gauges read from now on (the bot is built after its observer, so it comes later). */
    watch(w: Watched) {
      watching = w;
    },
    /** The answer to `/metrics`. */
    scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    handled: (command: string, surface: string, outcome: string) => commands.inc({ command, surface: surfaceLabel(surface), outcome }),
    acked: (surface: string, seconds: number) => ack.observe({ surface }, seconds),
    committed: (seconds: number) => commit.observe(seconds),
    attempted: (platform: string, outcome: 'delivered' | 'retry' | 'failed') => deliveries.inc({ platform, outcome }),
    sent: (seconds: number) => lag.observe(seconds),
    /** A sync this process ran: one result for every source it read, since a failure changes nothing for any of them. */
    synced: (kind: SyncKind, sources: readonly string[], ok: boolean) => {
      for (const source of sources) lastResult.set(`${kind}:${source}`, ok ? 1 : 0);
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

const SURFACES = new Set(['slack', 'teams', 'cli', 'scheduler']);
/** A surface name as a label: the known ones, anything else (a test's, a future surface's) as `other`. */
const surfaceLabel = (surface: string) => (SURFACES.has(surface) ? surface : 'other');

/**
 * What the bot tells its observer, counted and logged: a line per interaction (at debug for the
 * clock's, which come every minute), and the outbox's attempts and lag.
 */
export function observerOf(metrics: Metrics, log: Log): Observer {
  return {
    handled({ command, surface, outcome, seconds }) {
      metrics.handled(command, surface, outcome);
      const ms = Math.round(seconds * 1000);
      const line = `${surface}: ${command}: ${outcome} in ${ms} ms`;
      (surface === 'scheduler' ? log.debug : log.info)(line, { command, outcome, ms });
    },
    committed: (seconds) => metrics.committed(seconds),
    outbox: {
      attempted: (platform, outcome) => metrics.attempted(platform, outcome),
      finished(item) {
        if (item.status === 'sent' && item.sentAt) metrics.sent(Math.max(0, (Date.parse(item.sentAt) - Date.parse(item.createdAt)) / 1000));
      },
    },
  };
}
