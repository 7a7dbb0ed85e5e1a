import type { ExceptionRequest, RequestStatus } from './records.ts';

/**
 * The one reading of a request's status at an instant. The stored status changes only when someone (or
 * the scheduler) acts, so an approved exception whose `expiresAt` has passed is `expired` from that
 * instant on, whether or not the scheduler has marked it yet. Every place that judges a status at a
 * given time asks this, never `status === 'approved'` and the expiry apart.
 */
export function effectiveStatus(request: ExceptionRequest, at: Date | number): RequestStatus {
  return request.status === 'approved' && isExpired(request, at) ? 'expired' : request.status;
}

/** An approved exception that still counts at `at`. */
export const isActiveException = (request: ExceptionRequest, at: Date | number): boolean => effectiveStatus(request, at) === 'approved';

/** Whether the exception's time is up at `at` (from `expiresAt` on); whatever its stored status. */
export function isExpired(request: ExceptionRequest, at: Date | number): boolean {
  return request.expiresAt !== undefined && (typeof at === 'number' ? at : at.getTime()) >= Date.parse(request.expiresAt);
}

/** How far ahead "expiring soon" looks, on the web view's exceptions page. */
export const EXPIRING_WITHIN_DAYS = 14;

/** Decided requests by where they stand at `at`: in force (and of those, ending within `days`), and denied. */
export interface ExceptionSections {
  active: ExceptionRequest[];
  expiring: ExceptionRequest[];
  denied: ExceptionRequest[];
}

/** Active (soonest to end first), expiring within `days` days of `at`, denied (latest decided first). */
export function exceptionSections(requests: readonly ExceptionRequest[], at: Date, days = EXPIRING_WITHIN_DAYS): ExceptionSections {
  const horizon = at.getTime() + days * 86_400_000;
  const active = requests
    .filter((r) => isActiveException(r, at))
    .sort((a, b) => Date.parse(a.expiresAt ?? '') - Date.parse(b.expiresAt ?? '') || a.id.localeCompare(b.id));
  return {
    active,
    expiring: active.filter((r) => r.expiresAt !== undefined && Date.parse(r.expiresAt) < horizon),
    denied: requests
      .filter((r) => r.status === 'denied')
      .sort((a, b) => (b.decidedAt ?? '').localeCompare(a.decidedAt ?? '') || a.id.localeCompare(b.id)),
  };
}
