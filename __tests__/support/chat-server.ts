/**
 * The loopback plumbing the global chat stand-ins share (slack-server, teams-server,
 * discord-server, telegram-server, google-chat-server, mattermost-server): a node:http server on
 * 127.0.0.1, every request recorded with the answer given, answers as JSON or plain text with
 * any headers. Each platform supplies only its own rules, its own store of messages and its own
 * error bodies.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
}

export interface ChatAnswer {
  status?: number;
  /** An object is sent as JSON; a string as text/plain. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface RecordedChatRequest extends ChatRequest {
  /** Path and query as received. */
  url: string;
  answer: { status: number; body: unknown; headers: Record<string, string> };
}

export interface ChatServer {
  origin: string;
  requests: RecordedChatRequest[];
  close(): Promise<void>;
}

export async function startChatServer(handle: (request: ChatRequest) => ChatAnswer): Promise<ChatServer> {
  const requests: RecordedChatRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: ChatRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      let answer: ChatAnswer;
      try {
        answer = handle(request);
      } catch (error) {
        answer = { status: 500, body: `stand-in failed: ${(error as Error).message}` };
      }
      const status = answer.status ?? 200;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const headers = {
        'Content-Type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        ...(answer.headers ?? {}),
      };
      requests.push({ ...request, url: req.url ?? '/', answer: { status, body: answer.body, headers } });
      res.writeHead(status, headers);
      res.end(status === 204 ? undefined : text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What every chat stand-in offers a test besides its own store of messages. */
export interface ChatStandIn {
  requests: RecordedChatRequest[];
  /** The next `n` requests are rate limited (where the platform says how long to wait: this long). */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

/**
 * A scripted "the next n requests are rate limited" counter, with the wait the platform names
 * (`retryAfterSeconds`, `defaultSeconds` unless `next` says otherwise).
 */
export function rateLimiter(defaultSeconds = 1): {
  next(n: number, retryAfterSeconds?: number): void;
  take(): boolean;
  readonly retryAfterSeconds: number;
} {
  let remaining = 0;
  let seconds = defaultSeconds;
  return {
    next(n: number, retryAfterSeconds = defaultSeconds) {
      remaining = n;
      seconds = retryAfterSeconds;
    },
    take() {
      if (remaining <= 0) return false;
      remaining--;
      return true;
    },
    get retryAfterSeconds() {
      return seconds;
    },
  };
}

/** The `ChatStandIn` part of a stand-in: the requests `server` recorded, `limiter`'s switch, `server`'s close. */
export function standInControls(server: ChatServer, limiter: ReturnType<typeof rateLimiter>): ChatStandIn {
  return { requests: server.requests, rateLimitNext: limiter.next, close: server.close };
}

/** Removes the first element `matches` picks (a message a user deleted); nothing when none does. */
export function removeFirst<T>(list: T[], matches: (item: T) => boolean): void {
  const index = list.findIndex(matches);
  if (index >= 0) list.splice(index, 1);
}

export function randomId(length = 24, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
