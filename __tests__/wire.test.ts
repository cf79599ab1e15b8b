/**
 * The direct HTTP/1.1 client (src/delivery/wire.ts) against loopback TCP servers that write the
 * exact bytes of an answer: every framing (Content-Length, chunked in odd pieces, to the end of
 * the connection, none), interim 1xx answers, broken answers, the 1 MiB cap, and which answers
 * leave a connection to reuse. Each case goes through createHttpClient, as a delivery does.
 */
import { createHttpClient } from '../src/delivery/http.js';
import { MAX_ANSWER_BYTES } from '../src/delivery/transport.js';
import { Redactor } from '../src/delivery/redact.js';
import type { HttpAnswer, HttpClient, HttpRequestSpec } from '../src/delivery/types.js';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { recordingLogger } from './support/recording-logger.js';
import { USER_AGENT } from '../src/version.js';

/** What a failure adds when the request may have arrived: after it was sent, and once the answer began. */
const SENT = ' (it may have been delivered; not retried to avoid a duplicate)';
const READ = ' (the request may have been delivered; not retried to avoid a duplicate)';

interface RawRequest {
  head: string;
  body: Buffer;
  /** Which connection (0, 1, …) it came on. */
  connection: number;
}

/** What the server does with one request: write these byte pieces (with a pause between), then maybe close. */
type Script = (request: RawRequest, index: number) => { pieces: (string | Buffer)[]; close?: boolean };

