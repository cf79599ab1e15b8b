/**
 * A loopback HTTP receiver for tests: records every request (raw body bytes and headers) and
 * answers as scripted, one reply per request: a status/body/headers, a hang (never answers), a
 * hang after the headers, or a closed socket. Platform emulators can build on it with `handler`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as the client sent them (absolute-form when it came through a proxy). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names and values in the order and spelling sent. */
  rawHeaders: string[];
  body: Buffer;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON, which a test wants to see). */
  json(): unknown;
  /** The query string of `url` as a plain object. */
  query: Record<string, string>;
}

export type Reply =
  | { status?: number; body?: string | object; headers?: Record<string, string> }
  /** Never answers: for timeouts. */
  | { hang: true }
  /** Sends the status line and headers, then never the body. */
  | { hangAfterHeaders: true; status?: number }
  /** Closes the socket without an answer. */
  | { destroy: true };

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Queues replies for the next requests, in order; after them `handler` (or 200 "ok") answers. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startReceiver(options: { handler?: Handler; replies?: Reply[] } = {}): Promise<Receiver> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [...(options.replies ?? [])];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
        text: body.toString('utf8'),
        json: () => JSON.parse(body.toString('utf8')),
        query: Object.fromEntries(new URL(url, 'http://receiver').searchParams),
      };
      const index = requests.push(recorded) - 1;
      const next = queue.shift();
      void Promise.resolve(next ?? options.handler?.(recorded, index) ?? { status: 200, body: 'ok' }).then((reply) => {
        if ('hang' in reply) return;
        if ('destroy' in reply) {
          req.socket.destroy();
          return;
        }
        if ('hangAfterHeaders' in reply) {
          res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
          res.flushHeaders();
          return;
        }
        const text =
          typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
        const isJson = reply.body !== undefined && typeof reply.body !== 'string';
        res.writeHead(reply.status ?? 200, {
          ...(isJson ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'text/plain; charset=utf-8' }),
          ...reply.headers,
        });
        res.end(text);
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    reply: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on loopback where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
