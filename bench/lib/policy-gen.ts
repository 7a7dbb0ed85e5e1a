import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import { random } from '../../tests/support/random.ts';

export { random };

const WORDS = ['chat', 'photo', 'game', 'video', 'notes', 'maps', 'music', 'news', 'shop', 'fit', 'mail', 'cloud'];
const DEVICES = ['corporate', 'personal-with-work-apps', 'personal'] as const;

export const validated = (document: unknown): Policy => {
  const result = validatePolicy(document);
  if (!result.ok) throw new Error(`generated policy is invalid: ${JSON.stringify(result.issues.slice(0, 3))}`);
  return result.value;
};

/** The smallest useful policy: one unit, one app, one rule. */
export const oneRulePolicy = (): Policy =>
  validated({
    organization: { name: 'One Rule', timezone: 'Europe/Brussels', default_unit: 'org' },
    units: [{ id: 'org', name: 'Organisation' }],
    apps: [
      {
        id: 'tiktok',
        name: 'TikTok',
        categories: ['social-media'],
        aliases: ['tik tok', 'ティックトック'],
        store_ids: ['835599320'],
        bundle_ids: ['com.zhiliaoapp.musically'],
      },
    ],
    rules: [
      {
        id: 'tiktok-ban',
        title: 'TikTok banned',
        source: 'notice',
        unit: 'org',
        apps: ['tiktok'],
        devices: ['corporate'],
        effect: 'prohibit',
        effective: '2026-01-01',
        deadline: '2026-12-15',
        exceptions: 'none',
      },
    ],
  });

export interface Shape {
  units: number;
  apps: number;
  rules: number;
  people: number;
  categories: number;
}

/**
 * A large organisation: a unit tree (8 children each), apps with aliases in two scripts and store and
 * bundle ids, rules on apps and on categories at every level of the tree, some lifted, some about
 * personal data only, with and without exceptions.
 */
export function generatedPolicy(shape: Shape, seed = 42): Policy {
  const r = random(seed);
  const units = Array.from({ length: shape.units }, (_, i) =>
    i === 0
      ? { id: 'org', name: 'Organisation' }
      : { id: `u${i}`, name: `Unit ${i}`, parent: i <= 8 ? 'org' : `u${Math.floor((i - 1) / 8)}` },
  );
  const categories = Array.from({ length: shape.categories }, (_, k) => ({ id: `cat-${k}`, name: `Category ${k}` }));
  const apps = Array.from({ length: shape.apps }, (_, i) => ({
    id: `app-${i}`,
    name: `App ${i} ${WORDS[i % WORDS.length]}`,
    vendor: `Vendor ${i % 300}`,
    categories: [...new Set([`cat-${i % shape.categories}`, `cat-${(i * 7 + 3) % shape.categories}`])],
    aliases: [`alias-${i}`, `アプリ${i}`],
    store_ids: [String(100_000_000 + i)],
    bundle_ids: [`com.vendor${i % 300}.a${i}`],
  }));
  const people = Array.from({ length: shape.people }, (_, i) => ({
    id: `p${i}`,
    unit: r.pick(units).id,
    slack: `UP${i}`,
    roles: i % 50 === 0 ? ['approver' as const] : [],
  }));
  const rules = Array.from({ length: shape.rules }, (_, i) => {
    const prohibit = r.next() < 0.85;
    const byCategory = r.next() < 0.4;
    const open = prohibit && r.next() < 0.5;
    return {
      id: `rule-${i}`,
      title: `Rule ${i}`,
      source: `Notice ${i}, 2026`,
      unit: r.next() < 0.2 ? 'org' : r.pick(units).id,
      ...(byCategory ? { categories: [r.pick(categories).id] } : { apps: Array.from({ length: 1 + r.int(3) }, () => r.pick(apps).id) }),
      ...(r.next() < 0.5 ? { devices: DEVICES.filter(() => r.next() < 0.6).slice(0, 2) } : {}),
      ...(prohibit && r.next() < 0.1 ? { data: ['personal-data'] } : {}),
      effect: prohibit ? 'prohibit' : 'allow',
      effective: `2026-0${1 + r.int(9)}-1${r.int(10)}`,
      ...(prohibit && r.next() < 0.5 ? { deadline: '2026-12-15', consequence: 'Work apps are blocked.' } : {}),
      ...(r.next() < 0.05 ? { lifted: '2026-11-01' } : {}),
      exceptions: open ? { purposes: ['public-communications', 'security-research'], max_days: 90, default_days: 30 } : 'none',
    };
  }).map((rule) => (rule.devices?.length === 0 ? { ...rule, devices: undefined } : rule));
  return validated({
    organization: { name: 'Generated', timezone: 'Europe/Brussels', default_unit: 'org', unknown_apps: 'review' },
    units,
    people,
    categories,
    data_classes: ['personal-data'],
    apps,
    rules,
  });
}

/** ＡＢＣ for ABC: what a Japanese keyboard in full-width mode types. */
export const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
