import { describe, expect, it } from 'vitest';
import { replyText } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import { validatePolicy, type Policy } from '../../src/core/policy-schema.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from '../support/bot.ts';

/** The demo pack: Pierre's manager is Sam; Instagram needs Sam, then two of Akiko, Olivia and Bruno. */
function staged(): Policy {
  const p = loadPack('demo.yaml');
  return {
    ...p,
    people: [
      ...p.people.map((x) => (x.id === 'pierre' ? { ...x, manager: 'sam' } : x)),
      { id: 'bruno', name: 'Bruno Costa', unit: 'demo', roles: [], slack: 'U0BRUNO' },
    ],
    rules: p.rules.map((r) =>
      r.id === 'demo-recreational' && r.exceptions !== 'none'
        ? {
            ...r,
            exceptions: {
              ...r.exceptions,
              stages: [{ approvers: 'manager' as const }, { approvers: ['akiko', 'olivia', 'bruno'], min_approvals: 2 }],
            },
          }
        : r,
    ),
  };
}

function bot() {
  const store = createMemoryStore();
  const clock = testClock('2026-12-01T09:00:00Z');
  const app = createAppWarden({ policy: staged(), store, now: clock.now, log: () => {} });
  const say = async (who: string, text: string) => {
    const r = await app.run(text, who, 'test');
    return { ...r, text: replyText(r.reply) };
  };
  return { say, store };
}

describe('approval in stages, with a quorum', () => {
  it('the manager first, then two of three; in order; the requester hears each stage; any deny ends it', async () => {
    const { say, store } = bot();
    const filed = await say('pierre', 'request instagram --purpose public-communications --reason "press office"');
    expect(filed.ok, filed.text).toBe(true);
    expect(filed.effects.filter((e) => e.kind === 'notify').map((e) => e.kind === 'notify' && e.person)).toEqual(['sam']); // stage 1: the manager only
    expect(await say('akiko', 'approve EX-1')).toMatchObject({ ok: false, code: 'not_an_approver' }); // not before the manager

    const first = await say('sam', 'approve EX-1');
    expect(first.ok, first.text).toBe(true);
    expect(first.text).toContain('Stage 2 of 2: 0 of 2 approvals given.');
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'requested', stage: 1 });
    // The next stage's approvers get their copies; the requester hears where it stands.
    const notified = first.effects.filter((e) => e.kind === 'notify').map((e) => (e.kind === 'notify' ? e.person : ''));
    expect(notified.sort()).toEqual(['akiko', 'bruno', 'olivia', 'pierre']);

    const second = await say('akiko', 'approve EX-1');
    expect(second.text).toContain('Stage 2 of 2: 1 of 2 approvals given.');
    expect(await say('akiko', 'approve EX-1')).toMatchObject({ ok: false }); // once per approver and stage
    const third = await say('bruno', 'approve EX-1');
    expect(third.ok, third.text).toBe(true);
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'approved', decidedBy: 'bruno' });
    expect(store.get('requests', 'EX-1')?.approvals?.map((a) => `${a.stage}:${a.by}`)).toEqual(['0:sam', '1:akiko', '1:bruno']);
  });

  it('a deny at any stage ends it', async () => {
    const { say, store } = bot();
    await say('pierre', 'request instagram --purpose public-communications --reason "press office"');
    await say('sam', 'approve EX-1');
    expect((await say('olivia', 'deny EX-1 --reason "not this account"')).ok).toBe(true);
    expect(store.get('requests', 'EX-1')).toMatchObject({ status: 'denied', decidedBy: 'olivia' });
    expect(await say('akiko', 'approve EX-1')).toMatchObject({ ok: false });
  });

  it('a stage names known people, and a quorum it can reach', () => {
    const p = staged();
    const raw = JSON.parse(JSON.stringify(p));
    raw.rules.find((r: { id: string }) => r.id === 'demo-recreational').exceptions.stages = [
      { approvers: ['akiko', 'nobody'], min_approvals: 3 },
      { approvers: 'manager', min_approvals: 2 },
    ];
    const result = validatePolicy(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['unknown_approver', 'quorum_too_large']));
  });
});
