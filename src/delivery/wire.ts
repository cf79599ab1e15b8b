/**
 * A direct HTTP/1.1 request on a socket of our own: `node:net` for http://, `node:tls` for https://.
 *
 * Why not `node:http` / `node:https` here: a notification is one small request with a
 * Content-Length, and the answer is read whole. Node's HTTP modules cost more than the request:
 * on Node 24 loading `node:http` costs 15 M instructions against 10 M for `node:net`, and a whole
 * one-POST program on `node:http` runs 123 M against 106 M on `node:net` (callgrind, main thread;
 * scripts/bench.mjs, "Ninth round"). Requests through a proxy (forwarded, or CONNECT and TLS
 * inside it) stay on `node:http`/`node:https` in transport.ts: rarer, and the proxy's odd answers
 * are theirs to read.
 *
 * What is read of the answer, after RFC 9112: the status line (1xx interim answers skipped), the
 * header fields (no line longer than MAX_HEAD_BYTES in all, as Node's 16 KiB limit), and the body
 * framed by `Transfer-Encoding: chunked`, by `Content-Length`, or by the end of the connection;
 * no body for 204 and 304. A kept-alive connection (HTTP/1.1 without `Connection: close`, a
 * framed body) goes back to a pool of idle sockets per origin, unreferenced so it never holds the
 * process, and the next request to that origin takes it: 50 targets on one host open what 50
 * concurrent requests need, and a sequence of requests opens one connection. The request line and
 * header fields are checked as Node checks them (a token name, no control character in a value),
 * with Node's error codes, so nothing an input says can add a line to the request.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Node's default limit on an answer's status line and header fields (--max-http-header-size). */
const MAX_HEAD_BYTES = 16 * 1024;

/** What the exchange (transport.ts) hears of a request on the wire, in order. */
export interface WireHooks {
  /** The socket the request goes out on; `reused`: a kept-alive one from an earlier request. */
  socket(socket: Socket, reused: boolean): void;
  /** TCP connected (and, for https, the TLS handshake done): the request starts to leave. */
  connected(): void;
  /** The last byte of the request was handed to the operating system. */
  sent(): void;
  /** The status line and header fields arrived. */
  head(): void;
  /** The whole answer, or its first `limit` bytes. */
  answer(status: number, headers: Record<string, string>, body: Buffer): void;
  fail(error: Error): void;
}

export interface WireRequest {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Net = typeof import('node:net');
type Tls = typeof import('node:tls');

/** import() of a builtin builds a namespace object (a getter per export) each time: once here. */
let netModule: Promise<Net> | undefined;
let tlsModule: Promise<Tls> | undefined;

/** Sockets of finished requests that the server keeps open, by origin. */
export class Wire {
  private readonly idle = new Map<string, Socket[]>();
  /** The listeners an idle socket carries, removed when it is taken. */
  private readonly idleListeners = new WeakMap<Socket, { drop: () => void; stray: () => void }>();
  /** TLS sessions by origin, to resume instead of a full handshake on the next connection. */
  private readonly sessions = new Map<string, Buffer>();

