import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Sessions signed out before they expire (the wiring keeps them: src/runtime/session-key.ts). */
export interface SessionRevocations {
  /** Until `expires` (epoch ms), when the session would have ended anyway. */
  revoke(sid: string, expires: number): Promise<void>;
  isRevoked(sid: string): Promise<boolean>;
}

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
  /** A value in a cookie, signed; `purpose` keeps a sign-in's cookie from passing for a session's. */
  const seal = (purpose: string, value: object) => {
    const body = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${body}.${sign(`${purpose}:${body}`)}`;
  };
  const unseal = <T>(purpose: string, cookie: string | undefined): T | undefined => {
    const [body, mac] = (cookie ?? '').split('.');
    if (!body || !mac || !same(mac, sign(`${purpose}:${body}`))) return undefined;
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  };
  return {
    issue(person: string, now: number): { session: Session; cookie: string } {
      const session = { person, sid: randomBytes(16).toString('base64url'), expires: now + SESSION_HOURS * 3_600_000 };
      return { session, cookie: seal('session', session) };
    },
    read(cookie: string | undefined, now: number): Session | undefined {
      const session = unseal<Session>('session', cookie);
      return session && session.expires > now ? session : undefined;
    },
    /** A sign-in in progress (PKCE verifier, state, nonce): for ten minutes, until the provider sends the browser back. */
    sealSignIn: <T extends object>(pending: T, now: number) => seal('sign-in', { ...pending, expires: now + 600_000 }),
    openSignIn<T extends object>(cookie: string | undefined, now: number): T | undefined {
      const pending = unseal<T & { expires: number }>('sign-in', cookie);
      return pending && pending.expires > now ? pending : undefined;
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

export const SIGN_IN_COOKIE = 'appwarden_sign_in';

/** Set-Cookie for a sign-in in progress: Lax, so it comes back with the provider's top-level redirect. */
export const signInCookie = (value: string, secure: boolean) =>
  `${SIGN_IN_COOKIE}=${encodeURIComponent(value)}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=600${secure ? '; Secure' : ''}`;

/** Set-Cookie that removes the session (signing out). */
export const clearedSessionCookie = (secure: boolean) =>
  `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;

/** Set-Cookie for a session: HttpOnly, SameSite=Lax, Secure when the public URL is https. */
export const sessionCookie = (value: string, secure: boolean) =>
  `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
