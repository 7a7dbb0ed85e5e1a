import type { ClearableField, SourcePerson, SourceSnapshot } from '../../src/core/directory.ts';
import {
  type GraphClientOptions,
  type GraphPage,
  type GraphRead,
  GraphRefused,
  graphClient,
  SyncStateExpired,
  where,
} from './graph-client.ts';

export { backoffMs, classify, describeTokenError, retryAfterMs } from './graph-client.ts';

export interface EntraOptions extends GraphClientOptions {
  /** Group object ids whose members to read (from the policy mapping). */
  groups: string[];
}

/**
 * The user properties read: what a SourcePerson needs, accountEnabled to tell leavers, and the manager
 * (a navigation property: delta answers it as `manager@delta`, for approval stages).
 */
const USER_SELECT = 'id,displayName,mail,userPrincipalName,department,preferredLanguage,accountEnabled,manager';
/** A round that pages further than this is refused: 2,000 pages are 200,000 users at Graph's page size. */
export const MAX_PAGES_PER_ROUND = 2_000;

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  department?: string | null;
  preferredLanguage?: string | null;
  accountEnabled?: boolean | null;
  /** The manager link as delta tracks it: the manager's object id, or an entry `@removed` when they were unassigned. */
  'manager@delta'?: { id?: string; '@removed'?: { reason?: string } }[];
  '@removed'?: { reason?: string };
}
interface GraphMember {
  id: string;
  '@odata.type'?: string;
}

/**
 * A Graph user as the directory's person: only the properties present (a delta round sends only the
 * changed ones), and in a delta round those it sent empty (null) as cleared.
 */
export function toPerson(user: GraphUser, delta = false): SourcePerson {
  const email = user.mail ?? user.userPrincipalName;
  const manager = managerOf(user);
  const cleared: ClearableField[] = [];
  const emptied = (field: ClearableField, value: unknown) => (value === null || value === '') && cleared.push(field);
  emptied('name', user.displayName);
  emptied('department', user.department);
  emptied('locale', user.preferredLanguage);
  if (manager === null) cleared.push('manager');
  return {
    key: user.id,
    ...(email ? { email: email.toLowerCase() } : {}),
    ...(user.displayName ? { name: user.displayName } : {}),
    ...(user.department ? { department: user.department } : {}),
    ...(user.preferredLanguage ? { locale: user.preferredLanguage } : {}),
    ...(manager ? { manager } : {}),
    ...(delta && cleared.length ? { cleared } : {}),
  };
}

/** The manager `manager@delta` names: their object id, `null` when it names none (removed), `undefined` when absent (unchanged). */
export function managerOf(user: GraphUser): string | null | undefined {
  const links = user['manager@delta'];
  if (!Array.isArray(links)) return undefined;
  const current = links.filter((l) => l?.['@removed'] === undefined && typeof l?.id === 'string').at(-1);
  return current?.id ?? null;
}

/** Deleted (soft or hard: any `@removed` reason) or disabled: no longer someone the policy applies to. */
export const isLeaver = (user: GraphUser): boolean => user['@removed'] !== undefined || user.accountEnabled === false;

/** People and leavers of one round. A user listed twice (Graph may) counts as last listed. */
function mergeUsers(people: Map<string, SourcePerson>, removed: Set<string>, users: GraphUser[], delta: boolean) {
  for (const user of users) {
    if (typeof user?.id !== 'string') continue;
    if (isLeaver(user)) {
      people.delete(user.id);
      removed.add(user.id);
    } else {
      removed.delete(user.id);
      people.set(user.id, laterWins(people.get(user.id), toPerson(user, delta)));
    }
  }
}

/** One user listed twice in a round (Graph sends a manager change as its own object): what the later one says wins, emptied fields included. */
function laterWins(earlier: SourcePerson | undefined, later: SourcePerson): SourcePerson {
  if (!earlier) return later;
  const { cleared: clearedBefore = [], ...merged } = { ...earlier, ...later, cleared: earlier.cleared };
  for (const field of later.cleared ?? []) delete merged[field];
  const cleared = [...new Set([...clearedBefore.filter((f) => merged[f] === undefined), ...(later.cleared ?? [])])];
  return cleared.length ? { ...merged, cleared } : merged;
}

