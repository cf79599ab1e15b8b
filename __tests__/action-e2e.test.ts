/**
 * The built bundle end to end, as GitHub runs it (`uses: ./`: INPUT_* variables, an event file,
 * output and summary files) and as a CLI, under Node 20 and the Actions runtime Node 24, against
 * real loopback receivers.
 */
import { createHmac } from 'node:crypto';
import { nodeBinaries, runAction, runCli, SAMPLE_PUSH } from './support/bundle.js';
import { closedPort, startReceiver, type Receiver } from './support/receiver.js';

const SECRET = 'It-is-a-Secret-to-Everybody';
const TOKEN = 'tok3n-Abc123-zz9';
const PASSWORD = 'p@ss word/=+1';

/** Every form a secret could leak in: raw, URL-encoded, base64 and base64 of basic auth. */
function leakForms(...secrets: string[]): string[] {
  return secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
}

function expectNoLeak(texts: string[], secrets: string[]): void {
  for (const text of texts) for (const form of leakForms(...secrets)) expect(text).not.toContain(form);
}

describe.each(nodeBinaries())('the bundle under $label', ({ path: node }) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('delivers the event, signed, from a `uses: ./` step, and the outputs and summary say so', async () => {
    const url = `${receiver.origin}/hooks/${TOKEN}`;
    const run = await runAction({ node, inputs: { channel: 'webhook', url, secret: SECRET, status: 'failure' } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    const event = JSON.parse(run.outputs.event!) as Record<string, unknown>;
    expect(req.json()).toEqual(event);
    expect(req.text).toBe(JSON.stringify(event));
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/hooks/${TOKEN}`);
    expect({
      'content-type': req.headers['content-type'],
      'user-agent': req.headers['user-agent'],
      'x-ci-notify-event': req.headers['x-ci-notify-event'],
      'x-ci-notify-delivery': req.headers['x-ci-notify-delivery'],
      'x-hub-signature-256': req.headers['x-hub-signature-256'],
    }).toEqual({
      'content-type': 'application/json',
      'user-agent': 'ci-notify/1.0.0',
      'x-ci-notify-event': 'pipeline',
      'x-ci-notify-delivery': event.id,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`,
    });
    expect(event).toMatchObject({
      schema: 'ci-notify.event/v1',
      provider: 'github',
      status: 'failure',
      pipeline: expect.objectContaining({
        number: 128,
        name: 'CI',
        url: 'https://github.com/acme/api/actions/runs/4242',
        trigger: 'push',
      }),
      repository: { name: 'api', full_name: 'acme/api', namespace: 'acme', url: 'https://github.com/acme/api' },
      ref: { name: 'main', type: 'branch', url: 'https://github.com/acme/api/tree/main' },
      commit: expect.objectContaining({ sha: SAMPLE_PUSH.after, short_sha: '9f8e7d6', title: 'Fix payment path' }),
    });

    expect(run.outputs.delivered).toBe('1');
    expect(run.outputs.failed).toBe('0');
    expect(run.outputs.status).toBe('failure');
    const results = JSON.parse(run.outputs.results!) as Array<Record<string, unknown>>;
    expect(results).toEqual([
      {
        name: 'webhook',
        channel: 'webhook',
        ok: true,
        skipped: false,
        dry_run: false,
        attempts: 1,
        status_code: 200,
        error: null,
        duration_ms: expect.any(Number),
      },
    ]);
    expect(run.summary).toMatch(
      /^### ❌ acme\/api · main · CI #128 failed — notifications\n\| target \| channel \| result \| attempts \| time \|\n\| --- \| --- \| --- \| --- \| --- \|\n\| webhook \| webhook \| ✅ delivered \| 1 \| \d+ ms \|\n$/,
    );

    // Masked for the runner before anything else was printed, and redacted by us everywhere.
    const lines = run.stdout.split('\n');
    const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
    const masks = lines.slice(0, firstOther).map((l) => l.slice('::add-mask::'.length));
    expect(masks).toEqual(expect.arrayContaining([url, SECRET, TOKEN]));
    expectNoLeak(
      [run.stdout.split('\n').slice(firstOther).join('\n'), run.stderr, run.summary, run.outputs.results!],
      [SECRET, TOKEN],
    );
  });

  it('delivers the same from the CLI, with flags winning over NOTIFY_ variables', async () => {
    const run = await runCli(
      ['--channel', 'webhook', '--status', 'passed', '--notify-on', 'success'],
      {
        NOTIFY_URL: `${receiver.origin}/cli/${TOKEN}`,
        NOTIFY_SECRET: SECRET,
        NOTIFY_SIGNATURE: 'sha1',
        NOTIFY_STATUS: 'failure',
        NOTIFY_NOTIFY_ON: 'failure',
      },
      node,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    const body = req.json() as Record<string, unknown>;
    expect(body).toMatchObject({ schema: 'ci-notify.event/v1', provider: 'local', status: 'success' });
    expect(req.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', SECRET).update(req.body).digest('hex')}`);
    expect(run.stdout).toContain('✅ webhook (webhook): delivered');
    expectNoLeak([run.stdout, run.stderr], [SECRET, TOKEN]);
  });

  it('retries transient failures and delivers exactly once', async () => {
    receiver.reply(
      { status: 503, headers: { 'retry-after': '0' }, body: 'busy' },
      { status: 429, headers: { 'retry-after': '0' }, body: 'slow down' },
      { status: 200, body: 'ok' },
    );
    const run = await runAction({
      node,
      inputs: { channel: 'webhook', url: `${receiver.origin}/h`, status: 'success' },
    });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(3);
    // The same delivery, byte for byte, each time.
    expect(new Set(receiver.requests.map((r) => r.text)).size).toBe(1);
    expect(JSON.parse(run.outputs.results!)).toEqual([
      expect.objectContaining({ ok: true, attempts: 3, status_code: 200 }),
    ]);
    expect(run.outputs.delivered).toBe('1');
  });

  it('does not retry a permanent failure, reports it, and still delivers the other targets', async () => {
    const bad = await startReceiver({ replies: [{ status: 400, body: '{"error":"bad payload"}' }] });
    const deadPort = await closedPort();
    try {
      const channels = JSON.stringify([
        { type: 'webhook', name: 'good', url: `${receiver.origin}/good` },
        { type: 'webhook', name: 'rejects', url: `${bad.origin}/bad/${TOKEN}` },
        {
          type: 'jenkins',
          name: 'down',
          url: `http://127.0.0.1:${deadPort}/generic-webhook-trigger/invoke`,
          token: TOKEN,
        },
      ]);
      const run = await runAction({ node, inputs: { channels, status: 'failure', retries: '1', timeout: '3' } });
      expect(run.code).toBe(1);
      expect(receiver.requests).toHaveLength(1);
      expect(bad.requests).toHaveLength(1);
      const results = JSON.parse(run.outputs.results!) as Array<Record<string, unknown>>;
      expect(results.map((r) => [r.name, r.ok, r.attempts, r.status_code])).toEqual([
        ['good', true, 1, 200],
        ['rejects', false, 1, 400],
        ['down', false, 2, null],
      ]);
      expect(results[1]!.error).toMatch(/^HTTP 400/);
      expect(results[2]!.error).toMatch(/connection refused/);
      expect(run.outputs.delivered).toBe('1');
      expect(run.outputs.failed).toBe('2');
      expect(run.summary).toContain('| good | webhook | ✅ delivered | 1 |');
      expect(run.summary).toContain('| rejects | webhook | ❌ HTTP 400');
      expectNoLeak(
        [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, run.outputs.results!],
        [TOKEN],
      );
    } finally {
      await bad.close();
    }
  });

  it('keeps the step green with fail_on_error: false', async () => {
    const deadPort = await closedPort();
    const run = await runAction({
      node,
      inputs: {
        channel: 'webhook',
        url: `http://127.0.0.1:${deadPort}/x`,
        retries: '0',
        fail_on_error: 'false',
        status: 'failure',
      },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.failed).toBe('1');
    expect(run.stdout).toContain('::warning::fail_on_error is false: 1 failed deliveries do not fail this step');
  });

  it('never prints a password, bearer token or secret, in any form, even when deliveries fail', async () => {
    const deadPort = await closedPort();
    const channels = JSON.stringify([
      {
        type: 'webhook',
        name: 'basic',
        url: `http://127.0.0.1:${deadPort}/a?token=${TOKEN}`,
        username: 'ci',
        password: PASSWORD,
        secret: SECRET,
      },
      {
        type: 'jenkins',
        name: 'jenkins',
        url: `http://127.0.0.1:${deadPort}/generic-webhook-trigger/invoke`,
        token: TOKEN,
      },
    ]);
    const run = await runAction({ node, inputs: { channels, retries: '0', status: 'failure' } });
    expect(run.code).toBe(1);
    const printed = run.stdout.replace(/^::add-mask::.*$/gm, '');
    expectNoLeak(
      [printed, run.stderr, run.summary, run.outputs.results!, run.outputs.event!],
      [TOKEN, PASSWORD, SECRET, `ci:${PASSWORD}`],
    );
    const masks = run.stdout.match(/^::add-mask::.*$/gm)!.map((l) => l.slice('::add-mask::'.length));
    expect(masks).toEqual(
      expect.arrayContaining([TOKEN, PASSWORD, SECRET, Buffer.from(`ci:${PASSWORD}`).toString('base64')]),
    );
  });

  it('prints the redacted request in a dry run and sends nothing', async () => {
    const url = `${receiver.origin}/hooks/${TOKEN}`;
    const run = await runAction({
      node,
      inputs: { channel: 'webhook', url, secret: SECRET, dry_run: 'true', status: 'success' },
    });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(run.stdout).toContain('X-CI-Notify-Event: pipeline');
    expect(run.stdout).toContain('"schema": "ci-notify.event/v1"');
    expect(run.outputs.delivered).toBe('0');
    expect(JSON.parse(run.outputs.results!)).toEqual([
      expect.objectContaining({ ok: true, dry_run: true, attempts: 0 }),
    ]);
    expectNoLeak([run.stdout.replace(/^::add-mask::.*$/gm, '')], [TOKEN, SECRET]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'an unknown channel',
      { channel: 'pagerduty', url: 'https://example.com/x' },
      /channel: unknown channel "pagerduty"; expected one of/,
    ],
    [
      'unparsable channels',
      { channels: '- type: webhook\n  url: [oops' },
      /channels: not a valid YAML or JSON list \(line \d+, column \d+\)/,
    ],
    ['a bad URL', { channel: 'webhook', url: 'ftp//nowhere' }, /url: /],
    [
      'malformed headers',
      { channel: 'webhook', url: 'https://example.com/x', headers: 'X-Good: 1\nno colon here' },
      /headers: line 2/,
    ],
    [
      'malformed build_args',
      { channel: 'jenkins', url: 'https://jenkins.example.com/', token: 'abcd1234', build_args: '{"env": ' },
      /build_args: /,
    ],
  ];
  it.each(cases)('%s gives a clear error naming the input and exit code 2', async (_what, inputs, message) => {
    const run = await runAction({ inputs: { status: 'failure', ...inputs } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`::error::${message.source}`));
    expect(run.stdout).not.toContain('oops');
  });

  it('lists every input as a flag in --help, and the secrets as NOTIFY_* variables only', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--channel', '--channels', '--notify-on', '--at-mobiles', '--receive-ids', '--fail-on-error']) {
      expect(run.stdout).toContain(`  ${flag} `);
    }
    for (const secret of ['url', 'secret', 'smtp-url', 'token', 'app-secret', 'github-token', 'gitlab-token']) {
      expect(run.stdout).not.toContain(`--${secret} `);
      expect(run.stdout).toContain(`  NOTIFY_${secret.toUpperCase().replace(/-/g, '_')} `);
    }
  });

  it('rejects an unknown flag with exit code 2', async () => {
    const run = await runCli(['--chanel', 'webhook']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: unknown flag --chanel; see --help for the inputs\n');
  });
});
