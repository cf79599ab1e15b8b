import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { encodeCloudEventsHeader, pipelineRunOutcome, toCdevent } from '../src/channels/cdevents.js';
import { webhook, webhookOptions } from '../src/channels/webhook.js';
import type { CiEvent, Status } from '../src/event/types.js';
import { STATUSES } from '../src/event/types.js';
import { USER_AGENT } from '../src/version.js';
import { channelHarness } from './support/channel-context.js';
import { emptyEvent, sampleEvent } from './support/fixtures.js';
import { startReceiver, type RecordedRequest, type Receiver } from './support/receiver.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  open.push(r);
  return r;
}

function harness(raw: Record<string, string>, setup: Parameters<typeof channelHarness>[2] = {}) {
  const h = channelHarness(webhook, raw, setup);
  open.push(h.http);
  return h;
}

function first(r: Receiver): RecordedRequest {
  const request = r.requests[0];
  if (!request) throw new Error('the receiver got no request');
  return request;
}

/** What a GitHub-webhook receiver does (API_FACTS §F.1): HMAC of the raw bytes, constant-time compare. */
function hubSignatureValid(request: RecordedRequest, secret: string, algorithm: 'sha256' | 'sha1'): boolean {
  const header = request.headers[algorithm === 'sha256' ? 'x-hub-signature-256' : 'x-hub-signature'];
  if (typeof header !== 'string' || !header.startsWith(`${algorithm}=`)) return false;
  const expected = createHmac(algorithm, secret).update(request.body).digest();
  const got = Buffer.from(header.slice(algorithm.length + 1), 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** What the Standard Webhooks reference verifier does (API_FACTS §F.2), written independently. */
function standardSignatureValid(request: RecordedRequest, secret: string, nowSeconds: number): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(request.body).digest('base64');
  return signatures.split(' ').some((s) => s === `v1,${expected}`);
}

const NOW = new Date('2026-12-01T10:00:05.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

describe('webhook format json (DESIGN §5.1)', () => {
  it('POSTs the whole event as JSON with the ci-notify headers', async () => {
    const r = await receiver();
    const { ctx } = harness({ url: `${r.origin}/ci` });
    const result = await webhook.send(ctx);

    expect(result).toMatchObject({ ok: true, attempts: 1, status_code: 200, error: null });
    const request = first(r);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/ci');
    expect(request.json()).toEqual(sampleEvent());
    expect(request.text).toBe(JSON.stringify(sampleEvent()));
    expect(request.headers).toEqual({
      host: `127.0.0.1:${r.port}`,
      connection: 'keep-alive',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(request.text)),
      'user-agent': USER_AGENT,
      'x-ci-notify-event': 'pipeline',
      'x-ci-notify-delivery': '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
    });
  });

  it('signs the exact bytes with X-Hub-Signature-256 when secret is set (GitHub-compatible)', async () => {
    const secret = 'webhook-hmac-key-0001';
    const r = await receiver({
      handler: (q) =>
        hubSignatureValid(q, secret, 'sha256') ? { status: 204 } : { status: 401, body: 'bad signature' },
    });
    const { ctx } = harness({ url: `${r.origin}/ci`, secret });
    const result = await webhook.send(ctx);
    expect(result).toMatchObject({ ok: true, status_code: 204 });
    const request = first(r);
    expect(request.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`,
    );
    expect(request.headers['x-hub-signature']).toBeUndefined();
    expect(request.headers['webhook-signature']).toBeUndefined();
  });

  it('sends X-Hub-Signature sha1 instead with signature: sha1', async () => {
    const secret = 'coding-style-token';
    const r = await receiver({
      handler: (q) => (hubSignatureValid(q, secret, 'sha1') ? { status: 200 } : { status: 401 }),
    });
    const { ctx } = harness({ url: `${r.origin}/ci`, secret, signature: 'SHA1' });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    expect(first(r).headers['x-hub-signature-256']).toBeUndefined();
    expect(first(r).headers['x-hub-signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
  });

  it('sends Standard Webhooks headers with signature: standard, decoding a whsec_ secret', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const r = await receiver({
      handler: (q) =>
        standardSignatureValid(q, secret, NOW_SECONDS) ? { status: 200 } : { status: 401, body: 'invalid signature' },
    });
    const { ctx } = harness({ url: `${r.origin}/ci`, secret, signature: 'standard' }, { now: () => NOW });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true, status_code: 200 });
    const request = first(r);
    expect(request.headers['webhook-id']).toBe(sampleEvent().id);
    expect(request.headers['webhook-timestamp']).toBe(String(NOW_SECONDS));
    expect(request.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('re-signs each retry with a fresh timestamp over the same body bytes', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    let clock = NOW.getTime();
    const r = await receiver({ replies: [{ status: 503 }] });
    const { ctx } = harness(
      { url: `${r.origin}/ci`, secret, signature: 'standard' },
      { now: () => new Date((clock += 2000)) },
    );
    expect(await webhook.send(ctx)).toMatchObject({ ok: true, attempts: 2 });
    const [a, b] = r.requests;
    expect(a?.text).toBe(b?.text);
    expect(Number(b?.headers['webhook-timestamp'])).toBeGreaterThan(Number(a?.headers['webhook-timestamp']));
    for (const request of r.requests)
      expect(standardSignatureValid(request, secret, Number(request.headers['webhook-timestamp']))).toBe(true);
    expect(a?.headers['webhook-id']).toBe(b?.headers['webhook-id']);
  });

  it('sends no body with GET and puts the essentials in the query string', async () => {
    const r = await receiver();
    const { ctx } = harness({ url: `${r.origin}/ping?keep=1`, method: 'get' });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    const request = first(r);
    expect(request.method).toBe('GET');
    expect(request.text).toBe('');
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.query).toEqual({
      keep: '1',
      id: '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
      status: 'failure',
      repository: 'acme/api',
      ref: 'main',
      sha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      pipeline_url: 'https://github.com/acme/api/actions/runs/4242',
    });
  });

  it('PUTs with extra headers and basic auth; user headers win over defaults, not over the signature', async () => {
    const r = await receiver();
    const { ctx } = harness({
      url: `${r.origin}/put`,
      method: 'Put',
      headers: 'X-Team: payments\n\n# a comment\nUser-Agent: acme-hooks/2\nX-Hub-Signature-256: forged',
      username: 'ci',
      password: 'pa:ss word',
      secret: 'k3y-for-hmac',
    });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    const request = first(r);
    expect(request.method).toBe('PUT');
    expect(request.json()).toEqual(sampleEvent());
    expect(request.headers).toMatchObject({
      'x-team': 'payments',
      'user-agent': 'acme-hooks/2',
      authorization: `Basic ${Buffer.from('ci:pa:ss word').toString('base64')}`,
    });
    expect(hubSignatureValid(request, 'k3y-for-hmac', 'sha256')).toBe(true);
  });

  it('moves user:password written into the URL into a Basic header', async () => {
    const r = await receiver();
    const { ctx } = harness({ url: `http://bot:s%40cret99@127.0.0.1:${r.port}/in` });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    expect(first(r).headers.authorization).toBe(`Basic ${Buffer.from('bot:s@cret99').toString('base64')}`);
  });
});

describe('webhook format template', () => {
  it('sends the rendered template as application/json when it is JSON, values JSON-escaped', async () => {
    const r = await receiver();
    const event = sampleEvent({
      commit: { ...sampleEvent().commit, title: 'Say "hi"\nand leave' },
    });
    const { ctx } = harness(
      {
        url: `${r.origin}/t`,
        format: 'template',
        template: '{"text": "${repository.full_name}: ${commit.title}", "status": "${status}"}',
      },
      { event },
    );
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    expect(first(r).headers['content-type']).toBe('application/json');
    expect(first(r).json()).toEqual({ text: 'acme/api: Say "hi"\nand leave', status: 'failure' });
  });

  it('signs the exact template body it sends, JSON or not, with each signature scheme', async () => {
    const r = await receiver();
    const secret = 'template-hmac-secret';
    for (const [signature, template] of [
      ['sha256', '{"text": "${commit.title}"}'],
      ['sha1', 'status=${status} ✓'],
      ['standard', '{"s": "${status}"}'],
    ] as const)
      await webhook.send(harness({ url: `${r.origin}/t`, format: 'template', template, secret, signature }).ctx);
    const [sha256, sha1, standard] = r.requests;
    const hmac = (algorithm: string, body: Buffer | string) => createHmac(algorithm, secret).update(body).digest('hex');
    expect([
      sha256!.text,
      sha256!.headers['x-hub-signature-256'],
      sha1!.text,
      sha1!.headers['x-hub-signature'],
      standard!.headers['webhook-signature'],
    ]).toEqual([
      '{"text": "Fix payment path"}',
      `sha256=${hmac('sha256', sha256!.body)}`,
      'status=failure ✓',
      `sha1=${hmac('sha1', sha1!.body)}`,
      `v1,${createHmac('sha256', secret)
        .update(
          `${String(standard!.headers['webhook-id'])}.${String(standard!.headers['webhook-timestamp'])}.${standard!.text}`,
        )
        .digest('base64')}`,
    ]);
  });

  it('sends a template that is not JSON as text/plain', async () => {
    const r = await receiver();
    const { ctx } = harness({
      url: `${r.origin}/t`,
      format: 'template',
      template: 'status=${status}&repo=${repository.full_name}',
    });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    expect(first(r).headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(first(r).text).toBe('status=failure&repo=acme/api');
  });

  it('form-encodes each value of a template labelled application/x-www-form-urlencoded: a commit title cannot add fields', async () => {
    const r = await receiver();
    const title = 'Fix & ship=1&status=success&repo=evil/repo +more%20';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title } });
    const { ctx } = harness(
      {
        url: `${r.origin}/t`,
        format: 'template',
        headers: 'Content-Type: application/x-www-form-urlencoded',
        template: 'status=${status}&title=${commit.title}&repo=${repository.full_name}',
      },
      { event },
    );
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    expect(first(r).headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(first(r).text)]).toEqual([
      ['status', 'failure'],
      ['title', title],
      ['repo', 'acme/api'],
    ]);
  });
});

