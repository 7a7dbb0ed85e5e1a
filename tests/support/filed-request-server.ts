import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { packPath } from './bot.ts';
import { tempDir } from './cli.ts';
import type { FakeSlack } from './fake-slack.ts';
import { startServer } from './server-process.ts';
import { postToSlackEndpoint, SIGNING_SECRET, slashCommand } from './slack-requests.ts';

/** The demo pack with its admin, Olivia, also an approver of the whole agency: she decides Pierre's requests. */
async function policyWithAdminApprover(dir: string): Promise<string> {
  const text = (await readFile(packPath('demo.yaml'), 'utf8')).replace(
    /unit: demo\/it\n(\s+)roles: \[admin, reporter\]/,
    'unit: demo\n$1roles: [admin, approver, reporter]',
  );
  expect(text).toContain('roles: [admin, approver, reporter]');
  const file = join(dir, 'policy.yaml');
  await writeFile(file, text);
  return file;
}

/**
 * The real server (`npm start`) on that pack, on Slack through `fake`, once Pierre has filed EX-1 for
 * Instagram with `reason` and its approvals post is up: what a web decision is tried on.
 */
export async function serverWithFiledRequest(fake: FakeSlack, reason: string) {
  const data = await tempDir();
  const server = startServer({
    PORT: '0',
    DATA_DIR: data,
    POLICY_FILE: await policyWithAdminApprover(data),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
  });
  const port = await server.listening;
  const filed = await postToSlackEndpoint(
    `http://127.0.0.1:${port}/slack/events`,
    slashCommand(fake.url, 'U0STAFF', `request instagram --purpose public-communications --reason "${reason}"`),
  );
  expect(filed.text).toContain('EX-1');
  await fake.until(() => fake.history('C0APPROVALS')[0], 'the approvals post');
  return { server, base: `http://127.0.0.1:${port}` };
}
