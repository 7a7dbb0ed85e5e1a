import { afterEach, describe, expect, it } from 'vitest';
import { reply } from '../../commands/shared/reply.ts';
import { escapeMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { renderBlocks } from '../../adapters/slack/render.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';

/**
 * A formatting pair as Slack reads mrkdwn: a marker after a start, space or punctuation, text that
 * neither starts nor ends with a space, the same marker before an end, space or punctuation.
 */
const PAIR = /(?:^|[^\p{L}\p{N}])([*_~`])(?!\s)[^\n]*?(?<!\s)\1(?![\p{L}\p{N}])/u;
const TYPED = '*✅ Approved by Akiko Sato* _x_ ~x~ `x` ```x``` raise max_days for snake_case ids';

describe('escapeMrkdwn: typed text cannot format on Slack', () => {
  it.each([
    ['*✅ Approved by Akiko Sato*', '∗✅ Approved by Akiko Sato∗'],
    ['_x_', '＿x＿'],
    ['~x~', '∼x∼'],
    ['`x`', 'ˋxˋ'],
    ['```x```', 'ˋˋˋxˋˋˋ'],
    ['> quoted', '＞ quoted'],
    ['fine\n  > quoted', 'fine\n  ＞ quoted'],
    ['_max_days_', '＿max_days＿'],
    [
      '<!channel> & <@U1> <!date^1392734382^{date}|x> <http://evil|bank>',
      '&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;!date^1392734382^{date}|x&gt; &lt;http://evil|bank&gt;',
    ],
  ])('%j → %j', (typed, shown) => {
    expect(escapeMrkdwn(typed)).toBe(shown);
    expect(escapeMrkdwn(typed)).not.toMatch(PAIR);
  });

  it('keeps ids readable: an underscore inside a word is not markup, so it stays', () => {
    expect(escapeMrkdwn('max_days snake_case demo-tiktok 2026-12-15 :white_check_mark: a > b')).toBe(
      'max_days snake_case demo-tiktok 2026-12-15 :white_check_mark: a &gt; b',
    );
  });

  it('no pair survives, however the markers are mixed', () => {
    const pairs = [TYPED, '*a _b_ c*', '_*~`x`~*_', 'x *y* z', '(*y*)', '"_y_"'];
    for (const typed of pairs) expect(typed, 'the detector sees it').toMatch(PAIR);
    for (const typed of [...pairs, '*\n*', 'a_b_ c', '_a_b']) expect(escapeMrkdwn(typed), typed).not.toMatch(PAIR);
  });

  it('a heading stays bold with our asterisks around the escaped text', () => {
    const { blocks, text } = renderBlocks(
      reply('ok', [
        { type: 'heading', text: '*Approved* by ~me~' },
        { type: 'fields', fields: [{ label: 'Reason', value: '_x_' }], separator: ': ' },
      ]),
    );
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':white_check_mark: *∗Approved∗ by ∼me∼*', verbatim: true },
    });
    expect(JSON.stringify(blocks[1])).toContain('"*Reason*\\n＿x＿"');
    expect(text).toBe('∗Approved∗ by ∼me∼\nReason: ＿x＿');
  });

  it('a file preview keeps its content (formatting is off in a code block) but cannot close the block', () => {
    const { blocks } = renderBlocks(reply('info', [{ type: 'file', name: 'r.csv', mime: 'text/csv', content: 'a,*b*,_c_\n```,x' }]));
    expect((blocks[0] as { text: { text: string } }).text.text).toBe('```a,*b*,_c_\nˋˋˋ,x```');
  });
});

let s: SlackBot;
afterEach(async () => s?.stop());

describe('text that dresses itself up, end to end', () => {
  it('a reason typed as a bold "✅ Approved" line reaches the approvals channel as plain characters; max_days stays readable', async () => {
    s = await startSlackBot();
    await s.command('U0STAFF', `request instagram --purpose public-communications --reason "${TYPED}"`);
    const post = await s.fake.until(
      () => s.fake.of('chat.postMessage').find((c) => c.body.channel === 'C0APPROVALS'),
      'the approvals post',
    );
    const texts = (JSON.parse(String(post.body.blocks)) as { text?: { text: string }; fields?: { text: string }[] }[]).flatMap((b) => [
      b.text?.text ?? '',
      ...(b.fields ?? []).map((f) => f.text),
    ]);
    const reason = texts.find((t) => t.startsWith('Reason:'))!;
    expect(reason).toBe('Reason: ∗✅ Approved by Akiko Sato∗ ＿x＿ ∼x∼ ˋxˋ ˋˋˋxˋˋˋ raise max_days for snake_case ids');
    expect(reason).not.toMatch(PAIR);
    expect(String(post.body.text)).toContain('∗✅ Approved by Akiko Sato∗');
    expect(String(post.body.text)).not.toMatch(PAIR);
    // Our own formatting still works: the heading is bold, in our asterisks.
    expect(texts[0]).toMatch(/^:information_source: \*[^*]+\*$/);
  });

  it('an app name typed with markup cannot break out of the bold heading of the answer', async () => {
    s = await startSlackBot();
    const { answer } = await s.command('U0STAFF', 'check "*Approved* ~by~ `me`"');
    const heading = (answer?.blocks as { text: { text: string } }[])[0]!.text.text;
    expect(heading).toContain('∗Approved∗ ∼by∼ ˋmeˋ');
    expect(heading.replace(/^:\w+: \*|\*$/g, '')).not.toMatch(/[*~`]/);
  });
});
