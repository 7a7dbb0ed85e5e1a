import { describe, expect, it } from 'vitest';
import { handle, type SourcePerson } from '../../commands/entry/handle.ts';
import { replyText } from '../../commands/shared/reply.ts';
import { LIMITS, renderBlocks } from '../../adapters/slack/render.ts';
import { MAX_CARD_BYTES, renderCard, utf16Bytes } from '../../adapters/teams/card.ts';
import { createAppWarden } from '../../src/app.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack } from '../support/bot.ts';

const AT = new Date('2026-12-01T09:00:00Z');

/** An agency of 3,000 staff in 40 departments, as Entra lists them; the two demo units take half of them. */
function staff(n = 3000): SourcePerson[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    email: `person.${i}@agency.gov`,
    name: `Person ${i} Example`,
    department: `Department ${i % 40}`,
    locale: i % 7 === 0 ? 'ja-JP' : 'en-GB',
  }));
}

describe('a directory of 3,000 people', () => {
  it('is everyone the compliance report counts, and the report stays within Slack and Teams limits', async () => {
    const policy = loadPack('demo.yaml');
    const units_by_department = Object.fromEntries(
      Array.from({ length: 40 }, (_, d) => [`Department ${d}`, d % 2 ? 'demo/comms' : d % 3 ? 'demo/it' : 'demo']),
    );
    const store = createMemoryStore();
    const bot = createAppWarden({
      policy: {
        ...policy,
        directory: { every_minutes: 60, slack: false, entra: { units_by_department, units_by_group: {}, roles_by_group: {} } },
      },
      store,
      now: () => AT,
      log: () => {},
    });
    const synced = await handle(
      { kind: 'directory', snapshots: [{ source: 'entra', complete: true, people: staff(), removed: [] }], at: AT },
      bot.systemContext(),
    );
    expect(synced.data).toMatchObject({ added: 3000, total: 3000 });
    for (let i = 0; i < 3000; i += 5)
      expect((await bot.run('attest tiktok', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'teams')).ok).toBe(true);

    const report = await bot.run('report compliance demo-tiktok', 'U0APPROVER', 'slack');
    expect(report.ok, replyText(report.reply)).toBe(true);
    expect(replyText(report.reply)).toMatch(/^Compliance with demo-tiktok\n600 of 3004 people have attested\./);
    const slack = renderBlocks(report.reply);
    expect(slack.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    for (const block of slack.blocks) {
      const text = (block as { text?: { text?: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
    expect(slack.text.length).toBeLessThanOrEqual(LIMITS.text);
    expect(utf16Bytes(renderCard(report.reply))).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });
});
