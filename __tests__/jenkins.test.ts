import { jenkins, jenkinsOptions, readJenkinsAnswer } from '../src/channels/jenkins.js';
import { USER_AGENT } from '../src/version.js';
import { channelHarness } from './support/channel-context.js';
import { sampleEvent } from './support/fixtures.js';
import { startJenkinsGwt, type GwtOptions } from './support/jenkins-gwt.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function gwt(options: GwtOptions): Promise<Receiver> {
  const r = await startJenkinsGwt(options);
  open.push(r);
  return r;
}

function harness(raw: Record<string, string>) {
  const h = channelHarness(jenkins, raw);
  open.push(h.http);
  return h;
}

const TOKEN = 'gwt-token-4f3e2d1c';

describe('jenkins Generic Webhook Trigger (API_FACTS §E, DESIGN §5.1)', () => {
  it('POSTs the event with build_args merged at the top level, the token as Bearer, query appended', async () => {
    const r = await gwt({ jobs: [{ name: 'deploy/api', token: TOKEN }] });
    const { ctx, log } = harness({
      url: `${r.origin}/generic-webhook-trigger/invoke`,
      token: TOKEN,
      build_args: '{"deploy_env": "staging", "status": "overridden-by-user"}',
      query: '?cause=ci-notify&jobQuietPeriod=0',
    });
    const result = await jenkins.send(ctx);

    expect(result).toMatchObject({ ok: true, attempts: 1, status_code: 200, error: null });
    const request = r.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/generic-webhook-trigger/invoke?cause=ci-notify&jobQuietPeriod=0');
    expect(request?.json()).toEqual({ ...sampleEvent(), deploy_env: 'staging', status: 'overridden-by-user' });
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-ci-notify-event': 'pipeline',
      'x-ci-notify-delivery': sampleEvent().id,
    });
    expect(log.text()).toBe('jenkins: triggered deploy/api (queue item 101)');
  });

  it('adds the invoke path when url is the Jenkins root URL', async () => {
    const r = await gwt({ jobs: [{ name: 'api', token: TOKEN }] });
    const { ctx } = harness({ url: `${r.origin}/`, token: TOKEN });
    expect(await jenkins.send(ctx)).toMatchObject({ ok: true });
    expect(r.requests[0]?.url).toBe('/generic-webhook-trigger/invoke');
  });

  it('accepts the token in the URL query instead of token', async () => {
    const r = await gwt({ jobs: [{ name: 'api', token: TOKEN }] });
    const { ctx } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke?token=${TOKEN}` });
    expect(await jenkins.send(ctx)).toMatchObject({ ok: true });
    expect(r.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('fails a wrong token (404) without retrying and says to check token', async () => {
    const r = await gwt({ jobs: [{ name: 'api', token: TOKEN }] });
    const { ctx } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token: 'wrong-token-123' });
    const result = await jenkins.send(ctx);
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      status_code: 404,
      error:
        'HTTP 404: Did not find any jobs with GenericTrigger configured! A token was supplied. — no job has a Generic Webhook Trigger with this token — check token (and that url points at /generic-webhook-trigger/invoke)',
    });
    expect(r.requests).toHaveLength(1);
  });

  it('fails a whitelist refusal (403) without retrying, with the whitelist hint', async () => {
    const r = await gwt({ jobs: [{ name: 'api', token: TOKEN }], whitelist: ['10.0.0.1'] });
    const { ctx } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token: TOKEN });
    const result = await jenkins.send(ctx);
    expect(result).toMatchObject({ ok: false, attempts: 1, status_code: 403 });
    expect(result.error).toBe(
      "HTTP 403: Sender, 127.0.0.1, with headers {} did not pass whitelist. — Jenkins' Generic Webhook Trigger whitelist refused this runner — add its host/IP (or HMAC) in Manage Jenkins → System → Generic Webhook Trigger",
    );
  });

  it('fails, without retrying, when every job’s regexp filter rejected the event', async () => {
    const r = await gwt({
      jobs: [
        {
          name: 'release',
          token: TOKEN,
          filterText: (body) => String((body.ref as { name: string }).name),
          filterExpression: '^release/.*$',
        },
      ],
    });
    const { ctx } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token: TOKEN });
    const result = await jenkins.send(ctx);
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      status_code: 200,
      error:
        'Jenkins found release but triggered none (filter text "main" does not match ^release/.*$) — the job\'s Generic Webhook Trigger optional filter (regexpFilterText / regexpFilterExpression) rejected this event',
    });
  });

  it('succeeds when one job triggered and notes the ones whose filter did not match', async () => {
    const r = await gwt({
      jobs: [
        { name: 'build', token: TOKEN },
        { name: 'release', token: TOKEN, filterText: () => 'main', filterExpression: '^release$' },
      ],
    });
    const { ctx, log } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token: TOKEN });
    expect(await jenkins.send(ctx)).toMatchObject({ ok: true });
    expect(log.text()).toBe('jenkins: triggered build (queue item 101); not triggered by their filter: release');
  });

  it('retries a 5xx from Jenkins and triggers once', async () => {
    const r = await startReceiver({
      replies: [{ status: 503, body: 'Jenkins is starting' }],
      handler: () => ({
        status: 200,
        body: { message: 'Triggered jobs.', jobs: { api: { triggered: true, id: 7, url: 'queue/item/7/' } } },
      }),
    });
    open.push(r);
    const { ctx, waits } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token: TOKEN });
    expect(await jenkins.send(ctx)).toMatchObject({ ok: true, attempts: 2 });
    expect(r.requests).toHaveLength(2);
    expect(waits).toEqual([750]);
  });

  it('never puts the token into an error, raw, URL-encoded or base64', async () => {
    const token = 'tok/with+special=chars99';
    const r = await startReceiver({
      handler: (q) => ({
        status: 400,
        body: `${q.headers.authorization} ${encodeURIComponent(token)} ${Buffer.from(token).toString('base64')}`,
      }),
    });
    open.push(r);
    const { ctx, log } = harness({ url: `${r.origin}/generic-webhook-trigger/invoke`, token });
    const result = await jenkins.send(ctx);
    expect(result.ok).toBe(false);
    expect(result.error).toBe('HTTP 400 Bad Request: Bearer *** *** ***');
    for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64')])
      expect(log.text() + result.error).not.toContain(form);
  });
});

describe('jenkins options', () => {
  const issues = (raw: Record<string, string>) => {
    const parsed = jenkinsOptions.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('parses url, token, build_args and query', () => {
    expect(
      jenkinsOptions.parse({
        url: 'https://ci.example.com/jenkins',
        token: 't0k',
        build_args: '{"a": 1}',
        query: '&x=1',
      }),
    ).toEqual({
      url: 'https://ci.example.com/jenkins/generic-webhook-trigger/invoke',
      token: 't0k',
      build_args: { a: 1 },
      query: 'x=1',
    });
  });

  it('names build_args when it is not JSON or not an object, without quoting it', () => {
    expect(issues({ url: 'https://j.example.com', token: 't', build_args: '{deploy: yes}' })).toEqual([
      'build_args: expected a JSON object, e.g. {"deploy_env": "staging"} (not valid JSON)',
    ]);
    expect(issues({ url: 'https://j.example.com', token: 't', build_args: '["a"]' })).toEqual([
      'build_args: expected a JSON object, e.g. {"deploy_env": "staging"}, not an array',
    ]);
    expect(issues({ url: 'https://j.example.com', token: 't', build_args: '"text"' })).toEqual([
      'build_args: expected a JSON object, e.g. {"deploy_env": "staging"}, not a string',
    ]);
  });

  it('asks for the token when neither token nor ?token= is given', () => {
    expect(issues({ url: 'https://j.example.com/generic-webhook-trigger/invoke' })).toEqual([
      'token: required: the Generic Webhook Trigger token of the job (or ?token= in url)',
    ]);
    expect(issues({ url: 'not a url', token: 't' })).toEqual(['url: expected an http(s) URL']);
  });

  it('lists url and token as secrets', () => {
    expect(jenkins.secrets(jenkinsOptions.parse({ url: 'https://j.example.com', token: 'sekret-token' }))).toEqual([
      'https://j.example.com/generic-webhook-trigger/invoke',
      'sekret-token',
    ]);
  });

  it('reads a silent 200 with an empty body as triggered', () => {
    expect(readJenkinsAnswer({ status: 200, headers: {}, text: '', json: undefined })).toEqual({ ok: true });
  });
});
