import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { verifyAuditFile } from '../../storage/lowdb/index.ts';
import { event, request, tempDirs } from './helpers.ts';
import { auditPath, openWithLog, writeAuditFileLines } from './lowdb-helpers.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const ENTRIES = 5;
let dir: string;
let original: Buffer;

beforeAll(async () => {
  dir = await dirs.make();
  const { store } = await openWithLog(dir);
  for (let n = 1; n <= ENTRIES; n++) {
    // Non-ASCII text, so that byte edits also break UTF-8 sequences.
    const filed = event('request.filed', { detail: { app: 'ティックトック', n } });
    await store.commit(filed, [put('requests', request(`EX-${n}`))]);
  }
  await store.close();
  original = await readFile(auditPath(dir));
});

const restore = () => writeFile(auditPath(dir), original);

describe('verifyAuditFile: tampering with audit.jsonl', () => {
  it('passes the log as written', async () => {
    await restore();
    expect(await verifyAuditFile(dir)).toEqual({ ok: true, entries: ENTRIES });
  });

  it.each([3, ENTRIES])('names entry %i when one byte of it is changed', async (k) => {
    const lines = original.toString('utf8').split('\n').slice(0, -1);
    lines[k - 1] = (lines[k - 1] ?? '').replace(':pierre"', ':pierrf"'); // the actor, kept beside the hashed entry
    await writeAuditFileLines(dir, lines);
    expect(await verifyAuditFile(dir)).toMatchObject({ ok: false, entries: k - 1, seq: k, line: k, problem: 'changed' });
  });

  it('names the entry holding any one byte changed, for every byte of the file', async () => {
    const lineOf = lineNumbers(original);
    const misses: string[] = [];
    for (let at = 0; at < original.length; at++) {
      const edited = Buffer.from(original);
      edited[at] = (edited[at] ?? 0) ^ 0x01;
      await writeFile(auditPath(dir), edited);
      const result = await verifyAuditFile(dir);
      if (result.ok || result.line !== lineOf[at] || result.seq !== lineOf[at]) {
        misses.push(`byte ${at} (line ${lineOf[at]}): ${JSON.stringify(result)}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('names a removed middle entry as removed', async () => {
    const lines = original.toString('utf8').split('\n').slice(0, -1);
    await writeAuditFileLines(dir, [...lines.slice(0, 2), ...lines.slice(3)]);
    expect(await verifyAuditFile(dir)).toEqual({ ok: false, entries: 2, seq: 3, line: 3, problem: 'removed' });
  });

  it('names two swapped entries as reordered', async () => {
    const [l1 = '', l2 = '', l3 = '', l4 = '', ...rest] = original.toString('utf8').split('\n').slice(0, -1);
    await writeAuditFileLines(dir, [l1, l2, l4, l3, ...rest]);
    expect(await verifyAuditFile(dir)).toEqual({ ok: false, entries: 2, seq: 3, line: 3, problem: 'reordered' });
  });

  it('names a last line cut short as unreadable', async () => {
    await writeFile(auditPath(dir), original.subarray(0, original.length - 1));
    expect(await verifyAuditFile(dir)).toMatchObject({ ok: false, seq: ENTRIES, line: ENTRIES, problem: 'unreadable' });
  });

  it('works while a store holds the directory, without its lock', async () => {
    await restore();
    const { store } = await openWithLog(dir);
    await store.commit(event(), []);
    expect(await verifyAuditFile(dir)).toEqual({ ok: true, entries: ENTRIES + 1 });
    await store.close();
    await restore();
  });

  it('takes a directory with no log as an empty log, and refuses one that does not exist', async () => {
    const empty = await dirs.make();
    expect(await verifyAuditFile(empty)).toEqual({ ok: true, entries: 0 });
    await expect(verifyAuditFile(`${empty}/mistyped`)).rejects.toMatchObject({ code: 'storage.open_failed' });
  });
});

/** The 1-based line of each byte (a newline belongs to the line it ends). */
function lineNumbers(bytes: Buffer): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const byte of bytes) {
    lines.push(line);
    if (byte === 0x0a) line++;
  }
  return lines;
}
