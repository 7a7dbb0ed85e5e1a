import { describe, expect, it } from 'vitest';
import {
  appMatcher,
  applyInventory,
  devicesByAddress,
  evidenceFor,
  newContradictions,
  verifiedFigures,
  watchedApps,
  type InventoryDevice,
} from '../../src/core/inventory.ts';
import type { Policy, Rule } from '../../src/core/policy.ts';
import type { Attestation } from '../../src/core/records.ts';
import { loadPack } from '../support/bot.ts';

const AT = new Date('2026-12-03T09:00:00Z');
const policy: Policy = loadPack('demo.yaml');
const rule = (id: string): Rule => policy.rules.find((r) => r.id === id)!;
const TIKTOK = rule('demo-tiktok'); // corporate and personal-with-work-apps
const RECREATIONAL = rule('demo-recreational'); // corporate only, by category

const device = (over: Partial<InventoryDevice> & { id: string }): InventoryDevice => ({
  source: 'intune',
  name: over.id,
  owner: 'corporate',
  users: ['pierre@agency.gov'],
  lastSync: '2026-12-02T09:00:00Z',
  apps: [],
  ...over,
});
const tiktok = (version: string) => ({ app: 'tiktok', reported: 'TikTok', version });
const attested = (at: string): Attestation => ({
  id: 'AT-1',
  person: 'pierre@agency.gov',
  rule: 'demo-tiktok',
  app: 'tiktok',
  at,
  statement: 'removed',
});

describe('which apps the inventory looks for, and how an MDM record is matched', () => {
  it('watches the apps removal rules name, directly or by category; a data-use rule asks for no removal', () => {
    const ids = watchedApps(policy).map((w) => w.id);
    expect(ids).toContain('tiktok');
    expect(ids).not.toContain('line'); // LINE is prohibited only for personal data
    expect(ids).not.toContain('signal'); // allowed
  });

  it('matches a bundle id (any case), an Android package id reported as the name, a name or alias; nothing else', () => {
    const match = appMatcher(policy);
    expect(match({ name: 'Some label', bundleId: 'COM.zhiliaoapp.musically' })).toBe('tiktok');
    expect(match({ name: 'com.ss.android.ugc.trill' })).toBe('tiktok');
    expect(match({ name: 'TikTok' })).toBe('tiktok');
    expect(match({ name: 'ティックトック' })).toBe('tiktok');
    expect(match({ name: 'LINE' })).toBeUndefined(); // known, but no removal rule
    expect(match({ name: 'TikTok Studio' })).toBeUndefined();
    expect(match({ name: null, bundleId: null })).toBeUndefined();
  });
});

