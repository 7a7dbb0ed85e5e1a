import { atCommit } from '../support/store-faults.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedPolicy } from '../../bench/lib/policy-gen.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { messageProblem } from '../support/fake-slack.ts';
import { attestEveryFifth, largeOrg as largeOrgOf, type LargeOrgOptions } from '../support/large-org.ts';
import { requestFormValues, startSlackBot, type SlackBot } from '../support/slack-bot.ts';

const CHIEF = 'U0CHIEF';
const STAFF = 'UP1';

const largeOrg = (o: Omit<LargeOrgOptions, 'identity'>) =>
  largeOrgOf({ ...o, identity: (who) => ({ slack: who === 'chief' ? CHIEF : `UP${who}` }) });

let s: SlackBot;
afterEach(async () => s?.stop());

type Answer = { text: string; blocks?: Record<string, any>[] };

/** `/apps <text>`: the answer Slack would show, from the ack or from response_url. */
async function answer(user: string, text: string): Promise<Answer> {
  const before = s.fake.calls.filter((c) => c.method.startsWith('respond/')).length;
  const res = await s.command(user, text);
  if (res.answer) return res.answer as Answer;
  const later = await s.fake.until(() => s.fake.calls.filter((c) => c.method.startsWith('respond/'))[before], `the answer to ${text}`);
  return later.body as unknown as Answer;
}

/** Everything a person reads in the answer's blocks, as one text. */
const shown = (a: Answer) =>
  (a.blocks ?? [])
    .flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: { text?: string }) => e.text)])
    .filter(Boolean)
    .join('\n');

/** What Slack would have refused: nothing, and this answer is within every limit. */
function withinSlackLimits(a: Answer) {
  expect(messageProblem(a as unknown as Record<string, unknown>)).toBeUndefined();
  expect(s.fake.rejected).toEqual([]);
}

describe('long answers on Slack stay within what Slack accepts and say what they leave out', () => {
  it('report compliance for 2,064 people: counts per unit, then names, "1,611 more — …"; no name cut', async () => {
    s = await startSlackBot(largeOrg({ people: 2064, units: 60 }), '2026-11-22T09:00:00Z');
    await attestEveryFifth(s.store, 2063);
    const a = await answer(CHIEF, 'report compliance ban');
    withinSlackLimits(a);
    const text = shown(a);
    expect(text).toContain('413 of 2064 people have attested.');
    expect(text).toContain('• Unit 1: ');
    expect(text).toContain('50 more — report compliance ban --page 2 shows the next ones, report compliance ban --format csv all of them'); // the units
    expect(text).toContain('Not yet attested (1651):');
    const names = text.split('\n').filter((l) => /^• (Person|Chief)/.test(l));
    expect(names).toHaveLength(40);
    for (const line of names) expect(line).toMatch(/^• (Person \d+ Example|Chief Officer)$/);
    expect(text).toContain(
      '1,611 more — report compliance ban --page 2 shows the next ones, report compliance ban --format csv all of them',
    );
  });

  it('census status for 60 units, status with 58 requests: within limits, with the right counts', async () => {
    s = await startSlackBot(largeOrg({ people: 200, units: 60, apps: 58 }), '2026-11-22T09:00:00Z');
    await s.bot.run('census start tiktok --due 2026-12-01 --units all', 'chief', 'test');
    for (let i = 0; i < 35; i++)
      await s.bot.run(`census answer CN-1 --unit ${i === 0 ? 'org' : `u${i}`} --use "Posting | no | ${i + 1}"`, `p${i}`, 'test');
    const census = await answer(CHIEF, 'census status CN-1');
    withinSlackLimits(census);
    const text = shown(census);
    expect(text).toContain('35 of 60 units have answered.');
    const versions = text.split('\n').filter((l) => / — version 1, by /.test(l)).length;
    expect(text).toContain(`${35 - versions} more — census status CN-1 --page 2 shows the next ones`);
    expect(text).toContain('Not yet answered (25):');
    expect(text).toContain('5 more — census status CN-1 --page 2 shows the next ones');

    for (let i = 0; i < 58; i++) await s.bot.run(`request app-${i} --purpose public-communications --reason "Posting"`, 'p1', 'test');
    const status = await answer(STAFF, 'status');
    withinSlackLimits(status);
    expect(
      shown(status)
        .split('\n')
        .filter((l) => /^• EX-\d+ · /.test(l)),
    ).toHaveLength(20);
    expect(shown(status)).toContain('38 more — status --page 2 shows the next ones');
  });

  it('policy with 1,200 rules: within limits, 40 rules and the count of the others', async () => {
    const policy = generatedPolicy({ units: 60, apps: 400, rules: 1200, people: 50, categories: 20 });
    s = await startSlackBot(policy, '2026-11-22T09:00:00Z');
    const inForce = (await s.bot.run('policy', 'p1', 'test')).data as string[];
    const a = await answer('UP1', 'policy');
    withinSlackLimits(a);
    expect(
      shown(a)
        .split('\n')
        .filter((l) => /^• rule-\d+: /.test(l)),
    ).toHaveLength(40);
    expect(shown(a)).toContain(`${(inForce.length - 40).toLocaleString('en')} more — policy --page 2 shows the next ones`);
    const last = await answer('UP1', `policy --page ${Math.ceil(inForce.length / 40)}`);
    withinSlackLimits(last);
    expect(shown(last)).not.toContain('more —');
  });

  it('a list no command cut (150 requests waiting) is cut by the renderer in whole items, with the count of the rest', async () => {
    s = await startSlackBot(largeOrg({ people: 200, units: 2, apps: 1 }), '2026-11-22T09:00:00Z');
    for (let i = 0; i < 150; i++)
      await s.bot.run(
        `request app-0 --purpose public-communications --reason "${'A long reason for this request. '.repeat(3)}${i}"`,
        `p${i}`,
        'test',
      );
    const a = await answer(CHIEF, 'pending');
    withinSlackLimits(a);
    const items = shown(a)
      .split('\n')
      .filter((l) => l.startsWith('• EX-'));
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) expect(item).toMatch(/A long reason for this request\. \d+”$/);
    expect(shown(a)).toContain(`+${150 - items.length} …`);
  });
});

