import { describe, expect, it } from 'vitest';
import {
  conversationRecord,
  latestTenantRecord,
  postRef,
  rememberConversations,
  rememberPost,
} from '../../commands/delivery/platform-records.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { botOn } from '../support/bot.ts';

// What the Teams and Slack adapters remember through the command layer: the same ids and trust rules as
// before, kept in operational state with an expiry, not in the audited record (issue 14, item 4).
describe('platform records', () => {
  type BotStore = Pick<ReturnType<typeof botOn>['store'], 'operations' | 'readAudit'>;
  const audited = async (store: BotStore) => {
    const actions: string[] = [];
    for await (const entry of store.readAudit(0)) actions.push(entry.action);
    return actions;
  };
  /** Counts the operational writes of a kind. */
  const countingWrites = (store: BotStore) => {
    const writes: string[] = [];
    const put = store.operations.put.bind(store.operations);
    store.operations.put = (kind, record, expiresAt) => (writes.push(`${kind}/${record.id}`), put(kind, record, expiresAt));
    return writes;
  };

  it('a conversation is written once per change, and read back only under the trust it was learnt with', async () => {
    const { bot, store } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z');
    const writes = countingWrites(store);
    const reference = { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'a:1' } };
    await rememberConversations(
      bot,
      [
        { kind: 'personal', key: 'sam', person: 'sam', reference },
        { kind: 'tenant', key: 't1', reference: { serviceUrl: 'http://127.0.0.1:1/' } },
      ],
      'emulator',
    );
    expect(await store.operations.get('conversations', 'teams:user:sam')).toMatchObject({
      id: 'teams:user:sam',
      platform: 'teams',
      person: 'sam',
      reference,
      trust: 'emulator',
    });
    expect(await store.operations.get('conversations', 'teams:tenant:t1')).not.toHaveProperty('person');
    await rememberConversations(bot, [{ kind: 'personal', key: 'sam', person: 'sam', reference }], 'emulator');
    expect(writes).toEqual(['conversations/teams:user:sam', 'conversations/teams:tenant:t1']);

    expect((await conversationRecord(bot, 'personal', 'sam', 'emulator'))?.reference).toEqual(reference);
    expect(await conversationRecord(bot, 'personal', 'sam', 'bot-framework')).toBeUndefined();
    expect((await latestTenantRecord(bot, 'emulator'))?.id).toBe('teams:tenant:t1');
    expect(await latestTenantRecord(bot, 'bot-framework')).toBeUndefined();

    // The same reference learnt under another trust is news: written again.
    await rememberConversations(bot, [{ kind: 'personal', key: 'sam', person: 'sam', reference }], 'bot-framework');
    expect(writes).toHaveLength(3);
    expect((await conversationRecord(bot, 'personal', 'sam', 'bot-framework'))?.trust).toBe('bot-framework');
    expect(await audited(store)).toEqual([]); // the audited record holds what people and the policy did
  });

  it('a reference in use is refreshed after a month, so it does not expire; one unused for 400 days does', async () => {
    let now = new Date('2026-03-01T09:00:00Z');
    const store = createMemoryStore();
    const { bot } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z', store);
    const handle = { ...bot, now: () => now };
    const writes = countingWrites(store);
    const learnt = [{ kind: 'personal' as const, key: 'sam', person: 'sam', reference: { conversation: { id: 'a:1' } } }];
    await rememberConversations(handle, learnt, 'emulator');
    now = new Date('2026-03-20T09:00:00Z');
    await rememberConversations(handle, learnt, 'emulator');
    expect(writes).toHaveLength(1);
    now = new Date('2026-04-02T09:00:00Z');
    await rememberConversations(handle, learnt, 'emulator');
    expect(writes).toHaveLength(2);
    store.operations.prune(new Date('2027-04-01T09:00:00Z')); // within 400 days of the refresh
    expect(await conversationRecord(handle, 'personal', 'sam', 'emulator')).toBeDefined();
    store.operations.prune(new Date('2027-05-08T09:00:00Z'));
    expect(await conversationRecord(handle, 'personal', 'sam', 'emulator')).toBeUndefined();
  });

  it('references stored among the audited records by an earlier version are still read', async () => {
    const { bot, store } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z');
    const at = '2026-02-01T09:00:00.000Z';
    await store.commit({ at, actor: 'system', action: 'message.posted', subject: 'EX-1' }, [
      {
        collection: 'messages',
        id: 'slack:EX-1',
        value: { id: 'slack:EX-1', platform: 'slack', subject: 'EX-1', ref: { channel: 'C1', ts: '1.2' } },
      },
      {
        collection: 'conversations',
        id: 'teams:user:sam',
        value: {
          id: 'teams:user:sam',
          platform: 'teams',
          person: 'sam',
          reference: { conversation: { id: 'a:1' } },
          trust: 'emulator',
          at,
        },
      },
    ]);
    expect(await postRef(bot, 'slack', 'EX-1')).toEqual({ channel: 'C1', ts: '1.2' });
    expect((await conversationRecord(bot, 'personal', 'sam', 'emulator'))?.reference).toEqual({ conversation: { id: 'a:1' } });
  });

  it('a post is remembered per platform under `<platform>:<subject>`, in operational state, not the audit log', async () => {
    const { bot, store } = botOn('ec-2023-tiktok.yaml', '2026-03-01T09:00:00Z');
    const writes = countingWrites(store);
    await rememberPost(bot, 'slack', 'EX-1', { channel: 'C1', ts: '1.2' });
    await rememberPost(bot, 'teams', 'EX-1', { conversation: '19:x', activity: 'a1' });
    expect(await store.operations.get('messages', 'slack:EX-1')).toEqual({
      id: 'slack:EX-1',
      platform: 'slack',
      subject: 'EX-1',
      ref: { channel: 'C1', ts: '1.2' },
    });
    expect(await postRef(bot, 'teams', 'EX-1')).toEqual({ conversation: '19:x', activity: 'a1' });
    expect(await postRef(bot, 'teams', 'EX-2')).toBeUndefined();
    expect(writes).toEqual(['messages/slack:EX-1', 'messages/teams:EX-1']);
    expect(await audited(store)).toEqual([]);
  });
});
