import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config.ts';
import { DeliveryError } from '../runtime/outbox.ts';
import { requestContext } from './request-context.ts';

export type Fields = Record<string, unknown>;

/**
 * The server's log, one JSON object a line (`level`, `time`, `msg`, and the request's `requestId`,
 * `surface` and `person` when the line is about one). Callable as the `(line) => void` the runtime, the
 * stores and the adapters are handed, so none of them knows about pino; the entry point uses the levels.
 */
export interface Log {
  /** A line, and the error it is about, if any (then it is a fault: see `fault`). */
  (line: string, error?: unknown): void;
  trace(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  fatal(msg: string, fields?: Fields): void;
  /**
   * An error, said once. An expected network fault (a platform unreachable, a timeout, a 5xx, a 429, a
   * delivery the platform refused) is a warning whose `msg` carries the cause; its stack only at debug,
   * as the stack of a socket error says nothing an operator can act on. Anything else is an error with its stack.
   */
  fault(msg: string, error: unknown, fields?: Fields): void;
  child(bindings: Fields): Log;
  isEnabled(level: LogLevel): boolean;
}

export interface LogOptions {
  level: LogLevel;
  /** Human-readable lines (pino-pretty), for a terminal. */
  pretty?: boolean;
  /** Where lines go (default: stdout, written synchronously so nothing is lost at process.exit); tests pass their own. */
  destination?: DestinationStream;
}

export function createLog(options: LogOptions): Log {
  const common: LoggerOptions = {
    level: options.level,
    // Our own error summary (see describeError) instead of pino's, which copies every property of an
    // error, request headers and tokens included (botbuilder's and axios's errors carry them).
    serializers: { err: (e: unknown) => e },
    mixin: () => ({ ...(requestContext() ?? { surface: 'system' }) }),
  };
  // pino-pretty as a stream in this thread, not as a transport: a transport runs in a worker that
  // resolves its module at run time, which the bundle (dist/server.mjs) would have to ship beside it.
  const logger = options.pretty
    ? pino(
        common,
        pretty({
          sync: true,
          colorize: !options.destination,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          singleLine: true,
          destination: options.destination ?? 1,
        }),
      )
    : pino(
        { ...common, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
        options.destination ?? pino.destination({ dest: 1, sync: true }),
      );
  return wrap(logger);
}

function wrap(logger: Logger): Log {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: Fields): void =>
      fields ? logger[level](fields, msg) : logger[level](msg);
  const fault = (msg: string, error: unknown, fields?: Fields) => {
    const expected = isExpectedFault(error);
    const err = describeError(error, !expected || logger.isLevelEnabled('debug'));
    logger[expected ? 'warn' : 'error']({ ...fields, err }, msg);
  };
  const log = (line: string, error?: unknown) => (error === undefined ? logger[levelOfLine(line)](line) : fault(line, error));
  return Object.assign(log, {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    fault,
    child: (bindings: Fields) => wrap(logger.child(bindings)),
    isEnabled: (level: LogLevel) => logger.isLevelEnabled(level),
  });
}

/**
 * The lines the runtime and the adapters hand over carry no level (they were written before there
 * was one): those that say something went wrong are warnings, the rest information.
 */
const TROUBLE =
  /\b(could not|cannot|failed|fault|refused|unreachable|unusable|damaged|torn|gave up|not finished|left out|no longer running)\b/i;
const levelOfLine = (line: string): 'info' | 'warn' => (TROUBLE.test(line) ? 'warn' : 'info');

/** Socket and HTTP-client codes of a peer that did not answer, or not in time (Node, undici, the Slack client). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'slack_webapi_request_error',
  'slack_webapi_rate_limited_error',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  response?: { status?: unknown };
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
  original?: unknown;
}

/** The error and what it wraps (`cause`; the Slack client's `original`), outermost first. */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = error; e && typeof e === 'object' && chain.length < 5 && !chain.includes(e as ErrorLike); ) {
    chain.push(e as ErrorLike);
    e = (e as ErrorLike).cause ?? (e as ErrorLike).original;
  }
  return chain;
}

const statusOf = (e: ErrorLike): number | undefined => {
  const status = e.statusCode ?? e.status ?? e.response?.status;
  return typeof status === 'number' ? status : undefined;
};

/** A fault of the network or of a platform, not of AppWarden: it is expected to happen and to pass. */
export function isExpectedFault(error: unknown): boolean {
  return chainOf(error).some((e) => {
    if (e instanceof DeliveryError) return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
    const status = statusOf(e);
    return status !== undefined && (status >= 500 || status === 429);
  });
}

/** What the log says of an error: its kind, code, HTTP status and message, and its stack (with its causes') when asked. */
export function describeError(error: unknown, withStack: boolean): Fields {
  const [top, ...causes] = chainOf(error);
  if (!top) return { message: String(error) };
  const code = chainOf(error).find((e) => typeof e.code === 'string')?.code;
  const status = chainOf(error)
    .map(statusOf)
    .find((s) => s !== undefined);
  const kind = (error as object).constructor?.name;
  return {
    type: kind && kind !== 'Object' ? kind : String(top.name ?? 'Error'),
    ...(code ? { code } : {}),
    ...(status ? { status } : {}),
    message: String(top.message ?? error),
    ...(withStack ? { stack: [top, ...causes].map((e) => String(e.stack ?? e.message ?? '')).join('\ncaused by: ') } : {}),
  };
}
