import { createServer, type Server } from 'node:http';
import { createAppWarden } from './app.ts';
import { isLoopbackHost, readConfig, type Config } from './config.ts';
import { AppWardenError, formatIssues } from './core/result.ts';
import { buildHttpApp, type Surface } from './http-app.ts';
import { loadPolicyFile } from './runtime/policy-file.ts';
import { describeStorage, openConfiguredStore } from './storage.ts';
import { createScheduler } from './runtime/scheduler.ts';
import { createDirectorySync, type DirectoryReader } from './runtime/directory-sync.ts';
import { directoryReadersFor } from './directories.ts';
import { inventoryReadersFor } from './inventories.ts';
import { createInventorySync } from './runtime/inventory-sync.ts';
import { applyRetention, describeRetention } from './runtime/retention.ts';
import { StartupProblem, surfacesFor, webSurfaceOf } from './surfaces.ts';
import { createLog } from './observability/log.ts';
import { createMetrics, observerOf } from './observability/metrics.ts';

/** How long a stop waits for deliveries in flight. */
const STOP_GRACE_MS = 5_000;
/**
 * Between ticks, how often the outbox looks again: for what other replicas committed (a replica that
 * died leaves its deliveries to the others once their lease ends) and for retries that have come due.
 */
const OUTBOX_POLL_MS = 5_000;

const refuse = (lines: string[]) => {
  for (const line of lines) process.stderr.write(`appwarden: ${line}\n`);
  process.exit(2);
};

/**
 * `npm start`: one HTTP server in the foreground. Bad configuration is refused with one line per
 * problem; SIGTERM finishes what was acknowledged, releases the store (DATA_DIR or the database) and exits.
 */