interface RawServer {
  origin: string;
  requests: RawRequest[];
  connections: number;
  close(): Promise<void>;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function rawServer(script: Script): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = {
    origin: '',
    requests: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const connection = state.connections++;
    let pending = Buffer.alloc(0);
    // One request at a time, in order: its answer is written piece by piece before the next is read.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      queue = queue.then(async () => {
        for (;;) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          const head = pending.toString('latin1', 0, end);
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (pending.length < end + 4 + length) return;
          const body = pending.subarray(end + 4, end + 4 + length);
          pending = pending.subarray(end + 4 + length);
          const request = { head, body, connection };
          state.requests.push(request);
          const { pieces, close } = script(request, state.requests.length - 1);
          for (const piece of pieces) {
            socket.write(piece);
            await new Promise((r) => setTimeout(r, 5));
          }
          if (close) socket.end();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  open.push(state);
  return state;
}

function client(): HttpClient {
  const c = createHttpClient({
    timeoutMs: 2000,
    retries: 0,
    log: recordingLogger(),
    redactor: new Redactor(),
    dryRun: false,
    env: {},
    sleep: async () => {},
    random: () => 0.5,
  });
  open.push(c);
  return c;
}

/** Delivers and returns the outcome with the answer as the verdict saw it. */
async function send(c: HttpClient, spec: HttpRequestSpec) {
  let seen: HttpAnswer | null = null;
  const outcome = await c.deliver(spec, (answer) => {
    seen = answer;
    return answer.status < 300 ? { ok: true } : { ok: false, retry: false, error: `HTTP ${answer.status}` };
  });
  const answer = seen as HttpAnswer | null;
  return {
    ok: outcome.ok,
    status: outcome.status_code,
    error: outcome.error,
    text: answer?.text ?? null,
    headers: answer?.headers ?? null,
  };
}

const post = (url: string, body = '{"a":1}'): HttpRequestSpec => ({
  method: 'POST',
  url,
  headers: { 'Content-Type': 'application/json', 'User-Agent': 'test' },
  body,
});

describe('the direct HTTP/1.1 client: requests', () => {
  it('writes the request line, the headers in order, Host, Connection and Content-Length, then the UTF-8 body', async () => {
    const server = await rawServer(() => ({ pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'] }));
    const result = await send(client(), post(`${server.origin}/hook/x?key=a%20b&z=1#frag`, '{"t":"修复 ✓"}'));
    expect(result).toEqual({ ok: true, status: 200, error: null, text: 'ok', headers: { 'content-length': '2' } });
    const port = new URL(server.origin).port;
    expect(server.requests.map((r) => [r.head, r.body.toString('utf8')])).toEqual([
      [
        [
          'POST /hook/x?key=a%20b&z=1 HTTP/1.1',
          'Content-Type: application/json',
          'User-Agent: test',
          'Content-Length: 18',
          `Host: 127.0.0.1:${port}`,
          'Connection: keep-alive',
        ].join('\r\n'),
        '{"t":"修复 ✓"}',
      ],
    ]);
  });

  it('sends no body and no Content-Length for a GET, and Content-Length: 0 for a POST without a body', async () => {
    const server = await rawServer(() => ({ pieces: ['HTTP/1.1 204 No Content\r\n\r\n'] }));
    const c = client();
    await send(c, { method: 'GET', url: `${server.origin}/runs`, headers: { Accept: 'application/json' } });
    await send(c, { method: 'POST', url: `${server.origin}/empty`, headers: {} });
    const port = new URL(server.origin).port;
    expect(server.requests.map((r) => [r.head, r.body.length])).toEqual([
      [
        `GET /runs HTTP/1.1\r\nAccept: application/json\r\nUser-Agent: ${USER_AGENT}\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive`,
        0,
      ],
      [
        `POST /empty HTTP/1.1\r\nUser-Agent: ${USER_AGENT}\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\nContent-Length: 0`,
        0,
      ],
    ]);
  });

  it('turns credentials in the URL into Basic auth, unless the request has its own Authorization', async () => {
    const server = await rawServer(() => ({ pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'] }));
    const c = client();
    const withUser = server.origin.replace('http://', 'http://bot:p%40ss@');
    await send(c, post(`${withUser}/a`));
    await send(c, { ...post(`${withUser}/b`), headers: { Authorization: 'Bearer t' } });
    const auth = server.requests.map((r) => /\r\nAuthorization: ([^\r]*)/.exec(r.head)?.[1]);
    expect(auth).toEqual([`Basic ${Buffer.from('bot:p@ss').toString('base64')}`, 'Bearer t']);
  });

  it.each([
    [{ 'X-Team': 'ops\r\nX-Injected: 1' }, 'invalid request: Invalid character in header content ["X-Team"]'],
    [{ 'X-Team': 'ops\nX: 1' }, 'invalid request: Invalid character in header content ["X-Team"]'],
    [{ 'X-Team': 'a\0b' }, 'invalid request: Invalid character in header content ["X-Team"]'],
    [{ 'X-Team': '运维' }, 'invalid request: Invalid character in header content ["X-Team"]'],
    [{ 'X Team': 'ops' }, 'invalid request: Header name must be a valid HTTP token ["X Team"]'],
    [{ 'X-Team:': 'ops' }, 'invalid request: Header name must be a valid HTTP token ["X-Team:"]'],
    [{ '': 'ops' }, 'invalid request: Header name must be a valid HTTP token [""]'],
  ])('refuses the header %j before connecting, with the error Node gives', async (headers, error) => {
    const server = await rawServer(() => ({ pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'] }));
    const result = await send(client(), { ...post(`${server.origin}/x`), headers });
    expect(result).toEqual({ ok: false, status: null, error, text: null, headers: null });
    expect(server.connections).toBe(0);
  });
});

describe('the direct HTTP/1.1 client: reading answers', () => {
  const cases: [string, (string | Buffer)[], boolean | undefined, { status: number; text: string; headers: object }][] =
    [
      [
        'Content-Length, in pieces cut inside the head',
        ['HTTP/1.1 201 Cre', 'ated\r\nContent-Type: text/plain\r\nContent-Len', 'gth: 5\r\n\r', '\nhel', 'lo'],
        false,
        { status: 201, text: 'hello', headers: { 'content-type': 'text/plain', 'content-length': '5' } },
      ],
      [
        'no length: the body ends with the connection',
        ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall ', 'of it'],
        true,
        { status: 200, text: 'all of it', headers: { 'content-type': 'text/plain' } },
      ],
      ['HTTP/1.0 without a length', ['HTTP/1.0 200 OK\r\n\r\nold'], true, { status: 200, text: 'old', headers: {} }],
      [
        '100 Continue and 103 Early Hints before the answer',
        [
          'HTTP/1.1 100 Continue\r\n\r\n',
          'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
        ],
        false,
        { status: 200, text: 'ok', headers: { 'content-length': '2' } },
      ],
      [
        '204 with no body and no length',
        ['HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n'],
        false,
        { status: 204, text: '', headers: { 'x-a': '1' } },
      ],
      [
        'a status line without a reason, bare LF line ends, repeated and folded fields',
        ['HTTP/1.1 429\nRetry-After: 3\nRetry-After: 9\nX-Id: a\nX-Id: b\nX-Long: one\n  two\nContent-Length: 0\n\n'],
        false,
        {
          status: 429,
          text: '',
          headers: { 'retry-after': '3', 'x-id': 'a, b', 'x-long': 'one two', 'content-length': '0' },
        },
      ],
    ];

  it.each(cases)('reads %s', async (_name, pieces, close, expected) => {
    const server = await rawServer(() => ({ pieces, close }));
    const result = await send(client(), post(`${server.origin}/x`));
    expect({ status: result.status, text: result.text, headers: result.headers }).toEqual(expected);
  });

  it('reads a chunked answer with extensions and trailers, cut at every byte', async () => {
    const answer =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '4;name=value\r\n{"er\r\n' +
      'A\r\nrcode":0,"\r\n' +
      '0c\r\nerrmsg":"ok"\r\n' +
      '1\r\n}\r\n' +
      '0\r\nX-Trailer: t\r\n\r\n';
    const server = await rawServer(() => ({ pieces: [...answer] }));
    const result = await send(client(), post(`${server.origin}/x`));
    expect(result).toEqual({
      ok: true,
      status: 200,
      error: null,
      text: '{"errcode":0,"errmsg":"ok"}',
      headers: { 'transfer-encoding': 'chunked' },
    });
  });

  it('reads UTF-8 split between pieces whole', async () => {
    const body = Buffer.from('{"msg":"发送成功"}', 'utf8');
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
    const server = await rawServer(() => ({ pieces: [head, body.subarray(0, 10), body.subarray(10)] }));
    expect((await send(client(), post(`${server.origin}/x`))).text).toBe('{"msg":"发送成功"}');
  });

  it('keeps the first MAX_ANSWER_BYTES of a runaway answer and does not wait for the rest', async () => {
    const piece = 'x'.repeat(256 * 1024);
    const server = await rawServer(() => ({
      pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n', piece, piece, piece, piece, piece],
    }));
    const result = await send(client(), post(`${server.origin}/x`));
    expect([result.ok, result.text?.length]).toEqual([true, MAX_ANSWER_BYTES]);
  });

  it.each([
    [
      'an answer cut off inside its body',
      ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
      `connection closed by the server without an answer (ECONNRESET) while reading the answer${READ}`,
    ],
    [
      'an answer cut off inside a chunk',
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'],
      `connection closed by the server without an answer (ECONNRESET) while reading the answer${READ}`,
    ],
    [
      'no answer at all',
      [],
      `connection closed by the server without an answer (ECONNRESET) after the request was sent in full${SENT}`,
    ],
    [
      'half a status line',
      ['HTTP/1.1 2'],
      `connection closed by the server without an answer (ECONNRESET) after the request was sent in full${SENT}`,
    ],
    [
      'something that is not HTTP',
      ['SSH-2.0-OpenSSH_9.6\r\n\r\n'],
      `network error: Parse Error: Expected HTTP/ (HPE_INVALID_CONSTANT) after the request was sent in full${SENT}`,
    ],
    [
      'a header line without a colon',
      ['HTTP/1.1 200 OK\r\nbroken line\r\n\r\n'],
      `network error: Parse Error: Invalid header token (HPE_INVALID_HEADER_TOKEN) after the request was sent in full${SENT}`,
    ],
    [
      'two different lengths',
      ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
      `network error: Parse Error: Invalid Content-Length (HPE_UNEXPECTED_CONTENT_LENGTH) after the request was sent in full${SENT}`,
    ],
    [
      'a control character for a chunk size',
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\u0011\r\nx\r\n0\r\n\r\n'],
      `network error: Parse Error: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE) while reading the answer${READ}`,
    ],
    [
      'a chunk size of 13 hex digits',
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000001\r\nx\r\n0\r\n\r\n'],
      `network error: Parse Error: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE) while reading the answer${READ}`,
    ],
    [
      'a bad chunk size',
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      `network error: Parse Error: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE) while reading the answer${READ}`,
    ],
    [
      'a head of more than 16 KiB',
      [`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(20000)}\r\n\r\n`],
      `network error: Parse Error: Header overflow (HPE_HEADER_OVERFLOW) after the request was sent in full${SENT}`,
    ],
  ])('fails on %s, and says whether it may have been delivered', async (_name, pieces, error) => {
    const server = await rawServer(() => ({ pieces, close: true }));
    const result = await send(client(), post(`${server.origin}/x`));
    expect([result.ok, result.status, result.error]).toEqual([false, null, error]);
  });
});

describe('the direct HTTP/1.1 client: connections', () => {
  const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

  it('sends a sequence of requests to one origin on one kept-alive connection', async () => {
    const server = await rawServer(() => ({ pieces: [ok] }));
    const c = client();
    for (let i = 0; i < 4; i++) expect((await send(c, post(`${server.origin}/${i}`))).ok).toBe(true);
    expect(server.requests.map((r) => r.connection)).toEqual([0, 0, 0, 0]);
  });

  it.each([
    ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', false],
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', false],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok', true],
    ['a body to the end of the connection', 'HTTP/1.1 200 OK\r\n\r\nok', false],
    ['bytes after the answer', `${ok}HTTP/1.1 200 OK\r\n\r\n`, false],
  ])('after an answer with %s, reuses the connection: %s', async (_name, answer, reused) => {
    const server = await rawServer(() => ({ pieces: [answer], close: answer === 'HTTP/1.1 200 OK\r\n\r\nok' }));
    const c = client();
    expect((await send(c, post(`${server.origin}/a`))).text).toBe('ok');
    expect((await send(c, post(`${server.origin}/b`))).text).toBe('ok');
    expect(server.requests.map((r) => r.connection)).toEqual(reused ? [0, 0] : [0, 1]);
  });

  it('opens a new connection when the server closed the idle one', async () => {
    const server = await rawServer(() => ({ pieces: [ok], close: true }));
    const c = client();
    expect((await send(c, post(`${server.origin}/a`))).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect((await send(c, post(`${server.origin}/b`))).ok).toBe(true);
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('sends concurrent requests on connections of their own, and reuses them after', async () => {
    const server = await rawServer(() => ({ pieces: [ok] }));
    const c = client();
    const first = await Promise.all([1, 2, 3].map((i) => send(c, post(`${server.origin}/${i}`))));
    const second = await Promise.all([4, 5, 6].map((i) => send(c, post(`${server.origin}/${i}`))));
    expect([...first, ...second].map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
    expect(new Set(server.requests.slice(0, 3).map((r) => r.connection)).size).toBe(3);
    expect(server.connections).toBe(3);
  });
});
