import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { put } from '../../src/core/records.ts';
import { canonicalJson, chainEntry, entryLine, GENESIS, hashEntry, verifyChain } from '../../storage/audit-chain.ts';
import { event, idempotencyKey } from './helpers.ts';

const replaced = (lines: string[], index: number, line: string) => lines.map((l, i) => (i === index ? line : l));
const without = (lines: string[], index: number) => lines.filter((_, i) => i !== index);

/** The lines of a sound chain of n entries. */
function chainLines(n: number): string[] {
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const changes = [put('keys', idempotencyKey(`K-${seq}`))];
    const entry = chainEntry(prev, seq, event('test.step', { detail: { seq } }), changes);
    lines.push(entryLine(entry));
    prev = entry.hash;
  }
  return lines;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth by UTF-16 code units and writes no whitespace', () => {
    const value = { b: 1, a: [{ z: true, y: null }, 'x'], é: 'é', Z: { '10': 0, '9': 0 } };
    expect(canonicalJson(value)).toBe('{"Z":{"10":0,"9":0},"a":[{"y":null,"z":true},"x"],"b":1,"é":"é"}');
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('leaves out undefined members, as JSON does, and refuses what is not JSON', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    for (const bad of [Number.NaN, Infinity, 1n, () => 1, new Date(0), [undefined]]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });
});

describe('the hash chain', () => {
  it('writes each line as the canonical JSON of its stored form, hashed without `hash` and `personal`', () => {
    const entries = [
      chainEntry(GENESIS, 1, event('policy.loaded', { actor: 'system' }), []),
      chainEntry(
        GENESIS,
        2,
        event('request.filed', { actor: 'nora@agency.gov', subject: 'EX-1', detail: { reason: 'the “spring” festival', days: 30 } }),
        [put('keys', idempotencyKey('K-1'))],
      ),
    ];
    for (const entry of entries) {
      const line = entryLine(entry);
      const stored = JSON.parse(line);
      expect(line).toBe(canonicalJson(stored));
      expect(stored.hash).toBe(hashEntry(stored));
      expect(entry.hash).toBe(stored.hash);
    }
    // Personal values are kept beside the hashed entry, in the line.
    expect(Object.keys(JSON.parse(entryLine(entries[1]!)).personal).length).toBeGreaterThan(1);
  });

  it('hashes the canonical JSON of an entry without its hash, prev included', () => {
    const entry = chainEntry(GENESIS, 1, event(), []);
    const { hash, personal: _apart, ...hashed } = JSON.parse(entryLine(entry));
    expect(hash).toBe(createHash('sha256').update(canonicalJson(hashed)).digest('hex'));
    expect(hashEntry({ ...hashed, prev: 'f'.repeat(64) })).not.toBe(hash);
  });

  it('links each entry to the hash of the one before, from GENESIS', () => {
    const first = chainEntry(GENESIS, 1, event(), []);
    const second = chainEntry(first.hash, 2, event(), []);
    expect([first.prev, second.prev, second.seq]).toEqual([GENESIS, first.hash, 2]);
  });

  it('takes only the event fields: a caller cannot slip in a seq or a hash', () => {
    const sneaky = { ...event(), seq: 99, hash: 'x', changes: 'none' };
    const entry = chainEntry(GENESIS, 1, sneaky, []);
    expect(entry).toMatchObject({ seq: 1, changes: [] });
    expect(Object.keys(entry).sort()).toEqual(['action', 'actor', 'at', 'changes', 'hash', 'prev', 'seq']);
  });
});

describe('verifyChain', () => {
  const lines = chainLines(5);

  it('passes a sound chain, and an empty one', () => {
    expect(verifyChain(lines)).toEqual({ ok: true, entries: 5 });
    expect(verifyChain([])).toEqual({ ok: true, entries: 0 });
  });

  it.each([
    ['unreadable', (l: string[]) => replaced(l, 2, '{"seq":3,'), 3],
    ['changed', (l: string[]) => replaced(l, 2, (l[2] ?? '').replace(':K-3"', ':K-X"')), 3], // a personal value
    ['changed', (l: string[]) => replaced(l, 2, (l[2] ?? '').replace('"test.step"', '"test.stop"')), 3],
    ['changed', (l: string[]) => replaced(l, 4, `${l[4]} `), 5], // even whitespace: the line must be canonical
    ['changed', (l: string[]) => replaced(l, 2, (l[2] ?? '').replace('"seq":3', '"sex":3')), 3],
    ['removed', (l: string[]) => without(l, 2), 3],
    ['removed', (l: string[]) => without(l, 0), 1],
    ['reordered', (l: string[]) => [l[0], l[2], l[1], l[3], l[4]] as string[], 2],
    ['reordered', (l: string[]) => [...l.slice(0, 3), l[1], ...l.slice(3)] as string[], 4],
  ] as const)('names the first bad entry: %s, at seq %i', (problem, tamper, seq) => {
    expect(verifyChain(tamper(lines))).toMatchObject({ ok: false, entries: seq - 1, seq, line: seq, problem });
  });

  it('names an entry replaced by one from another chain as removed: its link is broken', () => {
    const foreign = [lines[0], entryLine(chainEntry('a'.repeat(64), 2, event(), [])), ...lines.slice(2)] as string[];
    expect(verifyChain(foreign)).toMatchObject({ ok: false, seq: 2, problem: 'removed' });
  });
});
