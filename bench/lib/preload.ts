import { put, type Attestation, type ExceptionRequest } from '../../src/core/records.ts';
import type { AuditEvent } from '../../src/core/store.ts';
import { openLowdbStore, verifyAuditFile } from '../../storage/lowdb/index.ts';

const AT = '2026-11-01T09:00:00.000Z';

/** The person of preloaded record n: 10,000 people with a few records each, as `UP<k>` (their Slack ids). */
export const preloadedPerson = (n: number) => `UP${n % 10_000}`;

export const benchRequest = (n: number, person = preloadedPerson(n)): ExceptionRequest => ({
  id: `EX-${n}`,
  person,
  unit: 'demo',
  app: n % 4 === 0 ? 'tiktok' : 'instagram',
  rules: ['demo-recreational'],
  device: 'corporate',
  purpose: 'public-communications',
  days: 30,
  reason: 'the press office account needs to answer questions posted on the platform',
  status: n % 3 === 0 ? 'approved' : 'requested',
  requestedAt: AT,
});

export const benchAttestation = (n: number, person = preloadedPerson(n)): Attestation => ({
  id: `AT-${n}`,
  person,
  rule: 'demo-tiktok',
  app: 'tiktok',
  at: AT,
  statement: 'removed',
});

export interface PreloadOptions {
  /** Audit entries to commit, each putting one record: requests and attestations by turns. */
  entries: number;
  /**
   * Snapshot every this many entries (default: once, at the last), so that with `snapshotAt` over
   * half of `entries` the last snapshot is at seq `snapshotAt` and the next open replays the rest.
   */
  snapshotAt?: number;
}

/**
 * Fills DIR through the store's own code, so the result is a data directory like any other: every
 * record has its audit entry, the chain and the snapshot verify. Commits go in batches of 2,000, which
 * group commit turns into a few large appends.
 */
export async function preloadDataDir(dir: string, { entries, snapshotAt = entries }: PreloadOptions): Promise<void> {
  const store = await openLowdbStore({ dir, compactEvery: Math.max(1, snapshotAt), log: (line) => console.error(line) });
  const event: AuditEvent = { at: AT, actor: 'bench', action: 'bench.preload' };
  let requests = 0;
  let attestations = 0;
  for (let first = 0; first < entries; first += 2000) {
    const batch = [];
    for (let n = first; n < Math.min(entries, first + 2000); n++) {
      // Ids numbered from 1 within each collection, as the commands number them (AT-<count + 1>).
      const change = n % 2 === 0 ? put('requests', benchRequest(++requests)) : put('attestations', benchAttestation(++attestations));
      batch.push(store.commit(event, [change]));
    }
    await Promise.all(batch);
  }
  await store.close();
}

/** Fails loudly if DIR does not verify: a benchmark on a broken directory measures nothing. */
export async function assertVerifies(dir: string): Promise<number> {
  const verification = await verifyAuditFile(dir);
  if (!verification.ok) throw new Error(`${dir} does not verify: ${JSON.stringify(verification)}`);
  return verification.entries;
}
