import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CARD_BYTES, utf16Bytes } from '../../adapters/teams/card.ts';
import type { Policy } from '../../src/core/policy.ts';
import { loadPack } from '../support/bot.ts';
import { activityBytes, MAX_ACTIVITY_BYTES } from '../support/fake-connector.ts';
import { largeOrg } from '../support/large-org.ts';
import { APPROVALS, cardOf, cardText, startTeamsBot, TEAMS, type TeamsBot } from '../support/teams-bot.ts';

type Element = Record<string, any> & { type: string; id?: string; text?: string };
type Card = { type: 'AdaptiveCard'; body: Element[]; actions?: Record<string, any>[] };

let t: TeamsBot;
afterEach(async () => t?.stop());

const inputs = (card: Card): Record<string, any> => Object.fromEntries(card.body.filter((b) => b.id).map((b) => [b.id!, b]));
/** The problems the card shows (each under its field), unescaped. */
const problems = (card: Card) =>
  card.body.filter((b) => b.type === 'TextBlock' && b.color === 'Attention').map((b) => b.text!.replace(/\\(.)/g, '$1'));

/** `request <app>` alone in a personal chat: the card Teams got in answer. */
async function openForm(who: 'pierre' | 'sam', app = 'instagram'): Promise<Card> {
  await t.install(who);
  await t.say(who, `request ${app}`);
  const reply = await t.connector.until(() => t.connector.to(t.personalId(who))[0], 'the form');
  expect(activityBytes(reply.body)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
  return cardOf(reply.body) as Card;
}

/** Send the form as Teams does: the Send action's data with the inputs merged in. */
async function send(who: 'pierre' | 'sam', form: Card, values: Record<string, unknown>, id?: string) {
  const submit = form.actions!.find((a) => a.type === 'Action.Execute')!;
  return (await t.invoke(who, submit.verb, { ...submit.data, ...values }, id)).json() as {
    statusCode: number;
    type: string;
    value: any;
  };
}

describe('the request form on Teams', () => {
  it('`request instagram` alone answers with the form: the rule’s purposes, the device, days capped by the rule, a reason', async () => {
    t = await startTeamsBot();
    const form = await openForm('pierre');
    const f = inputs(form);
    expect(Object.keys(f)).toEqual(['purpose', 'device', 'days', 'reason']);
    expect(f.purpose).toMatchObject({
      type: 'Input.ChoiceSet',
      label: 'Purpose',
      choices: [{ title: 'public communications', value: 'public-communications' }],
      value: 'public-communications', // the only one
      isRequired: true,
      errorMessage: 'Choose one: Purpose.',
    });
    expect(f.device).toMatchObject({ type: 'Input.ChoiceSet', value: 'corporate', isRequired: true });
    expect(f.device.choices.map((c: { value: string }) => c.value)).toEqual(['corporate', 'personal-with-work-apps', 'personal']);
    expect(f.days).toMatchObject({
      type: 'Input.Number',
      label: 'Days',
      min: 1,
      max: 90, // demo-recreational's max_days
      value: 30, // its default_days
      isRequired: true,
      errorMessage: 'Days: a whole number from 1 to 90.',
    });
    expect(f.reason).toMatchObject({
      type: 'Input.Text',
      isMultiline: true,
      maxLength: 1000,
      isRequired: true,
      errorMessage: 'Fill in: Reason.',
    });
    expect(cardText(form)).toContain('Up to 90 days.');
    expect(form.actions).toEqual([
      { type: 'Action.Execute', title: 'Send', verb: 'request.submit', data: { app: 'instagram' }, style: 'positive' },
    ]);
    expect(utf16Bytes(form)).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });

  it('a field error answers with the form again, every problem on its field and what was typed kept; a valid one files', async () => {
    t = await startTeamsBot();
    const form = await openForm('pierre');

    const refused = await send('pierre', form, { purpose: 'public-communications', device: 'corporate', days: '120' });
    expect(refused.type).toBe('application/vnd.microsoft.card.adaptive');
    const again = refused.value as Card;
    const f = inputs(again);
    expect(f.days).toMatchObject({ value: 120, max: 90, errorMessage: '--days 120 is more than the 90 days this exception allows.' });
    expect(f.reason).toMatchObject({ errorMessage: 'Please give a reason: --reason "…"' });
    expect(f.reason.value).toBeUndefined();
    expect(f.purpose.value).toBe('public-communications');
    expect(problems(again)).toEqual(['--days 120 is more than the 90 days this exception allows.', 'Please give a reason: --reason "…"']);
    expect(again.actions![0]).toMatchObject({ verb: 'request.submit', data: { app: 'instagram' } });
    expect(t.store.count('requests')).toBe(0);

    // What was typed goes back as typed into the input (inert there); only the one problem left is shown.
    const typed = 'Campaign *launch* {{DATE(2026-12-01T00:00:00Z)}} <b>x</b>';
    const reasonKept = (await send('pierre', again, { purpose: 'public-communications', device: 'corporate', days: '91', reason: typed }))
      .value as Card;
    expect(inputs(reasonKept).reason.value).toBe(typed);
    expect(inputs(reasonKept).reason.errorMessage).toBe('Fill in: Reason.');
    expect(problems(reasonKept)).toEqual(['--days 91 is more than the 90 days this exception allows.']);
    expect(t.store.count('requests')).toBe(0);

    const filed = await send('pierre', reasonKept, { purpose: 'public-communications', device: 'corporate', days: '45', reason: typed });
    expect(filed.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(filed.value)).toContain('Request EX-1 filed: Instagram on a work device for public communications, 45 days.');
    expect(filed.value.body.some((b: Element) => String(b.id ?? '') !== '')).toBe(false); // the confirmation, not a form
    expect(t.store.get('requests', 'EX-1')).toMatchObject({
      person: 'pierre',
      app: 'instagram',
      purpose: 'public-communications',
      device: 'corporate',
      days: 45,
      reason: typed,
      status: 'requested',
    });
    const post = await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'POST'), 'the approvals card');
    expect(cardText(cardOf(post.body))).toContain('EX-1');

    // Sent again from the same form: already asked for, which is no field's problem but a message.
    const second = await send('pierre', reasonKept, { purpose: 'public-communications', device: 'corporate', days: '45', reason: 'x' });
    expect(second.type).toBe('application/vnd.microsoft.activity.message');
    expect(second.value).toContain('EX-1');
    expect(t.store.count('requests')).toBe(1);
  });

  it('input that is wrong in three fields at once: each problem once, on its own field, typed text escaped where it is quoted', async () => {
    t = await startTeamsBot();
    const form = await openForm('pierre');
    const again = (await send('pierre', form, { purpose: 'nope *x*', device: 'corporate', days: 'abc', reason: 'r'.repeat(1200) }))
      .value as Card;
    const f = inputs(again);
    expect(f.purpose.errorMessage).toBe(
      '“nope *x*” is not a purpose this policy knows. Known: public communications (public-communications).',
    );
    expect(f.days.errorMessage).toBe('--days must be a whole number of days, at least 1 (not “abc”).');
    expect(f.reason.errorMessage).toBe('The reason is 1200 characters long; keep it to 1000.');
    expect(again.body.filter((b) => b.color === 'Attention').map((b) => b.text)).toEqual([
      '“nope \\*x\\*” is not a purpose this policy knows. Known: public communications \\(public-communications\\).',
      '--days must be a whole number of days, at least 1 \\(not “abc”\\).',
      'The reason is 1200 characters long; keep it to 1000.',
    ]);
    expect(f.reason.value).toBe('r'.repeat(1200));
    expect(f.days.value).toBeUndefined(); // not a number: the field starts empty
    expect(t.store.count('requests')).toBe(0);
  });

  it('the same invoke delivered twice files once and says so; a crafted invoke changes nothing', async () => {
    t = await startTeamsBot();
    const form = await openForm('pierre');
    const values = { purpose: 'public-communications', device: 'corporate', days: '30', reason: 'Agency campaign' };
    expect((await send('pierre', form, values, 'invoke-form-1')).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(await send('pierre', form, values, 'invoke-form-1')).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: 'This form was already sent. Nothing was changed.',
    });
    expect(await send('pierre', form, { ...values, reason: { text: 'x' } })).toMatchObject({
      value: "A form's answers must be text. Nothing was changed.",
    });
    expect(t.store.count('requests')).toBe(1);
  });

  it('a refusal that is not about a field (the app is closed to exceptions) comes back as a message, not a form', async () => {
    t = await startTeamsBot();
    await t.install('pierre');
    await t.say('pierre', 'request tiktok');
    const reply = await t.connector.until(() => t.connector.to(t.personalId('pierre'))[0], 'the answer');
    expect(inputs(cardOf(reply.body) as Card)).toEqual({});
    const form = await openForm('sam');
    const personal = await send('sam', form, { purpose: 'public-communications', device: 'personal', days: '10', reason: 'x' });
    expect(personal.type).toBe('application/vnd.microsoft.activity.message');
    expect(t.store.count('requests')).toBe(0);
  });

  it('mentioned in a channel, the form goes to the person’s personal chat and the channel hears where', async () => {
    t = await startTeamsBot();
    await t.sayInChannel('sam', '19:general@thread.tacv2', 'request instagram');
    const pointer = await t.connector.until(() => t.connector.to('19:general@thread.tacv2')[0], 'the channel reply');
    expect(cardText(cardOf(pointer.body))).toContain('I have answered you in your personal chat');
    const personal = await t.connector.until(
      () => t.connector.calls.find((c) => c.conversation.startsWith('a:personal-created-')),
      'the form in the personal chat',
    );
    const form = cardOf(personal.body) as Card;
    expect(Object.keys(inputs(form))).toEqual(['purpose', 'device', 'days', 'reason']);
    const filed = await send('sam', form, { purpose: 'public-communications', device: 'corporate', days: '30', reason: 'Campaign' });
    expect(cardText(filed.value)).toContain('Request EX-1 filed');
  });

  it('in Japanese for a Japanese-speaking person: labels, required-field messages, problems and the confirmation', async () => {
    const demo = loadPack('demo.yaml');
    const policy: Policy = { ...demo, people: demo.people.map((p) => (p.id === 'pierre' ? { ...p, locale: 'ja' as const } : p)) };
    t = await startTeamsBot({}, {}, policy);
    const form = await openForm('pierre');
    const f = inputs(form);
    expect(f.purpose).toMatchObject({ label: '目的', errorMessage: '目的を選んでください。' });
    expect(f.device.choices[0]).toEqual({ title: '業務用端末', value: 'corporate' });
    expect(f.days).toMatchObject({ label: '日数', max: 90, errorMessage: '日数は1〜90の整数で入力してください。' });
    expect(f.reason).toMatchObject({ label: '理由', errorMessage: '理由を入力してください。' });
    expect(form.actions![0]!.title).toBe('申請する');

    const again = (await send('pierre', form, { purpose: 'public-communications', device: 'corporate', days: '200' })).value as Card;
    expect(problems(again)).toEqual([
      '--days 200 は、この例外で認められる上限（90日）を超えています。',
      '理由を入力してください：--reason "…"',
    ]);
    expect(inputs(again).days.value).toBe(200);

    const filed = await send('pierre', again, {
      purpose: 'public-communications',
      device: 'corporate',
      days: '60',
      reason: '広報キャンペーン',
    });
    expect(cardText(filed.value)).toContain('申請EX-1を受け付けました');
    expect(t.store.get('requests', 'EX-1')).toMatchObject({ days: 60, reason: '広報キャンペーン' });
    await t.connector.until(() => t.connector.to(APPROVALS).find((c) => c.method === 'POST'), 'the approvals card');
  });

  it('a rule with more purposes than a card holds: a text field whose hint names those that fit, within Teams’ size limit', async () => {
    const purposes = Array.from({ length: 1500 }, (_, i) => `purpose-${i}-${'x'.repeat(40)}`);
    const policy = largeOrg({
      people: 5,
      units: 2,
      apps: 1,
      purposes,
      identity: (who): Record<string, string> => (who === 'chief' ? { teams: TEAMS.akiko } : who === 1 ? { teams: TEAMS.pierre } : {}),
    });
    t = await startTeamsBot({}, {}, policy);
    const form = await openForm('pierre', 'app-0');
    expect(utf16Bytes(form)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    const purpose = inputs(form).purpose;
    expect(purpose).toMatchObject({ type: 'Input.Text', isRequired: true, errorMessage: 'Fill in: Purpose.' });
    const hint = form.body[form.body.indexOf(purpose) + 1]!.text!.replace(/\\(.)/g, '$1');
    expect(hint).toMatch(/^Type one of: purpose-0-x+, purpose-1-x+, .* — and [\d,]+ more \(policy social-ban lists them\)$/);

    const wrong = (await send('pierre', form, { purpose: 'purpose-9999', device: 'corporate', days: '10', reason: 'x' })).value as Card;
    expect(utf16Bytes(wrong)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(inputs(wrong).purpose.value).toBe('purpose-9999');
    expect(problems(wrong)[0]).toContain('purpose-9999');
    const filed = await send('pierre', wrong, { purpose: purposes[1400], device: 'corporate', days: '10', reason: 'x' });
    expect(cardText(filed.value)).toContain('Request EX-1 filed');
  });
});
