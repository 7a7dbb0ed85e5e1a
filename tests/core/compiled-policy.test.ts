import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compiledPolicy, compilePolicy } from '../../src/core/compiled-policy.ts';
import { findApp } from '../../src/core/catalog.ts';
import { decide } from '../../src/core/decide.ts';
import { validatePolicy } from '../../src/core/policy-schema.ts';
import { policyIndex } from '../../src/core/policy-index.ts';
import { suggestApps } from '../../src/core/suggestions.ts';

const document = {
  organization: { name: 'Compiled', timezone: 'Europe/Brussels', default_unit: 'org' },
  units: [
    { id: 'org', name: 'Org' },
    { id: 'dg', name: 'DG', parent: 'org' },
  ],
  people: [{ id: 'ana', unit: 'dg', slack: 'U0ANA' }],
  apps: [
    { id: 'tiktok', name: 'TikTok', aliases: ['tik tok'] },
    { id: 'line', name: 'LINE' },
  ],
  rules: [
    {
      id: 'ban',
      title: 'Ban',
      source: 'T',
      unit: 'org',
      apps: ['tiktok'],
      effect: 'prohibit',
      effective: '2026-01-01',
      deadline: '2026-03-15',
      exceptions: 'none',
    },
  ],
};
const fresh = () => {
  const r = validatePolicy(structuredClone(document));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const query = { app: 'ｔｉｋ ｔｏｋ', person: 'U0ANA', device: 'corporate' as const, at: '2026-03-16T10:00:00.000Z' };

describe('the compiled policy', () => {
  it('is made once per policy object and holds what decide, findApp and suggestApps remember', () => {
    const policy = fresh();
    const compiled = compiledPolicy(policy);
    expect(compiledPolicy(policy)).toBe(compiled);
    expect(policyIndex(policy)).toBe(compiled.index);
    decide(query, policy, { requests: [] });
    suggestApps(policy, 'tiktak');
    expect(compiled.typedNames.size).toBeGreaterThan(0);
    expect(compiled.spans.count).toBe(1);
    expect(compiled.ruleTimes.size).toBe(1);
    expect(compiled.matchedForms.size).toBe(1);
    expect(compiled.advice.size).toBe(1);
    expect(compiled.nameIndex).toBeDefined();
  });

  it('gives an equal policy its own state, and a recompiled policy (a reload) the same answers from nothing', () => {
    const policy = fresh();
    const warm = decide(query, policy, { requests: [] });
    const other = fresh();
    expect(compiledPolicy(other)).not.toBe(compiledPolicy(policy));
    expect(compiledPolicy(other).spans.count).toBe(0);
    const before = compiledPolicy(policy);
    const recompiled = compilePolicy(policy);
    expect(recompiled).not.toBe(before);
    expect(compiledPolicy(policy)).toBe(recompiled);
    expect(recompiled.typedNames.size).toBe(0);
    expect(JSON.stringify(decide(query, policy, { requests: [] }))).toBe(JSON.stringify(warm));
    expect(findApp(policy, 'tik tok')?.id).toBe('tiktok');
  });

  it('is the only place in the core that remembers anything about a policy at module scope', () => {
    const dir = new URL('../../src/core/', import.meta.url);
    // Policy-independent, bounded: name keys and prototypes of strings (names.ts), day starts by date and zone (time.ts).
    const allowed = new Set([
      'compiled-policy.ts:compiled',
      'names.ts:keys',
      'names.ts:prototypes',
      'time.ts:dayStarts',
      'time.ts:dayEnds',
      // Constant field names, never added to (personal-data.ts).
      'personal-data.ts:CLEAR_KEYS',
      'personal-data.ts:CLEAR_ID_COLLECTIONS',
      'personal-data.ts:FREE_TEXT_KEYS',
    ]);
    const found: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n')) {
        const m = /^(?:export )?(?:const|let) (\w+)\b[^=]*= new (?:Map|WeakMap|Set|WeakSet|BoundedMap)\b/.exec(line);
        if (m && !/: ReadonlySet<string> = new Set\(\)/.test(line)) found.push(`${file}:${m[1]}`);
      }
    }
    expect(found.filter((f) => !allowed.has(f))).toEqual([]);
  });
});
