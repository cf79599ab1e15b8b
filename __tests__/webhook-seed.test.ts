/**
 * `format: flow` and `format: zadig` of the webhook channel in process, against a loopback
 * receiver: every status in each vocabulary, a run still going, an unknown status, no jobs, GitLab
 * stages, the locale, hostile text, the Zadig token in logs and dry runs, the webhook uuid, and
 * the options. The documented shapes are in ../shared/SEED_PAYLOADS.md.
 */
import { createHmac } from 'node:crypto';
import { toFlowPayload } from '../src/channels/flow.js';
import { webhook, webhookOptions } from '../src/channels/webhook.js';
import { stageStatus, toZadigPayload, zadigWebhookUuid } from '../src/channels/zadig.js';
import type { CiEvent, JobSummary, Status } from '../src/event/types.js';
import { STATUSES } from '../src/event/types.js';
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

/** Sends `event` in `format` to a fresh receiver and returns what it got. */
async function deliver(
  format: 'flow' | 'zadig',
  event: CiEvent,
  extra: Record<string, string> = {},
  setup: Parameters<typeof channelHarness>[2] = {},
): Promise<RecordedRequest> {
  const r = await receiver();
  const { ctx } = harness({ url: `${r.origin}/hook`, format, ...extra }, { event, ...setup });
  expect(await webhook.send(ctx)).toMatchObject({ ok: true, attempts: 1 });
  expect(r.requests).toHaveLength(1);
  return r.requests[0]!;
}

const job = (name: string, status: Status, more: Partial<JobSummary> = {}): JobSummary => ({
  name,
  status,
  url: null,
  duration_ms: null,
  stage: null,
  allow_failure: false,
  failed_step: null,
  ...more,
});

// sampleEvent: a failed push of acme/api, CI #128 (run 4242), started 09:58:27, finished 10:00:00.
const STARTED = Date.parse('2026-12-01T09:58:27.000Z') / 1000;
const FINISHED = Date.parse('2026-12-01T10:00:00.000Z') / 1000;

