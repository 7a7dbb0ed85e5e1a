import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a browser is signed in as: a person of the policy, and the session's own id (for its CSRF token). */
export interface Session {
  person: string;
  sid: string;
  /** Epoch milliseconds after which the session is no longer accepted. */
  expires: number;
}

export const SESSION_COOKIE = 'appwarden_session';
const SESSION_HOURS = 8;

/**
 * Sessions live in the cookie itself, signed with HMAC-SHA256: nothing to store, and a changed cookie
 * is refused. The key is the process's own unless one is given, so a restart signs everyone out.
 */
export function createSessions(key: Buffer = randomBytes(32)) {
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  return {
    issue(person: string, now: number): { session: Session; cookie: string } {
      const session = { person, sid: randomBytes(16).toString('base64url'), expires: now + SESSION_HOURS * 3_600_000 };
      const body = Buffer.from(JSON.stringify(session)).toString('base64url');
      return { session, cookie: `${body}.${sign(body)}` };
    },
    read(cookie: string | undefined, now: number): Session | undefined {
      const [body, mac] = (cookie ?? '').split('.');
      if (!body || !mac || !same(mac, sign(body))) return undefined;
      const session = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Session;
      return session.expires > now ? session : undefined;
    },
    /** The CSRF token of a session: bound to it, so a token from another session (or none) is refused. */
    csrfToken: (session: Session) => sign(`csrf:${session.sid}`),
    isCsrfToken: (session: Session, token: unknown) => typeof token === 'string' && same(token, sign(`csrf:${session.sid}`)),
  };
}
export type Sessions = ReturnType<typeof createSessions>;

/** The cookie header's value for `name`, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Set-Cookie for a session: HttpOnly, SameSite=Lax, Secure when the public URL is https. */
export const sessionCookie = (value: string, secure: boolean) =>
  `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
