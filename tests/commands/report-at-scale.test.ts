// report compliance over 30,000 people, half listed in the policy and half brought by the directory
// (none of them matched by email: the join that used to search every listed person for each record).
// Not a timing test (bench/scale.ts times it): the CSV has every person once, with what they said.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createAppWarden } from '../../src/app.ts';
import type { DirectoryRecord } from '../../src/core/directory.ts';
import { put, type Change } from '../../src/core/records.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { largeOrg } from '../support/large-org.ts';

const AT = '2026-11-22T09:00:00.000Z';
const LISTED = 15_000;
const FROM_DIRECTORY = 15_000;

describe('report compliance at 30,000 people', () => {
  it('lists each of them once in the CSV, listed or from the directory, attested or not', { timeout: 60_000 }, async () => {
    const policy = largeOrg({ people: LISTED, units: 300 });
    const store = createMemoryStore();
    const changes: Change[] = [put('directory_sources', { id: 'entra', syncedAt: AT, people: FROM_DIRECTORY })];
    for (let i = 0; i < FROM_DIRECTORY; i++) {
      const email = `person.${i}@agency.gov`;
      const record: DirectoryRecord = { id: email, email, since: AT, sources: { entra: { key: `entra-${i}`, email, name: `Staff ${i}` } } };
      changes.push(put('directory', record));
    }
    // Every third listed person and every third from the directory has attested.
    const attested = [
      ...Array.from({ length: LISTED - 1 }, (_, i) => `p${i}`).filter((_, i) => i % 3 === 0),
      ...Array.from({ length: FROM_DIRECTORY }, (_, i) => `person.${i}@agency.gov`).filter((_, i) => i % 3 === 0),
    ];
    attested.forEach((person, k) =>
      changes.push(put('attestations', { id: `AT-${k + 1}`, person, rule: 'ban', app: 'tiktok', at: AT, statement: 'removed' })),
    );
    await store.commit({ at: AT, actor: 'test', action: 'test.preload' }, changes);
    const bot = createAppWarden({ policy, store, now: () => new Date(AT), log: () => {} });

    const r = await bot.run('report compliance ban --format csv', 'chief', 'test');
    expect(r.ok).toBe(true);
    const file = r.reply.blocks.find((b) => b.type === 'file');
    const rows = parse(file?.type === 'file' ? file.content : '', { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(LISTED + FROM_DIRECTORY);
    expect(new Set(rows.map((row) => row.person)).size).toBe(LISTED + FROM_DIRECTORY);
    expect(rows.filter((row) => row.attested === 'yes').map((row) => row.person)).toEqual(attested);
    expect(rows.find((row) => row.person === 'person.14999@agency.gov')).toMatchObject({
      name: 'Staff 14999',
      unit: 'org',
      attested: 'no',
    });
    expect(rows.find((row) => row.person === 'p3')).toMatchObject({ name: 'Person 3 Example', attested: 'yes', attested_on: '2026-11-22' });

    const text = await bot.run('report compliance ban', 'chief', 'test');
    expect(text.reply.blocks).toContainEqual({ type: 'text', text: `${attested.length} of 30000 people have attested.` });
  });
});
