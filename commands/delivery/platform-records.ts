import type { ConversationRecord } from '../../src/core/records.ts';
import type { CommandContext } from '../shared/context.ts';

/**
 * What a surface remembers about its platform so it can reach people and posts later: where a post
 * about a request went (so a decision can update it), and how to reach a Teams conversation, person
 * or tenant. Adapters say what they learnt; only this module reads and writes those records.
 */

/** The bot's store and clock: an AppWarden or a CommandContext will do. */
export type RecordsHandle = Pick<CommandContext, 'store' | 'now'>;

export type Platform = 'slack' | 'teams';

/** Where a platform message lives, in the platform's terms (Slack: channel + ts; Teams: conversation + activity). */
export type PostRef = Record<string, string>;

const postId = (platform: Platform, subject: string) => `${platform}:${subject}`;

/**
 * How long a reference is kept (issue 14, item 4: operational state, not the audited record). A year
 * outlasts any exception's life (its card is updated when it ends); a conversation in use is refreshed.
 */
const KEEP_MS = 400 * 86_400_000;
const REFRESH_AFTER_MS = 30 * 86_400_000;
const keptUntil = (at: Date) => new Date(at.getTime() + KEEP_MS);

/**
 * Remember where the post about `subject` went, so a decision can update it: operational state,
 * kept a year (the audit log holds the notice itself, delivered).
 */
export async function rememberPost(bot: RecordsHandle, platform: Platform, subject: string, ref: PostRef): Promise<void> {
  const id = postId(platform, subject);
  await bot.store.operations.put('messages', { id, platform, subject, ref }, keptUntil(bot.now()));
}

/** Where the post about `subject` went on `platform`, if it was remembered. */
export async function postRef(bot: Pick<RecordsHandle, 'store'>, platform: Platform, subject: string): Promise<PostRef | undefined> {
  const id = postId(platform, subject);
  // Data from before operational state was kept apart has it among the audited records.
  return ((await bot.store.operations.get('messages', id)) ?? bot.store.get('messages', id))?.ref;
}

/** How a reference was learnt: from an activity whose token was checked, or from the local emulator. */
export type Trust = NonNullable<ConversationRecord['trust']>;

/**
 * What a remembered reference reaches: a channel or chat by its id, a person's personal chat, how to
 * open a personal chat with a person met in a channel, or a tenant's service URL.
 */
export type ConversationKind = 'conversation' | 'personal' | 'member' | 'tenant';

const PREFIX: Record<ConversationKind, string> = { conversation: 'conversation', personal: 'user', member: 'member', tenant: 'tenant' };
const conversationId = (kind: ConversationKind, key: string) => `teams:${PREFIX[kind]}:${key}`;

export interface LearntConversation {
  kind: ConversationKind;
  /** The conversation id, person id or tenant id, by kind. */
  key: string;
  person?: string;
  reference: Record<string, unknown>;
}

/**
 * Remember Teams references learnt from an activity (or a chat the bot opened), in operational state.
 * Written only when something changed — another reference, another trust — or a month has passed (so
 * one in use does not expire): a busy channel does not fill the journal.
 */
export async function rememberConversations(bot: RecordsHandle, learnt: readonly LearntConversation[], trust: Trust): Promise<void> {
  const wanted = learnt.map((l) => ({ id: conversationId(l.kind, l.key), person: l.person, reference: l.reference }));
  const now = bot.now();
  const at = now.toISOString();
  for (const w of wanted) {
    const known = await storedConversation(bot, w.id);
    const stale = !known || now.getTime() - Date.parse(known.at) > REFRESH_AFTER_MS;
    if (!stale && known.trust === trust && JSON.stringify(known.reference) === JSON.stringify(w.reference)) continue;
    const record = { id: w.id, platform: 'teams', ...(w.person ? { person: w.person } : {}), reference: w.reference, trust, at };
    await bot.store.operations.put('conversations', record, keptUntil(now));
  }
}

/**
 * Forget Teams references: the app was removed from a personal chat or a team, so what reached it
 * reaches nothing now. A later message to the person opens a new chat (or is not sent) rather than
 * going to the old one. Forgetting what was never remembered does nothing.
 */
export async function forgetConversations(
  bot: RecordsHandle,
  forgotten: readonly Pick<LearntConversation, 'kind' | 'key'>[],
): Promise<void> {
  for (const f of forgotten) await bot.store.operations.delete('conversations', conversationId(f.kind, f.key));
}

/** A remembered Teams reference, only if it was learnt the way the running mode trusts. */
export async function conversationRecord(
  bot: Pick<RecordsHandle, 'store'>,
  kind: ConversationKind,
  key: string,
  trust: Trust,
): Promise<ConversationRecord | undefined> {
  const record = await storedConversation(bot, conversationId(kind, key));
  return record?.trust === trust ? record : undefined;
}

/** The tenant learnt last with this trust: its service URL reaches a channel where nobody has spoken yet. */
export async function latestTenantRecord(bot: Pick<RecordsHandle, 'store'>, trust: Trust): Promise<ConversationRecord | undefined> {
  const tenant = (c: ConversationRecord) => c.id.startsWith(conversationId('tenant', '')) && c.trust === trust;
  const known = [...bot.store.list('conversations'), ...(await bot.store.operations.list('conversations'))].filter(tenant);
  return known.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
}

/** A remembered reference: operational state, else (data from before it was kept apart) the audited records. */
async function storedConversation(bot: Pick<RecordsHandle, 'store'>, id: string): Promise<ConversationRecord | undefined> {
  return (await bot.store.operations.get('conversations', id)) ?? bot.store.get('conversations', id);
}