describe('the request form for a rule with many purposes stays within Slack’s modal limits', () => {
  it('120 purposes: a text field whose hint names those that fit and how many more; what is typed is checked and filed', async () => {
    const policy = largeOrg({ people: 3, units: 1, apps: 1 });
    // More than a policy file may now give a rule (100 purposes, a Slack select's options): the form holds whatever it is given.
    const purposes = Array.from({ length: 120 }, (_, i) => `purpose-number-${i}`);
    (policy.rules[1]!.exceptions as { purposes: string[] }).purposes = purposes;
    s = await startSlackBot(policy, '2026-11-22T09:00:00Z');
    await s.command(STAFF, 'request app-0');
    const opened = await s.fake.until(() => s.fake.of('views.open')[0], 'the request form');
    expect(s.fake.rejected).toEqual([]);
    const view = JSON.parse(String(opened.body.view));
    const purpose = view.blocks.find((b: { block_id?: string }) => b.block_id === 'purpose');
    expect(purpose.element.type).toBe('plain_text_input');
    const hint = purpose.hint.text as string;
    expect(hint.length).toBeLessThanOrEqual(2000);
    const named = hint.match(/purpose-number-\d+/g)!;
    expect(hint).toContain(`and ${120 - named.length} more (policy social-ban lists them)`);
    const wrong = await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      {
        ...requestFormValues({ days: '10', reason: 'Campaign' }),
        purpose: { value: { type: 'plain_text_input', value: 'no-such-purpose' } },
      },
      'V1',
      'h1',
    );
    expect(JSON.parse(wrong.text)).toMatchObject({
      response_action: 'errors',
      errors: { purpose: expect.stringContaining('is not a purpose') },
    });
    const ok = await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      {
        ...requestFormValues({ days: '10', reason: 'Campaign' }),
        purpose: { value: { type: 'plain_text_input', value: 'purpose-number-117' } },
      },
      'V1',
      'h2',
    );
    expect(ok.status).toBe(200);
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ purpose: 'purpose-number-117', status: 'requested' });
  });

  it('an option over Slack’s limits: text cut at 75, value a hash mapped back to the purpose on submit', async () => {
    const policy = largeOrg({ people: 3, units: 1, apps: 1 });
    const long = `public-communications-${'for-the-agency-'.repeat(10)}end`; // 175 characters
    (policy.rules[1]!.exceptions as { purposes: string[] }).purposes = ['security-research', long];
    s = await startSlackBot(policy, '2026-11-22T09:00:00Z');
    await s.command(STAFF, 'request app-0');
    const opened = await s.fake.until(() => s.fake.of('views.open')[0], 'the request form');
    expect(s.fake.rejected).toEqual([]);
    const view = JSON.parse(String(opened.body.view));
    const options = view.blocks.find((b: { block_id?: string }) => b.block_id === 'purpose').element.options as {
      text: { text: string };
      value: string;
    }[];
    expect(options.map((o) => o.value)).toContain('security-research');
    const hashed = options.find((o) => o.value !== 'security-research')!;
    expect(hashed.text.text).toMatch(/^public-communications-for-the-agency-.*…$/);
    expect(hashed.text.text.length).toBeLessThanOrEqual(75);
    expect(hashed.value.length).toBeLessThanOrEqual(150);
    await s.submit(
      STAFF,
      'request.submit',
      view.private_metadata,
      requestFormValues({ purpose: hashed.value, days: '10', reason: 'Campaign' }),
    );
    expect(s.store.get('requests', 'EX-1')).toMatchObject({ purpose: long });
  });
});

describe('a fault in the census form', () => {
  it('is shown on a field the form has, with its reference', async () => {
    const store = createMemoryStore();
    s = await startSlackBot('jp-2021-line.yaml', '2021-03-19T10:00:00+09:00', store);
    const REPORTER = 'U07JP6ICHI7'; // 井上 咲, reporter for 市川市
    await s.bot.run('census start LINE --due 2021-03-26 --units soumu/jichi/chiba/ichikawa', 'tanaka.hiroshi', 'test');
    await s.bot.drain();
    const invitation = await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === REPORTER && String(c.body.blocks).includes('census.open')),
      'the invitation',
    );
    const button = JSON.parse(String(invitation.body.blocks)).find((b: { type: string }) => b.type === 'actions').elements[0];
    await s.click(REPORTER, 'census.open', button.value, { channel: `D${REPORTER}` });
    const view = JSON.parse(String((await s.fake.until(() => s.fake.of('views.open')[0], 'the census form')).body.view));
    atCommit(store, () => Promise.reject(new Error('disk on fire')));
    const res = await s.submit(REPORTER, 'census.submit', view.private_metadata, {
      uses_app: { value: { type: 'radio_buttons', selected_option: { value: 'no' } } },
    });
    const { response_action, errors } = JSON.parse(res.text) as { response_action: string; errors: Record<string, string> };
    expect(response_action).toBe('errors');
    const blockIds = view.blocks.map((b: { block_id?: string }) => b.block_id);
    for (const field of Object.keys(errors)) expect(blockIds).toContain(field);
    const ref = /\b([0-9a-f]{8})\b/.exec(Object.values(errors)[0]!)![1]!;
    expect(s.logs.some((l) => l.includes(`fault ${ref}`) && l.includes('disk on fire'))).toBe(true);
  });
});
