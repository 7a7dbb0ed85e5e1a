/**
 * What keeping personal values apart costs, and what an erasure takes, on the embedded store: sealing
 * an entry at commit and checking one when read back (beside the same entries stored in the hashed
 * entry, as before issue 20), then `erase` of one person among many in a log of --entries entries,
 * the log's size before and after, and `audit verify` of the result.
 *
 *   npx tsx bench/erasure.ts [--entries 100000]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { personErasure } from '../src/core/personal-data.ts';
import { put, type ExceptionRequest } from '../src/core/records.ts';
import { canonicalJson, chainEntry, checkEntryLine, entryLine, GENESIS, hashEntry } from '../storage/audit-chain.ts';
import { openLowdbStore } from '../storage/lowdb/index.ts';
import { printTable, writeResult } from './lib/report.ts';

const { values: flags } = parseArgs({ options: { entries: { type: 'string', default: '100000' } } });
const ENTRIES = Number(flags.entries);
const AT = '2026-03-01T09:00:00.000Z';

const requestOf = (n: number): ExceptionRequest => ({
  id: `EX-${n}`,
  person: `person${n % 3000}@agency.gov`,
  unit: 'demo/comms',
  contact: { slack: `U${n % 3000}` },
  app: 'tiktok',
  rules: ['ec-2023-tiktok'],
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: `the press office account, request ${n}`,
  status: 'requested',
  requestedAt: AT,
});
const eventOf = (n: number) => ({
  at: AT,
  actor: `person${n % 3000}@agency.gov`,
  action: 'request.filed',
  subject: `EX-${n}`,
  detail: { surface: 'slack' },
});

/** Microseconds per entry to chain and to check, sealed (today) and in the clear (the unsealed line, as before). */
function perEntry(count: number) {
  const lines: string[] = [];
  let prev = GENESIS;
  let started = performance.now();
  for (let n = 1; n <= count; n++) {
    const entry = chainEntry(prev, n, eventOf(n), [put('requests', requestOf(n))]);
    lines.push(entryLine(entry));
    prev = entry.hash;
  }
  const chainUs = ((performance.now() - started) * 1000) / count;
  started = performance.now();
  let head = { seq: 0, hash: GENESIS };
  for (const line of lines) {
    const check = checkEntryLine(line, head);
    if (!check.ok) throw new Error(`entry ${head.seq + 1} does not verify`);
    head = { seq: check.entry.seq, hash: check.entry.hash };
  }
  const checkUs = ((performance.now() - started) * 1000) / count;
  // The same entries unsealed: what hashing and writing them cost before personal values were kept apart.
  started = performance.now();
  prev = GENESIS;
  for (let n = 1; n <= count; n++) {
    const plain = { ...eventOf(n), seq: n, changes: [put('requests', requestOf(n))], prev };
    const hash = hashEntry(plain);
    canonicalJson({ ...plain, hash });
    prev = hash;
  }
  const clearUs = ((performance.now() - started) * 1000) / count;
  return { chainUs, checkUs, clearUs, sealedBytes: lines[0]!.length };
}

const base = await mkdtemp(join(tmpdir(), 'appwarden-erasure-'));
try {
  const costs = perEntry(20_000);
  const dir = join(base, 'data');
  const store = await openLowdbStore({ dir, checkChain: false, log: () => {} });
  let started = performance.now();
  const BATCH = 500;
  for (let n = 1; n <= ENTRIES; n += BATCH) {
    const commits = [];
    for (let k = n; k < Math.min(n + BATCH, ENTRIES + 1); k++) commits.push(store.commit(eventOf(k), [put('requests', requestOf(k))]));
    await Promise.all(commits);
  }
  const fillSeconds = (performance.now() - started) / 1000;
  const before = (await stat(join(dir, 'audit.jsonl'))).size;
  started = performance.now();
  const done = await store.erase(personErasure({ identifiers: ['person7@agency.gov', 'U7'], pseudonym: 'erased-bench' }), {
    at: AT,
    actor: 'system',
    action: 'person.erased',
    subject: 'erased-bench',
    detail: { reason: 'bench' },
  });
  const eraseSeconds = (performance.now() - started) / 1000;
  const after = (await stat(join(dir, 'audit.jsonl'))).size;
  started = performance.now();
  const verified = await store.verifyAudit();
  const verifySeconds = (performance.now() - started) / 1000;
  await store.close();
  if (!verified.ok) throw new Error(`the log does not verify after the erasure: ${JSON.stringify(verified)}`);

  printTable(
    ['per entry', 'µs'],
    [
      ['chain an entry, sealed', costs.chainUs],
      ['check an entry read back, sealed', costs.checkUs],
      ['hash and write it in the clear (before)', costs.clearUs],
    ],
  );
  console.log('');
  printTable(
    ['erasing one person', 'figure'],
    [
      ['entries in the log', ENTRIES],
      ['values erased', done.values],
      ['erase, seconds (commits wait meanwhile)', eraseSeconds],
      ['audit verify after, seconds', verifySeconds],
      ['audit.jsonl MB before → after', `${(before / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(1)}`],
      ['filling the log, seconds', fillSeconds],
    ],
  );
  await writeResult('erasure', {
    entries: ENTRIES,
    ...costs,
    values: done.values,
    eraseSeconds,
    verifySeconds,
    before,
    after,
    fillSeconds,
  });
} finally {
  await rm(base, { recursive: true, force: true });
}
