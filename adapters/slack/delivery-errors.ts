import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/runtime/outbox.ts';

/**
 * For deliveries: no blind retries (a post whose answer was lost would be posted twice; the outbox
 * asks Slack first), a rate limit is handed back rather than waited out, and no call waits forever.
 */
export const DELIVERY_CLIENT: webApi.WebClientOptions = { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000 };

/**
 * Slack's `ok: false` errors that mean the message did not land but may later: everything else it
 * names (cannot_dm_bot, channel_not_found, not_in_channel, is_archived, invalid_blocks, user_not_found,
 * missing_scope…) is a refusal that no retry changes.
 */
const TRANSIENT = new Set(['ratelimited', 'service_unavailable', 'team_added_to_org', 'request_timeout_retry']);
/** Errors after which Slack says part of the operation may have succeeded. */
const MAYBE_LANDED = new Set(['internal_error', 'fatal_error', 'request_timeout']);

/** A Web API error as a delivery outcome: delivered or not, may have landed, try later, or never. */
export function classifySlackError(e: unknown, what: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const err = e as {
    code?: string;
    data?: { error?: string };
    statusCode?: number;
    retryAfter?: number;
    original?: { code?: string; message?: string; cause?: { code?: string } };
    message?: string;
  };
  const say = (detail: string) => `${what}: ${detail}`.slice(0, 500);
  switch (err.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = err.data?.error ?? 'unknown_error';
      if (TRANSIENT.has(code)) return new DeliveryError('transient', say(code), undefined, e);
      if (MAYBE_LANDED.has(code)) return new DeliveryError('unknown', say(code), undefined, e);
      return new DeliveryError('permanent', say(code), undefined, e);
    }
    case webApi.ErrorCode.RateLimitedError:
      return new DeliveryError('transient', say(`rate limited for ${err.retryAfter ?? '?'} s`), (err.retryAfter ?? 30) * 1000, e);
    case webApi.ErrorCode.HTTPError:
      // A 5xx may come after Slack took the post; a 4xx is a request Slack will not take.
      return new DeliveryError(
        err.statusCode && err.statusCode >= 500 ? 'unknown' : 'permanent',
        say(`HTTP ${err.statusCode}`),
        undefined,
        e,
      );
    case webApi.ErrorCode.RequestError: {
      // The client's fetch says `fetch failed` and keeps the socket's code (ECONNREFUSED…) in its cause.
      const cause = err.original?.code ?? err.original?.cause?.code ?? err.original?.message ?? 'network error';
      // Refused or unresolved: it never reached Slack. A reset or a timeout may have come after the write.
      const outcome = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH/.test(cause) ? 'transient' : 'unknown';
      return new DeliveryError(outcome, say(cause), undefined, e);
    }
    default:
      return new DeliveryError('unknown', say(err.message ?? String(e)), undefined, e);
  }
}

/** A fault in one line, for the log: the Slack client's messages name the cause (`A request error occurred: connect ECONNREFUSED …`). */
export const faultText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
