import type { DeviceClass } from './policy.ts';
import type { RequestStatus } from './records.ts';

export const VERDICTS = ['allowed', 'prohibited', 'restricted', 'allowed-by-exception', 'exception-pending', 'unknown-app'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface DecisionQuery {
  /** What the person typed, as typed. */
  app: string;
  person: string;
  device: DeviceClass;
  data?: string;
  purpose?: string;
  /** ISO instant. */
  at: string;
}

/** A deadline is the end of its day in the organisation's time zone. */
export interface Deadline {
  date: string;
  /** ISO instant (UTC) of the end of that day in `timezone`. */
  at: string;
  timezone: string;
  passed: boolean;
}

export interface MatchedRule {
  id: string;
  title: string;
  source: string;
  effect: 'prohibit' | 'allow';
  effective: string;
  unit: string;
  /** Why it matched: the app itself, or one of its categories. */
  via: { app: string } | { category: string };
  /** `full`: the rule applies as asked; `data`: it applies only to the listed data classes (a restriction). */
  scope: 'full' | 'data';
  data?: string[];
  deadline?: Deadline;
  consequence?: string;
  review?: string;
  exceptions: 'none' | { purposes: string[]; max_days: number; default_days?: number; conditions?: string };
}

export type Basis = 'rule' | 'exception' | 'no-match' | 'unknown-app';

export interface ReasonCode {
  code: string;
  data?: Record<string, string | number | boolean | string[]>;
}

export interface PersonsRequest {
  id: string;
  status: RequestStatus;
  purpose: string;
  device: DeviceClass;
  days: number;
  requestedAt: string;
  expiresAt?: string;
  conditions?: string;
}

export interface Decision {
  query: DecisionQuery & { unit: string };
  verdict: Verdict;
  basis: Basis;
  app?: { id: string; name: string; vendor?: string; categories: string[] };
  /** Every rule that matched, prohibitions first. */
  rules: MatchedRule[];
  /** The earliest deadline among the prohibiting rules. */
  deadline?: Deadline;
  consequence?: string;
  exception:
    | { possible: true; purposes: string[]; maxDays: number; defaultDays: number; rules: string[] }
    | { possible: false; why: 'not-prohibited' | 'rule-allows-none' | 'purpose-not-allowed' | 'no-common-purpose' };
  /** The person's own approved exception or pending request for this app, if any. */
  request?: PersonsRequest;
  /** How the other device classes fare, when no device was asked for explicitly. */
  otherDevices?: { device: DeviceClass; verdict: Verdict }[];
  /** For an unknown app: the organisation's default posture and the nearest known names. */
  unknown?: { posture: 'allow' | 'review'; suggestions: string[] };
  reasons: ReasonCode[];
}