  /**
   * Sends `request` to `target` and reports through `hooks`. Throws (before anything is sent) on a
   * request Node would refuse to write.
   */
  async send(target: URL, request: WireRequest, limit: number, hooks: WireHooks): Promise<void> {
    const head = requestHead(target, request);
    const bytes =
      request.body !== undefined && request.method !== 'GET'
        ? Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(request.body, 'utf8')])
        : Buffer.from(head, 'latin1');
    const origin = target.origin;
    const reused = this.takeIdle(origin);
    let socket: Socket;
    if (reused) socket = reused;
    else {
      const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
      const https = target.protocol === 'https:';
      const port = Number(target.port) || (https ? 443 : 80);
      if (https) {
        const tls = await (tlsModule ??= import('node:tls'));
        const session = this.sessions.get(origin);
        const tlsSocket: TLSSocket = tls.connect({
          host,
          port,
          // SNI takes a host name only (RFC 6066 §3); the certificate check still covers an IP address.
          ...(isIpAddress(host) ? {} : { servername: host }),
          // Verification is always on: NODE_TLS_REJECT_UNAUTHORIZED=0 in a runner's environment
          // must not turn it off (the explicit option wins over the variable).
          rejectUnauthorized: true,
          ...(session ? { session } : {}),
        });
        tlsSocket.on('session', (ticket: Buffer) => this.sessions.set(origin, ticket));
        socket = tlsSocket;
      } else {
        const net = await (netModule ??= import('node:net'));
        socket = net.connect({ host, port, noDelay: true });
      }
    }
    new Reading(socket, Boolean(reused), bytes, limit, hooks, (keep) => {
      if (keep) this.putIdle(origin, socket);
    });
  }

  /** Forgets the idle sockets (they are unreferenced: they do not hold the process). */
  clear(): void {
    this.idle.clear();
  }

  private takeIdle(origin: string): Socket | undefined {
    const sockets = this.idle.get(origin);
    while (sockets && sockets.length > 0) {
      const socket = sockets.pop()!;
      const listeners = this.idleListeners.get(socket);
      if (listeners) socket.off('error', listeners.drop).off('close', listeners.drop).off('data', listeners.stray);
      if (!socket.destroyed && socket.readable && socket.writable) {
        socket.ref();
        return socket;
      }
    }
    return undefined;
  }

  private putIdle(origin: string, socket: Socket): void {
    let sockets = this.idle.get(origin);
    if (!sockets) this.idle.set(origin, (sockets = []));
    const list = sockets;
    const drop = () => {
      const at = list.indexOf(socket);
      if (at !== -1) list.splice(at, 1);
    };
    // A closed idle socket leaves the pool; anything the server says unasked ends it.
    const stray = () => {
      drop();
      socket.destroy();
    };
    socket.on('error', drop).on('close', drop).on('data', stray);
    this.idleListeners.set(socket, { drop, stray });
    socket.unref();
    list.push(socket);
  }
}

/** One request on one socket, and the answer read off it. */
class Reading {
  private buffered: Buffer | null = null;
  private status = 0;
  private headers: Record<string, string> = {};
  private version1_0 = false;
  /** How the body ends: a length, chunks, or the connection closing. null: still in the head. */
  private framing: { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | null = null;
  private readonly body: Buffer[] = [];
  private bodyBytes = 0;
  private chunkLeft = -1;
  private trailers = false;
  private done = false;

  private readonly onData = (chunk: Buffer) => this.feed(chunk);
  private readonly onEnd = () => this.ended();
  private readonly onError = (error: Error) => this.failed(error);

  constructor(
    private readonly socket: Socket,
    reused: boolean,
    bytes: Buffer,
    private readonly limit: number,
    private readonly hooks: WireHooks,
    private readonly finished: (keepAlive: boolean) => void,
  ) {
    hooks.socket(socket, reused);
    if (reused) hooks.connected();
    else socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => hooks.connected());
    socket.on('data', this.onData).on('end', this.onEnd).on('close', this.onEnd).on('error', this.onError);
    socket.write(bytes, (error) => {
      if (!error && !this.done) hooks.sent();
    });
  }

  private failed(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.hooks.fail(error);
  }

  /** The server closed its side: the end of a body read to the end, or an answer cut off. */
  private ended(): void {
    if (this.done) return;
    if (this.framing?.kind === 'close') return this.complete(false);
    const error =
      this.framing === null && this.buffered === null
        ? new Error('socket hang up')
        : new Error('the answer was cut off');
    this.failed(Object.assign(error, { code: 'ECONNRESET' }));
  }

  private feed(chunk: Buffer): void {
    if (this.done) return;
    try {
      let data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.buffered = null;
      while (!this.done && data.length > 0) {
        if (this.framing === null) {
          const rest = this.readHead(data);
          if (rest === null) {
            if (data.length > MAX_HEAD_BYTES) throw parseError('HPE_HEADER_OVERFLOW', 'Header overflow');
            this.buffered = data;
            return;
          }
          data = rest;
        } else data = this.readBody(data);
      }
    } catch (error) {
      this.socket.destroy();
      this.failed(error as Error);
    }
  }

