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
 * Remember where the post about `subject` went, so a decision can update it. `where` is what the
 * audit entry names about the place (`{ channel }` on Slack, `{ conversation }` on Teams).
 */
export async function rememberPost(
  bot: RecordsHandle,
  platform: Platform,
  subject: string,
  ref: PostRef,
  where: Record<string, string>,
): Promise<void> {
  const id = postId(platform, subject);
  const event = { at: bot.now().toISOString(), actor: 'system', action: 'message.posted', subject, detail: { platform, ...where } };
  await bot.store.transact(() => ({
    result: id,
    commit: { event, changes: [{ collection: 'messages', id, value: { id, platform, subject, ref } }] },
  }));
}

/** Where the post about `subject` went on `platform`, if it was remembered. */
export function postRef(bot: Pick<RecordsHandle, 'store'>, platform: Platform, subject: string): PostRef | undefined {
  return bot.store.get('messages', postId(platform, subject))?.ref;
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
 * Remember Teams references learnt from an activity (or a chat the bot opened). Written only when
 * something changed — another reference, or another trust — so a busy channel does not fill the log.
 */
export async function rememberConversations(
  bot: RecordsHandle,
  learnt: readonly LearntConversation[],
  trust: Trust,
  actor: string | undefined,
): Promise<void> {
  const wanted = learnt.map((l) => ({ id: conversationId(l.kind, l.key), person: l.person, reference: l.reference }));
  const at = bot.now().toISOString();
  const event = {
    at,
    actor: actor ?? 'system',
    action: 'conversation.remembered',
    subject: wanted[0]?.id,
    detail: { platform: 'teams', trust },
  };
  await bot.store.transact((tx) => {
    const changes = wanted
      .filter((w) => {
        const known = tx.get('conversations', w.id);
        return known?.trust !== trust || JSON.stringify(known.reference) !== JSON.stringify(w.reference);
      })
      .map((w) => ({
        collection: 'conversations' as const,
        id: w.id,
        value: { id: w.id, platform: 'teams', ...(w.person ? { person: w.person } : {}), reference: w.reference, trust, at },
      }));
    return changes.length ? { result: changes.length, commit: { event, changes } } : { result: 0 };
  });
}

/** A remembered Teams reference, only if it was learnt the way the running mode trusts. */
export function conversationRecord(
  bot: Pick<RecordsHandle, 'store'>,
  kind: ConversationKind,
  key: string,
  trust: Trust,
): ConversationRecord | undefined {
  const record = bot.store.get('conversations', conversationId(kind, key));
  return record?.trust === trust ? record : undefined;
}

/** The tenant learnt last with this trust: its service URL reaches a channel where nobody has spoken yet. */
export function latestTenantRecord(bot: Pick<RecordsHandle, 'store'>, trust: Trust): ConversationRecord | undefined {
  return bot.store
    .list('conversations')
    .filter((c) => c.id.startsWith(conversationId('tenant', '')) && c.trust === trust)
    .at(-1);
}
