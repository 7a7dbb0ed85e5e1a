import { describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from '../support/bot.ts';

function bot(post: boolean) {
  const policy = loadPack('demo.yaml');
  const store = createMemoryStore();
  const clock = testClock('2026-12-03T08:00:00Z');
  const app = createAppWarden({
    policy: { ...policy, organization: { ...policy.organization, post_audit_head: post } },
    store,
    now: clock.now,
    log: () => {},
  });
  const tick = (at: string) => handle({ kind: 'tick', job: 'audit-head', at: new Date(at) }, app.systemContext());
  return { app, store, tick };
}

describe('the daily audit head, posted where it is kept outside AppWarden', () => {
  it('posts the head (seq and hash) to the approvals channel once a day, audited', async () => {
    const { app, store, tick } = bot(true);
    await app.run('attest tiktok', 'pierre', 'test');
    const head = store.seq;
    let last = '';
    for await (const e of store.readAudit(head)) last = e.hash;
    const first = await tick('2026-12-03T09:00:00Z');
    expect(first.effects).toHaveLength(1);
    expect(first.effects[0]).toMatchObject({ kind: 'post', channel: 'approvals', subject: 'audit-head:2026-12-03' });
    expect(replyText((first.effects[0] as { message: Parameters<typeof replyText>[0] }).message)).toContain(
      `Audit log head: entry ${head}, SHA-256 ${last}.`,
    );
    expect((await tick('2026-12-03T15:00:00Z')).effects).toEqual([]); // the same day in Brussels
    expect((await tick('2026-12-04T09:00:00Z')).effects).toHaveLength(1);
    const posted = [];
    for await (const e of store.readAudit()) if (e.action === 'audit.head_posted') posted.push(e.detail);
    expect(posted[0]).toEqual({ seq: head, hash: last });
  });

  it('posts nothing unless organization.post_audit_head is on', async () => {
    const { tick } = bot(false);
    expect((await tick('2026-12-03T09:00:00Z')).effects).toEqual([]);
  });
});
