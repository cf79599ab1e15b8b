/**
 * The one HTTP client of every HTTP channel (DESIGN §6): per-request timeout, retries with
 * exponential backoff and jitter, Retry-After, proxies from the environment, redacted errors and
 * logs, dry run. undici is loaded on the first real request only: a dry run and the startup of
 * every run that sends nothing never pay for it.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../platform/types.js';
import { USER_AGENT } from '../version.js';
import type { Redactor } from './redact.js';
import type { DeliverOptions, DeliveryOutcome, HttpAnswer, HttpClient, HttpRequestSpec, Verdict } from './types.js';

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
/** Enough of an answer for any platform's JSON verdict; a runaway body is cut here. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Characters of an error body quoted in a one-line error. */
const ERROR_BODY_CHARS = 200;

/**
 * The parts of undici a delivery needs. undici's index evaluates all of it (fetch, WebSocket, the
 * cache, mocks: ~110 ms on Node 20); these three modules take ~45 ms (measured, see loadUndici).
 */
interface Undici {
  Agent: typeof import('undici').Agent;
  EnvHttpProxyAgent: typeof import('undici').EnvHttpProxyAgent;
  /** undici's `request` as a Dispatcher method: `this` is the dispatcher. */
  request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const userAgent = options.userAgent ?? USER_AGENT;
  const { log, redactor } = options;
  let network: Promise<{ undici: Undici; dispatcher: Dispatcher }> | null = null;

  const connect = (): Promise<{ undici: Undici; dispatcher: Dispatcher }> => {
    network ??= loadUndici(options.env).then((undici) => ({
      undici,
      dispatcher: createDispatcher(undici, options.env),
    }));
    return network;
  };

  async function deliver(
    request: HttpRequestSpec | (() => HttpRequestSpec),
    read: (answer: HttpAnswer) => Verdict = readHttpStatus,
    deliverOptions: DeliverOptions = {},
  ): Promise<DeliveryOutcome> {
    const started = performance.now();
    const label = deliverOptions.label ?? 'http';
    const timeoutMs = deliverOptions.timeoutMs ?? options.timeoutMs;
    const maxAttempts = 1 + Math.max(0, deliverOptions.retries ?? options.retries);
    const build = typeof request === 'function' ? request : () => request;
    const elapsed = () => Math.round(performance.now() - started);

    if (options.dryRun) {
      let spec: HttpRequestSpec;
      try {
        spec = withUserAgent(build(), userAgent);
      } catch (error) {
        const message = redactor.redact(oneLine(`could not build the request: ${errorMessage(error)}`));
        return {
          ok: false,
          dry_run: true,
          attempts: 0,
          status_code: null,
          error: message,
          answer: null,
          duration_ms: elapsed(),
        };
      }
      log.info(redactor.redact(describeRequest(label, spec)));
      return {
        ok: true,
        dry_run: true,
        attempts: 0,
        status_code: null,
        error: null,
        answer: null,
        duration_ms: elapsed(),
      };
    }

    const { undici, dispatcher } = await connect();
    let attempts = 0;
    let last: { answer: HttpAnswer | null; error: string; hint?: string } = { answer: null, error: 'not sent' };

    while (attempts < maxAttempts) {
      let spec: HttpRequestSpec;
      try {
        spec = withUserAgent(build(), userAgent);
      } catch (error) {
        last = { answer: null, error: `could not build the request: ${errorMessage(error)}` };
        break;
      }
      attempts++;
      const result = await sendOnce(undici, dispatcher, spec, timeoutMs);

      let wait: number | null;
      let reason: string;
      if (result.kind === 'answer') {
        const verdict = safeRead(read, result.answer);
        if (verdict.ok) {
          if (verdict.note) log.info(redactor.redact(`${label}: ${verdict.note}`));
          return {
            ok: true,
            dry_run: false,
            attempts,
            status_code: result.answer.status,
            error: null,
            answer: result.answer,
            duration_ms: elapsed(),
          };
        }
        last = { answer: result.answer, error: verdict.error, ...(verdict.hint ? { hint: verdict.hint } : {}) };
        const retryable = isTransientStatus(result.answer.status) || verdict.retry;
        if (!retryable) break;
        wait = verdict.retryAfterMs ?? parseRetryAfter(result.answer.headers['retry-after'], Date.now());
        reason = `HTTP ${result.answer.status}`;
      } else {
        last = { answer: null, error: result.error };
        // After the headers arrived the platform has the request: sending it again could post twice.
        if (!result.retry) break;
        wait = null;
        reason = result.error;
      }
      if (attempts >= maxAttempts) break;

      const waitMs = Math.min(wait ?? backoffDelay(attempts, random), RETRY_AFTER_CAP_MS);
      log.debug(
        redactor.redact(
          `${label}: attempt ${attempts + 1}/${maxAttempts} after ${reason}, waiting ${formatSeconds(waitMs)}`,
        ),
      );
      await sleep(waitMs);
    }

    const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    const hint = last.hint ? ` — ${last.hint}` : '';
    return {
      ok: false,
      dry_run: false,
      attempts,
      status_code: last.answer?.status ?? null,
      error: redactor.redact(oneLine(`${last.error}${gaveUp}${hint}`)),
      answer: last.answer,
      duration_ms: elapsed(),
    };
  }

