import { describe, expect, it } from 'vitest';
import { handle } from '../../commands/entry/handle.ts';
import { replyText, type Reply } from '../../commands/shared/reply.ts';
import { createAppWarden } from '../../src/app.ts';
import { parsePolicyText } from '../../src/core/policy-text.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { testClock } from '../support/bot.ts';

/**
 * The readers of src/core/compliance.ts agree: the overdue digest and the compliance report (text and CSV)
 * give one meaning to an exception holder — settled but not attested, shown apart, never "not yet" —
 * and from the instant the exception ends both count the person as open again.
 */
const POLICY = `
organization: { name: Test, timezone: Europe/Brussels, default_unit: org }
units: [ { id: org, name: Org } ]
people:
  - { id: ana, name: Ana Attested, unit: org }
  - { id: ben, name: Ben Excepted, unit: org }
  - { id: cy, name: Cy Open, unit: org }
  - { id: boss, name: Boss Approver, unit: org, roles: [approver] }
channels: { approvals: { slack: C0APPROVALS }, announcements: { slack: C0ANNOUNCE } }
apps: [ { id: tiktok, name: TikTok } ]
rules:
  - { id: ban, title: TikTok banned, source: Notice, unit: org, apps: [tiktok], effect: prohibit, effective: 2026-01-01, deadline: 2026-12-15,
      exceptions: { purposes: [research], max_days: 90 } }
`;

async function world() {
  const parsed = parsePolicyText(POLICY);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const policy = parsed.value;
  const store = createMemoryStore();
  const clock = testClock('2026-12-01T09:00:00+01:00');
  const bot = createAppWarden({ policy, store, now: clock.now });
  const say = async (person: string, text: string) => {
    const r = await bot.run(text, person, 'test');
    expect(r.ok, replyText(r.reply)).toBe(true);
    return r;
  };
  await say('ana', 'attest tiktok');
  await say('ben', 'request tiktok --purpose research --days 30 --reason "Research"');
  await say('boss', 'approve EX-1'); // counts through 30 December 2026
  /** The digest queued at `at`, as text. */
  const digest = async (at: string) => {
    const due = await handle({ kind: 'tick', job: 'reminders', at: new Date(at) }, bot.systemContext());
    const key = due.tick!.reminders.find((r) => r.kind === 'digest')!.key;
    return replyText((store.get('outbox', key)!.effect as unknown as { message: Reply }).message);
  };
  const report = async (at: string, csv = false) => {
    clock.set(at);
    return say('boss', `report compliance ban${csv ? ' --format csv' : ''}`);
  };
  return { digest, report };
}

describe('one meaning of "settled" for the digest and the report', () => {
  it('while the exception counts: attested 1 of 4, the holder shown apart, not yet: the other two', async () => {
    const { digest, report } = await world();
    const at = '2026-12-16T09:00:00+01:00';
    const d = await digest(at);
    expect(d).toContain('1 of 4 people have attested.');
    expect(d).toContain('Not yet attested: Cy Open, Boss Approver.');
    expect(d).toContain('Holding an exception: Ben Excepted');
    const text = replyText((await report(at)).reply);
    expect(text).toContain('1 of 4 people have attested.');
    expect(text).toContain('Holding an exception (1):');
    expect(text).toContain('Ben Excepted (EX-1)');
    expect(text.split('Holding an exception')[0]).not.toContain('Ben Excepted');
    expect(text).toContain('Not yet attested (2):\n• Cy Open\n• Boss Approver\n');
    const rows = (await report(at, true)).data as { person: string; attested: string; exception: string }[];
    expect(rows.map((r) => [r.person, r.attested, r.exception])).toEqual([
      ['ana', 'yes', ''],
      ['ben', 'no', 'EX-1'],
      ['cy', 'no', ''],
      ['boss', 'no', ''],
    ]);
  });

  it('once it has ended (marked or not), both count the holder as open', async () => {
    const { digest, report } = await world();
    const at = '2026-12-31T09:00:00+01:00';
    // The report first, before the tick marks the exception expired; the digest in the tick that marks it.
    const rows = (await report(at, true)).data as { person: string; exception: string }[];
    expect(rows.find((r) => r.person === 'ben')!.exception).toBe('');
    const d = await digest(at);
    expect(d).toContain('1 of 4 people have attested.');
    expect(d).toContain('Not yet attested: Ben Excepted, Cy Open, Boss Approver.');
    expect(d).not.toContain('Holding an exception');
    expect(replyText((await report(at)).reply)).toContain('Not yet attested (3):\n• Ben Excepted\n• Cy Open\n• Boss Approver');
  });
});