describe('webhook format cdevents (API_FACTS §G)', () => {
  const schemaDir = new URL('../schemas/cdevents-0.5.1/', import.meta.url);
  // ajv ships CommonJS: under NodeNext the default import is module.exports, the class is `.default`.
  const Ajv2020 = Ajv2020Module.default;
  const addFormats = addFormatsModule.default;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const load = (path: string) => JSON.parse(readFileSync(new URL(path, schemaDir), 'utf8')) as object;
  for (const file of readdirSync(new URL('links/', schemaDir))) ajv.addSchema(load(`links/${file}`));
  const validators = {
    queued: ajv.compile(load('pipelinerunqueued.json')),
    started: ajv.compile(load('pipelinerunstarted.json')),
    finished: ajv.compile(load('pipelinerunfinished.json')),
  };

  const phaseOf = (status: Status) => (status === 'pending' ? 'queued' : status === 'running' ? 'started' : 'finished');

  it.each(STATUSES.map((s) => [s]))('sends a schema-valid pipelinerun event for status %s', (status) => {
    const { body, headers } = toCdevent(sampleEvent({ status }), NOW);
    const validate = validators[phaseOf(status)];
    const parsed = JSON.parse(body) as unknown;
    expect(validate.errors ?? null).toBeNull();
    expect(validate(parsed)).toBe(true);
    expect(headers['ce-type']).toBe(`dev.cdevents.pipelinerun.${phaseOf(status)}.0.3.0`);
  });

  it('is still valid when the event has only the fields a bare CLI run knows', () => {
    const bare: CiEvent = {
      ...sampleEvent({
        status: 'running',
        provider: 'local',
        server_url: null,
        job: null,
        jobs: [],
        actor: null,
        change_request: null,
      }),
      pipeline: emptyEvent().pipeline,
      repository: emptyEvent().repository,
    };
    const { body } = toCdevent(bare, NOW);
    expect(validators.started(JSON.parse(body))).toBe(true);
  });

  it('maps statuses to outcomes: skipped is cancel, unknown is error', () => {
    expect(
      Object.fromEntries(
        ['success', 'failure', 'cancelled', 'skipped', 'unknown'].map((s) => [s, pipelineRunOutcome(s as Status)]),
      ),
    ).toEqual({
      success: 'success',
      failure: 'failure',
      cancelled: 'cancel',
      skipped: 'cancel',
      unknown: 'error',
    });
  });

  it('POSTs the full CDEvent in binary mode with ce-* headers', async () => {
    const r = await receiver();
    const { ctx } = harness({ url: `${r.origin}/cdevents`, format: 'cdevents' });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true });
    const request = first(r);
    expect(request.json()).toEqual({
      context: {
        specversion: '0.5.1',
        id: '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
        source: 'https://github.com/acme/api',
        type: 'dev.cdevents.pipelinerun.finished.0.3.0',
        timestamp: '2026-12-01T10:00:00.000Z',
      },
      subject: {
        id: 'acme/api/4242',
        content: {
          pipelineName: 'CI',
          uri: 'https://github.com/acme/api/actions/runs/4242',
          outcome: 'failure',
          errors: 'failed jobs: test, lint',
        },
      },
      customData: sampleEvent(),
      customDataContentType: 'application/json',
    });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
      'ce-source': 'https://github.com/acme/api',
      'ce-type': 'dev.cdevents.pipelinerun.finished.0.3.0',
      'ce-subject': 'acme/api/4242',
      'ce-time': '2026-12-01T10:00:00.000Z',
      'x-ci-notify-delivery': '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
    });
    expect(request.headers['ce-datacontenttype']).toBeUndefined();
    expect(validators.finished(request.json())).toBe(true);
  });

  it('percent-encodes non-ASCII, space, quote and percent in ce-* header values', () => {
    expect(encodeCloudEventsHeader('团队/api "x" 100%')).toBe('%E5%9B%A2%E9%98%9F/api%20%22x%22%20100%25');
    const event = sampleEvent({ repository: { name: '支付', full_name: '团队/支付', namespace: '团队', url: null } });
    expect(toCdevent(event, NOW).headers['ce-subject']).toBe('%E5%9B%A2%E9%98%9F/%E6%94%AF%E4%BB%98/4242');
  });
});