describe('evidence per person and rule', () => {
  const evidence = (devices: InventoryDevice[], r = TIKTOK, attestation?: Attestation) =>
    evidenceFor(r, policy, devices, attestation, 7, AT);

  it('a corporate device that reported within the window without the app: verified clean', () => {
    expect(evidence([device({ id: 'intune:1' })]).status).toBe('absent');
  });

  it('a corporate device silent for longer than stale_after_days is not evidence', () => {
    expect(evidence([device({ id: 'intune:1', lastSync: '2026-11-20T09:00:00Z' })]).status).toBe('stale');
    expect(evidence([device({ id: 'intune:1', lastSync: undefined })]).status).toBe('stale');
  });

  it('a personal device never shows the app gone (its MDM sees managed apps only), but does show it installed', () => {
    expect(evidence([device({ id: 'intune:1', owner: 'personal' })]).status).toBe('no-device');
    expect(evidence([device({ id: 'intune:1', owner: 'personal', apps: [tiktok('34.1')] })]).status).toBe('installed');
  });

  it('no device at all: attestation is the only evidence', () => {
    expect(evidence([])).toEqual({ status: 'no-device', devices: [] });
  });

  it("a rule's device classes decide which devices count: a personal device is outside a corporate-only rule", () => {
    const personal = device({
      id: 'jamf:9',
      source: 'jamf',
      owner: 'personal',
      apps: [{ app: 'tiktok', reported: 'com.zhiliaoapp.musically' }],
    });
    expect(evidence([personal], RECREATIONAL)).toEqual({ status: 'no-device', devices: [] });
    expect(evidence([personal], TIKTOK).status).toBe('installed');
  });

  it('the worst device decides: installed over stale over absent; a rule by category finds its apps', () => {
    const devices = [
      device({ id: 'intune:1' }),
      device({ id: 'intune:2', lastSync: '2026-11-01T00:00:00Z' }),
      device({ id: 'intune:3', apps: [tiktok('33.0')] }),
    ];
    const e = evidence(devices, RECREATIONAL);
    expect(e.status).toBe('installed');
    expect(e.devices.map((d) => d.status)).toEqual(['absent', 'stale', 'installed']);
    expect(evidence(devices.slice(0, 2)).status).toBe('stale');
  });

  it('an attestation is contradicted only by a device that reported the app after it', () => {
    const still = device({ id: 'intune:1', apps: [tiktok('34.1')], lastSync: '2026-12-02T09:00:00Z' });
    expect(evidence([still], TIKTOK, attested('2026-12-01T10:00:00Z')).contradicted?.device.id).toBe('intune:1');
    expect(evidence([still], TIKTOK, attested('2026-12-02T10:00:00Z')).contradicted).toBeUndefined();
  });

  it('verified figures: clean, installed (people and devices), silent, attested without a managed device', () => {
    const two = [device({ id: 'a', apps: [tiktok('34.1')] }), device({ id: 'b', apps: [tiktok('33.0')] })];
    const figures = verifiedFigures([
      { evidence: evidence([device({ id: 'c' })]), attested: true },
      { evidence: evidence(two), attested: true },
      { evidence: evidence([device({ id: 'd', lastSync: '2026-01-01T00:00:00Z' })]), attested: false },
      { evidence: evidence([]), attested: true },
      { evidence: evidence([]), attested: false },
    ]);
    expect(figures).toEqual({ clean: 1, installed: 1, installedDevices: 2, stale: 1, attestedWithoutDevice: 1 });
  });
});

describe('a sync and its contradictions', () => {
  it('each snapshot replaces its own source: new and changed devices put, those it lacks removed, the other source untouched', () => {
    const before = [device({ id: 'intune:1' }), device({ id: 'intune:2' }), device({ id: 'jamf:1', source: 'jamf' })];
    const sync = applyInventory(before, [
      {
        source: 'intune',
        devices: [device({ id: 'intune:1' }), device({ id: 'intune:3', apps: [tiktok('34.1')] }), device({ id: 'intune:3' })],
      },
    ]);
    expect(sync.put.map((d) => d.id)).toEqual(['intune:3']); // intune:1 unchanged; intune:3 listed twice counts once
    expect(sync.removed).toEqual(['intune:2']);
    expect(sync).toMatchObject({ total: 3, carrying: 1 });
  });

  it('flags each attestation a device contradicts once, by attestation and device', () => {
    const devices = [
      device({ id: 'intune:1', apps: [tiktok('34.1')] }),
      device({ id: 'jamf:2', source: 'jamf', owner: 'personal', apps: [tiktok('34.1')] }),
    ];
    const people = [{ attestation: attested('2026-12-01T10:00:00Z'), person: { id: 'pierre', email: 'pierre@agency.gov' } }];
    const first = newContradictions(policy, people, devicesByAddress(devices), () => false, AT);
    expect(first.map((f) => f.id)).toEqual(['AT-1:intune:1', 'AT-1:jamf:2']);
    expect(first[0]).toMatchObject({
      person: 'pierre',
      rule: 'demo-tiktok',
      deviceName: 'intune:1',
      version: '34.1',
      lastSync: '2026-12-02T09:00:00Z',
    });
    const known = new Set(first.map((f) => f.id));
    expect(newContradictions(policy, people, devicesByAddress(devices), (id) => known.has(id), AT)).toEqual([]);
  });
});