/**
 * The Entra ID directory: users by Graph delta query (a full sync without a cursor, a delta round
 * with one) and the members of the policy's groups, as a SourceSnapshot, over the Graph client
 * (tokens, retries, pacing). Anything the client does not wait out fails the read with a message that
 * says what to fix, and the snapshot is all or nothing.
 */
export function entraDirectory(options: EntraOptions): { source: 'entra'; read(cursor: string | undefined): Promise<SourceSnapshot> } {
  const log = options.log ?? (() => {});
  const graph = graphClient(options, { name: 'entra', subject: 'directory' });
  const { nothingChanged } = graph;

  /** Every page of a users delta listing from `firstUrl`, and the deltaLink that ends it. */
  async function readUsers(firstUrl: string, read: GraphRead, delta: boolean) {
    const people = new Map<string, SourcePerson>();
    const removed = new Set<string>();
    for (let url = firstUrl; ; ) {
      const page = await read.getPage<GraphUser>(url);
      mergeUsers(people, removed, page.value, delta);
      const next = page['@odata.nextLink'];
      if (next) {
        url = next;
        continue;
      }
      const deltaLink = page['@odata.deltaLink'];
      if (!deltaLink)
        throw new Error(
          `Microsoft Graph ended the user listing at ${where(url)} with neither a next link nor a delta link; ${nothingChanged}`,
        );
      return { people: [...people.values()], removed: [...removed], deltaLink };
    }
  }

  /** A group's direct user members (nested groups are not followed: the policy names the groups it means). */
  async function readMembers(groupId: string, read: GraphRead): Promise<string[]> {
    const members: string[] = [];
    for (let url: string | undefined = `${graph.graphUrl}/v1.0/groups/${encodeURIComponent(groupId)}/members?$select=id`; url; ) {
      let page: GraphPage<GraphMember>;
      try {
        page = await read.getPage<GraphMember>(url);
      } catch (error) {
        if (error instanceof GraphRefused && error.status === 404)
          throw new Error(
            `The policy maps Entra group ${groupId}, which does not exist in tenant ${options.tenantId} (Microsoft Graph: 404); ${nothingChanged}`,
          );
        // A 410 means a lost delta state only for users; for a group listing it is just a failure.
        if (error instanceof SyncStateExpired) throw new Error(`${error.message}; ${nothingChanged}`);
        throw error;
      }
      for (const member of page.value)
        if (member?.['@odata.type'] === '#microsoft.graph.user' && typeof member.id === 'string') members.push(member.id);
      url = page['@odata.nextLink'];
    }
    return members;
  }

  const fullSyncUrl = `${graph.graphUrl}/v1.0/users/delta?$select=${USER_SELECT}`;

  async function fullSync(read: GraphRead) {
    try {
      return { complete: true, ...(await readUsers(fullSyncUrl, read, false)) };
    } catch (error) {
      if (error instanceof SyncStateExpired) throw new Error(`${error.message} during a full sync; ${nothingChanged}`);
      throw error;
    }
  }

  /** This round's users: a delta round from the cursor, or a full sync when there is none or its state is gone. */
  async function usersRound(cursor: string | undefined, read: GraphRead) {
    if (cursor === undefined) return fullSync(read);
    if (!graph.onGraph(cursor)) {
      log(`entra: the cursor is not a delta link of ${graph.origin} (GRAPH_API_URL changed?): reading the whole directory again`);
      return fullSync(read);
    }
    try {
      return { complete: false, ...(await readUsers(cursor, read, true)) };
    } catch (error) {
      if (!(error instanceof SyncStateExpired)) throw error;
      // Delta tokens expire (days to weeks unused); only a full sync sets the state anew.
      log(`entra: ${error.message}: the delta state expired, reading the whole directory again`);
      return fullSync(read);
    }
  }

  return {
    source: 'entra',
    async read(cursor) {
      const read = graph.startRead(MAX_PAGES_PER_ROUND);
      const users = await usersRound(cursor, read);
      const groups: Record<string, string[]> = {};
      for (const groupId of new Set(options.groups)) groups[groupId] = await readMembers(groupId, read);
      return { source: 'entra', complete: users.complete, people: users.people, removed: users.removed, groups, cursor: users.deltaLink };
    },
  };
}
