/**
 * The one HTTP client of every HTTP channel (DESIGN §6), in four steps:
 *   transport (transport.ts: one attempt, every stage under one deadline, direct or through a proxy)
 *   → verdict (the channel's reading of the answer, or failure.ts for an attempt without one)
 *   → retry (backoff with jitter, Retry-After, never a resend that could post twice)
 *   → outcome (one redacted line).
 * Robots are paced to their platform's rate (pacing.ts). A dry run prints the request and sends nothing.
 */
import type { Logger } from '../logger.js';
import { USER_AGENT } from '../version.js';
import { judgeFailure, errorMessage } from './failure.js';
import { Pacer, type PaceSpec } from './pacing.js';
import { proxySettings, proxyUrl } from './proxy.js';
import type { Redactor } from './redact.js';
import { formatSeconds, httpErrorLine, isTransientStatus, oneLine } from './text.js';
import { createTransport, type Attempt, type Transport } from './transport.js';
import type { DeliverOptions, DeliveryOutcome, HttpAnswer, HttpClient, HttpRequestSpec, Verdict } from './types.js';

export { formatSeconds, httpErrorLine, isTransientStatus } from './text.js';

export interface HttpClientOptions {
  timeoutMs: number;
  retries: number;
  log: Logger;
  redactor: Redactor;
  dryRun: boolean;
  /** Proxy variables are read from here, never from process.env (tests inject their own). */
  env: NodeJS.ProcessEnv;
  userAgent?: string;
  /** Injected so tests can record the waits instead of sleeping through them. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Milliseconds clock for pacing (injected with `sleep` in tests). */
  now?: () => number;
  /** The longest a message waits for its robot's rate (pacing.ts PACING_CAP_MS). */
  pacingCapMs?: number;
}

/** Backoff: 1 s, 2 s, 4 s … capped at 30 s, with equal jitter (half fixed, half random). */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;
/**
 * A server may ask for any Retry-After (rate-limited chat robots say minutes: DingTalk's penalty is
 * 10 min, API_FACTS §A.8). A notification step should not sit idle that long, so we wait at most
 * 60 s; if that is not enough the delivery fails with the server's answer instead of hanging the job.
 */
export const RETRY_AFTER_CAP_MS = 60_000;
/** Waits from this long on are announced in the log (not only in debug), and repeated while they last. */
const LONG_WAIT_MS = 5000;
const PROGRESS_EVERY_MS = 30_000;

interface Client {
  options: HttpClientOptions;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  userAgent: string;
  pacer: Pacer;
  transport: () => Transport;
}

/** One `deliver` call: its request, limits and clock. */
interface Job {
  label: string;
  timeoutMs: number;
  maxAttempts: number;
  build: () => HttpRequestSpec;
  elapsed: () => number;
  onAttempt: () => void;
}

/**
 * Milliseconds on a monotonic clock. Not `performance.now()`: the first touch of the `performance`
 * global loads perf_hooks and eight internal perf modules (~1–2 ms of start-up on Node 24).
 */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const proxies = proxySettings(options.env);
  for (const value of [proxies.httpProxy, proxies.httpsProxy]) redactProxyPassword(value, options.redactor);
  let transport: Transport | null = null;
  const client: Client = {
    options,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    userAgent: options.userAgent ?? USER_AGENT,
    pacer: new Pacer(options.now ?? monotonicMs, options.pacingCapMs),
    transport: () => (transport ??= createTransport(proxies)),
  };
  return {
    deliver: (request, read = readHttpStatus, deliverOptions = {}) => deliver(client, request, read, deliverOptions),
    close: async () => {
      transport?.close();
      transport = null;
    },
  };
}

async function deliver(
  client: Client,
  request: HttpRequestSpec | (() => HttpRequestSpec),
  read: (answer: HttpAnswer) => Verdict,
  deliverOptions: DeliverOptions,
): Promise<DeliveryOutcome> {
  const started = monotonicMs();
  const factory = typeof request === 'function' ? request : () => request;
  const job: Job = {
    label: deliverOptions.label ?? 'http',
    timeoutMs: deliverOptions.timeoutMs ?? client.options.timeoutMs,
    maxAttempts: 1 + Math.max(0, deliverOptions.retries ?? client.options.retries),
    build: () => withUserAgent(factory(), client.userAgent),
    elapsed: () => Math.round(monotonicMs() - started),
    onAttempt: deliverOptions.onAttempt ?? (() => {}),
  };
  return client.options.dryRun ? dryRun(client, job) : sendWithRetries(client, job, read);
}

