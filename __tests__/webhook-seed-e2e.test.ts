/**
 * `format: flow` and `format: zadig` through the bundle, as a GitHub step and as a GitLab job: the
 * whole body and every header a loopback receiver gets, against payloads written by hand from
 * Alibaba Cloud Flow's and Zadig's documentation (../shared/SEED_PAYLOADS.md) — not from the code.
 */
import { createHash } from 'node:crypto';
import { nodeBinaries, runAction, runCli } from './support/bundle.js';
import { startDeployToDevApi, type GitLabApiStandIn } from './support/gitlab-api.js';
import { startReceiver, type RecordedRequest, type Receiver } from './support/receiver.js';

const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const JOB_TOKEN = 'glcbt-64_seedJobToken0123456789abcdef';
const ZADIG_TOKEN = 'zadig-secret-token-5c1e9a77';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function only(r: Receiver): RecordedRequest {
  expect(r.requests).toHaveLength(1);
  return r.requests[0]!;
}

/**
 * RFC 9562 §5.5 written out here, independently of src/: SHA-1 of namespace bytes + name, version
 * 5, variant 10. Checked against the RFC's own example below.
 */
function uuidV5(namespace: string, name: string): string {
  const b = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
/** The namespace ci-notify documents for X-Zadig-Webhook-Uuid (README). */
const WEBHOOK_NAMESPACE = '4f0c8a52-6c3e-5b7d-9a41-2e8f6d1c0b37';

it('computes RFC 9562 name-based UUIDs (its example: www.example.com in the DNS namespace)', () => {
  expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
});

/** The headers every webhook request has, besides the format's own. */
function baseHeaders(request: RecordedRequest, eventId: string): Record<string, string> {
  return {
    host: `127.0.0.1:${receiver.port}`,
    connection: 'keep-alive',
    'content-type': 'application/json',
    'content-length': String(request.body.length),
    'user-agent': request.headers['user-agent'] as string,
    'x-ci-notify-event': 'pipeline',
    'x-ci-notify-delivery': eventId,
  };
}

/** The event id a run sent (outside GitHub there is no `event` output to read it from). */
function deliveryId(request: RecordedRequest): string {
  const id = request.headers['x-ci-notify-delivery'];
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return id as string;
}

function eventIdOf(outputs: Record<string, string>): string {
  return (JSON.parse(outputs.event ?? '{}') as { id: string }).id;
}

/** Unix seconds of the moment the run reported, read back from the `event` output. */
function reportedAt(event: string): number {
  return Math.floor(Date.parse((JSON.parse(event) as { timestamp: string }).timestamp) / 1000);
}

// What a report job that `needs: [build, test]` passes: test failed.
const NEEDS = JSON.stringify({
  build: { result: 'success', outputs: {} },
  test: { result: 'failure', outputs: {} },
});

describe.each(nodeBinaries())('format flow and zadig through the bundle ($label)', ({ path: node }) => {
  it('flow: a failed GitHub push reported by a job that needs build and test, with params as globalParams', async () => {
    const run = await runAction({
      node,
      inputs: {
        channel: 'webhook',
        url: `${receiver.origin}/flow`,
        format: 'flow',
        status: 'success', // job.status of the report job; `needs` says test failed
        needs: NEEDS,
        params: 'env=staging\nregion=cn-hangzhou',
      },
    });
    expect(run.code).toBe(0);
    const request = only(receiver);
    expect(request.method).toBe('POST');
    expect(request.json()).toEqual({
      event: 'task',
      action: 'status',
      task: {
        pipelineId: '4242',
        pipelineName: 'CI',
        stageName: '',
        taskName: 'notify',
        buildNumber: '128',
        statusCode: 'FAIL',
        statusName: 'Failed',
        pipelineUrl: 'https://github.com/acme/api/actions/runs/4242',
        message: 'Pipeline [CI] task [notify] failed. Failed jobs: test.',
      },
      sources: [
        {
          repo: 'https://github.com/acme/api',
          branch: 'main',
          commitId: SHA,
          previousCommitId: '1111111111111111111111111111111111111111',
        },
      ],
      globalParams: [
        { key: 'env', value: 'staging' },
        { key: 'region', value: 'cn-hangzhou' },
      ],
    });
    expect(request.headers).toEqual(baseHeaders(request, eventIdOf(run.outputs)));
  }, 30_000);

  it('zadig: the same failed push as one stage with the needed jobs, Zadig headers and the token', async () => {
    const url = `${receiver.origin}/zadig`;
    const run = await runAction({
      node,
      inputs: {
        channel: 'webhook',
        url,
        format: 'zadig',
        secret: ZADIG_TOKEN,
        status: 'success',
        needs: NEEDS,
        params: 'env=staging',
      },
    });
    expect(run.code).toBe(0);
    const request = only(receiver);
    const ended = reportedAt(run.outputs.event!);
    expect(request.json()).toEqual({
      object_kind: 'workflow',
      event: 'workflow',
      workflow: {
        task_creator: 'monalisa',
        project_name: 'acme/api',
        task_creator_id: '',
        task_creator_email: '',
        stages: [
          {
            status: 'failed',
            start_time: 0,
            end_time: ended,
            name: 'CI',
            jobs: [
              { status: 'passed', end_time: 0, start_time: 0, spec: null, type: '', error: '', name: 'build' },
              { status: 'failed', end_time: 0, start_time: 0, spec: null, type: '', error: '', name: 'test' },
            ],
            error: '',
          },
        ],
        error: '',
        start_time: 0,
        workflow_name: 'CI',
        detail_url: 'https://github.com/acme/api/actions/runs/4242',
        task_id: 128,
        remark: '',
        workflow_display_name: 'CI',
        end_time: ended,
        task_creator_phone: '',
        create_time: 0,
        status: 'failed',
      },
    });
    const eventId = eventIdOf(run.outputs);
    expect(request.headers).toEqual({
      ...baseHeaders(request, eventId),
      'x-zadig-event': 'workflow',
      'x-zadig-event-uuid': eventId,
      'x-zadig-instance': 'https://github.com',
      'x-zadig-webhook-uuid': uuidV5(WEBHOOK_NAMESPACE, `${url}\nwebhook`),
      'x-zadig-token': ZADIG_TOKEN,
    });
    // The token is sent to the receiver and nowhere else: not the log (past the `::add-mask::`
    // commands that tell the runner to hide it), the outputs or the summary.
    expect(run.stdout).toContain(`::add-mask::${ZADIG_TOKEN}\n`);
    const log = (run.stdout + run.stderr)
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [log, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(ZADIG_TOKEN);
  }, 30_000);

  it('flow and zadig: a cancelled run with no jobs known', async () => {
    const run = await runAction({
      node,
      inputs: {
        channels: JSON.stringify([
          { type: 'webhook', name: 'flow', url: `${receiver.origin}/flow`, format: 'flow' },
          { type: 'webhook', name: 'zadig', url: `${receiver.origin}/zadig`, format: 'zadig' },
        ]),
        status: 'cancelled',
      },
    });
    expect(run.code).toBe(0);
    expect(receiver.requests).toHaveLength(2);
    const byPath = Object.fromEntries(receiver.requests.map((r) => [r.url, r]));
    const eventId = eventIdOf(run.outputs);
    const ended = reportedAt(run.outputs.event!);
    expect(byPath['/flow']!.json()).toEqual({
      event: 'task',
      action: 'status',
      task: {
        pipelineId: '4242',
        pipelineName: 'CI',
        stageName: '',
        taskName: 'notify',
        buildNumber: '128',
        statusCode: 'CANCELED',
        statusName: 'Canceled',
        pipelineUrl: 'https://github.com/acme/api/actions/runs/4242',
        message: 'Pipeline [CI] task [notify] was canceled.',
      },
      sources: [
        {
          repo: 'https://github.com/acme/api',
          branch: 'main',
          commitId: SHA,
          previousCommitId: '1111111111111111111111111111111111111111',
        },
      ],
      globalParams: [],
    });
    expect(byPath['/flow']!.headers).toEqual(baseHeaders(byPath['/flow']!, eventId));
    expect(byPath['/zadig']!.json()).toEqual({
      object_kind: 'workflow',
      event: 'workflow',
      workflow: {
        task_creator: 'monalisa',
        project_name: 'acme/api',
        task_creator_id: '',
        task_creator_email: '',
        stages: [{ status: 'cancelled', start_time: 0, end_time: ended, name: 'CI', jobs: [], error: '' }],
        error: '',
        start_time: 0,
        workflow_name: 'CI',
        detail_url: 'https://github.com/acme/api/actions/runs/4242',
        task_id: 128,
        remark: '',
        workflow_display_name: 'CI',
        end_time: ended,
        task_creator_phone: '',
        create_time: 0,
        status: 'cancelled',
      },
    });
    // No secret: no X-Zadig-Token (and no signature either).
    expect(byPath['/zadig']!.headers).toEqual({
      ...baseHeaders(byPath['/zadig']!, eventId),
      'x-zadig-event': 'workflow',
      'x-zadig-event-uuid': eventId,
      'x-zadig-instance': 'https://github.com',
      'x-zadig-webhook-uuid': uuidV5(WEBHOOK_NAMESPACE, `${receiver.origin}/zadig\nzadig`),
    });
  }, 30_000);
});

describe.each(nodeBinaries())('format flow and zadig as a GitLab job ($label)', ({ path: node }) => {
  let api: GitLabApiStandIn;
  beforeEach(async () => {
    api = await startDeployToDevApi(JOB_TOKEN);
  });
  afterEach(async () => {
    await api.close();
  });

  /** The component's `ci-notify-success` job of pipeline 1000 (IID 100) on main. */
  function gitlabJobEnv(extra: Record<string, string>): Record<string, string> {
    return {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_API_V4_URL: api.url,
      CI_SERVER_URL: 'https://gitlab.example.com',
      CI_PROJECT_ID: '1217',
      CI_PROJECT_NAME: 'api',
      CI_PROJECT_PATH: 'acme/api',
      CI_PROJECT_NAMESPACE: 'acme',
      CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
      CI_PIPELINE_ID: '1000',
      CI_PIPELINE_IID: '100',
      CI_PIPELINE_NAME: 'Deploy to dev',
      CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
      CI_PIPELINE_SOURCE: 'push',
      CI_PIPELINE_CREATED_AT: '2026-12-01T09:57:00Z',
      CI_COMMIT_SHA: SHA,
      CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_TITLE: 'Fix payment path',
      GITLAB_USER_LOGIN: 'zhangsan',
      GITLAB_USER_NAME: 'Zhang San',
      GITLAB_USER_EMAIL: 'zhangsan@example.com',
      CI_JOB_ID: '5',
      CI_JOB_NAME: 'ci-notify-success',
      CI_JOB_STAGE: '.post',
      CI_JOB_TOKEN: JOB_TOKEN,
      CI_NOTIFY_JOB_NAME: 'ci-notify',
      NOTIFY_STATUS: 'success',
      NOTIFY_RETRIES: '0',
      NOTIFY_CHANNEL: 'webhook',
      ...extra,
    };
  }

  it('zadig: a successful pipeline as its GitLab stages with their jobs', async () => {
    const url = `${receiver.origin}/zadig`;
    const before = Math.floor(Date.now() / 1000);
    const result = await runCli(
      [],
      gitlabJobEnv({ NOTIFY_URL: url, NOTIFY_FORMAT: 'zadig', NOTIFY_SECRET: ZADIG_TOKEN }),
      node,
    );
    const after = Math.floor(Date.now() / 1000);
    expect(result.code).toBe(0);
    const request = only(receiver);
    const eventId = deliveryId(request);
    const started = Date.parse('2026-12-01T09:58:01.000Z') / 1000;
    // The pipeline ended when its last job reported: the moment of the run, in Unix seconds.
    const ended = (request.json() as { workflow: { end_time: number } }).workflow.end_time;
    expect(ended).toBeGreaterThanOrEqual(before);
    expect(ended).toBeLessThanOrEqual(after);
    const job = (name: string, status: string) => ({
      status,
      end_time: 0,
      start_time: 0,
      spec: null,
      type: '',
      error: '',
      name,
    });
    expect(request.json()).toEqual({
      object_kind: 'workflow',
      event: 'workflow',
      workflow: {
        task_creator: 'zhangsan',
        project_name: 'acme/api',
        task_creator_id: '',
        task_creator_email: 'zhangsan@example.com',
        stages: [
          { status: 'passed', start_time: 0, end_time: 0, name: 'build', jobs: [job('compile', 'passed')], error: '' },
          // lint may fail (allow_failure): the stage passed, as GitLab shows it.
          {
            status: 'passed',
            start_time: 0,
            end_time: 0,
            name: 'test',
            jobs: [job('unit', 'passed'), job('lint', 'failed')],
            error: '',
          },
          {
            status: 'passed',
            start_time: 0,
            end_time: 0,
            name: 'deploy',
            jobs: [job('deploy-dev', 'passed')],
            error: '',
          },
        ],
        error: '',
        start_time: started,
        workflow_name: 'Deploy to dev',
        detail_url: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
        task_id: 100,
        remark: '',
        workflow_display_name: 'Deploy to dev',
        end_time: ended,
        task_creator_phone: '',
        create_time: started,
        status: 'passed',
      },
    });
    expect(request.headers).toEqual({
      ...baseHeaders(request, eventId),
      'x-zadig-event': 'workflow',
      'x-zadig-event-uuid': eventId,
      'x-zadig-instance': 'https://gitlab.example.com',
      'x-zadig-webhook-uuid': uuidV5(WEBHOOK_NAMESPACE, `${url}\nwebhook`),
      'x-zadig-token': ZADIG_TOKEN,
    });
    expect(result.stdout + result.stderr).not.toContain(ZADIG_TOKEN);
  }, 30_000);

  it('flow: the successful pipeline from the component job, with params', async () => {
    const result = await runCli(
      [],
      gitlabJobEnv({ NOTIFY_URL: `${receiver.origin}/flow`, NOTIFY_FORMAT: 'flow', NOTIFY_PARAMS: 'env=dev' }),
      node,
    );
    expect(result.code).toBe(0);
    const request = only(receiver);
    expect(request.json()).toEqual({
      event: 'task',
      action: 'status',
      task: {
        pipelineId: '1000',
        pipelineName: 'Deploy to dev',
        stageName: '.post',
        taskName: 'ci-notify-success',
        buildNumber: '100',
        statusCode: 'SUCCESS',
        statusName: 'Success',
        pipelineUrl: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
        message: 'Pipeline [Deploy to dev] stage [.post] task [ci-notify-success] succeeded.',
      },
      sources: [{ repo: 'https://gitlab.example.com/acme/api', branch: 'main', commitId: SHA, previousCommitId: '' }],
      globalParams: [{ key: 'env', value: 'dev' }],
    });
    expect(request.headers).toEqual(baseHeaders(request, deliveryId(request)));
  }, 30_000);
});