  /** The status line and header fields, when all of them are in `data`; what follows them, else null. */
  private readHead(data: Buffer): Buffer | null {
    let end = data.indexOf('\n\r\n');
    let skip = 3;
    const bare = data.indexOf('\n\n');
    if (bare !== -1 && (end === -1 || bare < end)) [end, skip] = [bare, 2];
    if (end === -1) return null;
    if (end > MAX_HEAD_BYTES) throw parseError('HPE_HEADER_OVERFLOW', 'Header overflow');
    const lines = data.toString('latin1', 0, end).split('\n');
    const rest = data.subarray(end + skip);
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?\r?$/.exec(lines[0]!);
    if (!statusLine) throw parseError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    const status = Number(statusLine[2]);
    const headers: Record<string, string> = {};
    let last: string | null = null;
    for (const raw of lines.slice(1)) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      // An obsolete line folding (RFC 9112 §5.2): the value goes on.
      if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
        headers[last] = `${headers[last]} ${line.trim()}`.trim();
        continue;
      }
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (colon <= 0 || !isToken(name)) throw parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
      const value = line.slice(colon + 1).trim();
      if (value.includes('\0') || value.includes('\r'))
        throw parseError('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char');
      // Repeated lengths must agree (RFC 9110 §8.6); Node keeps the first, so look before it does.
      if (name === 'content-length' && headers[name] !== undefined && headers[name] !== value)
        throw parseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length');
      addHeader(headers, name, value);
      last = name;
    }
    // 1xx: an interim answer (100 Continue, 103 Early Hints); the real one follows.
    if (status < 200) return rest;
    this.status = status;
    this.headers = headers;
    this.version1_0 = statusLine[1] === '0';
    this.hooks.head();
    const coding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (status === 204 || status === 304) this.framing = { kind: 'length', left: 0 };
    else if (coding !== undefined)
      this.framing = tokens(coding).at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
    else if (length !== undefined) {
      if (!isDigits(length, 15)) throw parseError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length');
      this.framing = { kind: 'length', left: Number(length) };
    } else this.framing = { kind: 'close' };
    if (this.framing.kind === 'length' && this.framing.left === 0) this.complete(rest.length === 0);
    return rest;
  }

  /** Takes what belongs to the body from `data`; returns what is left (nothing, on a kept-alive connection). */
  private readBody(data: Buffer): Buffer {
    const framing = this.framing!;
    if (framing.kind === 'close') {
      this.take(data);
      return EMPTY;
    }
    if (framing.kind === 'length') {
      const part = data.subarray(0, framing.left);
      framing.left -= part.length;
      this.take(part);
      // Bytes after the answer that nobody asked for: the connection is not reused.
      if (framing.left === 0) this.complete(data.length === part.length);
      return EMPTY;
    }
    return this.readChunks(data);
  }

  /** Chunked transfer coding (RFC 9112 §7.1): size line, data, CRLF; a zero size, trailers, CRLF. */
  private readChunks(data: Buffer): Buffer {
    while (data.length > 0 && !this.done) {
      if (this.chunkLeft > 0) {
        const part = data.subarray(0, this.chunkLeft);
        this.chunkLeft -= part.length;
        this.take(part);
        data = data.subarray(part.length);
        continue;
      }
      const newline = data.indexOf('\n');
      if (newline === -1) {
        if (data.length > MAX_HEAD_BYTES) throw parseError('HPE_CHUNK_EXTENSIONS_OVERFLOW', 'Chunk line too long');
        this.buffered = data;
        return EMPTY;
      }
      const raw = data.toString('latin1', 0, newline);
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      data = data.subarray(newline + 1);
      if (this.chunkLeft === 0) {
        // The CRLF after a chunk's data.
        if (line !== '') throw parseError('HPE_STRICT', 'Expected CRLF after chunk');
        this.chunkLeft = -1;
      } else if (this.trailers) {
        if (line === '') this.complete(data.length === 0);
      } else {
        const n = chunkSize(line);
        if (n === null) throw parseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
        if (n === 0) this.trailers = true;
        else this.chunkLeft = n;
      }
    }
    return EMPTY;
  }

  private take(part: Buffer): void {
    if (part.length === 0 || this.done) return;
    this.body.push(part);
    this.bodyBytes += part.length;
    if (this.bodyBytes < this.limit) return;
    // Enough of an answer for any verdict: the rest is not read, and the connection not reused.
    this.complete(false);
    this.socket.destroy();
  }

  private complete(reusable: boolean): void {
    if (this.done) return;
    this.done = true;
    const socket = this.socket;
    socket.off('data', this.onData).off('end', this.onEnd).off('close', this.onEnd).off('error', this.onError);
    const connection = (this.headers.connection ?? '').toLowerCase();
    const keepAlive =
      reusable &&
      this.buffered === null &&
      !tokens(connection).includes('close') &&
      (!this.version1_0 || tokens(connection).includes('keep-alive'));
    if (!keepAlive) {
      // Its end or error may still come: nothing listens for it, and an error must not crash the run.
      // Ended, not destroyed, and unreferenced: the server's close ends it without holding the
      // process (destroying costs a stream on Node 24: see createTransport's close()).
      socket.on('error', () => {});
      if (!socket.destroyed) socket.end().unref();
    }
    const body = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body);
    this.hooks.answer(this.status, this.headers, body.length > this.limit ? body.subarray(0, this.limit) : body);
    this.finished(keepAlive);
  }
}