  /** `retry: false` after the answer's headers arrived, or when the request itself is invalid. */
  type Attempt = { kind: 'answer'; answer: HttpAnswer } | { kind: 'failed'; error: string; retry: boolean };

  async function sendOnce(
    undici: Undici,
    dispatcher: Dispatcher,
    spec: HttpRequestSpec,
    timeoutMs: number,
  ): Promise<Attempt> {
    // One timer for the whole exchange (connect, headers, body): "10 s" means 10 s, whichever phase hangs.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let headersArrived = false;
    try {
      const url = new URL(spec.url);
      const response = await undici.request.call(dispatcher, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: spec.method,
        headers: spec.headers,
        ...(spec.body !== undefined && spec.method !== 'GET' ? { body: spec.body } : {}),
        signal: controller.signal,
      });
      headersArrived = true;
      const text = await readCapped(response.body);
      return {
        kind: 'answer',
        answer: { status: response.statusCode, headers: flattenHeaders(response.headers), text, json: parseJson(text) },
      };
    } catch (error) {
      const timedOut = controller.signal.aborted;
      const what = timedOut ? `timed out after ${formatSeconds(timeoutMs)}` : describeNetworkError(error);
      const phase = headersArrived
        ? ' while reading the answer (the request may have been delivered; not retried to avoid a duplicate)'
        : '';
      const invalid = errorCode(error) === 'UND_ERR_INVALID_ARG';
      return {
        kind: 'failed',
        error: invalid ? `invalid request: ${errorMessage(error)}` : `${what}${phase}`,
        retry: !headersArrived && !invalid,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    if (!network) return;
    const { dispatcher } = await network;
    network = null;
    await dispatcher.close();
  }

  return { deliver, close };
}

/** The default verdict (webhooks, DESIGN §6): any 2xx is success. */
export function readHttpStatus(answer: HttpAnswer): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: httpErrorLine(answer),
    ...(answer.status >= 300 && answer.status < 400 ? { hint: 'the URL redirects; use the final URL' } : {}),
  };
}

/** "HTTP 404 Not Found: <first 200 characters of the body>" — for verdicts of every channel. */
export function httpErrorLine(answer: HttpAnswer): string {
  const reason = STATUS_REASONS[answer.status] ?? '';
  const body = oneLine(answer.text).trim();
  const quoted = body ? `: ${body.length > ERROR_BODY_CHARS ? `${body.slice(0, ERROR_BODY_CHARS)}…` : body}` : '';
  return `HTTP ${answer.status}${reason ? ` ${reason}` : ''}${quoted}`;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

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
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - nowMs), RETRY_AFTER_CAP_MS);
}