function dryRun(client: Client, job: Job): DeliveryOutcome {
  const { log, redactor } = client.options;
  const outcome = { dry_run: true, attempts: 0, status_code: null, answer: null };
  try {
    log.info(redactor.redact(describeRequest(job.label, job.build())));
    return { ...outcome, ok: true, error: null, duration_ms: job.elapsed() };
  } catch (error) {
    const message = redactor.redact(oneLine(`could not build the request: ${errorMessage(error)}`));
    return { ...outcome, ok: false, error: message, duration_ms: job.elapsed() };
  }
}

interface Failure {
  answer: HttpAnswer | null;
  error: string;
  hint?: string;
}

type Step =
  | { ok: true; answer: HttpAnswer; note?: string }
  | (Failure & { ok: false; retry: boolean; waitMs: number | null; reason: string });

/** The retry loop (contract in types.ts HttpClient.deliver). */
async function sendWithRetries(
  client: Client,
  job: Job,
  read: (answer: HttpAnswer) => Verdict,
): Promise<DeliveryOutcome> {
  let attempts = 0;
  let pacedMs = 0;
  let last: Failure = { answer: null, error: 'not sent' };
  while (attempts < job.maxAttempts) {
    let spec: HttpRequestSpec;
    try {
      spec = job.build();
    } catch (error) {
      last = { answer: null, error: `could not build the request: ${errorMessage(error)}` };
      break;
    }
    const turn = spec.pace ? await waitForRobot(client, job, spec.pace) : 0;
    if (typeof turn === 'string') {
      last = { answer: null, error: turn };
      break;
    }
    pacedMs += turn;
    attempts++;
    job.onAttempt();
    const step = judge(await client.transport().send(spec, job.timeoutMs), read, spec, job.timeoutMs);
    if (step.ok) return succeeded(client, job, step, attempts, pacedMs);
    last = step;
    if (!step.retry || attempts >= job.maxAttempts) break;
    await waitBeforeRetry(client, job, attempts, step);
  }
  return failed(client, job, last, attempts, pacedMs);
}

/** Reads one attempt: the channel's verdict on an answer, or what a failure without one means. */
function judge(
  attempt: Attempt,
  read: (answer: HttpAnswer) => Verdict,
  spec: HttpRequestSpec,
  timeoutMs: number,
): Step {
  if (attempt.kind === 'failed') {
    const { error, retry } = judgeFailure(attempt, timeoutMs, isIdempotent(spec), spec.method === 'GET');
    return { ok: false, answer: null, error, retry, waitMs: null, reason: error };
  }
  const { answer } = attempt;
  const verdict = safeRead(read, answer);
  const reason = `HTTP ${answer.status}`;
  // A platform code of success inside a 5xx (or any non-2xx) is not a delivery: the status wins.
  if (verdict.ok && answer.status >= 200 && answer.status < 300) return { ok: true, answer, ...pickNote(verdict) };
  // A platform's own wait (Discord's and Telegram's retry_after) counts only when it is a real wait.
  const platformWaitMs = !verdict.ok && (verdict.retryAfterMs ?? 0) > 0 ? verdict.retryAfterMs! : null;
  const waitMs = platformWaitMs ?? parseRetryAfter(answer.headers['retry-after'], Date.now());
  const failure: { error: string; hint?: string } = verdict.ok
    ? { error: httpErrorLine(answer) }
    : { error: verdict.error, ...pickHint(verdict) };
  // Redirects are never followed (the body and its signature were made for this URL, and a Location
  // may point anywhere): whatever the channel's reading, the fix is the final URL.
  if (failure.hint === undefined && answer.status >= 300 && answer.status < 400) failure.hint = REDIRECT_HINT;
  let retry = isTransientStatus(answer.status) || (!verdict.ok && verdict.retry);
  // Every 5xx from the platform is retried (DESIGN §6). Through a forward proxy, though, a 502/504 is
  // the proxy speaking for a target that may have taken the whole request and then gone silent
  // (RFC 9110 §15.6.3, §15.6.5): the silence judgeFailure refuses to resend, so it is not resent either.
  if (retry && attempt.forwarded === true && GATEWAY_STATUSES.has(answer.status) && !isIdempotent(spec)) {
    retry = false;
    failure.error +=
      ' (the proxy answered for the target: it may have been delivered; not retried to avoid a duplicate)';
  }
  return { ok: false, answer, ...failure, retry, waitMs, reason };
}

