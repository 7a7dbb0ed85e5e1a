import { hostname, userInfo } from 'node:os';
import { handle } from '../commands/entry/handle.ts';
import { replyText } from '../commands/shared/reply.ts';
import { parseCliArgs } from '../adapters/cli/args.ts';
import { describeUndelivered, inertForTerminal, renderForTerminal } from '../adapters/cli/render.ts';
import { verifyAuditFile } from '../storage/lowdb/index.ts';
import { createAppWarden, type AppWarden } from './app.ts';
import { readConfig } from './config.ts';
import { AppWardenError, formatIssues } from './core/result.ts';
import { loadPolicyFile } from './runtime/policy-file.ts';
import { openConfiguredStore } from './storage.ts';
import { personFacts } from './core/directory.ts';
import { StartupProblem } from './startup-problem.ts';

// What only some commands use is imported by them (`import()` below), so that `check` loads neither
// the chat platforms' SDKs, nor the directory and MDM clients, nor `pg`: most of a run's time was loading.

const USAGE = `usage: appwarden [--policy FILE] [--data DIR] [--as PERSON] [--json] <command text>
       appwarden policy validate FILE
       appwarden audit verify [--data DIR]       the hash chain, in DATA_DIR or DATABASE_URL's database
       appwarden audit head                    the chain's head: seq and SHA-256 (keep it elsewhere)
       appwarden audit export [--from DATE] [--to DATE] [--format jsonl|csv]   entries for an auditor, and the chain's verification
       appwarden backup FILE                   a consistent copy of the record, while the server runs
       appwarden restore FILE --data DIR       into a new, empty data directory; refuses a backup that does not verify
       appwarden erase PERSON --reason "…"    remove a leaver's personal data everywhere it is kept; the chain still verifies
       appwarden retention apply               what the policy's retention: says is due now (the server runs it daily)
       appwarden migrate --from DATA_DIR --to POSTGRES-URL   move the embedded store into an empty PostgreSQL database
       appwarden remind [--at ISO-INSTANT]     one scheduler tick: queue what is due, deliver it
       appwarden outbox [--data DIR] [--json]  deliveries waiting or failed, with the platforms' reasons
       appwarden directory sync [--json]       read Entra ID, Slack and the CSV export now; prints added, changed, left, total
       appwarden directory show PERSON|EMAIL   what is known of someone, and where each fact came from
       appwarden inventory sync [--json]       read Intune and Jamf Pro now; prints devices, those carrying a prohibited app, attestations contradicted
Commands are the chat commands: appwarden help`;

/** Commands that only read: `check`, `status`, … never commit. */
const READ_ONLY_COMMANDS = new Set(['check', 'status', 'pending', 'policy', 'report', 'help']);

type Out = { out: (s: string) => void; err: (s: string) => void };
const console_: Out = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

/** How the binary runs this: the built CLI keeps the policies it validated in `policyCacheDir` (policy-cache.ts). */
export type Launch = { policyCacheDir?: string };