/** "1.2 s", "10 s", "0.25 s". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(seconds < 1 ? 2 : 1))} s`;
}

/**
 * undici parses HTTP with llhttp compiled to WebAssembly, and V8 optimises hot WebAssembly with
 * TurboFan in background threads that the process waits for when it exits: ~100–300 ms of a run
 * that sends a handful of requests (measured with `npm run bench`, --cpu-prof and perf). The
 * baseline (Liftoff) code parses a few small answers just as well, so optimisation is switched off
 * before the module is compiled: `--liftoff-only` is what Node 20's V8 honours at run time, a
 * tiering budget no run reaches is what Node 24's does. Only WebAssembly is affected, which
 * nothing else in the bundle uses.
 */
async function loadUndici(env: NodeJS.ProcessEnv): Promise<Undici> {
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--liftoff-only');
    v8.setFlagsFromString('--wasm-tiering-budget=1000000000');
  } catch {
    /* an engine without the flag simply compiles as usual */
  }
  if (proxyFrom(env).httpProxy || proxyFrom(env).httpsProxy) {
    // The proxy agent tunnels with Dispatcher#connect, which only undici's index mixes in.
    const undici = await import('undici');
    return {
      Agent: undici.Agent,
      EnvHttpProxyAgent: undici.EnvHttpProxyAgent,
      request: undici.Dispatcher.prototype.request,
    };
  }
  const [agent, proxyAgent, request] = await Promise.all([
    import('undici/lib/dispatcher/agent.js'),
    import('undici/lib/dispatcher/env-http-proxy-agent.js'),
    import('undici/lib/api/api-request.js'),
  ]);
  return { Agent: agent.default, EnvHttpProxyAgent: proxyAgent.default, request: request.default };
}

/** curl's precedence: the lower-case name wins. */
function proxyFrom(env: NodeJS.ProcessEnv): { httpProxy: string; httpsProxy: string; noProxy: string } {
  return {
    httpProxy: env.http_proxy || env.HTTP_PROXY || '',
    httpsProxy: env.https_proxy || env.HTTPS_PROXY || '',
    noProxy: env.no_proxy || env.NO_PROXY || '',
  };
}

function createDispatcher(undici: Undici, env: NodeJS.ProcessEnv): Dispatcher {
  // Empty strings are passed on purpose: undici falls back to process.env for an undefined option,
  // and the injected env must be the only source.
  const { httpProxy, httpsProxy, noProxy } = proxyFrom(env);
  if (!httpProxy && !httpsProxy) return new undici.Agent();
  return new undici.EnvHttpProxyAgent({
    httpProxy,
    httpsProxy: httpsProxy || httpProxy,
    noProxy,
    // Plain-http targets go through the proxy as absolute-URI requests (what curl and every
    // forward proxy expect); https targets are tunnelled with CONNECT.
    proxyTunnel: false,
  });
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

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'the server closed the connection',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain contains a self-signed certificate (set NODE_EXTRA_CA_CERTS?)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS?)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'TLS handshake failed: the server does not speak HTTPS on this port (http:// instead of https://?)',
};

function describeNetworkError(error: unknown): string {
  // undici wraps the socket error: the code that says what happened is often on `cause`.
  const codes = [errorCode(error), errorCode((error as { cause?: unknown })?.cause)].filter((c): c is string => !!c);
  for (const code of codes) {
    const known = NETWORK_ERRORS[code];
    if (known) return `${known} (${code})`;
  }
  const message = errorMessage((error as { cause?: unknown })?.cause ?? error) || errorMessage(error);
  return `network error: ${message}${codes[0] ? ` (${codes[0]})` : ''}`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Header names whose values are credentials whatever the redactor knows. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key/i;

/** The dry-run dump: method, URL, headers (credentials masked) and the body, pretty when JSON. */
function describeRequest(label: string, spec: HttpRequestSpec): string {
  const lines = [`[dry run] ${label}: ${spec.method} ${spec.url}`];
  for (const [name, value] of Object.entries(spec.headers))
    lines.push(`  ${name}: ${SECRET_HEADER.test(name) ? '***' : value}`);
  if (spec.body !== undefined && spec.method !== 'GET') {
    let body = spec.body;
    try {
      body = JSON.stringify(JSON.parse(spec.body), null, 2);
    } catch {
      /* not JSON: print as sent */
    }
    lines.push('', body);
  }
  return lines.join('\n');
}

const STATUS_REASONS: Record<number, string> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