const GATEWAY_STATUSES = new Set([502, 504]);

/** GET and PUT are idempotent by HTTP's definition; a POST only when it carries a key the receiver dedupes on. */
function isIdempotent(spec: HttpRequestSpec): boolean {
  return spec.idempotent === true || spec.method === 'GET' || spec.method === 'PUT';
}

async function waitBeforeRetry(
  client: Client,
  job: Job,
  attempts: number,
  step: { waitMs: number | null; reason: string },
) {
  const waitMs = Math.min(step.waitMs ?? backoffDelay(attempts, client.random), RETRY_AFTER_CAP_MS);
  const what = `attempt ${attempts + 1}/${job.maxAttempts} after ${step.reason}`;
  await waitLogged(client, job, waitMs, what);
}

/** Queues for the robot's rate; the milliseconds waited, or why the message cannot be sent in time. */
async function waitForRobot(client: Client, job: Job, pace: PaceSpec): Promise<number | string> {
  const turn = client.pacer.reserve(pace);
  if (!turn.ok) return turn.error;
  if (turn.waitMs <= 0) return 0;
  const what = `sending when the robot's rate limit allows (${Pacer.describe(pace)}; ${turn.queued} queued for this robot)`;
  await waitLogged(client, job, turn.waitMs, what, true);
  return turn.waitMs;
}

/** Sleeps; a long wait says so in the log when it starts and every 30 s while it lasts. */
async function waitLogged(client: Client, job: Job, waitMs: number, what: string, announce = false) {
  const { log, redactor } = client.options;
  const line = (text: string) => redactor.redact(`${job.label}: ${text}`);
  if (waitMs < LONG_WAIT_MS && !announce) {
    log.debug(line(`${what}, waiting ${formatSeconds(waitMs)}`));
    return client.sleep(waitMs);
  }
  log.info(line(`waiting ${formatSeconds(waitMs)}: ${what}`));
  const until = monotonicMs() + waitMs;
  const progress = setInterval(() => {
    const left = Math.round((until - monotonicMs()) / 1000) * 1000;
    if (left > 0) log.info(line(`still waiting, ${formatSeconds(left)} left`));
  }, PROGRESS_EVERY_MS);
  progress.unref();
  try {
    await client.sleep(waitMs);
  } finally {
    clearInterval(progress);
  }
}

function succeeded(client: Client, job: Job, step: Extract<Step, { ok: true }>, attempts: number, pacedMs: number) {
  if (step.note) client.options.log.info(client.options.redactor.redact(`${job.label}: ${oneLine(step.note)}`));
  return {
    ok: true,
    dry_run: false,
    attempts,
    status_code: step.answer.status,
    error: null,
    answer: step.answer,
    duration_ms: job.elapsed(),
    ...(pacedMs > 0 ? { paced_ms: Math.round(pacedMs) } : {}),
  };
}

function failed(client: Client, job: Job, last: Failure, attempts: number, pacedMs: number): DeliveryOutcome {
  const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
  const hint = last.hint ? ` — ${last.hint}` : '';
  return {
    ok: false,
    dry_run: false,
    attempts,
    status_code: last.answer?.status ?? null,
    error: client.options.redactor.redact(oneLine(`${last.error}${gaveUp}${hint}`)),
    answer: last.answer,
    duration_ms: job.elapsed(),
    ...(pacedMs > 0 ? { paced_ms: Math.round(pacedMs) } : {}),
  };
}

/** The default verdict (webhooks, DESIGN §6): any 2xx is success. */
export function readHttpStatus(answer: HttpAnswer): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: httpErrorLine(answer),
    ...(answer.status >= 300 && answer.status < 400 ? { hint: REDIRECT_HINT } : {}),
  };
}