/** Exit codes: 0 done, 1 refused (nothing changed), 2 bad usage, configuration or policy file, 70 a fault. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, terminal: Out = console_, launch: Launch = {}): Promise<number> {
  // Everything printed may hold text someone typed (a reason, a name in the policy): never escapes.
  const io: Out = { out: (s) => terminal.out(inertForTerminal(s)), err: (s) => terminal.err(inertForTerminal(s)) };
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) return (io.err(`${parsed.problem}\n${USAGE}`), 2);
  const args = parsed.args;
  if (args.help) return (io.out(USAGE), 0);
  const [w0, w1, w2, ...wRest] = args.words;

  if (w0 === 'policy' && w1 === 'validate') {
    if (!w2 || wRest.length) return (io.err(USAGE), 2);
    const loaded = await loadPolicyFile(w2);
    if (!loaded.ok) return (io.err(`${w2}: ${loaded.issues.length} problem(s)\n${formatIssues(loaded.issues)}`), 2);
    const p = loaded.value;
    return (io.out(`${w2}: valid — ${p.organization.name}, ${p.units.length} units, ${p.apps.length} apps, ${p.rules.length} rules`), 0);
  }

  const config = readConfig(env, { ...(args.policy ? { policyFile: args.policy } : {}), ...(args.data ? { dataDir: args.data } : {}) });
  if (!config.ok) return (io.err(config.problems.join('\n')), 2);
  const { dataDir, policyFile } = config.config;

  if (w0 === 'migrate') return migrateCommand(args.words, io);

  if (w0 === 'audit' && w1 === 'verify' && !w2) {
    let result;
    try {
      result = config.config.databaseUrl ? await verifyDatabase(config.config, io) : await verifyAuditFile(dataDir);
    } catch (e) {
      if (e instanceof AppWardenError) return (io.err(e.message), 2);
      throw e;
    }
    if (args.json) io.out(JSON.stringify(result, null, 2));
    else if (result.ok) io.out(`audit log verified: ${result.entries} entries, chain intact`);
    else
      io.err(
        `audit log FAILED verification at entry ${result.seq} (line ${result.line}): ${result.problem}${result.detail ? ` — ${result.detail}` : ''}`,
      );
    return result.ok ? 0 : 1;
  }

  if ((w0 === 'audit' && (w1 === 'head' || w1 === 'export')) || w0 === 'backup' || w0 === 'restore') {
    try {
      return await recordCommand(args.words, args.json, config.config, io);
    } catch (e) {
      if (e instanceof AppWardenError) return (io.err(e.message), e.code === 'storage.corrupt' ? 1 : 2);
      throw e;
    }
  }

  const loaded = await loadPolicyFile(policyFile, launch.policyCacheDir ? { cacheDir: launch.policyCacheDir } : {});
  if (!loaded.ok) return (io.err(`${policyFile}: ${loaded.issues.length} problem(s)\n${formatIssues(loaded.issues)}`), 2);

  if (w0 === 'erase' || w0 === 'retention') return eraseCommand(args.words, args.json, config.config, loaded.value, io);

  let at: Date | undefined;
  if (w0 === 'remind') {
    const i = args.words.indexOf('--at');
    at = i < 0 ? new Date() : new Date(args.words[i + 1] ?? '');
    if (Number.isNaN(at.getTime()) || args.words.length !== (i < 0 ? 1 : 3))
      return (io.err(`remind takes --at <ISO instant>, e.g. --at 2026-12-08T09:00:00+01:00\n${USAGE}`), 2);
  }

  const outbox = w0 === 'outbox';
  if (outbox && args.words.length !== 1) return (io.err(`outbox takes no words of its own\n${USAGE}`), 2);
  const directory = w0 === 'directory' ? w1 : undefined;
  if (w0 === 'directory' && !((directory === 'sync' && !w2) || (directory === 'show' && w2 && !wRest.length)))
    return (io.err(`directory takes sync, or show PERSON|EMAIL\n${USAGE}`), 2);
  const inventory = w0 === 'inventory';
  if (inventory && !(w1 === 'sync' && !w2)) return (io.err(`inventory takes sync\n${USAGE}`), 2);
  // Reading commands open DATA_DIR without the lock, so they work while the server runs (and create nothing).
  // On PostgreSQL every command works while servers run.
  const readOnly = outbox || directory === 'show' || (!at && READ_ONLY_COMMANDS.has((w0 ?? 'help').toLowerCase()));
  let store;
  try {
    // A command is over in moments: the full chain check is the server's (and `audit verify`'s) to run.
    store = await openConfiguredStore(config.config, readOnly ? 'read' : 'command', io.err);
  } catch (e) {
    if (e instanceof AppWardenError) return (io.err(e.message), 2);
    throw e;
  }
  try {
    const app = createAppWarden({ policy: loaded.value, store, log: io.err });
    if (outbox) return (printOutbox(await app.outbox.report(), args.json, io), 0);
    if (directory === 'show') return showPerson(app, w2!, args.json, io);
    if (directory === 'sync') {
      const [{ directoryReadersFor }, { deliverersFor }, { createDirectorySync }] = await Promise.all([
        import('./directories.ts'),
        import('./surfaces.ts'),
        import('./runtime/directory-sync.ts'),
      ]);
      const readers = await directoryReadersFor(config.config, app.filePolicy, io.err);
      if (!readers.length)
        return (io.err('No directory is configured: set AZURE_TENANT_ID…, or directory.slack or directory.csv in the policy'), 2);
      for (const d of await deliverersFor(config.config, app, io.err)) app.addDeliverer(d);
      const synced = await createDirectorySync(app, readers, () => {}).sync(new Date());
      if (!synced.ok) return (io.err(synced.problem), 1);
      await app.drain();
      if (args.json) io.out(JSON.stringify(synced.done, null, 2));
      else io.out(synced.text);
      return 0;
    }
    if (inventory) {
      const [{ inventoryReadersFor }, { deliverersFor }, { createInventorySync }] = await Promise.all([
        import('./inventories.ts'),
        import('./surfaces.ts'),
        import('./runtime/inventory-sync.ts'),
      ]);
      const readers = inventoryReadersFor(config.config, app.filePolicy, io.err);
      if (!readers.length)
        return (
          io.err('No device inventory is configured: set inventory.intune or inventory.jamf in the policy, with their credentials'), 2
        );
      for (const d of await deliverersFor(config.config, app, io.err)) app.addDeliverer(d);
      const synced = await createInventorySync(app, readers, () => {}).sync(new Date());
      if (!synced.ok) return (io.err(synced.problem), 1);
      await app.drain();
      if (args.json) io.out(JSON.stringify(synced.done, null, 2));
      else io.out(synced.text);
      return 0;
    }
    if (at) {
      const [{ deliverersFor }, { createScheduler }] = await Promise.all([import('./surfaces.ts'), import('./runtime/scheduler.ts')]);
      for (const d of await deliverersFor(config.config, app, io.err)) app.addDeliverer(d);
      if (!app.deliverers.length)
        io.err('No chat platform is configured (SLACK_BOT_TOKEN…, MicrosoftAppId…): reminders are queued for the server to deliver.');
      const tick = await createScheduler(app, io.err).tick(at);
      if (args.json)
        io.out(
          JSON.stringify({ at: at.toISOString(), queued: tick.queued, delivered: tick.delivered.length, pending: tick.pending }, null, 2),
        );
      else {
        if (tick.reply.blocks.length) io.out(replyText(tick.reply));
        io.out(`${tick.queued.length} queued, ${tick.delivered.length} delivered, ${tick.pending} waiting`);
      }
      return 0;
    }
    const as = args.as ?? env.APPWARDEN_AS ?? userInfo().username;
    // `--as` is trusted: the terminal user has the data directory anyway. Who typed it is audited.
    const ctx = { ...app.contextFor(as, 'cli'), operator: `${userInfo().username}@${hostname()}` };
    const result = await handle({ kind: 'text', text: args.text }, ctx);
    if (args.json) {
      io.out(
        JSON.stringify(
          result.ok
            ? (result.data ?? null)
            : { ok: false, code: result.code, messages: result.reply.blocks.flatMap((b) => ('text' in b ? [b.text] : [])) },
          null,
          2,
        ),
      );
    } else {
      (result.ok ? io.out : io.err)(renderForTerminal(result.reply));
      for (const line of describeUndelivered(result.effects, ctx.m)) io.err(line);
    }
    return result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof StartupProblem) return (io.err(e.message), 2);
    const ref = Math.random().toString(36).slice(2, 8);
    io.err(`Sorry, something went wrong (reference ${ref}). Nothing was reported as done.`);
    io.err(`[${ref}] ${e instanceof AppWardenError ? e.code : 'fault'}: ${(e as Error).stack ?? e}`);
    return 70;
  } finally {
    await store.close();
  }
}

/** `audit verify` against DATABASE_URL: every row, in seq order, as the store reads them. */
async function verifyDatabase(config: Parameters<typeof openConfiguredStore>[0], io: Out) {
  const store = await openConfiguredStore(config, 'read', io.err);
  try {
    return await store.verifyAudit();
  } finally {
    await store.close();
  }
}

