import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.ts';
import { DEVICE_CLASSES } from '../../src/core/policy.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { DEMO_POLICY_FILE } from '../../src/config.ts';
import { loadPolicyFile } from '../../src/runtime/policy-file.ts';
import { loadPack, packFiles, readPack } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SLACK_USER = /^U[0-9A-Z]{6,}$/;
const SLACK_CHANNEL = /^C[0-9A-Z]{6,}$/;
const TEAMS_CHANNEL = /^19:[^@\s]+@thread\.(tacv2|skype)$/;

describe('policy packs', () => {
  it('has one pack per measure in DESIGN.md, plus the demo', () => {
    expect(packFiles()).toEqual(
      expect.arrayContaining([
        'demo.yaml',
        'ec-2023-tiktok.yaml',
        'fr-2023-recreational.yaml',
        'jp-2020-tiktok-accounts.yaml',
        'jp-2021-line.yaml',
        'us-omb-m-23-13.yaml',
      ]),
    );
  });

  describe.each(packFiles())('%s', (file) => {
    it('validates', () => {
      const result = parsePolicyText(readPack(file));
      expect(result.ok ? [] : result.issues).toEqual([]);
    });

    it('uses real-looking platform ids', () => {
      const policy = loadPack(file);
      for (const p of policy.people) {
        if (p.slack) expect(p.slack, p.id).toMatch(SLACK_USER);
        if (p.teams) expect(p.teams, p.id).toMatch(UUID);
      }
      for (const channel of Object.values(policy.channels)) {
        if (channel?.slack) expect(channel.slack).toMatch(SLACK_CHANNEL);
        if (channel?.teams) expect(channel.teams).toMatch(TEAMS_CHANNEL);
      }
    });

    it('cites a source for every rule and lets every rule match an app', () => {
      const policy = loadPack(file);
      for (const rule of policy.rules) {
        expect(rule.source.length, rule.id).toBeGreaterThan(10);
        const targets = policy.apps.filter((a) => rule.apps?.includes(a.id) || a.categories.some((c) => rule.categories?.includes(c)));
        expect(targets.length, rule.id).toBeGreaterThan(0);
      }
    });

    it('decides deterministically: the same call twice, and on a fresh parse, gives the same bytes', () => {
      const policy = loadPack(file);
      const again = loadPack(file);
      const at = '2026-11-22T09:00:00Z';
      const person = policy.people[0]?.id ?? 'someone';
      for (const app of policy.apps) {
        for (const device of DEVICE_CLASSES) {
          for (const data of [undefined, 'personal-data']) {
            const query = { app: app.name, person, device, at, ...(data ? { data } : {}) };
            const first = JSON.stringify(decide(query, policy, { requests: [] }));
            expect(JSON.stringify(decide(query, policy, { requests: [] }))).toBe(first);
            expect(JSON.stringify(decide(query, again, { requests: [] }))).toBe(first);
          }
        }
      }
    });
  });

  it('the server embeds policies/demo.yaml as its default and it loads', async () => {
    expect(DEMO_POLICY_FILE.replace(/\\/g, '/')).toMatch(/\/policies\/demo\.yaml$/);
    const loaded = await loadPolicyFile(DEMO_POLICY_FILE);
    expect(loaded.ok).toBe(true);
  });
});
