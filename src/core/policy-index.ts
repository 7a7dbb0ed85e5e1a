import { compiledPolicy, type PolicyIndex } from './compiled-policy.ts';
import type { Policy } from './policy.ts';

export type { PolicyIndex, UnitChains } from './compiled-policy.ts';

/** The policy's lookup tables: part of its compiled form (compiled-policy.ts), built once per policy. */
export function policyIndex(policy: Policy): PolicyIndex {
  return compiledPolicy(policy).index;
}
