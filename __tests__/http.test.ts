import {
  backoffDelay,
  createHttpClient,
  formatSeconds,
  parseRetryAfter,
  readHttpStatus,
  type HttpClientOptions,
} from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import type { HttpAnswer, HttpClient, Verdict } from '../src/delivery/types.js';
import { USER_AGENT } from '../src/version.js';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startProxy, type Proxy } from './support/proxy.js';
import { localCa } from './support/tls.js';
import { closedPort, startReceiver, type Receiver } from './support/receiver.js';
import { recordingLogger, type RecordingLogger } from './support/recording-logger.js';

interface Harness {
  client: HttpClient;
  log: RecordingLogger;
  waits: number[];
  redactor: Redactor;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

function harness(overrides: Partial<HttpClientOptions> = {}): Harness {
  const log = recordingLogger();
  const waits: number[] = [];
  const redactor = overrides.redactor ?? new Redactor();
  const client = createHttpClient({
    timeoutMs: 2000,
    retries: 3,
    log,
    redactor,
    dryRun: false,
    env: {},
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...overrides,
  });
  open.push(client);
  return { client, log, waits, redactor };
}

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  open.push(r);
  return r;
}

const post = (url: string, body = '{"hello":"world"}') => ({
  method: 'POST' as const,
  url,
  headers: { 'Content-Type': 'application/json' },
  body,
});

