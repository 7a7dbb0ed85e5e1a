import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryFromLine } from '../../storage/audit-chain.ts';
import { ROOT, tempDir } from '../support/cli.ts';
import { startFakeSlack } from '../support/fake-slack.ts';
import { startServer } from '../support/server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommand } from '../support/slack-requests.ts';

describe('npm start', () => {
  it('with the two Slack variables serves /slack/events and /healthz, and stops cleanly on SIGTERM', async () => {
    const fake = await startFakeSlack();
    const data = await tempDir();
    const s = startServer({
      PORT: '0',
      DATA_DIR: data,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
    });
    const port = await s.listening;
    expect(s.out()).toMatch(/AppWarden for Demo Agency \(demo policy pack\): listening on http:\/\/127\.0\.0\.1:\d+ — slack; data in/);
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toMatchObject({
      ok: true,
      organization: 'Demo Agency',
      surfaces: ['slack'],
      outbox: { failed: 0 },
      auditChain: { state: expect.stringMatching(/^(running|ok)$/) },
    });
    expect(health.outbox.waiting).toBeGreaterThanOrEqual(0); // the start-up tick may have a reminder in flight
    const res = await postToSlackEndpoint(`http://127.0.0.1:${port}/slack/events`, slashCommand(fake.url, 'U0STAFF', 'attest tiktok'));
    expect(res.status).toBe(200);
    // The answer comes in the ack, and by then the attestation is on disk.
    expect(res.text).toContain('Recorded: you have removed TikTok');
    const entries = readFileSync(join(data, 'audit.jsonl'), 'utf8').trim().split('\n').map(entryFromLine);
    expect(entries.find((e) => e.action === 'attestation.recorded')).toMatchObject({ actor: 'pierre' });
    expect(existsSync(join(data, 'appwarden.lock'))).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.out()).toMatch(/data directory released/);
    expect(existsSync(join(data, 'appwarden.lock'))).toBe(false);
    await fake.close();
  });

  it('refuses half a Slack configuration with one clear line, no stack trace', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir(), SLACK_BOT_TOKEN: 'xoxb-test' });
    expect(await s.exited).toBe(2);
    expect(s.err().trim()).toBe(
      'appwarden: SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack needs both (Basic Information → Signing Secret), or SLACK_APP_TOKEN for Socket Mode',
    );
  });

  it('refuses a bad policy file with every problem, and a data directory in use', async () => {
    const bad = startServer({ PORT: '0', DATA_DIR: await tempDir(), POLICY_FILE: join(ROOT, 'package.json') });
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/problem\(s\)/);
    expect(bad.err()).not.toMatch(/\n\s+at /);

    const data = await tempDir();
    const first = startServer({ PORT: '0', DATA_DIR: data });
    await first.listening;
    const second = startServer({ PORT: '0', DATA_DIR: data });
    expect(await second.exited).toBe(2);
    expect(second.err()).toMatch(/is in use by process/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('runs with no configuration at all: the demo pack and the local Bot Framework endpoint', async () => {
    const s = startServer({ PORT: '0', DATA_DIR: await tempDir() });
    const port = await s.listening;
    expect((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).ok).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('policy reload', () => {
  it('a SIGHUP sent the moment the start line appears finds its handler: the server reloads and keeps serving', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const s = startServer({ PORT: '0', DATA_DIR: await tempDir() });
      const port = await s.listening;
      s.child.kill('SIGHUP');
      await s.waitForOutput(/SIGHUP: policy reloaded/);
      expect((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).ok).toBe(true);
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
  });

  it('SIGHUP reloads POLICY_FILE without losing state; a bad file is refused and the running policy stays', async () => {
    const { copyFile, writeFile, readFile } = await import('node:fs/promises');
    const dir = await tempDir();
    const policyFile = join(dir, 'policy.yaml');
    await copyFile(join(ROOT, 'policies/demo.yaml'), policyFile);
    const s = startServer({ PORT: '0', DATA_DIR: join(dir, 'data'), POLICY_FILE: policyFile });
    const port = await s.listening;
    const organization = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).organization;
    const waitFor = s.waitForOutput;
    await writeFile(policyFile, 'organization: [not, valid]\n');
    s.child.kill('SIGHUP');
    await waitFor(/refused, the running policy stays/);
    expect(await organization()).toBe('Demo Agency');
    await writeFile(
      policyFile,
      (await readFile(join(ROOT, 'policies/demo.yaml'), 'utf8')).replace('name: Demo Agency', 'name: Demo Agency (renamed)'),
    );
    s.child.kill('SIGHUP');
    await waitFor(/policy reloaded/);
    expect(await organization()).toBe('Demo Agency (renamed)');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const audit = (await readFile(join(dir, 'data', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).action);
    expect(audit.filter((a) => a === 'policy.loaded')).toHaveLength(2);
  });
});
