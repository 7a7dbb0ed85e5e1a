/**
 * Sends signed `/apps` slash commands to a Slack endpoint on a fixed timetable — open loop: request i
 * leaves at start + i/rate whether or not earlier ones were answered, as Slack would send them — and
 * prints one JSON document: ack latencies (from each request's scheduled time to its HTTP response, so
 * a late send counts against the figure rather than hiding it), errors, and how late sends left.
 * Run it in its own process so that it does not share an event loop with what it measures.
 *
 *   npx tsx bench/load-generator.ts --url http://127.0.0.1:3000/slack/events --secret S \
 *     --respond http://127.0.0.1:4000 [--rate 200] [--seconds 30] [--warmup 3] [--mix check,attest] [--tag run1]
 *     [--answers FILE]   # appends {"i":…,"text":…} for each answer that came in an ack, as it comes
 *
 * `--url` may be given several times: request i goes to url i mod n, a round-robin load balancer with
 * no stickiness. `--concurrency K` runs closed loop instead: K senders, each sending its next request
 * when the last one is answered, for `--seconds` (throughput at saturation; latency from each send).
 */
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { slackSignature, slashCommand } from '../tests/support/slack-requests.ts';
import { summarize, type Summary } from './lib/report.ts';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string', multiple: true },
    secret: { type: 'string' },
    respond: { type: 'string' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '0' },
    mix: { type: 'string', default: 'check,attest' },
    tag: { type: 'string', default: 'load' },
    'timeout-ms': { type: 'string', default: '10000' },
    answers: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
if (!o.url?.length || !o.secret || !o.respond) throw new Error('--url, --secret and --respond are required');
const urls = o.url.map((u) => new URL(u));
const rate = Number(o.rate);
const warmupCount = Math.round(Number(o.warmup) * rate);
let total = warmupCount + Math.round(Number(o.seconds) * rate);
const commands = o.mix.split(',');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

export interface LoadReport {
  sent: number;
  /** Measured requests (after the warm-up) that got a 200. */
  acked: number;
  /** Of those, how many carried the answer in the ack's body. */
  answeredInAck: number;
  errors: Record<string, number>;
  latencyMs: Summary;
  byCommand: Record<string, Summary>;
  /** How late each send left its scheduled time: the generator's own lag. */
  sendLateMs: Summary;
  seconds: number;
  /** From the first measured request's send to the last answer: what acked/s is counted over. */
  measuredSeconds: number;
}

/**
 * What request i says: `check tiktok` as one of the 10,000 people the data directory was preloaded
 * with (so their records are read), or `attest tiktok` as a person never seen before (so each one
 * records new attestations).
 */
function commandFor(i: number): { user: string; text: string; command: string } {
  const command = commands[i % commands.length]!;
  if (command === 'attest') return { command, user: `UA${o.tag.toUpperCase()}X${i}`, text: 'attest tiktok' };
  return { command, user: `UP${(i * 7919) % 10_000}`, text: 'check tiktok' };
}

const latencies: number[] = [];
const byCommand: Record<string, number[]> = {};
const late: number[] = [];
const errors: Record<string, number> = {};
let acked = 0;
let answeredInAck = 0;
let outstanding = 0;
let firstMeasuredAt = Number.NaN;
let lastAnswerAt = Number.NaN;
const countError = (i: number, kind: string) => {
  if (i >= warmupCount) errors[kind] = (errors[kind] ?? 0) + 1;
};

/** Sends request i; `scheduled` is when its latency counts from; `answered` runs once it is settled. */
function send(i: number, scheduled: number, answered?: () => void): void {
  const { user, text, command } = commandFor(i);
  const url = urls[i % urls.length]!;
  const body = slashCommand(o.respond!, user, text, `${o.tag}-${i}`);
  const ts = Math.floor(Date.now() / 1000);
  outstanding++;
  const req = request(url, {
    method: 'POST',
    agent,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': Buffer.byteLength(body),
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': slackSignature(body, ts, o.secret),
    },
  });
  late.push(performance.now() - scheduled);
  if (i === warmupCount) firstMeasuredAt = performance.now();
  let settled = false;
  const done = (error?: string, body = '') => {
    if (settled) return;
    settled = true;
    outstanding--;
    answered?.();
    if (error) return countError(i, error);
    // Written at once, synchronously: whoever reads the file after a crash sees every answer given before it.
    if (body && o.answers)
      appendFileSync(o.answers, `${JSON.stringify({ i, text: (JSON.parse(body) as { text?: string }).text ?? '' })}\n`);
    if (i < warmupCount) return;
    lastAnswerAt = performance.now();
    const ms = lastAnswerAt - scheduled;
    latencies.push(ms);
    (byCommand[command] ??= []).push(ms);
    acked++;
    if (body) answeredInAck++;
  };
  req.setTimeout(Number(o['timeout-ms']), () => {
    done('timeout');
    req.destroy();
  });
  req.on('response', (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => done(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`, body));
    res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
  req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  req.end(body);
}

const start = performance.now() + 20;
let next = 0;
// SIGTERM ends the timetable early: what was sent is waited for and reported (bench/crash.ts stops it so).
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  total = next;
});
if (o.concurrency) await closedLoop(Number(o.concurrency));
else await openLoop();

async function openLoop(): Promise<void> {
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request whose time has come goes now, however many that is: the timetable never slips.
      while (next < total && start + (next * 1000) / rate <= now) {
        send(next, start + (next * 1000) / rate);
        next++;
      }
      if (next < total) setTimeout(tick, Math.min(100, Math.max(0, start + (next * 1000) / rate - performance.now())));
      else resolve();
    };
    setTimeout(tick, 20);
  });
}

/** K senders back to back; the warm-up is the first `--warmup` × `--rate` requests, as in the open loop. */
async function closedLoop(senders: number): Promise<void> {
  const ends = start + (Number(o.warmup) + Number(o.seconds)) * 1000;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const sender = async () => {
    while (!stopping && performance.now() < ends) {
      const i = next++;
      await new Promise<void>((answered) => send(i, performance.now(), answered));
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  total = next;
}
const deadline = performance.now() + Number(o['timeout-ms']) + 1000;
while (outstanding > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
agent.destroy();

const report: LoadReport = {
  sent: Math.max(0, total - warmupCount),
  acked,
  answeredInAck,
  errors,
  latencyMs: summarize(latencies),
  byCommand: Object.fromEntries(Object.entries(byCommand).map(([command, values]) => [command, summarize(values)])),
  sendLateMs: summarize(late),
  seconds: (performance.now() - start) / 1000,
  measuredSeconds: (lastAnswerAt - firstMeasuredAt) / 1000,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
