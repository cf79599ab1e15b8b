/**
 * One HTTP attempt, with one deadline over every stage: DNS, connect, the proxy's CONNECT, TLS,
 * sending, waiting for the answer, reading it. A direct request goes on a socket of our own
 * (wire.ts, on `node:net` / `node:tls`); a request through a proxy on Node's `node:http` /
 * `node:https`.
 *
 * Why not undici (which v1 used): a single notification is one small request, and undici's Agent
 * and request API cost ~45 ms to load (Node 20, measured with --cpu-prof) before the first byte.
 * Its proxy agent was also the worst bug we shipped: a proxy that dropped the CONNECT was asked
 * again ~4,100 times a second, and one that never answered it hung the run, whatever the timeout
 * said (issue 13). Tunnelling is a few lines here (CONNECT, then TLS over the socket) and stays
 * under our deadline. Connection reuse across many targets is wire.ts's pool of kept-alive
 * sockets (Node's keep-alive Agent behind a proxy): 50 concurrent https POSTs to one host, whole
 * process, took a median 1.0 s with Node's Agent against 1.6 s with undici's on Node 24 (1.3 s
 * against 2.4 s on Node 20; 15 paired runs on the shared 2-core machine). undici earns its cost
 * nowhere in this client.
 *
 * Only the module the URL needs is loaded, when it is first needed: `node:net` for http://,
 * `node:tls` for https://, and `node:http` only for a proxy (on Node 24 it costs ~40 ms of wall
 * time to load on a slow machine, 15 M instructions against node:net's 10 M).
 */
