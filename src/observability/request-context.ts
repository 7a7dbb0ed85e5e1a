import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What the log says about the HTTP request a line is about: its id, the surface it came in on, and who sent it. */
export interface RequestContext {
  requestId: string;
  surface: 'slack' | 'teams' | 'http';
  /** The person's id in the policy, once the surface has said who they are. */
  person?: string;
}

const current = new AsyncLocalStorage<RequestContext>();

/** The request the running code works for, if any (a tick or a sync works for none). */
export const requestContext = (): RequestContext | undefined => current.getStore();

/** Runs `work` (and everything it starts) as part of the request `context`. */
export const withRequestContext = <T>(context: RequestContext, work: () => T): T => current.run(context, work);

/**
 * Who sent the request, as the surface resolved them. Only the first one counts: later lookups in
 * the same request are about others (an approver notified of the request), not the sender.
 */
export function noteRequester(person: string, surface: string): void {
  const context = current.getStore();
  if (context && !context.person && context.surface === surface) context.person = person;
}

/** A caller's own `X-Request-Id` (a proxy's, a load balancer's) is kept when it is a plain token; anything else is replaced. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdFrom = (given: string | string[] | undefined): string =>
  typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