const EMPTY = Buffer.alloc(0);

/*
 * The checks below are loops, not regular expressions: V8 compiles each pattern a run executes (to
 * bytecode, then again to machine code on its second use), which costs more than the few header
 * fields a request and its answer have.
 */

/** RFC 9110 §5.6.2 tchar: ! # $ % & ' * + - . ^ _ ` | ~ digits letters. */
const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~") table[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = table[c + 0x20] = 1;
  return table;
})();

/** A header name is a token (RFC 9110 §5.6.2). */
function isToken(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] !== 1) return false;
  }
  return true;
}

/** What Node refuses in a header value (lib/_http_common.js checkInvalidHeaderChar: /[^\t\x20-\x7e\x80-\xff]/). */
function invalidValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c === 0x7f || c > 0xff)) return true;
  }
  return false;
}

/** 1 to `max` ASCII digits. */
function isDigits(text: string, max: number): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A chunk's size line (RFC 9112 §7.1): 1 to 12 hex digits, spaces, then nothing or `;extensions`. */
function chunkSize(line: string): number | null {
  let size = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const digit =
      c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) break;
    if (i === 12) return null;
    size = size * 16 + digit;
  }
  if (i === 0) return null;
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i === line.length || line[i] === ';' ? size : null;
}

/** A comma-separated header value as lower-case tokens ("Keep-Alive, Upgrade" → keep-alive, upgrade). */
function tokens(value: string): string[] {
  return value
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
}

/** Header fields Node keeps the first of when repeated (IncomingMessage#_addHeaderLine); the rest are joined. */
const FIRST_WINS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

function addHeader(headers: Record<string, string>, name: string, value: string): void {
  const had = headers[name];
  if (had === undefined) headers[name] = value;
  else if (!FIRST_WINS.has(name)) headers[name] = `${had}, ${value}`;
}

/** The request line and header fields, as Node's ClientRequest writes them for these options. */
function requestHead(target: URL, request: WireRequest): string {
  let head = `${request.method} ${target.pathname}${target.search} HTTP/1.1\r\n`;
  let host = false;
  let connection = false;
  let length = false;
  let authorization = false;
  for (const [name, value] of Object.entries(request.headers)) {
    if (!isToken(name))
      throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), {
        code: 'ERR_INVALID_HTTP_TOKEN',
      });
    if (invalidValue(value))
      throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), {
        code: 'ERR_INVALID_CHAR',
      });
    const lower = name.toLowerCase();
    host ||= lower === 'host';
    connection ||= lower === 'connection';
    length ||= lower === 'content-length';
    authorization ||= lower === 'authorization';
    head += `${name}: ${value}\r\n`;
  }
  if (!host) head += `Host: ${target.host}\r\n`;
  // Credentials in the URL become Basic auth, as Node's http.request(url) makes them.
  if ((target.username || target.password) && !authorization) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    head += `Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`;
  }
  if (!connection) head += 'Connection: keep-alive\r\n';
  // A POST, PUT or PATCH without a body says so (Node does the same for an empty end()).
  if (!length && request.method !== 'GET') head += 'Content-Length: 0\r\n';
  return `${head}\r\n`;
}

function parseError(code: string, reason: string): Error {
  return Object.assign(new Error(`Parse Error: ${reason}`), { code, reason });
}

function isIpAddress(host: string): boolean {
  return host.includes(':') || [...host].every((c) => c === '.' || (c >= '0' && c <= '9'));
}