/** `appwarden migrate --from DATA_DIR --to URL`: all or nothing, checked on both sides. */
/** The value after `--name` among the words, or undefined; `false` when the flag is there without a value. */
function wordFlag(words: readonly string[], name: string): string | false | undefined {
  const i = words.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = words[i + 1];
  return value === undefined || value.startsWith('--') ? false : value;
}

/** A date or an instant as the operator typed it (`2026-12-01`, `2026-12-01T09:00:00+01:00`). */
function instantOf(value: string | false | undefined): Date | undefined | null {
  if (value === undefined) return undefined;
  const at = value === false ? Number.NaN : Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

/**
 * The record itself, for operators: `audit head`, `audit export`, `backup FILE`, `restore FILE`.
 * Each reads the store without its lock (so it works while the server runs); restore writes a new
 * data directory and nothing else.
 */
async function recordCommand(
  words: readonly string[],
  json: boolean,
  config: Parameters<typeof openConfiguredStore>[0],
  io: Out,
): Promise<number> {
  const [w0, w1] = words;
  if (w0 === 'restore') {
    const file = w1;
    if (!file || words.length !== 2) return (io.err(`restore takes FILE (and --data DIR: a new, empty data directory)\n${USAGE}`), 2);
    if (config.databaseUrl)
      return (
        io.err('restore writes a data directory: unset DATABASE_URL, restore with --data DIR, then appwarden migrate --from DIR --to URL'),
        2
      );
    const { restoreBackup } = await import('../storage/lowdb/restore-backup.ts');
    const done = await restoreBackup(file, config.dataDir);
    if (json) io.out(JSON.stringify({ restored: config.dataDir, entries: done.entries, head: done.head, created: done.created }, null, 2));
    else io.out(`restored ${done.entries} entries into ${config.dataDir}; chain verified, head ${done.head.seq} ${done.head.hash}`);
    return 0;
  }
  if (w0 === 'backup' && (!w1 || words.length !== 2)) return (io.err(`backup takes FILE\n${USAGE}`), 2);
  const exportFlags = { from: instantOf(wordFlag(words, 'from')), to: instantOf(wordFlag(words, 'to')), format: wordFlag(words, 'format') };
  if (w1 === 'export') {
    const known = new Set(['--from', '--to', '--format']);
    const stray = words.slice(2).filter((w, i, all) => !known.has(w) && !known.has(all[i - 1] ?? ''));
    if (
      stray.length ||
      exportFlags.from === null ||
      exportFlags.to === null ||
      (exportFlags.format !== undefined && exportFlags.format !== 'jsonl' && exportFlags.format !== 'csv')
    )
      return (io.err(`audit export takes [--from DATE] [--to DATE] [--format jsonl|csv]\n${USAGE}`), 2);
  } else if (w0 === 'audit' && words.length !== 2) return (io.err(`audit head takes no words of its own\n${USAGE}`), 2);
  const store = await openConfiguredStore(config, 'read', io.err);
  try {
    if (w0 === 'backup') {
      const { writeBackup } = await import('../storage/backup-file.ts');
      const done = await writeBackup(store, w1!, new Date());
      if (json) io.out(JSON.stringify(done, null, 2));
      else io.out(`backup written to ${done.file}: ${done.entries} entries, chain verified, head ${done.head.seq} ${done.head.hash}`);
      return 0;
    }
    const { auditHead, exportAudit } = await import('./runtime/audit-export.ts');
    if (w1 === 'head') {
      const head = await auditHead(store);
      io.out(json ? JSON.stringify(head, null, 2) : `${head.seq} ${head.hash}${head.at ? ` ${head.at}` : ''}`);
      return 0;
    }
    const format = exportFlags.format === 'csv' ? 'csv' : 'jsonl';
    const summary = await exportAudit(
      store,
      { format, ...(exportFlags.from ? { from: exportFlags.from } : {}), ...(exportFlags.to ? { to: exportFlags.to } : {}) },
      (text) => io.out(text.replace(/\n$/, '')),
    );
    const v = summary.verification;
    io.err(
      `${summary.exported} entries exported${summary.firstSeq ? ` (${summary.firstSeq}–${summary.lastSeq})` : ''}; ` +
        (v.ok
          ? `the whole chain verifies (${v.entries} entries), head ${summary.head.seq} ${summary.head.hash}`
          : `the chain FAILED verification at entry ${v.seq} (line ${v.line}): ${v.problem}`),
    );
    return v.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

/** `appwarden erase PERSON --reason "…"`: needs the store's lock (stop the server) or PostgreSQL. */
async function eraseCommand(
  words: readonly string[],
  json: boolean,
  config: Parameters<typeof openConfiguredStore>[0],
  policy: Parameters<typeof createAppWarden>[0]['policy'],
  io: Out,
): Promise<number> {
  const retention = words[0] === 'retention';
  const reason = wordFlag(words, 'reason');
  const person = words[1];
  if (retention && (words[1] !== 'apply' || words.length !== 2)) return (io.err(`retention takes apply\n${USAGE}`), 2);
  if (retention && !policy.retention) return (io.err('the policy has no retention: section; nothing is due'), 1);
  if (!retention && (!person || person.startsWith('--') || typeof reason !== 'string' || words.length !== 4 || words[2] !== '--reason'))
    return (io.err(`erase takes PERSON --reason "why"\n${USAGE}`), 2);
  let store;
  try {
    store = await openConfiguredStore(config, 'command', io.err);
  } catch (e) {
    if (!(e instanceof AppWardenError)) throw e;
    const running = e.code === 'storage.locked' ? ' Erasure rewrites the data directory: stop the server, erase, start it again.' : '';
    return (io.err(`${e.message}${running}`), 2);
  }
  try {
    if (retention) {
      const { applyRetention, describeRetention } = await import('./runtime/retention.ts');
      const done = (await applyRetention(store, policy, new Date()))!;
      io.out(json ? JSON.stringify(done, null, 2) : describeRetention(done));
      return done.problems.length ? 1 : 0;
    }
    const { erasePerson } = await import('./runtime/erase-person.ts');
    const operator = `${userInfo().username}@${hostname()}`;
    const outcome = await erasePerson(store, policy, { ref: person!, reason: reason as string, operator, at: new Date() });
    if (!outcome.ok) return (io.err(outcome.problem), 1);
    const { done, pseudonym } = outcome;
    if (json)
      io.out(
        JSON.stringify(
          { pseudonym, seq: done.entry?.seq, values: done.values, operational: done.operational, unsealed: done.unsealed },
          null,
          2,
        ),
      );
    else
      io.out(
        `erased: ${done.values} personal value(s) of ${person} now read "${pseudonym}" or "[erased]", and ${done.operational} ` +
          `operational record(s) naming them are gone (entry ${done.entry?.seq}, person.erased). The audit chain still verifies.` +
          (done.unsealed ? ` ${done.unsealed} entries written before personal values were kept apart could not be changed.` : '') +
          ' Backups taken before now still hold their data: replace them with a new backup.',
      );
    return 0;
  } finally {
    await store.close();
  }
}

async function migrateCommand(words: string[], io: Out): Promise<number> {
  const from = words[words.indexOf('--from') + 1];
  const to = words[words.indexOf('--to') + 1];
  if (
    words.length !== 5 ||
    !words.includes('--from') ||
    !words.includes('--to') ||
    !from ||
    !to ||
    from.startsWith('--') ||
    to.startsWith('--')
  )
    return (io.err(`migrate takes --from DATA_DIR --to postgres://…\n${USAGE}`), 2);
  if (!/^postgres(ql)?:\/\//.test(to)) return (io.err(`--to must be a PostgreSQL URL (postgres://…), not "${to}"`), 2);
  try {
    const { importDataDir } = await import('../storage/postgres/import-data-dir.ts');
    const moved = await importDataDir({ from, to, log: io.err });
    io.out(
      `moved ${moved.entries} audit entries and ${moved.operational} operational records from ${from}; ` +
        `the chain verifies on both sides (entry ${moved.head.seq}${moved.head.hash ? `, ${moved.head.hash.slice(0, 12)}…` : ''}). ` +
        'Set DATABASE_URL and start the servers; keep the directory as a backup.',
    );
    return 0;
  } catch (e) {
    if (e instanceof AppWardenError) return (io.err(e.message), 1);
    throw e;
  }
}

/** `appwarden directory show`: each fact about someone, and where it came from. */
function showPerson(app: AppWarden, ref: string, json: boolean, io: Out): number {
  const found = personFacts(app.filePolicy, app.store.list('directory'), ref);
  if (!found) return (io.err(`No one is known as "${ref}": not in the policy, and not in the directory`), 1);
  if (json) return (io.out(JSON.stringify(found, null, 2)), 0);
  const width = Math.max(...found.facts.map((f) => f.field.length), 7);
  io.out(`${found.id}${found.listed ? ' (listed in the policy)' : ''}${found.leftAt ? ` — left ${found.leftAt}` : ''}`);
  for (const f of found.facts) io.out(`  ${f.field.padEnd(width)}  ${f.value}   ← ${f.from}`);
  io.out(`  ${'sources'.padEnd(width)}  ${found.sources.join(', ') || 'none'}${found.since ? ` (known since ${found.since})` : ''}`);
  return 0;
}

/** `appwarden outbox`: what is waiting (and since when), what failed for good and why. */
function printOutbox(report: Awaited<ReturnType<AppWarden['outbox']['report']>>, json: boolean, io: Out): void {
  if (json) return io.out(JSON.stringify(report, null, 2));
  io.out(`${report.waiting.length} waiting, ${report.failed.length} failed`);
  for (const w of report.waiting)
    io.out(
      `waiting  ${w.id}  ${w.what}  ${w.status === 'sending' ? 'being delivered' : 'due'} since ${w.createdAt}${w.deliveredTo.length ? `; delivered on ${w.deliveredTo.join(', ')}` : ''}`,
    );
  for (const f of report.failed)
    for (const why of f.failures) io.out(`failed   ${f.id}  ${f.what}  ${why.platform}: ${why.reason} (${why.at})`);
}