import type * as NodeHttp from 'node:http';
import type { RequestOptions as TlsRequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import { proxyAuthorization, proxyFor, type ProxySettings } from './proxy.js';
import type { HttpAnswer, HttpRequestSpec } from './types.js';
import { Wire, type WireRequest } from './wire.js';

/** Enough of an answer for any platform's JSON verdict; a runaway body is cut here. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Where an attempt was when it ended; it decides whether the platform may have the request.
 *   connect: DNS, TCP and TLS (to the target or the proxy) — nothing was sent.
 *   tunnel:  waiting for the proxy to open a CONNECT tunnel — nothing was sent to the target.
 *   send:    connected, the request not yet handed over in full — the server cannot act on it.
 *   wait:    the whole request was handed to the network, no answer yet — it may have been delivered.
 *   read:    the answer's headers arrived — the platform has it.
 */
export type Stage = 'connect' | 'tunnel' | 'send' | 'wait' | 'read';

export type Attempt =
  | {
      kind: 'answer';
      answer: HttpAnswer;
      /** A plain-http request through a forward proxy: a 502/504 may be the proxy speaking for the target. */
      forwarded?: boolean;
    }
  | {
      kind: 'failed';
      stage: Stage;
      timedOut: boolean;
      error: unknown;
      /** The request went out on a kept-alive connection (a reset there is the server closing an idle socket). */
      reused: boolean;
    };

/** A proxy answered the CONNECT with something other than 2xx. */
export class TunnelRefused extends Error {
  readonly code = 'ERR_TUNNEL_REFUSED';
  constructor(readonly status: number) {
    super(`the proxy refused the tunnel: HTTP ${status}`);
  }
}

type HttpModule = typeof NodeHttp;

export interface Transport {
  send(spec: HttpRequestSpec, timeoutMs: number): Promise<Attempt>;
  /** Ends what is still in flight, so that nothing of this client holds the process open. */
  close(): void;
}

export function createTransport(proxies: ProxySettings): Transport {
  const agents = new Map<string, NodeHttp.Agent>();
  const agentFor = (protocol: string, lib: HttpModule): NodeHttp.Agent => {
    let agent = agents.get(protocol);
    if (!agent) agents.set(protocol, (agent = new lib.Agent({ keepAlive: true })));
    return agent;
  };

  const open = new Set<Exchange>();
  const wire = new Wire();

  async function send(spec: HttpRequestSpec, timeoutMs: number): Promise<Attempt> {
    const exchange = new Exchange(timeoutMs);
    open.add(exchange);
    void exchange.result.then(() => open.delete(exchange));
    let forwarded = false;
    try {
      const target = new URL(spec.url);
      const proxy = proxyFor(target, proxies);
      const options = requestOptions(spec);
      if (proxy && target.protocol === 'https:') {
        const socket = await exchange.tunnel(proxy, target);
        exchange.start(await tunnelledRequest(target, socket, options), spec.body);
      } else if (proxy) {
        forwarded = true;
        const lib = await load(proxy.protocol);
        exchange.start(lib.request(forwardedOptions(proxy, target, options, agentFor(proxy.protocol, lib))), spec.body);
      } else {
        await exchange.direct(wire, target, {
          method: spec.method,
          headers: options.headers as Record<string, string>,
          body: spec.body,
        });
      }
    } catch (error) {
      exchange.fail(error);
    }
    const attempt = await exchange.result;
    return forwarded && attempt.kind === 'answer' ? { ...attempt, forwarded } : attempt;
  }

  function close(): void {
    // A read given up by its caller (a best-effort API read) must not hold the process open.
    for (const exchange of open) exchange.fail(new Error('the client was closed'));
    // The agents' idle kept-alive sockets do not hold it either (Agent#keepSocketAlive unrefs them),
    // and a socket the server is closing ends by itself: neither is destroyed here. Destroying
    // costs a stream: net.Socket's _destroy compares the socket with process.stderr, which builds
    // that stream (~1 ms on Node 24, issue 14) in a run that writes its log without it (output.ts).
    agents.clear();
    wire.clear();
  }

  return { send, close };
}

/**
 * The loaded modules, by protocol: import() of a builtin builds a new namespace object each time
 * (a getter per export, in the bundle), which a 50-target run paid once per request.
 */
const modules = new Map<string, Promise<HttpModule>>();

function load(protocol: string): Promise<HttpModule> {
  let lib = modules.get(protocol);
  // node:https's exports are a superset of what is used here (request, Agent).
  if (!lib)
    modules.set(
      protocol,
      (lib =
        protocol === 'https:'
          ? (import('node:https') as Promise<unknown> as Promise<HttpModule>)
          : import('node:http')),
    );
  return lib;
}

function requestOptions(spec: HttpRequestSpec): TlsRequestOptions {
  const headers: Record<string, string> = { ...spec.headers };
  const hasBody = spec.body !== undefined && spec.method !== 'GET';
  // Without a length Node would send the body chunked, which some robot endpoints refuse.
  if (hasBody && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length'))
    headers['Content-Length'] = String(Buffer.byteLength(spec.body ?? '', 'utf8'));
  // TLS verification is always on: NODE_TLS_REJECT_UNAUTHORIZED=0 in a runner's environment must not
  // silently turn it off (the explicit option wins over the variable). Plain http ignores it.
  return { method: spec.method, headers, rejectUnauthorized: true };
}

/** A plain-http target through a proxy: the absolute-form request every forward proxy expects. */
function forwardedOptions(
  proxy: URL,
  target: URL,
  options: NodeHttp.RequestOptions,
  agent: NodeHttp.Agent,
): NodeHttp.RequestOptions {
  return {
    ...options,
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
    path: target.href,
    headers: { Host: target.host, ...options.headers, ...proxyAuthorization(proxy) },
    agent,
  };
}

/** An https target inside a CONNECT tunnel: TLS to the target over the proxy's socket, verified as always. */
async function tunnelledRequest(
  target: URL,
  socket: Socket,
  options: NodeHttp.RequestOptions,
): Promise<NodeHttp.ClientRequest> {
  const [https, tls, net] = await Promise.all([import('node:https'), import('node:tls'), import('node:net')]);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // SNI takes a host name only (RFC 6066 §3); certificate checks still cover IP addresses.
  const servername = net.isIP(host) ? undefined : host;
  return https.request(target, {
    ...options,
    agent: false,
    createConnection: () => tls.connect({ socket, rejectUnauthorized: true, ...(servername ? { servername } : {}) }),
  });
}

/** The state of one attempt: its deadline, its stage, and everything to tear down when it fails. */
class Exchange {
  readonly result: Promise<Attempt>;
  private resolve!: (attempt: Attempt) => void;
  private stage: Stage = 'connect';
  private reused = false;
  private done = false;
  private readonly live = new Set<{ destroy(): unknown }>();
  private request: NodeHttp.ClientRequest | undefined;
  private socket: Socket | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
    this.timer = setTimeout(() => this.fail(new Error('timed out'), true), timeoutMs);
  }

  fail(error: unknown, timedOut = false): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    // 'finish' (or the write's callback, on our own socket) comes a tick after the bytes reach the
    // kernel, and a loopback server can read them and reset first: a connected socket with nothing
    // left to write counts as sent. A direct request (no ClientRequest) is written whole at once.
    if (this.stage === 'send' && (this.request?.writableEnded ?? true) && this.socket?.writableLength === 0)
      this.stage = 'wait';
    for (const thing of this.live) thing.destroy();
    this.resolve({ kind: 'failed', stage: this.stage, timedOut, error, reused: this.reused });
  }

  private succeed(answer: HttpAnswer): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.resolve({ kind: 'answer', answer });
  }

  /** Asks the proxy for a tunnel to the target; only a 2xx answer opens it. */
  async tunnel(proxy: URL, target: URL): Promise<Socket> {
    this.stage = 'tunnel';
    const lib = await load(proxy.protocol);
    const authority = `${target.hostname}:${target.port || 443}`;
    return new Promise<Socket>((resolve, reject) => {
      const connect: TlsRequestOptions = {
        host: proxy.hostname.replace(/^\[|\]$/g, ''),
        port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
        method: 'CONNECT',
        path: authority,
        headers: { Host: authority, ...proxyAuthorization(proxy) },
        agent: false,
        rejectUnauthorized: true,
      };
      const request = lib.request(connect);
      this.live.add(request);
      request.on('connect', (answer: NodeHttp.IncomingMessage, socket: Socket) => {
        this.live.add(socket);
        const status = answer.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(socket);
        else reject(new TunnelRefused(status));
      });
      request.on('response', (answer: NodeHttp.IncomingMessage) => reject(new TunnelRefused(answer.statusCode ?? 0)));
      request.on('error', reject);
      request.end();
    });
  }

  /** A direct request on our own socket (wire.ts), through the same stages and deadline. */
  async direct(wire: Wire, target: URL, request: WireRequest): Promise<void> {
    await wire.send(target, request, MAX_ANSWER_BYTES, {
      socket: (socket, reused) => {
        this.socket = socket;
        this.reused = reused;
        this.live.add(socket);
      },
      connected: () => this.advance('send'),
      sent: () => this.advance('wait'),
      head: () => (this.stage = 'read'),
      answer: (status, headers, body) => {
        const text = body.toString('utf8');
        this.succeed({ status, headers, text, json: parseJson(text) });
      },
      fail: (error) => this.fail(error),
    });
    // Timed out while node:tls or node:net was loading: the socket came after the teardown.
    if (this.done) this.socket?.destroy();
  }

  /** Sends the request and reads the answer, moving through the stages as the socket reports them. */
  start(request: NodeHttp.ClientRequest, body: string | undefined): void {
    this.live.add(request);
    this.stage = 'connect';
    request.on('socket', (socket: Socket) => {
      this.live.add(socket);
      this.reused = request.reusedSocket;
      this.socket = socket;
      // 'send' starts when the request can leave: TCP connected and, for https, the handshake done.
      if (request.reusedSocket) this.advance('send');
      else if ('encrypted' in socket) socket.once('secureConnect', () => this.advance('send'));
      else if (socket.connecting) socket.once('connect', () => this.advance('send'));
      else this.advance('send');
    });
    // 'finish': the last byte of the request was handed to the operating system.
    request.on('finish', () => this.advance('wait'));
    request.on('response', (answer) => this.read(answer));
    request.on('error', (error) => this.fail(error));
    this.request = request;
    if (body !== undefined && request.method !== 'GET') request.end(body, 'utf8');
    else request.end();
  }

  private advance(stage: Stage): void {
    const order: Stage[] = ['connect', 'tunnel', 'send', 'wait', 'read'];
    if (order.indexOf(stage) > order.indexOf(this.stage)) this.stage = stage;
  }

  private read(answer: NodeHttp.IncomingMessage): void {
    this.stage = 'read';
    this.live.add(answer);
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      const text = Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
      let headers: Record<string, string> | undefined;
      this.succeed({
        status: answer.statusCode ?? 0,
        // Built when first read (most answers are judged by status and body alone): Node builds
        // its own header object from the raw lines on first access too.
        get headers() {
          return (headers ??= flattenHeaders(answer.headers));
        },
        text,
        json: parseJson(text),
      });
    };
    answer.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size < MAX_ANSWER_BYTES) return;
      finish();
      answer.destroy();
    });
    answer.on('end', finish);
    answer.on('error', (error) => this.fail(error));
    answer.on('close', () => {
      if (!answer.complete) this.fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
    });
  }
}

function flattenHeaders(headers: NodeHttp.IncomingHttpHeaders): Record<string, string> {
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
