import { describe, expect, it } from 'vitest';
import {
  conversationRecord,
  latestTenantRecord,
  postRef,
  rememberConversations,
  rememberPost,
} from '../../commands/delivery/platform-records.ts';
import { botOn } from '../support/bot.ts';

// What the Teams and Slack adapters remember through the command layer: the same ids, audit actions and trust rules as before the move.
describe('platform records', () => {
  const audited = async (store: ReturnType<typeof botOn>['store'], action: string) => {
    const actions: string[] = [];
    for await (const entry of store.readAudit(0)) actions.push(entry.action);
    return actions.filter((a) => a === action).length;
  };

  it('a conversation is written once per change, and read back only under the trust it was learnt with', async () => {
    const { bot, store } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z');
    const reference = { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'a:1' } };
    await rememberConversations(
      bot,
      [
        { kind: 'personal', key: 'sam', person: 'sam', reference },
        { kind: 'tenant', key: 't1', reference: { serviceUrl: 'http://127.0.0.1:1/' } },
      ],
      'emulator',
      'sam',
    );
    expect(store.get('conversations', 'teams:user:sam')).toMatchObject({
      id: 'teams:user:sam',
      platform: 'teams',
      person: 'sam',
      reference,
      trust: 'emulator',
    });
    expect(store.get('conversations', 'teams:tenant:t1')).not.toHaveProperty('person');
    await rememberConversations(bot, [{ kind: 'personal', key: 'sam', person: 'sam', reference }], 'emulator', 'sam');
    expect(await audited(store, 'conversation.remembered')).toBe(1);

    expect(conversationRecord(bot, 'personal', 'sam', 'emulator')?.reference).toEqual(reference);
    expect(conversationRecord(bot, 'personal', 'sam', 'bot-framework')).toBeUndefined();
    expect(latestTenantRecord(bot, 'emulator')?.id).toBe('teams:tenant:t1');
    expect(latestTenantRecord(bot, 'bot-framework')).toBeUndefined();

    // The same reference learnt under another trust is news: written again.
    await rememberConversations(bot, [{ kind: 'personal', key: 'sam', person: 'sam', reference }], 'bot-framework', 'sam');
    expect(await audited(store, 'conversation.remembered')).toBe(2);
    expect(conversationRecord(bot, 'personal', 'sam', 'bot-framework')?.trust).toBe('bot-framework');
  });

  it('a post is remembered per platform under `<platform>:<subject>`, audited as message.posted', async () => {
    const { bot, store } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z');
    await rememberPost(bot, 'slack', 'EX-1', { channel: 'C1', ts: '1.2' }, { channel: 'C1' });
    await rememberPost(bot, 'teams', 'EX-1', { conversation: '19:x', activity: 'a1' }, { conversation: '19:x' });
    expect(store.get('messages', 'slack:EX-1')).toEqual({
      id: 'slack:EX-1',
      platform: 'slack',
      subject: 'EX-1',
      ref: { channel: 'C1', ts: '1.2' },
    });
    expect(postRef(bot, 'teams', 'EX-1')).toEqual({ conversation: '19:x', activity: 'a1' });
    expect(postRef(bot, 'teams', 'EX-2')).toBeUndefined();
    expect(await audited(store, 'message.posted')).toBe(2);
  });
});
