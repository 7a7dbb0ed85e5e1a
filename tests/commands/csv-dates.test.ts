import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { botOn } from '../support/bot.ts';

const csvOf = (r: { reply: { blocks: { type: string; content?: string }[] } }) => {
  const content = r.reply.blocks.find((b) => b.type === 'file')!.content!;
  return { header: content.split('\n')[0]!.split(','), rows: parse(content, { columns: true }) as Record<string, string>[] };
};

describe('report exceptions --format csv: the organisation’s dates, the instants beside them, and every decision', () => {
  it('expires_on is the last day the messages name; the ISO instants have columns of their own; requested_at, reason and denied requests are there', async () => {
    // Brussels, in winter UTC+1: a request filed at 23:30 UTC is filed on the next local day.
    const { say, clock } = botOn('demo.yaml', '2026-11-22T23:30:00Z');
    expect((await say('pierre', 'request instagram --purpose public-communications --days 30 --reason "Campaign for the agency"')).ok).toBe(
      true,
    );
    clock.set('2026-11-23T08:15:00Z');
    const approved = await say('akiko', 'approve EX-1');
    expect(approved.text).toContain('until the end of Tuesday 22 December 2026');
    expect((await say('sam', 'request instagram --purpose public-communications --reason "Just because"')).ok).toBe(true);
    clock.set('2026-11-23T10:00:00Z');
    expect((await say('akiko', 'deny EX-2 --reason "Use the agency account"')).ok).toBe(true);

    const { header, rows } = csvOf(await say('akiko', 'report exceptions --format csv'));
    expect(header).toEqual([
      'id',
      'person',
      'name',
      'unit',
      'app',
      'purpose',
      'device',
      'days',
      'reason',
      'status',
      'requested_on',
      'requested_at',
      'decided_by',
      'decided_on',
      'decided_at',
      'decision_reason',
      'expires_on',
      'expires_at',
      'ended_by',
      'ended_on',
      'ended_at',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: 'EX-1',
      name: 'Pierre Martin',
      reason: 'Campaign for the agency',
      status: 'approved',
      requested_on: '2026-11-23',
      requested_at: '2026-11-22T23:30:00.000Z',
      decided_by: 'akiko',
      decided_on: '2026-11-23',
      decided_at: '2026-11-23T08:15:00.000Z',
      // The text says "until the end of 22 December 2026"; the exception stops at local midnight after it.
      expires_on: '2026-12-22',
      expires_at: '2026-12-22T23:00:00.000Z',
    });
    expect(rows[1]).toMatchObject({
      id: 'EX-2',
      name: 'Sam Lee',
      reason: 'Just because',
      status: 'denied',
      requested_at: '2026-11-23T08:15:00.000Z',
      decided_by: 'akiko',
      decided_at: '2026-11-23T10:00:00.000Z',
      decision_reason: 'Use the agency account',
      expires_on: '',
      expires_at: '',
    });
    // The text report still lists what was granted, with the same last day.
    expect((await say('akiko', 'report exceptions')).text).toMatch(
      /EX-1 · Pierre Martin · Instagram · public communications · approved · until the end of Tuesday 22 December 2026$/,
    );
  });

  it('an exception revoked early keeps its planned last day and gains the local day and instant it ended; an empty report still has every column', async () => {
    const { say, clock } = botOn('demo.yaml', '2026-11-22T09:00:00Z');
    expect((await say('olivia', 'report exceptions --format csv')).reply.blocks[0]).toMatchObject({
      content: expect.stringMatching(/^id,person,name,.*,ended_at\n?$/),
    });
    await say('pierre', 'request instagram --purpose public-communications --days 10 --reason "Launch"');
    await say('akiko', 'approve EX-1');
    clock.set('2026-11-25T23:10:00Z');
    expect((await say('akiko', 'revoke EX-1 --reason "Launch over"')).ok).toBe(true);
    const { rows } = csvOf(await say('akiko', 'report exceptions --format csv'));
    expect(rows[0]).toMatchObject({
      status: 'revoked',
      expires_on: '2026-12-01',
      ended_by: 'akiko',
      ended_on: '2026-11-26',
      ended_at: '2026-11-25T23:10:00.000Z',
      decision_reason: 'Launch over',
    });
  });

  it('report compliance --format csv has the local day of each attestation beside its instant', async () => {
    const { say } = botOn('demo.yaml', '2026-12-01T23:30:00Z');
    await say('pierre', 'attest tiktok');
    const { header, rows } = csvOf(await say('olivia', 'report compliance demo-tiktok --format csv'));
    expect(header).toEqual(['rule', 'person', 'name', 'unit', 'attested', 'attested_on', 'attested_at', 'statement', 'exception']);
    expect(rows.find((r) => r.person === 'pierre')).toMatchObject({ attested_on: '2026-12-02', attested_at: '2026-12-01T23:30:00.000Z' });
  });
});