describe('webhook options', () => {
  const issues = (raw: Record<string, string>) => {
    const parsed = webhookOptions.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('parses defaults: POST, json, sha256, no headers', () => {
    expect(
      webhookOptions.parse({ url: 'https://hooks.example.com/x', method: '', format: '', signature: '', headers: '' }),
    ).toEqual({
      url: 'https://hooks.example.com/x',
      method: 'POST',
      headers: [],
      format: 'json',
      signature: 'sha256',
    });
  });

  it('asks for an http(s) URL without quoting it', () => {
    expect(issues({})).toEqual(['url: expected an http(s) URL']);
    expect(issues({ url: '' })).toEqual(['url: expected an http(s) URL']);
    expect(issues({ url: 'ftp://secret-host/abcdef' })).toEqual(['url: expected an http(s) URL']);
    expect(issues({ url: 'hooks.example.com/tok3n' })).toEqual(['url: expected an http(s) URL']);
  });

  it('names headers and the line number of a malformed line, never its value', () => {
    const errors = issues({ url: 'https://h.example.com', headers: 'X-Ok: 1\nAuthorization Bearer sup3rs3cret' });
    expect(errors).toEqual(['headers: line 2: expected "Name: value"']);
    expect(errors.join()).not.toContain('sup3rs3cret');
  });

  it('refuses a line break or control character inside a header value, naming headers and never adding a header', () => {
    for (const headers of ['X-Team: ops\rX-Injected: 1', 'X-Ok: 1\nX-Team: ops\u0000', 'X-Team: a\u001b[31m']) {
      const errors = issues({ url: 'https://h.example.com', headers });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^headers: line [12]: a header value cannot contain a line break or a control character$/,
      );
    }
  });

  it('rejects unknown methods, formats and signatures with the allowed words', () => {
    expect(issues({ url: 'https://h.example.com', method: 'DELETE', format: 'xml', signature: 'md5' })).toEqual([
      'method: expected POST, GET or PUT',
      'format: expected json, cdevents, flow, zadig or template',
      'signature: expected sha256, sha1 or standard',
    ]);
  });

  it('needs a template for format template, a body method for cdevents, a username for a password', () => {
    expect(issues({ url: 'https://h.example.com', format: 'template' })).toEqual([
      'template: required when format is template (it is the request body)',
    ]);
    expect(issues({ url: 'https://h.example.com', format: 'cdevents', method: 'GET' })).toEqual([
      'method: GET sends no body; format cdevents needs POST or PUT',
    ]);
    expect(issues({ url: 'https://h.example.com', password: 'x' })).toEqual([
      'username: required when password is set (basic auth)',
    ]);
  });

  it('lists url, secret, password, the basic-auth base64 and credential header values as secrets', () => {
    const options = webhookOptions.parse({
      url: 'https://h.example.com/hook',
      secret: 'hmac-key',
      username: 'ci',
      password: 'pw-123',
      headers: 'X-Api-Key: key-abc\nX-Team: payments',
    });
    expect(webhook.secrets(options)).toEqual([
      'https://h.example.com/hook',
      'hmac-key',
      'pw-123',
      Buffer.from('ci:pw-123').toString('base64'),
      'key-abc',
    ]);
  });
});

