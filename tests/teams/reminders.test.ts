import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/runtime/scheduler.ts';
import { cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
beforeEach(async () => (t = await startTeamsBot()));
afterEach(async () => t.stop());

describe('reminders on Teams', () => {
  it('the announcement card carries the attest actions; invoking one records the attestation privately', async () => {
    await t.install('sam'); // the bot knows the service URL from here
    const tick = await createScheduler(t.bot, () => undefined).tick(new Date('2026-12-08T09:00:00+01:00'));
    expect(tick.queued.map((r) => r.kind)).toEqual(['announce']);
    const post = await t.connector.until(
      () => t.connector.to('19:announcements@thread.tacv2')[0],
      `the announcement card; logs: ${t.logs.join(' | ')}`,
    );
    const card = cardOf(post.body) as { actions: { verb: string; data: { value: string } }[] };
    expect(cardText(card)).toContain('7 days left');
    expect(card.actions.map((a) => [a.verb, a.data.value])).toEqual([
      ['attest.removed', 'demo-tiktok'],
      ['attest.removed-work-apps', 'demo-tiktok'],
    ]);

    const res = await t.invoke('sam', 'attest.removed', { value: 'demo-tiktok' });
    expect(res.json()).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringContaining('Recorded: you have removed TikTok'),
    });
    expect(t.store.list('attestations')).toEqual([expect.objectContaining({ person: 'sam', rule: 'demo-tiktok', statement: 'removed' })]);

    const d3 = await createScheduler(t.bot, () => undefined).tick(new Date('2026-12-12T09:00:00+01:00'));
    expect(d3.queued.filter((r) => r.kind === 'direct').map((r) => ('person' in r ? r.person : ''))).not.toContain('sam');
    await t.connector.idle();
    expect(t.connector.to(t.personalId('sam')).filter((c) => cardText(c.body).includes('Reminder'))).toEqual([]);
  });
});