async function main(): Promise<void> {
  const read = readConfig(process.env);
  if (!read.ok) return refuse(read.problems);
  const config: Config = read.config;
  // JSON lines on stdout; a person at a terminal reads them pretty-printed.
  const log = createLog({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  const metrics = createMetrics();

  const loaded = await loadPolicyFile(config.policyFile);
  if (!loaded.ok) return refuse([`${config.policyFile}: ${loaded.issues.length} problem(s)`, ...formatIssues(loaded.issues).split('\n')]);

  let store;
  try {
    store = await openConfiguredStore(config, 'server', log);
  } catch (e) {
    if (e instanceof AppWardenError) return refuse([e.message]);
    throw e;
  }
  // A shorter lease than the default gives up on a platform call sooner: a call never outlasts half of it.
  const lease = config.outboxLeaseMs
    ? { leaseMs: config.outboxLeaseMs, callTimeoutMs: Math.min(30_000, config.outboxLeaseMs / 2) }
    : undefined;
  const bot = createAppWarden({
    policy: loaded.value,
    store,
    log,
    observer: observerOf(metrics, log),
    ...(lease ? { outbox: lease } : {}),
  });
  metrics.watch(bot);
  await store.commit(
    {
      at: new Date().toISOString(),
      actor: 'system',
      action: 'policy.loaded',
      subject: config.policyFile,
      detail: { sha256: loaded.sha256 },
    },
    [],
  );

  let surfaces: Surface[];
  try {
    surfaces = await surfacesFor(config, bot, log);
  } catch (e) {
    await store.close();
    if (e instanceof StartupProblem) return refuse([e.message]);
    throw e;
  }
  let readers: DirectoryReader[];
  try {
    readers = await directoryReadersFor(config, bot.filePolicy, log);
  } catch (e) {
    await store.close();
    if (e instanceof StartupProblem) return refuse([e.message]);
    throw e;
  }
  const directory = createDirectorySync(bot, readers, log);
  const inventory = createInventorySync(bot, inventoryReadersFor(config, bot.filePolicy, log), log);
  const listensOnLoopback = isLoopbackHost(config.host);
  const server: Server = createServer(
    buildHttpApp(bot, surfaces, {
      log,
      metrics: { metrics, access: { ...(config.metricsToken ? { token: config.metricsToken } : {}), listensOnLoopback } },
    }),
  );
  const scheduler = createScheduler(bot, log);
  let every: NodeJS.Timeout | undefined;
  let syncEvery: NodeJS.Timeout | undefined;
  let inventoryEvery: NodeJS.Timeout | undefined;
  let retentionEvery: NodeJS.Timeout | undefined;
  let retaining: Promise<void> = Promise.resolve();
  const poll = setInterval(() => {
    bot.outbox.rescan();
    void bot.drain().catch((e: Error) => log.fault(`outbox: ${e.message}`, e));
  }, OUTBOX_POLL_MS);
  let stopping = false;
  // A store that can no longer write holds state it could not save: stop, so a restart reloads what is on disk.
  const watchStorage = setInterval(() => {
    if (store.failure && !stopping) {
      log.error(`storage failed: ${store.failure.message}; stopping`);
      void stop('storage failure', 1);
    }
  }, 1000);
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing requests in flight, then stopping`);
    clearInterval(every);
    clearInterval(syncEvery);
    clearInterval(inventoryEvery);
    clearInterval(retentionEvery);
    clearInterval(poll);
    clearInterval(watchStorage);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    // What was acknowledged is in the outbox; deliver what can be delivered before letting go, but a
    // platform that does not answer cannot hold the stop: what is left is delivered after a restart.
    const delivered = (async () => {
      await scheduler.idle();
      await directory.idle();
      await inventory.idle();
      await retaining;
      await bot.drain().catch(() => undefined);
    })();
    if (
      (await Promise.race([delivered.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref())])) ===
      false
    )
      log.warn(`${bot.outbox.pendingCount} deliveries not finished in ${STOP_GRACE_MS / 1000} s; they resume at the next start`);
    await store.close();
    log(config.databaseUrl ? 'stopped' : 'stopped; data directory released');
    process.exit(code);
  };
  // Signals are handled before the server listens: a signal sent as soon as the start line appears
  // must find its handler, not the default that kills the process.
  // SIGHUP: read POLICY_FILE again. A bad file changes nothing; stored state is never touched.
  process.on('SIGHUP', () => {
    void (async () => {
      const next = await loadPolicyFile(config.policyFile);
      if (!next.ok) return log.warn(`SIGHUP: ${config.policyFile} refused, the running policy stays:\n${formatIssues(next.issues)}`);
      await store.commit(
        {
          at: new Date().toISOString(),
          actor: 'system',
          action: 'policy.loaded',
          subject: config.policyFile,
          detail: { sha256: next.sha256, reload: true },
        },
        [],
      );
      bot.reloadPolicy(next.value);
      log(`SIGHUP: policy reloaded from ${config.policyFile} (${next.value.rules.length} rules)`);
    })().catch((e: Error) => log.fault(`SIGHUP: reload failed, the running policy stays: ${e.message}`, e));
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const bound =
    typeof address === 'object' && address
      ? `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : `${config.host}:${config.port}`;
  log.info(
    `AppWarden for ${loaded.value.organization.name}${config.demoPolicy ? ' (demo policy pack)' : ''}: listening on http://${bound} — ${surfaces
      .filter((s) => s.kind !== 'web')
      .map((s) => (s.mode ? `${s.name} (${s.mode})` : s.name))
      .join(', ')}; data in ${describeStorage(config)}`,
  );
  if (config.teamsMode === 'emulator')
    log(
      `Teams emulator endpoint: http://${bound}/api/messages, on this machine only. Try it with the Bot Framework Emulator, or from a terminal: npx appwarden check TikTok`,
    );
  const web = webSurfaceOf(config, bot);
  if (web.ok)
    log(
      `/admin: http://${bound}/admin, on this machine only, signed in as the demo admin ${web.demoPerson} (no identity provider is configured)`,
    );
  else log(web.why);
  if (!config.metricsToken && !listensOnLoopback)
    log.warn(`/metrics answers nobody: the server listens on ${config.host}, beyond loopback, so it needs METRICS_TOKEN`);

  // The scheduler ticks every minute (and once now, to catch up on anything missed while down).
  const tick = () => void scheduler.tick(new Date()).catch((e: Error) => log.fault(`scheduler: ${e.message}`, e));
  tick();
  every = setInterval(tick, 60_000);
  // The directory: read now and every `directory.every_minutes` (0: only `appwarden directory sync`).
  const minutes = bot.filePolicy.directory?.every_minutes ?? 60;
  if (readers.length && minutes > 0) {
    const sources = readers.map((r) => r.source);
    const sync = () =>
      void directory.sync(new Date()).then(
        (done) => {
          metrics.synced('directory', sources, done.ok);
          if (done.ok) log.info(`directory: ${done.text}`);
        },
        (e: Error) => {
          metrics.synced('directory', sources, false);
          log.fault(`directory sync failed, nothing was changed: ${e.message}`, e);
        },
      );
    sync();
    syncEvery = setInterval(sync, minutes * 60_000);
    log(`directory: ${readers.map((r) => r.source).join(', ')}, read every ${minutes} min`);
  }
  // The device inventory: read once the directory's first read is done (people are joined to devices
  // by email), then every `inventory.every_minutes` (0: only `appwarden inventory sync`).
  const inventoryMinutes = bot.filePolicy.inventory?.every_minutes ?? 240;
  if (inventory.readers.length && inventoryMinutes > 0) {
    const sources = inventory.readers.map((r) => r.source);
    const sync = () =>
      void inventory.sync(new Date()).then(
        (done) => {
          metrics.synced('inventory', sources, done.ok);
          if (done.ok) log.info(`inventory: ${done.text}`);
        },
        (e: Error) => {
          metrics.synced('inventory', sources, false);
          log.fault(`inventory sync failed, nothing was changed: ${e.message}`, e);
        },
      );
    void directory.idle().then(sync);
    inventoryEvery = setInterval(sync, inventoryMinutes * 60_000);
    log(`inventory: ${inventory.readers.map((r) => r.source).join(', ')}, read every ${inventoryMinutes} min`);
  }
  // Retention: once the directory's first read says who has left, then daily. Commits wait while it rewrites.
  if (bot.filePolicy.retention) {
    const retain = () => {
      retaining = retaining.then(() =>
        applyRetention(bot.store, bot.filePolicy, new Date()).then(
          (done) => done && log.info(describeRetention(done)),
          (e: Error) => log.fault(`retention failed, nothing was erased: ${e.message}`, e),
        ),
      );
    };
    void directory.idle().then(retain);
    retentionEvery = setInterval(retain, 86_400_000);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `appwarden: could not start: ${e instanceof AppWardenError ? `${e.code}: ${e.message}` : ((e as Error).stack ?? String(e))}\n`,
  );
  process.exit(1);
});