const REDIRECT_HINT = 'the URL redirects; use the final URL';

/** Exponential backoff with equal jitter; `retry` is 1 for the wait before the second attempt. */
export function backoffDelay(retry: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Math.round(Number(trimmed) * 1000), RETRY_AFTER_CAP_MS);
  // Only the three HTTP-date forms (RFC 9110 §5.6.7), all starting with the day's name: V8's
  // Date.parse also reads "-5" or "in 5" as dates in 2001 (an instant retry) and "soon 2030" as one
  // in 2030 (the longest wait). asctime has no zone; HTTP dates are GMT.
  const match = HTTP_DATE.exec(trimmed);
  if (!match) return null;
  const date = Date.parse(match[2] ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - nowMs), RETRY_AFTER_CAP_MS);
}

/** IMF-fixdate, RFC 850 and asctime: a day name, the date, a time, and GMT for the first two. */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s[\w\s-]*\d{1,2}:\d{2}:\d{2}(?:\s+\d{4}$|\s+(GMT)$)/;

function pickNote(verdict: Verdict): { note?: string } {
  return verdict.ok && verdict.note ? { note: verdict.note } : {};
}

function pickHint(verdict: Verdict): { hint?: string } {
  return !verdict.ok && verdict.hint ? { hint: verdict.hint } : {};
}

function withUserAgent(spec: HttpRequestSpec, userAgent: string): HttpRequestSpec {
  if (Object.keys(spec.headers).some((name) => name.toLowerCase() === 'user-agent')) return spec;
  return { ...spec, headers: { ...spec.headers, 'User-Agent': userAgent } };
}

function safeRead(read: (answer: HttpAnswer) => Verdict, answer: HttpAnswer): Verdict {
  try {
    return read(answer);
  } catch (error) {
    return {
      ok: false,
      retry: false,
      error: `could not read the answer (${errorMessage(error)}): ${httpErrorLine(answer)}`,
    };
  }
}

/**
 * A password in a proxy URL is a credential like any other: never in the log, nor the
 * Proxy-Authorization value made of it. Read as proxyFor reads it ("user:pass@proxy:3128" has no
 * scheme and still carries a password); a value that is no URL is reported by the first request,
 * without quoting it.
 */
function redactProxyPassword(value: string, redactor: Redactor): void {
  const proxy = value ? proxyUrl(value) : null;
  // As a URL, the redactor registers its password, `user:password` and their Basic base64 (redact.ts urlSecretParts).
  if (proxy?.password) redactor.add(proxy.href);
}

/** Header names whose values are credentials, or signatures made with one, whatever the redactor knows. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|signature/i;
/**
 * Where a signature made with the secret travels outside the headers: DingTalk's `sign` query
 * parameter and Lark's `sign` body field. With its timestamp it is a credential for as long as the
 * platform accepts it (an hour), so the dump masks it like the secret.
 */
const SIGNATURE_PARAM = /([?&](?:sign|signature)=)[^&#]*/gi;
const SIGNATURE_FIELDS = new Set(['sign', 'signature']);

/** The dry-run dump: method, URL, headers (credentials masked) and the body, pretty when JSON. */
function describeRequest(label: string, spec: HttpRequestSpec): string {
  const lines = [`[dry run] ${label}: ${spec.method} ${spec.url.replace(SIGNATURE_PARAM, '$1***')}`];
  for (const [name, value] of Object.entries(spec.headers))
    lines.push(`  ${name}: ${SECRET_HEADER.test(name) ? '***' : value}`);
  if (spec.body !== undefined && spec.method !== 'GET') lines.push('', shownBody(spec.body));
  return lines.join('\n');
}

/** A request body as a dry run shows it (the log's dump, the job summary's preview): pretty when JSON, signature masked. */
export function shownBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      for (const key of Object.keys(parsed))
        if (SIGNATURE_FIELDS.has(key.toLowerCase())) (parsed as Record<string, unknown>)[key] = '***';
    return JSON.stringify(parsed, null, 2);
  } catch {
    return body; // not JSON: as sent
  }
}
