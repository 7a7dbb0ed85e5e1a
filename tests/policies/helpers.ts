import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decide } from '../../src/core/decide.ts';
import type { Decision, DecisionQuery } from '../../src/core/decision.ts';
import { resolvePerson, type Person } from '../../src/core/org.ts';
import type { Policy } from '../../src/core/policy.ts';
import { formatIssues, parsePolicyText } from '../../src/core/policy-text.ts';
import type { ExceptionRequest } from '../../src/core/records.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export function packFiles(): string[] {
  return readdirSync(POLICIES_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

export function readPack(file: string): string {
  return readFileSync(join(POLICIES_DIR, file), 'utf8');
}

/** A pack, parsed and validated exactly as the server loads it; a broken pack fails loudly with every issue. */
export function loadPack(file: string): Policy {
  const result = parsePolicyText(readPack(file));
  if (!result.ok) throw new Error(`${file} does not validate:\n${formatIssues(result.issues)}`);
  return result.value;
}

/**
 * `decide` the way the service calls it: the state holds only the asking person's own requests
 * (what `Store.listByPerson('requests', person)` returns), whatever else has been filed.
 */
export function decideFor(
  policy: Policy,
  query: Omit<DecisionQuery, 'device'> & { device?: DecisionQuery['device'] },
  filed: readonly ExceptionRequest[] = [],
): Decision {
  const person = resolvePerson(policy, query.person);
  const own = filed.filter((r) => r.person === person.id);
  return decide({ device: 'corporate', ...query }, policy, { requests: own });
}

export function person(policy: Policy, ref: string): Person {
  const p = resolvePerson(policy, ref);
  if (!p.listed) throw new Error(`${ref} is not listed in the pack`);
  return p;
}

/** Unwrap an Outcome in a test, failing with the refusal when it is one. */
export function unwrap<T>(outcome: { ok: true; value: T } | { ok: false; code: string }): T {
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.value;
}
