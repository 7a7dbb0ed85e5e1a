import type { z } from 'zod';
import type { directorySchema, inventorySchema, policySchema } from './policy-schema.ts';

/**
 * What a policy is: its types, the closed vocabularies and the limits. The schema that reads a policy
 * file into one is policy-schema.ts, loaded only where a file is read: most commands never load zod's
 * full API, nor build the schema.
 */
export const DEVICE_CLASSES = ['corporate', 'personal-with-work-apps', 'personal'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];
export const LOCALES = ['en', 'ja', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const ROLES = ['approver', 'admin', 'reporter'] as const;
export type Role = (typeof ROLES)[number];

/**
 * How big a policy may be. A policy file is parsed on the server's event loop, and the YAML parser holds
 * a few hundred bytes per token of the file while it works, so the file is bounded before it is read,
 * the token stream while it is parsed, and the entries once parsed, before anything costlier runs.
 * Generous for a ministry: the packs are a few kilobytes; 2 MiB holds about 10,000 apps written as
 * the packs write them. README and tests quote these numbers.
 */
export const POLICY_LIMITS = {
  /** The file, checked before it is read (its size) and again on the text. */
  bytes: 2 * 1024 * 1024,
  /** YAML tokens (scalars, indicators, spaces, comments): what the parser's memory grows with. */
  yamlTokens: 1_000_000,
  /** Collections nested in collections, as the YAML parser counts them (a policy uses 6 to 8). */
  depth: 64,
  /** Keys in one mapping (the largest the schema has is a rule's 18). */
  keysPerMap: 1_000,
  /** YAML anchors (`&a`) and aliases (`*a`), together. */
  anchorsAndAliases: 1_000,
  /** How far aliases may expand: the `yaml` library's own `maxAliasCount`. */
  aliasExpansion: 100,
  units: 10_000,
  people: 100_000,
  apps: 20_000,
  rules: 5_000,
  categories: 1_000,
  dataClasses: 1_000,
  accounts: 10_000,
  /** Each of an app's `aliases`, `store_ids`, `bundle_ids` and `categories`. */
  namesPerApp: 100,
  /** Each list inside an entry: a rule's `apps`, `categories`, `data`, purposes, approvers, reminder days; a person's roles. */
  listEntries: 1_000,
  /** `rules[].exceptions.max_days` and `default_days`: ten years; an exception is never granted past it. */
  exceptionDays: 3_650,
} as const;

/**
 * What the chat platforms hold, where a policy's own values end up: an exception's purposes are offered
 * as a select, and Slack allows 100 options in one, option text of up to 75 characters and values of up
 * to 150. A policy that breaks them is refused at load, not when someone opens the form.
 */
export const PLATFORM_LIMITS = {
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
} as const;

export type ByLocale = Partial<Record<Locale, string>>;

export const ACCOUNT_STATUSES = ['active', 'suspended', 'private', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export type DirectoryConfig = z.infer<typeof directorySchema>;
export type InventoryConfig = z.infer<typeof inventorySchema>;

export type Policy = z.infer<typeof policySchema>;
export type Rule = Policy['rules'][number];
export type App = Policy['apps'][number];
export type Unit = Policy['units'][number];
export type PersonEntry = Policy['people'][number];
export type ExceptionTerms = Exclude<Rule['exceptions'], 'none'>;
export type OfficialAccount = Policy['accounts'][number];
export type Category = Policy['categories'][number];

/** Everything a command may name: known data classes and purposes, derived from the policy itself. */
export function vocabulary(p: Policy): { dataClasses: string[]; purposes: string[] } {
  const data = new Set([...p.data_classes, ...p.rules.flatMap((r) => r.data ?? [])]);
  const purposes = new Set(p.rules.flatMap((r) => (r.exceptions === 'none' ? [] : r.exceptions.purposes)));
  return { dataClasses: [...data].sort(), purposes: [...purposes].sort() };
}