describe('createHttpClient: retries', () => {
  it('retries two 503 answers with backoff and delivers exactly once on the third attempt', async () => {
    const r = await receiver({
      replies: [
        { status: 503, body: 'busy' },
        { status: 503, body: 'busy' },
        { status: 200, body: 'ok' },
      ],
    });
    const { client, waits, log } = harness({ retries: 3 });

    const outcome = await client.deliver(post(`${r.origin}/hook`), undefined, { label: 'webhook ops' });

    expect(outcome).toEqual({
      ok: true,
      dry_run: false,
      attempts: 3,
      status_code: 200,
      error: null,
      answer: {
        status: 200,
        headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8' }),
        text: 'ok',
        json: undefined,
      },
      duration_ms: expect.any(Number),
    });
    expect(r.requests).toHaveLength(3);
    expect(r.requests.map((q) => q.text)).toEqual(['{"hello":"world"}', '{"hello":"world"}', '{"hello":"world"}']);
    // Equal jitter with random 0.5: 1 s → 0.75 s, 2 s → 1.5 s.
    expect(waits).toEqual([750, 1500]);
    expect(log.lines.filter((l) => l.level === 'debug').map((l) => l.message)).toEqual([
      'webhook ops: attempt 2/4 after HTTP 503, waiting 0.75 s',
      'webhook ops: attempt 3/4 after HTTP 503, waiting 1.5 s',
    ]);
  });

  it('never sends a request again once it got a success answer', async () => {
    const r = await receiver();
    const { client, waits } = harness({ retries: 5 });
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(1);
    expect(r.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('gives up after 1 + retries attempts and reports the last answer', async () => {
    const r = await receiver({ handler: () => ({ status: 503, body: 'unavailable upstream' }) });
    const { client, waits } = harness({ retries: 2 });
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 3,
      status_code: 503,
      error: 'HTTP 503 Service Unavailable: unavailable upstream (gave up after 3 attempts)',
    });
    expect(r.requests).toHaveLength(3);
    expect(waits).toEqual([750, 1500]);
  });

  it('honours Retry-After in seconds on 429', async () => {
    const r = await receiver({ replies: [{ status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' }] });
    const { client, waits } = harness();
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(waits).toEqual([7000]);
  });

  it('says in the log (not only in debug) that it waits when the wait is long', async () => {
    const r = await receiver({ replies: [{ status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' }] });
    const { client, log } = harness();
    await client.deliver(post(`${r.origin}/hook`), undefined, { label: 'webhook ops' });
    expect(log.lines).toEqual([{ level: 'info', message: 'webhook ops: waiting 7 s: attempt 2/4 after HTTP 429' }]);
  });

  it('does not call an answer with a success code but HTTP 5xx a success, and retries it', async () => {
    const robotOk = { errcode: 0, errmsg: 'ok' };
    const r = await receiver({
      replies: [
        { status: 503, body: robotOk },
        { status: 200, body: robotOk },
      ],
    });
    const { client } = harness();
    const readRobot = (answer: HttpAnswer): Verdict =>
      (answer.json as { errcode?: number } | undefined)?.errcode === 0
        ? { ok: true }
        : { ok: false, retry: false, error: 'robot error' };
    const outcome = await client.deliver(post(`${r.origin}/robot`), readRobot);
    expect(outcome).toMatchObject({ ok: true, attempts: 2, status_code: 200 });
    const failing = await receiver({ handler: () => ({ status: 500, body: robotOk }) });
    const failed = await client.deliver(post(`${failing.origin}/robot`), readRobot);
    expect(failed).toMatchObject({
      ok: false,
      attempts: 4,
      status_code: 500,
      error: 'HTTP 500 Internal Server Error: {"errcode":0,"errmsg":"ok"} (gave up after 4 attempts)',
    });
  });

  it('strips control characters (ESC, BEL, NUL) from an endpoint answer before it reaches the error line', async () => {
    const r = await receiver({
      handler: () => ({ status: 400, body: 'bad \u001b[31mred\u001b[0m \u0007bell\u0000nul\r\n::error::x' }),
    });
    const { client } = harness();
    const outcome = await client.deliver(post(`${r.origin}/x`), (answer) => ({
      ok: false,
      retry: false,
      error: `platform says: ${answer.text}`,
    }));
    expect(outcome.error).toBe('platform says: bad [31mred[0m bellnul ::error::x');
  });

  it('honours Retry-After as an HTTP date', async () => {
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const r = await receiver({ replies: [{ status: 503, headers: { 'Retry-After': inFiveSeconds } }] });
    const { client, waits } = harness();
    await client.deliver(post(`${r.origin}/hook`));
    expect(waits).toHaveLength(1);
    // HTTP dates have whole seconds: the wait is 4–5 s.
    expect(waits[0]).toBeGreaterThan(3500);
    expect(waits[0]).toBeLessThanOrEqual(5000);
  });

  it('backs off as usual when Retry-After or a platform retry_after is unreadable or negative', async () => {
    // V8's Date.parse reads "-5" and "in 5" as dates in 2001 and "soon 2030" as one in 2030: none is an
    // HTTP date (RFC 9110 §5.6.7), so none may turn the backoff into an instant retry or a minute's wait.
    const garbage = ['-5', '+5', 'in 5', '1 2', 'soon 2030', '-0.5'];
    const r = await receiver({
      replies: garbage.map((value) => ({ status: 429, headers: { 'Retry-After': value }, body: 'slow down' })),
    });
    const { client, waits } = harness({ retries: garbage.length });
    expect(await client.deliver(post(`${r.origin}/hook`))).toMatchObject({ ok: true, attempts: 7 });
    expect(waits).toEqual([750, 1500, 3000, 6000, 12_000, 22_500]);

    const negative: Verdict = { ok: false, retry: true, error: 'rate limited', retryAfterMs: -5000 };
    const r2 = await receiver({ replies: [{ status: 429, body: '{"retry_after": -5}' }] });
    const second = harness();
    const read = (answer: HttpAnswer): Verdict => (answer.status === 429 ? negative : { ok: true });
    expect(await second.client.deliver(post(`${r2.origin}/hook`), read)).toMatchObject({ ok: true, attempts: 2 });
    expect(second.waits).toEqual([750]);
  });

  it('caps a huge Retry-After at 60 s', async () => {
    const r = await receiver({ replies: [{ status: 429, headers: { 'Retry-After': '3600' } }] });
    const { client, waits } = harness();
    await client.deliver(post(`${r.origin}/hook`));
    expect(waits).toEqual([60_000]);
  });

  it('does not retry a 400 and quotes the first 200 characters of the body', async () => {
    const long = `bad payload ${'x'.repeat(300)}`;
    const r = await receiver({ handler: () => ({ status: 400, body: long }) });
    const { client, waits } = harness();
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({ ok: false, attempts: 1, status_code: 400 });
    expect(outcome.error).toBe(`HTTP 400 Bad Request: ${long.slice(0, 200)}…`);
    expect(r.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries a 200 whose verdict says retry, waiting what the verdict asks', async () => {
    const r = await receiver({ replies: [{ body: { errcode: 130101 } }, { body: { errcode: 0 } }] });
    const { client, waits } = harness();
    const read = (a: HttpAnswer): Verdict =>
      (a.json as { errcode: number }).errcode === 0
        ? { ok: true }
        : { ok: false, retry: true, error: 'errcode 130101 send too fast', retryAfterMs: 4000 };
    const outcome = await client.deliver(post(`${r.origin}/robot`), read);
    expect(outcome).toMatchObject({ ok: true, attempts: 2, status_code: 200 });
    expect(waits).toEqual([4000]);
  });

  it('does not retry a verdict with retry: false and appends its hint to the one-line error', async () => {
    const r = await receiver({ handler: () => ({ body: { errcode: 310000, errmsg: 'sign not match' } }) });
    const { client } = harness();
    const read = (): Verdict => ({
      ok: false,
      retry: false,
      error: 'errcode 310000: sign not match',
      hint: 'check secret',
    });
    const outcome = await client.deliver(post(`${r.origin}/robot`), read);
    expect(outcome).toMatchObject({ ok: false, attempts: 1, error: 'errcode 310000: sign not match — check secret' });
    expect(r.requests).toHaveLength(1);
  });

  it('calls a request factory for every attempt so time-based signatures are fresh', async () => {
    const r = await receiver({ replies: [{ status: 500 }, { status: 500 }] });
    const { client } = harness();
    let built = 0;
    await client.deliver(() => post(`${r.origin}/hook?attempt=${++built}`));
    expect(r.requests.map((q) => q.query.attempt)).toEqual(['1', '2', '3']);
  });

  it('reports a request factory that throws as an unsent delivery, not a crash', async () => {
    const { client } = harness();
    const outcome = await client.deliver(() => {
      throw new Error('bad key');
    });
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 0,
      status_code: null,
      error: 'could not build the request: bad key',
    });
  });

  it('does not retry a request Node refuses as invalid', async () => {
    const { client, waits } = harness();
    const outcome = await client.deliver({
      method: 'POST',
      url: 'http://127.0.0.1:1/x',
      headers: { 'Bad Header': 'x' },
      body: '',
    });
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(outcome.error).toMatch(/^invalid request: /);
    expect(waits).toEqual([]);
  });

  it('reports a verdict function that throws as a failed read, not a crash', async () => {
    const r = await receiver({ handler: () => ({ status: 200, body: 'not json' }) });
    const { client } = harness();
    const outcome = await client.deliver(post(`${r.origin}/hook`), (a) => {
      if ((a.json as { ok?: boolean } | undefined)?.ok === undefined) throw new Error('no ok field');
      return { ok: true };
    });
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error: 'could not read the answer (no ok field): HTTP 200: not json',
    });
  });
});

describe('createHttpClient: network failures and timeouts', () => {
  it('does not resend a request that was sent in full when the server never answers (it may have been delivered)', async () => {
    const r = await receiver({ handler: () => ({ hang: true }) });
    const { client, waits } = harness({ timeoutMs: 200, retries: 3 });
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      status_code: null,
      error:
        'timed out after 0.2 s waiting for the answer after the request was sent in full (it may have been delivered; not retried to avoid a duplicate)',
      answer: null,
    });
    expect(r.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('times out and retries a server that never answers when the request carries an idempotency key', async () => {
    const r = await receiver({ handler: () => ({ hang: true }) });
    const { client, waits } = harness({ timeoutMs: 200, retries: 1 });
    const started = Date.now();
    const outcome = await client.deliver({ ...post(`${r.origin}/hook`), idempotent: true });
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 2,
      status_code: null,
      error: 'timed out after 0.2 s waiting for the answer (gave up after 2 attempts)',
      answer: null,
    });
    expect(r.requests).toHaveLength(2);
    expect(waits).toEqual([750]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('retries GET and PUT after a lost answer: they are idempotent by definition', async () => {
    const r = await receiver({ replies: [{ destroy: true }, { status: 204 }, { destroy: true }, { status: 204 }] });
    const { client } = harness();
    const get = await client.deliver({ method: 'GET', url: `${r.origin}/g`, headers: {} });
    const put = await client.deliver({ method: 'PUT', url: `${r.origin}/p`, headers: {}, body: '{}' });
    expect([get, put]).toMatchObject([
      { ok: true, attempts: 2 },
      { ok: true, attempts: 2 },
    ]);
  });

  it('prints the default 10 s timeout as "10 s"', () => {
    expect(formatSeconds(10_000)).toBe('10 s');
    expect(formatSeconds(1200)).toBe('1.2 s');
    expect(formatSeconds(250)).toBe('0.25 s');
  });

  it('does not resend when the answer headers arrived but the body timed out (it may have been delivered)', async () => {
    const r = await receiver({ handler: () => ({ hangAfterHeaders: true }) });
    const { client } = harness({ timeoutMs: 200, retries: 3 });
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error:
        'timed out after 0.2 s while reading the answer (the request may have been delivered; not retried to avoid a duplicate)',
    });
    expect(r.requests).toHaveLength(1);
  });

  it('says nothing of duplicates when the answer of a GET (an API read) stalls: reading has no side effect', async () => {
    const r = await receiver({ handler: () => ({ hangAfterHeaders: true }) });
    const { client } = harness({ timeoutMs: 200, retries: 0 });
    const outcome = await client.deliver({ method: 'GET', url: `${r.origin}/api/runs`, headers: {} });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, error: 'timed out after 0.2 s while reading the answer' });
  });

  it('retries a refused connection and then reports it', async () => {
    const port = await closedPort();
    const { client, waits } = harness({ retries: 2 });
    const outcome = await client.deliver(post(`http://127.0.0.1:${port}/hook`));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 3,
      status_code: null,
      error: 'connection refused (ECONNREFUSED) (gave up after 3 attempts)',
    });
    expect(waits).toEqual([750, 1500]);
  });

  it('does not resend when the server read the whole request and closed the socket without an answer', async () => {
    const r = await receiver({ replies: [{ destroy: true }, { status: 204 }] });
    const { client, waits } = harness();
    const outcome = await client.deliver(post(`${r.origin}/hook`));
    expect(outcome).toMatchObject({ ok: false, attempts: 1, status_code: null });
    expect(outcome.error).toBe(
      'connection closed by the server without an answer (ECONNRESET) after the request was sent in full (it may have been delivered; not retried to avoid a duplicate)',
    );
    expect(r.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('resends after a closed socket when the request carries an idempotency key, and delivers once', async () => {
    const r = await receiver({ replies: [{ destroy: true }, { status: 204 }] });
    const { client } = harness();
    const outcome = await client.deliver({ ...post(`${r.origin}/hook`), idempotent: true });
    expect(outcome).toMatchObject({ ok: true, attempts: 2, status_code: 204 });
    expect(r.requests).toHaveLength(2);
  });
});

describe('createHttpClient: failures a retry cannot fix', () => {
  it('does not retry a TLS certificate it cannot verify, and says so', async () => {
    const ca = localCa();
    const server = createHttpsServer({ key: ca.untrustedKey, cert: ca.untrustedCert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const { port } = server.address() as AddressInfo;
    const { client, waits } = harness({ retries: 3 });
    const outcome = await client.deliver(post(`https://localhost:${port}/hook`));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error:
        'TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS?) (UNABLE_TO_VERIFY_LEAF_SIGNATURE); not retried',
    });
    expect(waits).toEqual([]);
  });

  it('does not retry a host name that does not resolve', async () => {
    const { client, waits } = harness({ retries: 3 });
    const outcome = await client.deliver(post('http://ci-notify-test.invalid/hook'));
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(outcome.error).toMatch(
      /^host (not found|name could not be resolved) \(DNS\) \((ENOTFOUND|EAI_AGAIN)\); not retried$/,
    );
    expect(waits).toEqual([]);
  });

  it('refuses a header value with a line break, naming the header, and sends nothing', async () => {
    const r = await receiver();
    const { client } = harness();
    const outcome = await client.deliver({ ...post(`${r.origin}/x`), headers: { 'X-Team': 'ops\r\nX-Injected: 1' } });
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(outcome.error).toMatch(/^invalid request: .*"X-Team"/);
    expect(r.requests).toHaveLength(0);
  });
});

describe('createHttpClient: headers, proxies, dry run', () => {
  it('sends User-Agent ci-notify/<version> unless the request sets one', async () => {
    const r = await receiver();
    const { client } = harness();
    await client.deliver(post(`${r.origin}/a`));
    await client.deliver({ method: 'POST', url: `${r.origin}/b`, headers: { 'user-agent': 'mine/1' }, body: 'x' });
    expect(r.requests.map((q) => q.headers['user-agent'])).toEqual([USER_AGENT, 'mine/1']);
    expect(USER_AGENT).toMatch(/^ci-notify\/\d+\.\d+\.\d+/);
  });

  it('sends the body bytes exactly as given (UTF-8), and no body for GET', async () => {
    const r = await receiver();
    const { client } = harness();
    const body = '{"title":"修复 ✓ \\"quoted\\""}';
    await client.deliver(post(`${r.origin}/a`, body));
    await client.deliver({ method: 'GET', url: `${r.origin}/b?x=1`, headers: {} });
    expect(r.requests[0]?.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(r.requests[1]).toMatchObject({ method: 'GET', url: '/b?x=1', text: '' });
  });

  let proxy: Proxy;
  beforeEach(async () => {
    proxy = await startProxy();
    open.push(proxy);
  });

  it('goes through HTTP_PROXY from the injected env', async () => {
    const r = await receiver();
    const { client } = harness({ env: { HTTP_PROXY: proxy.url } });
    const outcome = await client.deliver(post(`${r.origin}/via-proxy`));
    expect(outcome.ok).toBe(true);
    expect(proxy.seen).toEqual([
      {
        method: 'POST',
        target: `${r.origin}/via-proxy`,
        headers: expect.objectContaining({ 'user-agent': USER_AGENT }),
      },
    ]);
    expect(r.requests).toHaveLength(1);
  });

  it('tunnels https targets through HTTPS_PROXY with CONNECT', async () => {
    // The receiver speaks plain HTTP, so the TLS handshake inside the tunnel fails: what matters
    // here is that the client asked the proxy for a tunnel to the right host and port.
    const r = await receiver();
    const { client } = harness({ env: { HTTPS_PROXY: proxy.url }, retries: 0 });
    const outcome = await client.deliver(post(`https://127.0.0.1:${r.port}/secure`));
    expect(outcome.ok).toBe(false);
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${r.port}`, headers: expect.any(Object) }]);
  });

  it('honours lower-case http_proxy too', async () => {
    const r = await receiver();
    const { client } = harness({ env: { http_proxy: proxy.url } });
    await client.deliver(post(`${r.origin}/lower`));
    expect(proxy.seen.map((s) => s.target)).toEqual([`${r.origin}/lower`]);
  });

  it('prefers lower-case http_proxy over HTTP_PROXY when both are set (curl precedence)', async () => {
    const other = await startProxy();
    open.push(other);
    const r = await receiver();
    const { client } = harness({ env: { http_proxy: proxy.url, HTTP_PROXY: other.url } });
    await client.deliver(post(`${r.origin}/both`));
    expect([proxy.seen.length, other.seen.length]).toEqual([1, 0]);
  });

  it('prefers https_proxy over HTTPS_PROXY, and falls back to the http proxy for https targets', async () => {
    const other = await startProxy();
    open.push(other);
    const r = await receiver();
    const target = post(`https://127.0.0.1:${r.port}/tls`);
    await harness({ env: { https_proxy: proxy.url, HTTPS_PROXY: other.url }, retries: 0 }).client.deliver(target);
    expect([proxy.seen.map((s) => s.method), other.seen.length]).toEqual([['CONNECT'], 0]);
    await harness({ env: { HTTP_PROXY: other.url }, retries: 0 }).client.deliver(target);
    expect(other.seen.map((s) => s.method)).toEqual(['CONNECT']);
  });

  it.each([
    ['127.0.0.1', true],
    ['localhost, 127.0.0.1', true],
    ['*', true],
    ['127.0.0.2', false],
    ['example.com', false],
  ])('reads NO_PROXY=%j for 127.0.0.1 (direct: %s)', async (noProxy, direct) => {
    const r = await receiver();
    const { client } = harness({ env: { HTTP_PROXY: proxy.url, no_proxy: noProxy } });
    const outcome = await client.deliver(post(`${r.origin}/x`));
    expect([outcome.ok, proxy.seen.length]).toEqual([true, direct ? 0 : 1]);
  });

  it('goes direct when NO_PROXY matches the host', async () => {
    const r = await receiver();
    const { client } = harness({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    const outcome = await client.deliver(post(`${r.origin}/direct`));
    expect(outcome.ok).toBe(true);
    expect(proxy.seen).toEqual([]);
    expect(r.requests).toHaveLength(1);
  });

  it('reads proxy settings only from the injected env, never from process.env', async () => {
    const r = await receiver();
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url;
    try {
      const { client } = harness({ env: {} });
      await client.deliver(post(`${r.origin}/direct`));
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
    expect(proxy.seen).toEqual([]);
    expect(r.requests).toHaveLength(1);
  });

  it('in a dry run sends nothing and logs the request with credentials redacted', async () => {
    const r = await receiver();
    const redactor = new Redactor();
    const url = `${r.origin}/hooks/T0/s3cr3tT0kenValue99?access_token=abcdef0123456789`;
    redactor.add(url);
    const { client, log } = harness({ dryRun: true, redactor });
    const outcome = await client.deliver(
      {
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok-123456' },
        body: '{"a":1,"b":[2]}',
      },
      undefined,
      { label: 'webhook ops' },
    );
    expect(outcome).toEqual({
      ok: true,
      dry_run: true,
      attempts: 0,
      status_code: null,
      error: null,
      answer: null,
      duration_ms: expect.any(Number),
    });
    expect(r.requests).toHaveLength(0);
    expect(log.text()).toBe(
      [
        '[dry run] webhook ops: POST ***',
        '  Content-Type: application/json',
        '  Authorization: ***',
        `  User-Agent: ${USER_AGENT}`,
        '',
        '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}',
      ].join('\n'),
    );
    expect(log.text()).not.toContain('s3cr3tT0kenValue99');
    expect(log.text()).not.toContain('abcdef0123456789');
    expect(log.text()).not.toContain('tok-123456');
  });
});

describe('createHttpClient: the dry-run dump of a signed request', () => {
  it("masks the signatures: a signature header, DingTalk's sign parameter and Lark's sign field", async () => {
    const { client, log } = harness({ dryRun: true });
    await client.deliver(
      {
        method: 'POST',
        url: 'https://robot.example.com/send?timestamp=1700000000000&sign=oOXcr53S5wE94Sl9I96e%2FnecSXXnuCg%3D&x=1',
        headers: { 'X-Hub-Signature-256': 'sha256=0123abcd', 'webhook-signature': 'v1,2fledeg1oQ7Ebs=' },
        body: '{"timestamp":"1700000000","sign":"4eYqNMPqjbwCJGFM9/tMwfTa=","msg_type":"text"}',
      },
      undefined,
      { label: 'robot' },
    );
    expect(log.text()).toBe(
      [
        '[dry run] robot: POST https://robot.example.com/send?timestamp=1700000000000&sign=***&x=1',
        '  X-Hub-Signature-256: ***',
        '  webhook-signature: ***',
        `  User-Agent: ${USER_AGENT}`,
        '',
        '{\n  "timestamp": "1700000000",\n  "sign": "***",\n  "msg_type": "text"\n}',
      ].join('\n'),
    );
  });
});

describe('createHttpClient: redaction', () => {
  it('never puts the token of the URL into an error, raw, URL-encoded or base64', async () => {
    const token = 'tok_9f8e7d6c5b4a3210ZZ';
    const r = await receiver({
      handler: (q) => ({
        status: 403,
        body: `forbidden for ${q.url} token=${encodeURIComponent(token)} b64=${Buffer.from(token).toString('base64')}`,
      }),
    });
    const url = `${r.origin}/hook?token=${token}`;
    const redactor = new Redactor();
    redactor.add(url);
    const { client, log } = harness({ redactor });
    const outcome = await client.deliver(post(url));
    expect(outcome.ok).toBe(false);
    for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64')]) {
      expect(outcome.error).not.toContain(form);
      expect(log.text()).not.toContain(form);
    }
    expect(outcome.error).toMatch(/^HTTP 403 Forbidden: forbidden for \/hook\?token=\*\*\* token=\*\*\* b64=\*\*\*$/);
  });

  it('masks a secret cut in half by the 200-character quote of the body', async () => {
    const secret = 'SECRET-0123456789abcdefghij';
    const r = await receiver({ handler: () => ({ status: 400, body: `${'y'.repeat(190)} ${secret}` }) });
    const redactor = new Redactor();
    redactor.add(secret);
    const { client } = harness({ redactor });
    const outcome = await client.deliver(post(`${r.origin}/x`));
    expect(outcome.error).toBe(`HTTP 400 Bad Request: ${'y'.repeat(190)} ***…`);
  });

  it.each([
    ['with a scheme', (hostPort: string) => `http://ci:Pr0xy-Passw0rd@${hostPort}`],
    ['without one (read as http://, as the request does)', (hostPort: string) => `ci:Pr0xy-Passw0rd@${hostPort}`],
  ])('never quotes the proxy password or its Basic header, a proxy URL %s', async (_, proxyUrl) => {
    // A forward proxy that echoes what it was sent, the credentials among it.
    const proxy = await receiver({
      handler: (q) => ({ status: 400, body: `bad request: ${String(q.headers['proxy-authorization'])} ${q.url}` }),
    });
    const basic = Buffer.from('ci:Pr0xy-Passw0rd').toString('base64');
    const { client, log } = harness({ retries: 0, env: { HTTP_PROXY: proxyUrl(new URL(proxy.origin).host) } });
    const outcome = await client.deliver(post('http://hooks.example/x'));
    expect(proxy.requests).toHaveLength(1);
    expect(proxy.requests[0]?.headers['proxy-authorization']).toBe(`Basic ${basic}`);
    expect(outcome.error).toBe('HTTP 400 Bad Request: bad request: Basic *** http://hooks.example/x');
    for (const form of ['Pr0xy-Passw0rd', basic]) expect(log.text()).not.toContain(form);
  });

  it('redacts the debug lines of retries', async () => {
    const secret = 'hook-secret-value-42';
    const r = await receiver({ replies: [{ status: 503 }] });
    const redactor = new Redactor();
    redactor.add(secret);
    const { client, log } = harness({ redactor });
    await client.deliver(post(`${r.origin}/x`), undefined, { label: `webhook ${secret}` });
    expect(log.text()).toBe('webhook ***: attempt 2/4 after HTTP 503, waiting 0.75 s');
  });
});

describe('retry policy pieces', () => {
  it('doubles the backoff from 1 s up to a 30 s cap, with equal jitter', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, low))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
    expect([1, 2, 6].map((n) => backoffDelay(n, high))).toEqual([1000, 2000, 30000]);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:20 GMT', now)).toBe(20_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('Tuesday, 01-Dec-26 10:00:20 GMT', now)).toBe(20_000);
    expect(parseRetryAfter('Tue Dec  1 10:00:20 2026', now)).toBe(20_000);
    for (const garbage of ['-5', '+5', 'in 5', '1 2', 'soon 2030', '-0.5', '2026-12-01T10:00:20Z'])
      expect(parseRetryAfter(garbage, now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('86400', now)).toBe(60_000);
  });

  it('calls any 2xx a success and marks 408, 429 and 5xx as retryable', () => {
    const answer = (status: number, text = ''): HttpAnswer => ({ status, headers: {}, text, json: undefined });
    expect(readHttpStatus(answer(204))).toEqual({ ok: true });
    expect(readHttpStatus(answer(408))).toEqual({ ok: false, retry: true, error: 'HTTP 408 Request Timeout' });
    expect(readHttpStatus(answer(429, 'later'))).toEqual({
      ok: false,
      retry: true,
      error: 'HTTP 429 Too Many Requests: later',
    });
    expect(readHttpStatus(answer(599))).toEqual({ ok: false, retry: true, error: 'HTTP 599' });
    expect(readHttpStatus(answer(404, 'no\nroute'))).toEqual({
      ok: false,
      retry: false,
      error: 'HTTP 404 Not Found: no route',
    });
    expect(readHttpStatus(answer(301))).toEqual({
      ok: false,
      retry: false,
      error: 'HTTP 301 Moved Permanently',
      hint: 'the URL redirects; use the final URL',
    });
  });
});