describe('format flow', () => {
  it('maps every ci-notify status into Flow statusCode and statusName', () => {
    const table = Object.fromEntries(
      STATUSES.map((status) => {
        const { task } = toFlowPayload(sampleEvent({ status }));
        return [status, `${task.statusCode} ${task.statusName}`];
      }),
    );
    expect(table).toEqual({
      success: 'SUCCESS Success',
      failure: 'FAIL Failed',
      cancelled: 'CANCELED Canceled',
      skipped: 'SKIP Skipped',
      running: 'RUNNING Running',
      pending: 'WAITING Waiting',
      unknown: 'UNKNOWN Unknown',
    });
  });

  it('POSTs the whole task-status payload for a failed run, naming the failed jobs in the message', async () => {
    const request = await deliver('flow', sampleEvent({ change_request: null }));
    expect(request.method).toBe('POST');
    expect(request.json()).toEqual({
      event: 'task',
      action: 'status',
      task: {
        pipelineId: '4242',
        pipelineName: 'CI',
        stageName: 'test',
        taskName: 'test',
        buildNumber: '128',
        statusCode: 'FAIL',
        statusName: 'Failed',
        pipelineUrl: 'https://github.com/acme/api/actions/runs/4242',
        message: 'Pipeline [CI] stage [test] task [test] failed. Failed jobs: test, lint.',
      },
      sources: [
        {
          repo: 'https://github.com/acme/api',
          branch: 'main',
          commitId: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
          previousCommitId: '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678',
        },
      ],
      globalParams: [{ key: 'env', value: 'prod' }],
    });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('says a running run is RUNNING and leaves out the failed jobs of a run that did not fail', async () => {
    const body = (await deliver('flow', sampleEvent({ status: 'running' }))).json() as ReturnType<typeof toFlowPayload>;
    expect(body.task).toMatchObject({
      statusCode: 'RUNNING',
      statusName: 'Running',
      message: 'Pipeline [CI] stage [test] task [test] is running.',
    });
  });

  it('sends an unknown status as UNKNOWN and what a bare run does not know as empty strings', async () => {
    const request = await deliver('flow', emptyEvent());
    expect(request.json()).toEqual({
      event: 'task',
      action: 'status',
      task: {
        pipelineId: '',
        pipelineName: '',
        stageName: '',
        taskName: '',
        buildNumber: '',
        statusCode: 'UNKNOWN',
        statusName: 'Unknown',
        pipelineUrl: '',
        message: 'Pipeline has an unknown status.',
      },
      sources: [],
      globalParams: [],
    });
  });

  it('sends the one source of a run that knows only its commit (no repository URL, no branch)', () => {
    const sha = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
    const event = emptyEvent({ commit: { ...emptyEvent().commit, sha } });
    expect(toFlowPayload(event).sources).toEqual([{ repo: '', branch: '', commitId: sha, previousCommitId: '' }]);
  });

  it('names the source branch of a pull request and keeps params in their order', () => {
    const payload = toFlowPayload(sampleEvent({ params: { b: '2', a: '1', empty: '' } }));
    expect(payload.sources).toEqual([
      {
        repo: 'https://github.com/acme/api',
        branch: 'fix/payment-path',
        commitId: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
        previousCommitId: '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678',
      },
    ]);
    expect(payload.globalParams).toEqual([
      { key: 'b', value: '2' },
      { key: 'a', value: '1' },
      { key: 'empty', value: '' },
    ]);
  });

  it('signs the exact bytes with X-Hub-Signature-256 when secret is set (Flow itself does not sign)', async () => {
    const request = await deliver('flow', sampleEvent(), { secret: 'flow-hmac-key' });
    expect(request.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', 'flow-hmac-key').update(request.body).digest('hex')}`,
    );
  });
});

describe('format zadig', () => {
  it('maps every ci-notify status into a Zadig status word', () => {
    const table = Object.fromEntries(
      STATUSES.map((status) => [status, toZadigPayload(sampleEvent({ status })).workflow.status]),
    );
    expect(table).toEqual({
      success: 'passed',
      failure: 'failed',
      cancelled: 'cancelled',
      skipped: 'skipped',
      running: 'running',
      pending: 'waiting',
      unknown: '',
    });
  });

  it('POSTs the whole workflow payload: one stage for a GitHub run, with its jobs and times', async () => {
    const failedStep = sampleEvent().jobs.map((j) => (j.name === 'test' ? { ...j, failed_step: 'Run tests' } : j));
    const request = await deliver('zadig', sampleEvent({ jobs: failedStep }));
    const jobOf = (name: string, status: string, error = '') => ({
      status,
      end_time: 0,
      start_time: 0,
      spec: null,
      type: '',
      error,
      name,
    });
    expect(request.json()).toEqual({
      object_kind: 'workflow',
      event: 'workflow',
      workflow: {
        task_creator: 'monalisa',
        project_name: 'acme/api',
        task_creator_id: '',
        task_creator_email: 'mona@example.com',
        stages: [
          {
            status: 'failed',
            start_time: STARTED,
            end_time: FINISHED,
            name: 'CI',
            jobs: [
              jobOf('build', 'passed'),
              jobOf('test', 'failed', 'step "Run tests" failed'),
              jobOf('lint', 'failed'),
            ],
            error: '',
          },
        ],
        error: '',
        start_time: STARTED,
        workflow_name: 'CI',
        detail_url: 'https://github.com/acme/api/actions/runs/4242',
        task_id: 128,
        remark: '',
        workflow_display_name: 'CI',
        end_time: FINISHED,
        task_creator_phone: '',
        create_time: STARTED,
        status: 'failed',
      },
    });
  });

  it('leaves end_time 0 while the run is still going, and uses the report time for a final status', () => {
    const going = sampleEvent({
      status: 'running',
      pipeline: { ...sampleEvent().pipeline, finished_at: null },
    }).pipeline;
    const running = toZadigPayload(sampleEvent({ status: 'running', pipeline: going })).workflow;
    expect([running.status, running.start_time, running.end_time, running.stages[0]?.end_time]).toEqual([
      'running',
      STARTED,
      0,
      0,
    ]);
    const done = toZadigPayload(sampleEvent({ status: 'success', pipeline: going })).workflow;
    expect(done.end_time).toBe(Date.parse('2026-12-01T10:00:00.000Z') / 1000);
  });

  it('sends an unknown status as "" and a run with no jobs as one stage without jobs', async () => {
    const request = await deliver('zadig', emptyEvent());
    expect(request.json()).toEqual({
      object_kind: 'workflow',
      event: 'workflow',
      workflow: {
        task_creator: '',
        project_name: '',
        task_creator_id: '',
        task_creator_email: '',
        stages: [{ status: '', start_time: 0, end_time: 0, name: '', jobs: [], error: '' }],
        error: '',
        start_time: 0,
        workflow_name: '',
        detail_url: '',
        task_id: 0,
        remark: '',
        workflow_display_name: '',
        end_time: 0,
        task_creator_phone: '',
        create_time: 0,
        status: '',
      },
    });
    // No server URL: no X-Zadig-Instance, rather than an empty one.
    expect(request.headers['x-zadig-instance']).toBeUndefined();
    expect(request.headers['x-zadig-event']).toBe('workflow');
  });

  it('groups GitLab jobs by stage in the order they come, each stage with its own status', () => {
    const jobs = [
      job('compile', 'success', { stage: 'build' }),
      job('unit', 'success', { stage: 'test' }),
      job('e2e', 'failure', { stage: 'test' }),
      job('deploy', 'pending', { stage: 'deploy' }),
      job('docs', 'skipped', { stage: 'docs' }),
    ];
    const { stages } = toZadigPayload(sampleEvent({ provider: 'gitlab', status: 'failure', jobs })).workflow;
    expect(stages.map((s) => [s.name, s.status, s.jobs.map((j) => `${j.name}:${j.status}`)])).toEqual([
      ['build', 'passed', ['compile:passed']],
      ['test', 'failed', ['unit:passed', 'e2e:failed']],
      ['deploy', 'waiting', ['deploy:waiting']],
      ['docs', 'skipped', ['docs:skipped']],
    ]);
    expect(stages.every((s) => s.start_time === 0 && s.end_time === 0 && s.error === '')).toBe(true);
  });

  it("derives a stage's status as GitLab does: an allowed failure passes, the worst other job decides", () => {
    const s = (...jobs: JobSummary[]) => stageStatus(jobs);
    expect(s(job('a', 'success'), job('b', 'failure', { allow_failure: true }))).toBe('success');
    expect(s(job('a', 'failure'), job('b', 'cancelled'))).toBe('failure');
    expect(s(job('a', 'success'), job('b', 'cancelled'))).toBe('cancelled');
    expect(s(job('a', 'success'), job('b', 'running'), job('c', 'pending'))).toBe('running');
    expect(s(job('a', 'success'), job('b', 'pending'))).toBe('pending');
    expect(s(job('a', 'success'), job('b', 'unknown'))).toBe('unknown');
    expect(s(job('a', 'skipped'), job('b', 'skipped'))).toBe('skipped');
    expect(s(job('a', 'success'), job('b', 'skipped'))).toBe('success');
  });

  it('sends the X-Zadig-* headers, and the secret itself as X-Zadig-Token instead of a signature', async () => {
    const r = await receiver();
    const url = `${r.origin}/hook`;
    const { ctx } = harness({ url, format: 'zadig', secret: 'zadig-token-1' }, { target: { name: 'audit' } });
    await webhook.send(ctx);
    const { headers } = r.requests[0]!;
    expect(headers).toMatchObject({
      'x-zadig-event': 'workflow',
      'x-zadig-event-uuid': '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
      'x-zadig-instance': 'https://github.com',
      'x-zadig-webhook-uuid': zadigWebhookUuid(url, 'audit'),
      'x-zadig-token': 'zadig-token-1',
      'x-ci-notify-delivery': '7b0c2f4e-1d3a-4c5b-9e8f-0a1b2c3d4e5f',
    });
    expect(headers['x-hub-signature-256']).toBeUndefined();
    expect(headers['x-hub-signature']).toBeUndefined();
    expect(headers['webhook-signature']).toBeUndefined();
  });

  it('gives each target a stable webhook uuid that does not reveal its URL', () => {
    const url = 'https://hooks.example.com/zadig?token=abcdef0123456789';
    const uuid = zadigWebhookUuid(url, 'audit');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(zadigWebhookUuid(url, 'audit')).toBe(uuid);
    expect(new Set([uuid, zadigWebhookUuid(url, 'ops'), zadigWebhookUuid(`${url}0`, 'audit')]).size).toBe(3);
    for (const part of ['hooks', 'example', 'abcdef0123456789', 'zadig']) expect(uuid).not.toContain(part);
  });

  it('keeps the webhook uuid when user:password moves from the URL into the password input', async () => {
    const r = await receiver();
    const uuids: unknown[] = [];
    const inputs: Record<string, string>[] = [
      { url: `http://ci:pw-1@127.0.0.1:${r.port}/hook` },
      { url: `http://127.0.0.1:${r.port}/hook`, username: 'ci', password: 'pw-1' },
    ];
    for (const raw of inputs) {
      const { ctx } = harness({ ...raw, format: 'zadig' });
      await webhook.send(ctx);
    }
    for (const request of r.requests) uuids.push(request.headers['x-zadig-webhook-uuid']);
    expect(uuids).toEqual([
      zadigWebhookUuid(`http://127.0.0.1:${r.port}/hook`, 'webhook'),
      zadigWebhookUuid(`http://127.0.0.1:${r.port}/hook`, 'webhook'),
    ]);
  });

  it('never sends a server URL that could break the header, and sends a path-based one as it is', async () => {
    const broken = await deliver('zadig', sampleEvent({ server_url: 'https://git.example.com\r\nX-Evil: 1' }));
    expect(broken.headers['x-zadig-instance']).toBeUndefined();
    expect(broken.headers['x-evil']).toBeUndefined();
    const notHttp = await deliver('zadig', sampleEvent({ server_url: 'javascript:alert(1)' }));
    expect(notHttp.headers['x-zadig-instance']).toBeUndefined();
    const nested = await deliver('zadig', sampleEvent({ server_url: 'https://ci.example.com/gitlab' }));
    expect(nested.headers['x-zadig-instance']).toBe('https://ci.example.com/gitlab');
  });

  it('keeps the token out of the log, the result and the dry-run print', async () => {
    const token = 'zadig-token-0a1b2c3d4e5f';
    const r = await receiver({ replies: [{ status: 401, body: `bad token ${token}` }] });
    const failed = harness({ url: `${r.origin}/hook`, format: 'zadig', secret: token });
    const result = await webhook.send(failed.ctx);
    expect(result).toMatchObject({ ok: false, status_code: 401 });
    expect(r.requests[0]!.headers['x-zadig-token']).toBe(token);
    expect(result.error).not.toContain(token);
    expect(failed.log.text()).not.toContain(token);

    const dry = harness({ url: `${r.origin}/hook`, format: 'zadig', secret: token }, { dryRun: true });
    expect(await webhook.send(dry.ctx)).toMatchObject({ ok: true, dry_run: true });
    expect(r.requests).toHaveLength(1);
    const printed = dry.log.text();
    expect(printed).toContain('  X-Zadig-Token: ***');
    expect(printed).toContain('  X-Zadig-Event: workflow');
    expect(printed).toContain('"object_kind": "workflow"');
    expect(printed).not.toContain(token);
    expect(printed).not.toContain(token.slice(0, 16));
  });
});

describe('format flow and zadig: what does not change them', () => {
  it.each(['flow', 'zadig'] as const)('%s: the same body for locale zh as for en', async (format) => {
    const en = await deliver(format, sampleEvent(), {}, { target: { locale: 'en' } });
    const zh = await deliver(format, sampleEvent(), {}, { target: { locale: 'zh' } });
    expect(zh.text).toBe(en.text);
  });

  it.each(['flow', 'zadig'] as const)(
    '%s: hostile names and commit text arrive as data, byte for byte, and add nothing',
    async (format) => {
      const hostile =
        '"},"statusCode":"SUCCESS","x":{"a":"<at user_id=\\"all\\">@all</at>\n::error::boom\u2028##[group]';
      const event = sampleEvent({
        pipeline: { ...sampleEvent().pipeline, name: hostile },
        job: { id: '1', name: `job ${hostile}`, stage: `stage ${hostile}`, url: null },
        jobs: [job(`build ${hostile}`, 'failure', { stage: null, failed_step: hostile })],
        ref: { name: `feature/${hostile}`, type: 'branch', url: null },
        change_request: null,
        commit: { ...sampleEvent().commit, title: hostile, message: `${hostile}\n\n@all` },
        params: { [hostile]: hostile },
      });
      const request = await deliver(format, event);
      const body = request.json();
      // What the receiver parses is exactly what the mapper built from those strings: no key was
      // added or replaced by the text, and the text came through unchanged.
      expect(body).toEqual(
        JSON.parse(JSON.stringify(format === 'flow' ? toFlowPayload(event) : toZadigPayload(event))),
      );
      if (format === 'flow') {
        const flow = body as ReturnType<typeof toFlowPayload>;
        expect(flow.task.statusCode).toBe('FAIL');
        expect(flow.task.pipelineName).toBe(hostile);
        expect(flow.sources[0]?.branch).toBe(`feature/${hostile}`);
        expect(flow.globalParams).toEqual([{ key: hostile, value: hostile }]);
        expect(Object.keys(flow)).toEqual(['event', 'action', 'task', 'sources', 'globalParams']);
      } else {
        const zadig = body as ReturnType<typeof toZadigPayload>;
        expect(zadig.workflow.status).toBe('failed');
        expect(zadig.workflow.workflow_name).toBe(hostile);
        expect(zadig.workflow.stages[0]?.jobs[0]).toMatchObject({
          name: `build ${hostile}`,
          error: `step "${hostile}" failed`,
        });
      }
      // The raw bytes hold no line break that a line-based reader could split on.
      expect(request.text).not.toMatch(/[\n\r]/);
    },
  );
});

describe('format options', () => {
  const issues = (raw: Record<string, string>) => {
    const parsed = webhookOptions.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts flow and zadig in any case', () => {
    expect(webhookOptions.parse({ url: 'https://h.example/x', format: ' FLOW ' }).format).toBe('flow');
    expect(webhookOptions.parse({ url: 'https://h.example/x', format: 'Zadig' }).format).toBe('zadig');
  });

  it('refuses another word, listing every format', () => {
    expect(issues({ url: 'https://h.example/x', format: 'codeup' })).toEqual([
      'format: expected json, cdevents, flow, zadig or template',
    ]);
  });

  it('refuses GET, which sends no body, for flow and zadig', () => {
    expect(issues({ url: 'https://h.example/x', format: 'flow', method: 'GET' })).toEqual([
      'method: GET sends no body; format flow needs POST or PUT',
    ]);
    expect(issues({ url: 'https://h.example/x', format: 'zadig', method: 'get' })).toEqual([
      'method: GET sends no body; format zadig needs POST or PUT',
    ]);
  });

  it('asks the CI API only for what each format sends', () => {
    const facts = (format: string) =>
      webhook.facts(webhookOptions.parse({ url: 'https://h.example/x', format }), {
        template: '',
      } as Parameters<typeof webhook.facts>[1]);
    expect(facts('flow')).toEqual(['jobs']);
    expect(facts('zadig')).toEqual(['timing', 'jobs']);
  });
});
