import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardOf, cardText, startTeamsBot, type TeamsBot } from '../support/teams-bot.ts';

let t: TeamsBot;
beforeEach(async () => (t = await startTeamsBot({}, {}, 'jp-2021-line.yaml', '2021-03-19T01:00:00Z')));
afterEach(async () => t.stop());

describe('a census on Teams', () => {
  it('the invitation opens the form in place; problems come back on the form; a valid answer is recorded', async () => {
    await t.install('inoue');
    await t.bot.run('census start LINE --due 2021-03-26 --units soumu/jichi/chiba/ichikawa', 'tanaka.hiroshi', 'test');
    await t.bot.drain();
    const invitation = await t.connector.until(() => t.connector.to(t.personalId('inoue'))[0], 'the invitation');
    const open = (cardOf(invitation.body) as { actions: { verb: string; data: { value: string } }[] }).actions[0]!;
    expect(open.verb).toBe('census.open');

    const form = (await t.invoke('inoue', 'census.open', open.data)).json();
    expect(form.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(form.value.body.map((b: { id?: string }) => b.id).filter(Boolean)).toContain('use1_personal');
    const answerWith = (inputs: Record<string, string>) => t.invoke('inoue', 'census.answer', { value: open.data.value, ...inputs });

    const refused = (await answerWith({ uses_app: 'yes', use1_purpose: '住民票の写しの交付申請', use1_people: 'many' })).json();
    expect(refused.type).toBe('application/vnd.microsoft.card.adaptive');
    const personal = refused.value.body.find((b: { id?: string }) => b.id === 'use1_personal');
    expect(personal.errorMessage).toBeTruthy();
    expect(t.store.count('census_answers')).toBe(0);

    const ok = (
      await answerWith({ uses_app: 'yes', use1_purpose: '住民票の写しの交付申請', use1_personal: 'yes', use1_people: '1200' })
    ).json();
    expect(cardText(ok.value)).toContain('市川市');
    expect(t.store.get('census_answers', 'CN-1/soumu/jichi/chiba/ichikawa')).toMatchObject({
      answeredBy: 'inoue.saki',
      uses: [{ personalData: true, people: 1200 }],
    });
  });
});