describe('webhook errors and secrets', () => {
  it('fails on a 401 with a hint, and the error never carries the URL token or the secret in any form', async () => {
    const token = 'T0KEN-abcdef123456';
    const secret = 'hmac-secret-778899';
    const r = await receiver({
      handler: (q) => ({
        status: 401,
        body: `denied ${q.url} ${secret} ${encodeURIComponent(token)} ${Buffer.from(secret).toString('base64')} ${q.headers.authorization}`,
      }),
    });
    const { ctx, log } = harness({
      url: `${r.origin}/hooks/${token}?token=${token}`,
      secret,
      username: 'ci',
      password: 'basic-pass-1',
    });
    const result = await webhook.send(ctx);
    expect(result).toMatchObject({ ok: false, attempts: 1, status_code: 401 });
    expect(result.error).toMatch(
      /^HTTP 401 Unauthorized: denied .* — the receiver wants credentials: check username\/password, headers or secret$/,
    );
    const leaks = [
      token,
      encodeURIComponent(token),
      Buffer.from(token).toString('base64'),
      secret,
      Buffer.from(secret).toString('base64'),
      'basic-pass-1',
      Buffer.from('ci:basic-pass-1').toString('base64'),
    ];
    for (const form of leaks) {
      expect(result.error).not.toContain(form);
      expect(log.text()).not.toContain(form);
    }
  });

  it('retries a 503 and delivers once', async () => {
    const r = await receiver({ replies: [{ status: 503 }, { status: 503 }] });
    const { ctx, waits } = harness({ url: `${r.origin}/ci` });
    expect(await webhook.send(ctx)).toMatchObject({ ok: true, attempts: 3 });
    expect(r.requests).toHaveLength(3);
    expect(waits).toEqual([750, 1500]);
  });

  it('prints the request in a dry run with the URL, secret and signature masked, and sends nothing', async () => {
    const r = await receiver();
    const { ctx, log } = harness(
      { url: `${r.origin}/hooks/abcdef0123456789`, secret: 'dry-run-secret', username: 'u', password: 'dry-pass' },
      { dryRun: true },
    );
    const result = await webhook.send(ctx);
    expect(result).toMatchObject({ ok: true, dry_run: true, attempts: 0 });
    expect(r.requests).toHaveLength(0);
    const text = log.text();
    expect(text).toContain('[dry run] webhook: POST ***');
    expect(text).toContain('  X-CI-Notify-Event: pipeline');
    expect(text).toContain('  Authorization: ***');
    expect(text).toContain('"full_name": "acme/api"');
    for (const form of ['abcdef0123456789', 'dry-run-secret', 'dry-pass', Buffer.from('u:dry-pass').toString('base64')])
      expect(text).not.toContain(form);
  });
});
