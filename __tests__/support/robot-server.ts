/**
 * The loopback HTTP plumbing the chat-robot stand-ins share (dingtalk-server, wecom-server,
 * lark-server): a node:http server on 127.0.0.1, every request recorded, accepted messages kept,
 * and scriptable rate limiting ("the next N requests are rate limited"). Each platform supplies
 * only its own rules and answers.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
  /** What the stand-in answered. */
  answer: { status: number; json: unknown };
  /** When the request arrived and when it was answered (ms since epoch), to observe concurrency. */
  arrivedAt: number;
  answeredAt: number;
}

export interface PlatformAnswer {
  status?: number;
  json: unknown;
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
}

export interface RobotRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
  /** Server time in ms (the stand-in's clock, injectable). */
  nowMs: number;
  /** True when this request was scripted to be rate limited. */
  rateLimited: boolean;
}

export interface RobotServerCore {
  /** Base URL of the stand-in, http://127.0.0.1:<port>. */
  origin: string;
  /** Every message the platform accepted (parsed JSON bodies), in order. */
  received: unknown[];
  /** Every request, accepted or not, with the answer given. */
  requests: RecordedRequest[];
  /** The next `n` requests (that pass the token check) are answered with the platform's rate-limit code. */
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

export interface RobotServerTiming {
  /** The stand-in's clock (signature skew checks). */
  now?: () => number;
  /** Wait this long before answering, like a slow platform. */
  delayMs?: number;
  /**
   * Enforce the platform's rate like the real robot: a request arriving when this many were
   * accepted within the last minute gets the platform's rate-limit code (not counted).
   */
  ratePerMinute?: number;
}

export async function startRobotServer(
  handle: (request: RobotRequest) => { answer: PlatformAnswer; accepted: boolean },
  timing: RobotServerTiming = {},
): Promise<RobotServerCore> {
  const now = timing.now ?? Date.now;
  const received: unknown[] = [];
  const requests: RecordedRequest[] = [];
  let rateLimited = 0;
  /** Arrival times of the requests within the last minute that the rate let through. */
  const window: number[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const arrivedAt = Date.now();
    req.on('end', () => void answerLater());
    const answerLater = async () => {
      if (timing.delayMs) await new Promise((resolve) => setTimeout(resolve, timing.delayMs));
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const arrived = arrivedAt;
      while (window.length && (window[0] as number) <= arrived - 60_000) window.shift();
      const overRate = timing.ratePerMinute !== undefined && window.length >= timing.ratePerMinute;
      const limited = rateLimited > 0 || overRate;
      if (rateLimited > 0) rateLimited--;
      else if (!overRate) window.push(arrived);
      const { answer, accepted } = handle({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
        nowMs: now(),
        rateLimited: limited,
      });
      if (accepted) received.push(json);
      const status = answer.status ?? 200;
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        json,
        answer: { status, json: answer.json },
        arrivedAt,
        answeredAt: Date.now(),
      });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
      res.end(JSON.stringify(answer.json));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    requests,
    rateLimitNext(n: number) {
      rateLimited = n;
    },
    // Idempotent, so a test may close early and an afterEach close again.
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every string that a keyword check can read: text values, never URLs (API_FACTS §C.4). */
export function textValues(value: unknown, skipKeys: ReadonlySet<string> = URL_KEYS): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => textValues(v, skipKeys));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, v]) => (skipKeys.has(key) ? [] : textValues(v, skipKeys)));
  }
  return [];
}

const URL_KEYS: ReadonlySet<string> = new Set([
  'href',
  'url',
  'messageUrl',
  'messageURL',
  'picUrl',
  'picURL',
  'singleURL',
  'actionURL',
  'picurl',
  'timestamp',
  'sign',
  'msg_type',
  'msgtype',
  'tag',
  'template',
]);

export function randomToken(bytes = 32): string {
  const alphabet = 'abcdef0123456789';
  let out = '';
  for (let i = 0; i < bytes * 2; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
