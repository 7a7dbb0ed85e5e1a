import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../core/store.ts';

const ID = 'web-session';
/** Kept for years: replacing it signs everyone out, which only an operator should decide (by SESSION_SECRET). */
const KEEP_MS = 10 * 365 * 86_400_000;

/**
 * The key that signs /admin's cookies. SESSION_SECRET when given (hashed to 32 bytes); else, with an
 * identity provider, one kept in the store that every replica sharing it reads: the first to start
 * stores a random one, the others take that. The loopback demo, with neither, keeps the process's own.
 */
export async function sessionKey(store: Store, mode: 'demo' | 'oidc', secret: string | undefined, now: Date): Promise<Buffer | undefined> {
  if (secret) return createHash('sha256').update(`appwarden-session:${secret}`).digest();
  if (mode === 'demo') return undefined;
  const kept = await store.operations.get('secrets', ID);
  if (kept) return Buffer.from(kept.key, 'base64url');
  await store.operations.take('secrets', { id: ID, key: randomBytes(32).toString('base64url') }, new Date(now.getTime() + KEEP_MS), now);
  const won = await store.operations.get('secrets', ID);
  if (!won) throw new Error('the session key could not be kept in the store');
  return Buffer.from(won.key, 'base64url');
}

/** Signed-out sessions, kept in the store's operational state until they would have expired: every replica refuses them. */
export function sessionRevocations(store: Store) {
  return {
    revoke: (sid: string, expires: number) => store.operations.put('revoked_sessions', { id: sid }, new Date(expires)),
    isRevoked: async (sid: string) => (await store.operations.get('revoked_sessions', sid)) !== undefined,
  };
}
