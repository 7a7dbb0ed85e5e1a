import { randomBytes } from 'node:crypto';
import { identifiersOf, personErasure } from '../core/personal-data.ts';
import type { Policy } from '../core/policy.ts';
import type { Erased, Store } from '../core/store.ts';

export interface ErasureAsked {
  /** A person id, email, or platform id, as the operator typed it. */
  ref: string;
  reason: string;
  /** Who ran it (`user@host`), recorded with the erasure. */
  operator: string;
  at: Date;
}

export type ErasureOutcome = { ok: true; pseudonym: string; done: Erased } | { ok: false; problem: string };

/**
 * `appwarden erase PERSON --reason "…"`: every personal value the record keeps of someone who has left
 * (name, ids, emails, their free text, census answers they gave) becomes a pseudonym or `[erased]`,
 * while the audit chain still verifies. Refused for someone still listed in the policy or present in the
 * directory: the next policy load or sync would bring their data back.
 */
export async function erasePerson(store: Store, policy: Policy, asked: ErasureAsked): Promise<ErasureOutcome> {
  const wanted = asked.ref.trim().toLowerCase();
  if (asked.reason.trim() === '')
    return { ok: false, problem: 'erase needs --reason "…": why this person\'s data is erased (it is kept with the erasure)' };
  const listed = policy.people.find((p) => [p.id, p.email, p.slack, p.teams].some((v) => v !== undefined && v.toLowerCase() === wanted));
  if (listed)
    return {
      ok: false,
      problem: `${asked.ref} is listed in the policy file (people: ${listed.id}): remove them there and reload the policy first; nothing was erased`,
    };
  const record = store
    .list('directory')
    .find((r) => r.id === wanted || r.email === wanted || Object.values(r.sources).some((s) => s?.key.toLowerCase() === wanted));
  if (record && !record.leftAt)
    return {
      ok: false,
      problem:
        `${asked.ref} is still in the directory (${Object.keys(record.sources).join(', ')}): erasure is for people who have left, ` +
        'once every source has dropped them; nothing was erased',
    };
  const id = record?.id ?? wanted;
  const requests = store.where('requests', 'person', id);
  if (!record && requests.length === 0 && store.where('attestations', 'person', id).length === 0)
    return {
      ok: false,
      problem: `No one is known as "${asked.ref}": not in the directory, and no request or attestation of theirs; nothing was erased`,
    };
  const pseudonym = `erased-${randomBytes(4).toString('hex')}`;
  const identifiers = identifiersOf(id, record, requests);
  const done = await store.erase(personErasure({ identifiers, pseudonym }), {
    at: asked.at.toISOString(),
    actor: 'system',
    action: 'person.erased',
    subject: pseudonym,
    detail: { reason: asked.reason.trim(), operator: asked.operator, surface: 'cli' },
  });
  return { ok: true, pseudonym, done };
}
