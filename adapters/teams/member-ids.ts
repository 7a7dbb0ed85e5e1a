import type { TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Address } from '../../commands/shared/context.ts';
import type { AppWarden } from '../../src/app.ts';
import { DeliveryError } from '../../src/runtime/outbox.ts';
import { knownUserId, rememberMember, tenantFor, type Trust } from './conversations.ts';
import { classifyConnectorError } from './deliver.ts';

/**
 * Teams user ids (MRIs, `29:…`) for a card's deciders, who are known by their Entra object ids:
 * Universal Actions refresh a card only for the MRIs in its `refresh.userIds`.
 */
export type UserIdsOf = (context: TurnContext, deciders: readonly Address[], budget: 'delivery' | 'invoke') => Promise<string[]>;

export interface UserIdOptions {
  /** One roster lookup, at most (ms). */
  lookupTimeoutMs?: number;
  /** All the lookups for one card, by when it is wanted: a delivery may wait longer than an invoke's answer. */
  budgetMs?: { delivery: number; invoke: number };
  /** How long a member the roster does not have is not asked about again (ms). */
  notFoundForMs?: number;
}

/** Lookups at once, for a card with many deciders. */
const CONCURRENCY = 4;

/**
 * Each decider's MRI: what the bot remembers from their own activities or an earlier lookup, else the
 * Bot Connector's roster of the conversation in `context` (`GET /v3/conversations/{id}/members/{aadObjectId}`),
 * remembered for next time. Someone the bot cannot find is left out, and logged once: the card's
 * Review action still gives them the buttons. Never throws: a card without refresh is still a card.
 */
export function teamsUserIds(bot: AppWarden, trust: Trust, log: (line: string) => void, options: UserIdOptions = {}): UserIdsOf {
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 5_000;
  const budgets = options.budgetMs ?? { delivery: 10_000, invoke: 3_000 };
  const notFoundForMs = options.notFoundForMs ?? 3_600_000;
  /** Entra object id → until when the roster is not asked about them again. */
  const notFound = new Map<string, number>();
  const logged = new Set<string>();
  const leftOut = (person: string, aad: string, why: string) => {
    if (logged.has(aad)) return;
    logged.add(aad);
    log(`teams: approver ${person} (${aad}) is left out of the card's automatic refresh: ${why}; Review still gives them the buttons`);
  };

  return async (context, deciders, budget) => {
    const deadline = Date.now() + budgets[budget];
    const wanted = [...new Set(deciders.flatMap((d) => (d.teams ? [d.teams] : [])))];
    const found: (string | undefined)[] = [];
    const toAsk: number[] = [];
    for (const [i, aad] of wanted.entries()) {
      const person = bot.contextFor(aad, 'teams').person.id;
      found[i] = await knownUserId(bot, person, aad, trust).catch(() => undefined);
      if (!found[i]) toAsk.push(i);
    }
    const ask = async (i: number) => {
      const aad = wanted[i]!;
      const person = bot.contextFor(aad, 'teams').person.id;
      if ((notFound.get(aad) ?? 0) > Date.now()) return leftOut(person, aad, 'not in the roster of the conversation');
      const remaining = deadline - Date.now();
      if (remaining <= 0) return leftOut(person, aad, `no time left to look them up (${budgets[budget]} ms for the card)`);
      const member = await lookUp(context, aad, Math.min(lookupTimeoutMs, remaining));
      if ('error' in member) {
        if (member.notFound) notFound.set(aad, Date.now() + notFoundForMs);
        return leftOut(person, aad, member.error);
      }
      notFound.delete(aad);
      logged.delete(aad);
      found[i] = member.id;
      const a = context.activity;
      const tenantId = await tenantFor(bot, a, trust).catch(() => undefined);
      if (tenantId && a.serviceUrl)
        await rememberMember(bot, person, { serviceUrl: a.serviceUrl, bot: a.recipient, user: { id: member.id }, tenantId }, trust).catch(
          (e: unknown) => log(`teams: could not remember the Teams user id of ${person}: ${(e as Error).message}`),
        );
    };
    const queue = [...toAsk];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await ask(i);
      }),
    );
    return [...new Set(found.filter((id): id is string => !!id))];
  };
}

export type Lookup = { id: string } | { error: string; notFound: boolean };

/** One member from the Bot Connector's roster, within `timeoutMs`, its failure classed and never thrown. */
export async function lookUp(context: TurnContext, aadObjectId: string, timeoutMs: number): Promise<Lookup> {
  const client = context.turnState.get<ConnectorClient | undefined>(context.adapter.ConnectorClientKey);
  // A channel thread's id names the channel plus a message; the roster is the channel's.
  const conversation = context.activity.conversation?.id?.split(';messageid=')[0];
  if (!client || !conversation) return { error: 'no connector client for the conversation', notFound: false };
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeliveryError('transient', `the roster did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const member = await Promise.race([
      client.conversations.getConversationMember(conversation, aadObjectId, { abortSignal: abort.signal, timeout: timeoutMs }),
      timeout,
    ]);
    const sameUser = !member.aadObjectId || member.aadObjectId.toLowerCase() === aadObjectId.toLowerCase();
    if (typeof member.id !== 'string' || !member.id || !sameUser)
      return { error: 'the roster answered someone else, or no Teams user id', notFound: false };
    return { id: member.id };
  } catch (e) {
    const error = classifyConnectorError(e, `looking ${aadObjectId} up in the roster of ${conversation}`);
    return { error: `${error.outcome}: ${error.reason}`, notFound: (e as { statusCode?: number }).statusCode === 404 };
  } finally {
    clearTimeout(timer);
  }
}
