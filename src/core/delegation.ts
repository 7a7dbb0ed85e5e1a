import { isRequester, mayDecide } from './exceptions.ts';
import { resolvePerson, type Person } from './org.ts';
import type { Policy } from './policy.ts';
import type { ExceptionRequest } from './records.ts';
import { localDate } from './time.ts';

/** An approver's decisions made by a deputy while they are away: `id` is the approver's person id. */
export interface Delegation {
  id: string;
  /** The deputy's person id. */
  to: string;
  /** The last day it holds, in the organisation's time zone (YYYY-MM-DD). */
  until: string;
  at: string;
}

/** Whether a delegation holds at `at`: through the end of its last day, in the organisation's zone. */
export const isInForceAt = (d: Delegation, at: Date, timezone: string): boolean => localDate(at, timezone) <= d.until;

/**
 * The approvers `deputy` may decide this request for, at `at`: those who delegated to them, in force,
 * who may decide it themselves. Never on the deputy's own request, nor on the approver's.
 */
export function principalsFor(
  policy: Policy,
  delegations: readonly Delegation[],
  deputy: Person,
  request: ExceptionRequest,
  at: Date,
): Person[] {
  if (isRequester(policy, deputy, request)) return [];
  return delegations
    .filter((d) => d.to === deputy.id && isInForceAt(d, at, policy.organization.timezone))
    .map((d) => resolvePerson(policy, d.id))
    .filter((approver) => mayDecide(policy, approver, request));
}
