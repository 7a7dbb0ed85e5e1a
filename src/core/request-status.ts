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
