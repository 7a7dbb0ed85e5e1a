import { atCommit } from '../support/store-faults.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { startSlackBot, type SlackBot } from '../support/slack-bot.ts';
import { slackSignature } from '../support/slack-requests.ts';

let s: SlackBot;
beforeEach(async () => (s = await startSlackBot()));
afterEach(async () => s.stop());

describe('/apps over signed HTTP', () => {
  it('a signed check gets the explained decision, privately', async () => {
    const res = await s.command('U0STAFF', 'check tiktok --device corporate');
    expect(res.status).toBe(200);
    // The answer is the ack's own body: nothing goes through response_url for a command that answers in time.
    expect(res.answer?.response_type).toBe('ephemeral');
    const text = JSON.stringify(res.answer?.blocks);
    expect(text).toContain(':no_entry: *TikTok is prohibited on a work device.*');
    expect(text).toContain('Deadline: remove it by the end of Tuesday 15 December 2026 (Central European Standard Time).');
    expect(text).toContain('Work apps are blocked on devices that still have TikTok.');
    expect(text).toContain('attest TikTok');
  });

  it('offers a Request button when an exception is possible', async () => {
    const { answer } = await s.command('U0STAFF', 'check instagram');
    const actions = (answer?.blocks as { type: string; elements?: { action_id: string }[] }[]).find((b) => b.type === 'actions');
    expect(actions?.elements?.[0]?.action_id).toBe('request.open');
  });

  it('a bad signature and a 6-minute-old timestamp get 401 and change nothing', async () => {
    const atStart = s.fake.calls.length; // auth.test and the listing of the workspace
    const bad = await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "x"', { signature: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const wrongSecret = await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "x"', {
      secret: 'not-the-secret',
    });
    expect(wrongSecret.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await s.command('U0STAFF', 'request instagram --purpose public-communications --reason "x"', { timestamp: old });
    expect(stale.status).toBe(401);
    await s.fake.idle();
    expect(s.fake.calls.slice(atStart)).toEqual([]);
    expect(s.store.count('requests')).toBe(0);
  });

  it('a signature over a different body is refused', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await s.command('U0STAFF', 'check tiktok', { signature: slackSignature('text=check+line', ts), timestamp: ts });
    expect(res.status).toBe(401);
  });

  it('bad input is answered privately with the specific problem', async () => {
    const { answer } = await s.command('U0STAFF', 'check tiktok --device laptop');
    expect(JSON.stringify(answer)).toContain('“laptop” is not a device class');
    expect(answer?.response_type).toBe('ephemeral');
  });
});

describe('reports as files', () => {
  it('report compliance --format csv is uploaded to the asker’s DM with the bot, not pasted or posted in the channel', async () => {
    await s.bot.run('attest tiktok', 'pierre', 'test');
    const res = await s.command('U0ADMIN', 'report compliance demo-tiktok --format csv');
    expect(res.answer).toBeUndefined(); // acked at once: the upload may take longer than Slack waits
    const reply = await s.fake.until(() => s.fake.calls.find((c) => c.method.startsWith('respond/')), 'the reply');
    expect(JSON.stringify(reply.body)).toContain('compliance.csv is in your direct messages with AppWarden.');
    const complete = s.fake.of('files.completeUploadExternal')[0]!;
    expect(complete.body.channel_id).toBe('D-U0ADMIN');
    const csv = [...s.fake.uploads.values()][0]!;
    expect(csv.split('\n')[0]).toBe('rule,person,name,unit,attested,attested_on,attested_at,statement,exception');
    expect(csv).toMatch(/demo-tiktok,pierre,Pierre Martin,demo\/comms,yes,2026-11-22,2026-11-22T09:00:00\.000Z,/);
  });
});

describe('answers in the ack', () => {
  it('a command still working when Slack’s wait runs short is acked empty, then answered through response_url once committed', async () => {
    await s.stop();
    const store = createMemoryStore();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    atCommit(store, () => held);
    s = await startSlackBot('demo.yaml', '2026-11-22T09:00:00Z', store, 50);
    const res = await s.command('U0STAFF', 'attest tiktok');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(s.fake.calls.filter((c) => c.method.startsWith('respond/'))).toEqual([]);
    release();
    const reply = await s.fake.until(() => s.fake.calls.find((c) => c.method.startsWith('respond/')), 'the answer after the commit');
    expect(JSON.stringify(reply.body)).toContain('Recorded: you have removed TikTok');
    expect(store.count('attestations')).toBeGreaterThan(0);
  });
});
