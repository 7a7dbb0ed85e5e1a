import { readdirSync, readFileSync } from 'node:fs';
import { distance } from 'fastest-levenshtein';
import { describe, expect, it } from 'vitest';
import { nameKey } from '../../src/core/names.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { suggestApps } from '../../src/core/suggestions.ts';
import { random } from '../support/random.ts';

/** The definition, as a scan of every name key: the index must give exactly this. */
function byScan(policy: Policy, typed: string, limit = 3): string[] {
  const key = nameKey(typed);
  if (!key) return [];
  const allowed = Math.max(1, Math.floor(key.length / 3));
  const scored = new Map<string, number>();
  for (const app of policy.apps)
    for (const candidate of new Set([app.id, app.name, ...app.aliases].map(nameKey))) {
      const contains = (key.length >= 3 && candidate.includes(key)) || (candidate.length >= 3 && key.includes(candidate));
      const d = contains ? 0.5 : Math.abs(candidate.length - key.length) > allowed ? Infinity : distance(key, candidate);
      if (d <= allowed && d < (scored.get(app.name) ?? Infinity)) scored.set(app.name, d);
    }
  return [...scored]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([n]) => n);
}

/** What people get wrong: a letter dropped, doubled, swapped or changed, words run together or cut short, other text around it. */
function typo(name: string, r: ReturnType<typeof random>): string {
  const i = r.int(Math.max(1, name.length));
  switch (r.int(8)) {
    case 0:
      return name.slice(0, i) + name.slice(i + 1);
    case 1:
      return name.slice(0, i) + name[i] + name.slice(i);
    case 2:
      return name.slice(0, i) + (name[i + 1] ?? '') + (name[i] ?? '') + name.slice(i + 2);
    case 3:
      return name.slice(0, i) + r.pick(['x', 'q', 'ア', '7']) + name.slice(i + 1);
    case 4:
      return name.slice(0, Math.max(1, i));
    case 5:
      return `my ${name} app for work`;
    case 6:
      return r.pick(['a', 'ab', 'x', 'テ', 'zz9', 'chat', 'tok', 'line', 'qwertyuiopasdfghjkl', '1234']);
    default:
      return name.slice(i) + name.slice(0, i);
  }
}

const WORDS = ['chat', 'photo', 'game', 'video', 'notes', 'maps', 'music', 'news', 'shop', 'fit'];
const large = (() => {
  const r = validatePolicy({
    organization: { name: 'Large', timezone: 'UTC', default_unit: 'org' },
    units: [{ id: 'org', name: 'Org' }],
    apps: Array.from({ length: 2000 }, (_, i) => ({
      id: `app-${i}`,
      name: `App ${i} ${WORDS[i % WORDS.length]}`,
      aliases: [`alias-${i}`, `アプリ${i}`],
    })),
    rules: [],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
})();

const packs = readdirSync('policies').map((file) => {
  const parsed = parsePolicyText(readFileSync(`policies/${file}`, 'utf8'));
  if (!parsed.ok) throw new Error(file);
  return [file, parsed.value] as const;
});

describe('did you mean', () => {
  it('suggests what a scan of every name would, for typos of every app in every pack', () => {
    const r = random(11);
    let compared = 0;
    for (const [file, policy] of packs)
      for (const app of policy.apps)
        for (const name of [app.name, app.id, ...app.aliases])
          for (let n = 0; n < 6; n++) {
            const typed = typo(name, r);
            expect(suggestApps(policy, typed), `${file}: "${typed}"`).toEqual(byScan(policy, typed));
            compared++;
          }
    expect(compared).toBeGreaterThan(500);
  });

  it('suggests what a scan would in a catalogue of 2,000 apps, including names that contain or are inside catalogue names', () => {
    const r = random(23);
    let withSuggestions = 0;
    for (let n = 0; n < 300; n++) {
      const i = r.int(2000);
      const typed = typo(r.pick([`App ${i} ${WORDS[i % WORDS.length]}`, `alias-${i}`, `アプリ${i}`, `app-${i}`]), r);
      const expected = byScan(large, typed, 5);
      expect(suggestApps(large, typed, 5), `"${typed}"`).toEqual(expected);
      if (expected.length) withSuggestions++;
    }
    expect(withSuggestions).toBeGreaterThan(150);
  });

  it('finds TikTok from a misspelling and suggests nothing for a name unlike any app', () => {
    const ec = packs.find(([file]) => file.startsWith('ec-'))![1];
    expect(suggestApps(ec, 'tiktak')).toContain('TikTok');
    expect(suggestApps(ec, 'qwertyuiop')).toEqual([]);
  });
});
