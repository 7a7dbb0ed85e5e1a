import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-8f3a';

/** Sign as Slack does: v0= + hex HMAC-SHA256(secret, `v0:${ts}:${body}`). */
export function slackSignature(body: string, timestampSec: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  /** Seconds since the epoch; default now (Bolt checks it against its own clock). */
  timestamp?: number;
  secret?: string;
  signature?: string;
  retryNum?: number;
  /** Further headers, e.g. a proxy's X-Request-Id. */
  headers?: Record<string, string>;
}

/** POST a form body to Bolt exactly as Slack would: the content type with no charset. */
export async function postToSlackEndpoint(url: string, body: string, o: SendOptions = {}) {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': o.signature ?? slackSignature(body, ts, o.secret),
      ...(o.retryNum !== undefined ? { 'X-Slack-Retry-Num': String(o.retryNum), 'X-Slack-Retry-Reason': 'http_timeout' } : {}),
      ...o.headers,
    },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * Where a request comes from, as Slack's payloads say it: the workspace it was made in (default
 * T0TEAM), the user's own team (a Slack Connect member's differs), and the Grid org, if any.
 */
export interface From {
  team?: string;
  /** The user's own team; `null` leaves it out, as some payloads do. */
  userTeam?: string | null;
  enterprise?: string;
}

/** A `/apps` slash command payload. */
export function slashCommand(
  fakeUrl: string,
  user: string,
  text: string,
  triggerId = `trig-${Math.random().toString(36).slice(2)}`,
  from: From = {},
) {
  return form({
    token: 'legacy',
    team_id: from.team ?? 'T0TEAM',
    team_domain: 'demo',
    ...(from.enterprise ? { enterprise_id: from.enterprise, enterprise_name: 'Demo Org' } : {}),
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: user,
    user_name: user,
    command: '/apps',
    text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: `${fakeUrl}/respond/${triggerId}`,
    trigger_id: triggerId,
  });
}

/** The `team`, `enterprise` and `user` of an interaction payload. */
function interactionFrom(user: string, from: From) {
  const team = from.team ?? 'T0TEAM';
  return {
    team: { id: team, domain: 'demo', ...(from.enterprise ? { enterprise_id: from.enterprise, enterprise_name: 'Demo Org' } : {}) },
    enterprise: from.enterprise ? { id: from.enterprise, name: 'Demo Org' } : null,
    is_enterprise_install: false,
    user: { id: user, username: user, name: user, ...(from.userTeam === null ? {} : { team_id: from.userTeam ?? team }) },
  };
}

/** A block_actions payload: someone clicked a button in a message. */
export function buttonClick(
  fakeUrl: string,
  user: string,
  actionId: string,
  value: string,
  o: { channel?: string; ts?: string; actionTs?: string } & From = {},
) {
  const payload = {
    type: 'block_actions',
    ...interactionFrom(user, o),
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    response_url: `${fakeUrl}/respond/action-${user}`,
    container: { type: 'message', channel_id: o.channel ?? 'C0APPROVALS', message_ts: o.ts ?? '1.0' },
    channel: { id: o.channel ?? 'C0APPROVALS', name: 'approvals' },
    message: { ts: o.ts ?? '1.0', text: '' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'b1',
        value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: o.actionTs ?? `${Date.now() / 1000}`,
      },
    ],
  };
  return form({ payload: JSON.stringify(payload) });
}

/** A view_submission payload for a modal. */
export function viewSubmission(
  user: string,
  callbackId: string,
  privateMetadata: string,
  values: Record<string, Record<string, unknown>>,
  viewId = 'V1',
  hash = 'h1',
  from: From = {},
) {
  const payload = {
    type: 'view_submission',
    ...interactionFrom(user, from),
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: 'trig-view',
    view: {
      id: viewId,
      hash,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      state: { values },
      team_id: 'T0TEAM',
      app_id: 'A0APP',
      blocks: [],
    },
  };
  return form({ payload: JSON.stringify(payload) });
}

/** POST an Events API callback as Slack does: JSON, signed like every request. */
export async function postEvent(url: string, body: Record<string, unknown>, o: SendOptions = {}) {
  const raw = JSON.stringify(body);
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': o.signature ?? slackSignature(raw, ts, o.secret),
      ...(o.retryNum !== undefined ? { 'X-Slack-Retry-Num': String(o.retryNum), 'X-Slack-Retry-Reason': 'http_timeout' } : {}),
    },
    body: raw,
  });
  return { status: res.status, text: await res.text() };
}

/** An event_callback wrapping `event` (a `message`, an `app_mention`), from the home workspace unless `from` says otherwise. */
export function eventCallback(
  event: Record<string, unknown>,
  eventId = `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
  from: From = {},
) {
  return {
    token: 'legacy',
    team_id: from.team ?? 'T0TEAM',
    ...(from.enterprise ? { enterprise_id: from.enterprise } : {}),
    api_app_id: 'A0APP',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: from.team ?? 'T0TEAM', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** A shortcut payload: global (`shortcut`) or on a message (`message_action`, with the message and where it is). */
export function shortcut(
  fakeUrl: string,
  user: string,
  callbackId: string,
  o: { message?: { text: string; ts?: string; user?: string }; channel?: string } & From = {},
) {
  const trigger = `trig-${Math.random().toString(36).slice(2)}`;
  const payload = o.message
    ? {
        type: 'message_action',
        ...interactionFrom(user, o),
        callback_id: callbackId,
        trigger_id: trigger,
        action_ts: `${Date.now() / 1000}`,
        message_ts: o.message.ts ?? '1790000000.000100',
        response_url: `${fakeUrl}/respond/shortcut-${user}`,
        channel: { id: o.channel ?? 'C0GENERAL', name: 'general' },
        message: { type: 'message', user: o.message.user ?? 'U0STAFF2', ts: o.message.ts ?? '1790000000.000100', text: o.message.text },
        api_app_id: 'A0APP',
        token: 'legacy',
      }
    : {
        type: 'shortcut',
        ...interactionFrom(user, o),
        callback_id: callbackId,
        trigger_id: trigger,
        action_ts: `${Date.now() / 1000}`,
        api_app_id: 'A0APP',
        token: 'legacy',
      };
  return form({ payload: JSON.stringify(payload) });
}
