import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackSurface } from '../../adapters/slack/slack-surface.ts';
import { createAppWarden } from '../../src/app.ts';
import type { OutboxOptions } from '../../src/runtime/outbox.ts';
import { buildHttpApp } from '../../src/http-app.ts';
import type { Store } from '../../src/core/store.ts';
import { createMemoryStore } from '../../storage/memory/memory-store.ts';
import { loadPack, testClock } from './bot.ts';
import { messageProblem, startFakeSlack, type FakeSlackOptions, type FakeUser } from './fake-slack.ts';
import type { Policy } from '../../src/core/policy.ts';
import {
  buttonClick,
  eventCallback,
  postEvent,
  postToSlackEndpoint,
  SIGNING_SECRET,
  slashCommand,
  viewSubmission,
  type From,
  type SendOptions,
} from './slack-requests.ts';

/**
 * The real Bolt app inside the real HTTP app on 127.0.0.1:0, against a fake Slack Web API whose
 * workspace holds the pack's people (by their `slack` ids). `pack`: a file in policies/, or a policy
 * built by the test.
 */
export async function startSlackBot(
  pack: string | Policy = 'demo.yaml',
  at = '2026-11-22T09:00:00Z',
  store: Store = createMemoryStore(),
  ackBudgetMs?: number,
  workspace: FakeSlackOptions = {},
  delivery: { outbox?: OutboxOptions; timeoutMs?: number } = {},
) {
  const fake = await startFakeSlack(workspace);
  const clock = testClock(at);
  const logs: string[] = [];
  const policy = typeof pack === 'string' ? loadPack(pack) : pack;
  fake.addUsers(...policy.people.flatMap((p) => (p.slack ? [{ id: p.slack, real_name: p.name ?? p.id }] : [])));
  const bot = createAppWarden({
    policy,
    store,
    now: clock.now,
    log: (line) => logs.push(line),
    ...(delivery.outbox ? { outbox: delivery.outbox } : {}),
  });
  const slack = await createSlackSurface(bot, {
    token: 'xoxb-test-token',
    signingSecret: SIGNING_SECRET,
    apiUrl: fake.apiUrl,
    retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 20 },
    log: (line) => logs.push(line),
    ...(ackBudgetMs !== undefined ? { ackBudgetMs } : {}),
    ...(delivery.timeoutMs ? { deliveryTimeoutMs: delivery.timeoutMs } : {}),
  });
  await slack.listed; // the roster of the workspace, as a running bot holds it a moment after start
  const server: Server = await new Promise((resolve) => {
    const s = buildHttpApp(bot, [slack]).listen(0, '127.0.0.1', () => resolve(s));
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  /** Slash-command answers that came back in the ack's HTTP body, as Slack would show them. */
  const acked: string[] = [];
  return {
    fake,
    store,
    clock,
    bot,
    logs,
    endpoint,
    /**
     * A signed `/apps`; `answer` is the message in the ack, if the bot put one there. An ack Slack
     * would refuse (too long, bad blocks) is no answer: it lands in `fake.rejected` as `ack`.
     */
    async command(user: string, text: string, o: SendOptions & From & { triggerId?: string } = {}) {
      const res = await postToSlackEndpoint(endpoint, slashCommand(fake.url, user, text, o.triggerId, o), o);
      const body =
        res.status === 200 && res.text ? (JSON.parse(res.text) as { response_type?: string; text: string; blocks?: unknown[] }) : undefined;
      const refused = body && messageProblem(body);
      if (refused) fake.rejected.push({ method: 'ack', ...refused });
      const answer = refused ? undefined : body;
      if (answer) acked.push(res.text);
      return { ...res, answer };
    },
    /** An Events API event (`user_change`, `team_join`…) from the home workspace, signed. */
    event: (event: Record<string, unknown>) => postEvent(endpoint, eventCallback(event)),
    /**
     * Someone's record changes in Slack (deactivated, made a guest…): the directory says so at once,
     * and Slack sends `user_change` with the record, as it does to an app subscribed to it.
     */
    async userChanged(id: string, change: Partial<FakeUser>) {
      fake.addUsers({ ...fake.users.get(id), ...change, id });
      return postEvent(endpoint, eventCallback({ type: 'user_change', user: fake.users.get(id) }));
    },
    click: (user: string, actionId: string, value: string, o: Parameters<typeof buttonClick>[4] = {}) =>
      postToSlackEndpoint(endpoint, buttonClick(fake.url, user, actionId, value, o)),
    submit: (
      user: string,
      callbackId: string,
      meta: string,
      values: Record<string, Record<string, unknown>>,
      viewId?: string,
      hash?: string,
      from?: From,
    ) => postToSlackEndpoint(endpoint, viewSubmission(user, callbackId, meta, values, viewId, hash, from)),
    /** Everything the bot answered privately, in acks and through response_url, as text. */
    responses: () => [
      ...acked,
      ...fake.calls.filter((c) => c.method.startsWith('respond/') && !c.method.includes(' (')).map((c) => JSON.stringify(c.body)),
    ],
    /** Stops everything; fails the test if the bot sent anything Slack would have refused (too long, too many blocks, bad options). */
    async stop() {
      await fake.idle();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.close();
      if (fake.rejected.length) throw new Error(`Slack would have refused: ${JSON.stringify(fake.rejected)}`);
    },
  };
}
export type SlackBot = Awaited<ReturnType<typeof startSlackBot>>;

/** Values as Slack sends them for our request form. */
export const requestFormValues = (v: { purpose?: string; device?: string; days?: string; reason?: string }) => ({
  purpose: { value: { type: 'static_select', selected_option: v.purpose ? { value: v.purpose } : null } },
  device: { value: { type: 'static_select', selected_option: { value: v.device ?? 'corporate' } } },
  days: { value: { type: 'number_input', value: v.days ?? null } },
  reason: { value: { type: 'plain_text_input', value: v.reason ?? null } },
});
