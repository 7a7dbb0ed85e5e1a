import { TurnContext, type ConversationReference } from 'botbuilder';
import type { AppWarden } from '../../src/app.ts';
import type { ConversationRecord } from '../../src/core/records.ts';

/** How a reference was learnt: from an activity whose token was checked, or from the local emulator. */
export type Trust = NonNullable<ConversationRecord['trust']>;

const ids = {
  conversation: (id: string) => `teams:conversation:${id}`,
  personal: (person: string) => `teams:user:${person}`,
  member: (person: string) => `teams:member:${person}`,
  tenant: (tenant: string) => `teams:tenant:${tenant}`,
};

/**
 * Remember how to reach this conversation later — and, for a personal chat, this person; for a channel,
 * how to open a personal chat with them; and the tenant's service URL. Called only for activities that
 * were authenticated (or came from the loopback emulator) and from an allowed tenant. Written only when
 * something changed, so a busy channel does not fill the audit log.
 */
export async function rememberConversation(bot: AppWarden, context: TurnContext, person: string | undefined, trust: Trust): Promise<void> {
  const a = context.activity;
  const reference = TurnContext.getConversationReference(a) as Record<string, unknown> & ConversationReference;
  delete reference.activityId;
  const tenantId = tenantOf(a);
  const wanted: { id: string; person?: string; reference: Record<string, unknown> }[] = [{ id: ids.conversation(reference.conversation.id), reference }];
  if (person && a.conversation?.conversationType === 'personal') wanted.push({ id: ids.personal(person), person, reference });
  else if (person && a.from?.id && tenantId) wanted.push({ id: ids.member(person), person, reference: { serviceUrl: a.serviceUrl, bot: a.recipient, user: { id: a.from.id }, tenantId } });
  if (tenantId) wanted.push({ id: ids.tenant(tenantId), reference: { serviceUrl: a.serviceUrl, bot: a.recipient, tenantId } });
  await remember(bot, wanted, trust, person);
}

/** A personal chat opened by the bot (to answer privately, or to tell a requester met only in a channel). */
export async function rememberPersonalConversation(bot: AppWarden, person: string, reference: ConversationReference, trust: Trust): Promise<void> {
  const clean = { ...reference } as Record<string, unknown>;
  delete clean.activityId;
  await remember(bot, [{ id: ids.personal(person), person, reference: clean }], trust, person);
}

async function remember(bot: AppWarden, wanted: { id: string; person?: string; reference: Record<string, unknown> }[], trust: Trust, actor: string | undefined) {
  const at = bot.now().toISOString();
  const changes = wanted
    .filter((w) => {
      const known = bot.store.get('conversations', w.id);
      return known?.trust !== trust || JSON.stringify(known.reference) !== JSON.stringify(w.reference);
    })
    .map((w) => ({ collection: 'conversations' as const, id: w.id, value: { id: w.id, platform: 'teams', ...(w.person ? { person: w.person } : {}), reference: w.reference, trust, at } }));
  if (changes.length) await bot.store.commit({ at, actor: actor ?? 'system', action: 'conversation.remembered', subject: wanted[0]!.id, detail: { platform: 'teams', trust } }, changes);
}

const trusted = (bot: AppWarden, id: string, trust: Trust) => {
  const record = bot.store.get('conversations', id);
  return record?.trust === trust ? record : undefined;
};

export function personalConversation(bot: AppWarden, person: string, trust: Trust): ConversationReference | undefined {
  return trusted(bot, ids.personal(person), trust)?.reference as ConversationReference | undefined;
}

/** Enough to open a personal chat with someone the bot met in a channel: their Teams user id, tenant and service URL. */
export function memberOf(bot: AppWarden, person: string, trust: Trust): { serviceUrl: string; bot?: { id: string; name?: string }; user: { id: string }; tenantId: string } | undefined {
  return trusted(bot, ids.member(person), trust)?.reference as ReturnType<typeof memberOf>;
}

/**
 * A conversation by id: its own remembered reference, or — for a channel the bot was added to but where
 * nobody has spoken yet — the service URL of the organisation's tenant, learnt from an authenticated
 * activity. Never a service URL that came with an unchecked request.
 */
export function conversationById(bot: AppWarden, id: string, trust: Trust): ConversationReference | undefined {
  const known = trusted(bot, ids.conversation(id), trust)?.reference as ConversationReference | undefined;
  if (known) return known;
  const tenant = bot.store.list('conversations').filter((c) => c.id.startsWith('teams:tenant:') && c.trust === trust).at(-1)?.reference as { serviceUrl?: string; bot?: ConversationReference['bot']; tenantId?: string } | undefined;
  if (!tenant?.serviceUrl) return undefined;
  return { channelId: 'msteams', serviceUrl: tenant.serviceUrl, bot: tenant.bot!, conversation: { id, isGroup: true, conversationType: 'channel', name: '', ...(tenant.tenantId ? { tenantId: tenant.tenantId } : {}) } } as ConversationReference;
}

/** The tenant an activity comes from: Teams puts it in channelData, Bot Framework also on the conversation. */
export function tenantOf(activity: { channelData?: unknown; conversation?: { tenantId?: string } }): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return typeof fromChannelData === 'string' && fromChannelData ? fromChannelData : activity.conversation?.tenantId || undefined;
}
