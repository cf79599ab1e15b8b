import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { emptyEvent } from './support/fixtures.js';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import { githubEvent } from '../src/event/github.js';
import { createGitHubApi, type GitHubApi } from '../src/event/github-api.js';
import type { ApiFact } from '../src/event/facts.js';
import type { CiEvent } from '../src/event/types.js';
import type { EventInput } from '../src/event/types.js';
import { schemaErrors } from './support/event-schema.js';
import { startGitHubApi, type GitHubApiStandIn, type StandInJob } from './support/github-api.js';
import { recordingLogger } from './support/recording-logger.js';

const require = createRequire(import.meta.url);
const webhookExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

function example(name: string, index: number): Record<string, unknown> {
  const found = webhookExamples.find((e) => e.name === name)?.examples[index];
  if (!found) throw new Error(`no ${name} example #${index}`);
  return structuredClone(found);
}

const REPO = 'Codertocat/Hello-World';
const SERVER = 'https://github.com';
const REPO_URL = `${SERVER}/${REPO}`;
const PUSH_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const PR_HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const TOKEN = 'ghs_StandInToken0123456789abcdefABCDEF';
const NOW = new Date('2026-12-01T10:00:00Z');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ci-notify-event-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let payloadCount = 0;
async function payloadFile(payload: unknown): Promise<string> {
  const path = join(dir, `event-${++payloadCount}.json`);
  await writeFile(path, JSON.stringify(payload));
  return path;
}

/** What the runner exports to a step (docs: "Store information in variables" → default variables). */
function runnerEnv(eventPath: string, overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: SERVER,
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_REPOSITORY: REPO,
    GITHUB_REPOSITORY_OWNER: 'Codertocat',
    GITHUB_RUN_ID: '9001',
    GITHUB_RUN_NUMBER: '128',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: `${REPO}/.github/workflows/ci.yml@refs/heads/master`,
    GITHUB_JOB: 'notify',
    GITHUB_ACTOR: 'Codertocat',
    GITHUB_TRIGGERING_ACTOR: 'Codertocat',
    GITHUB_EVENT_PATH: eventPath,
    RUNNER_NAME: 'GitHub Actions 7',
    RUNNER_OS: 'Linux',
    ...overrides,
  };
}

function eventInput(overrides: Partial<EventInput> = {}): EventInput {
  return {
    status: 'failure',
    params: {},
    needs: '',
    github_token: '',
    http: null,
    id: '5f0c2a9e-8d4b-4c1e-9f7a-2b3c4d5e6f70',
    now: NOW,
    ...overrides,
  };
}

async function mapped(input: EventInput, env: NodeJS.ProcessEnv, api?: GitHubApi | null) {
  const warnings: string[] = [];
  const deps = { readFile: (p: string) => readFile(p, 'utf8'), warn: (m: string) => void warnings.push(m) };
  const event = await githubEvent(input, env, api === undefined ? deps : { ...deps, api });
  expect(schemaErrors(event)).toEqual([]);
  return { event, warnings };
}

const pushEnv = (path: string) =>
  runnerEnv(path, {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: PUSH_SHA,
    GITHUB_REF: 'refs/heads/master',
    GITHUB_REF_NAME: 'master',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
  });

/** The runner environment of a push, with the 5th push example of @octokit/webhooks-examples as event. */
const examplePushEnv = async () => pushEnv(await payloadFile(example('push', 4)));

/** The push example (#4: first push of master) as the mapper must see it without API access. */
function expectedPushEvent(): CiEvent {
  return {
    schema: 'ci-notify.event/v1',
    id: '5f0c2a9e-8d4b-4c1e-9f7a-2b3c4d5e6f70',
    timestamp: '2026-12-01T10:00:00.000Z',
    provider: 'github',
    status: 'failure',
    previous_status: null,
    transition: null,
    pipeline: {
      id: '9001',
      number: 128,
      attempt: 1,
      name: 'CI',
      url: `${REPO_URL}/actions/runs/9001`,
      trigger: 'push',
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: { id: 'notify', name: 'notify', stage: null, url: null },
    jobs: [],
    repository: { name: 'Hello-World', full_name: REPO, namespace: 'Codertocat', url: REPO_URL },
    ref: { name: 'master', type: 'branch', url: `${REPO_URL}/tree/master` },
    commit: {
      sha: PUSH_SHA,
      short_sha: '6113728',
      title: 'Initial commit',
      message: 'Initial commit',
      url: `${REPO_URL}/commit/${PUSH_SHA}`,
      // The example's `before` is all zeros (the branch was created): not a commit.
      before_sha: null,
      author: { name: 'Codertocat', email: '21031067+Codertocat@users.noreply.github.com', login: 'Codertocat' },
    },
    change_request: null,
    actor: { login: 'Codertocat', name: null, email: null },
    people: [],
    params: {},
    server_url: SERVER,
  };
}

describe('githubEvent without API access', () => {
  it('maps a push from the runner environment and the push payload', async () => {
    const { event, warnings } = await mapped(eventInput({ params: { env: 'prod' } }), await examplePushEnv());
    expect(event).toEqual({ ...expectedPushEvent(), params: { env: 'prod' } });
    expect(warnings).toEqual([]);
  });

  it('keeps a real `before`, the whole multi-line message and only its first line as the title', async () => {
    const payload = example('push', 4);
    payload.before = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
    (payload.head_commit as Record<string, unknown>).message =
      'Fix the build\n\nThe cache key was wrong.\r\nSigned-off-by: Mona';
    const { event } = await mapped(eventInput(), pushEnv(await payloadFile(payload)));
    const base = expectedPushEvent();
    expect(event).toEqual({
      ...base,
      commit: {
        ...base.commit,
        title: 'Fix the build',
        message: 'Fix the build\n\nThe cache key was wrong.\r\nSigned-off-by: Mona',
        before_sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      },
    });
  });

  it('links the attempt in the run URL of a re-run', async () => {
    const env = { ...(await examplePushEnv()), GITHUB_RUN_ATTEMPT: '3' };
    const { event } = await mapped(eventInput(), env);
    expect(event.pipeline).toEqual({
      ...expectedPushEvent().pipeline,
      attempt: 3,
      url: `${REPO_URL}/actions/runs/9001/attempts/3`,
    });
  });

  it('maps a pushed tag with its tree URL', async () => {
    const env = runnerEnv(await payloadFile(example('push', 0)), {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/tags/simple-tag',
      GITHUB_REF_NAME: 'simple-tag',
      GITHUB_REF_TYPE: 'tag',
    });
    const { event } = await mapped(eventInput({ status: 'success' }), env);
    const base = expectedPushEvent();
    expect(event).toEqual({
      ...base,
      status: 'success',
      ref: { name: 'simple-tag', type: 'tag', url: `${REPO_URL}/tree/simple-tag` },
      commit: { ...base.commit, title: 'Adding a .gitignore file', message: 'Adding a .gitignore file' },
    });
  });

  it('maps a pull request: the head commit, the source branch as ref, and no commit text it does not have', async () => {
    const env = runnerEnv(await payloadFile(example('pull_request', 0)), {
      GITHUB_EVENT_NAME: 'pull_request',
      // On pull_request GITHUB_SHA is the test merge commit, not the PR's head.
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_REF_NAME: '2/merge',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_HEAD_REF: 'changes',
      GITHUB_BASE_REF: 'master',
    });
    const { event, warnings } = await mapped(eventInput(), env);
    expect(event).toEqual({
      ...expectedPushEvent(),
      pipeline: { ...expectedPushEvent().pipeline, trigger: 'pull_request' },
      ref: { name: 'changes', type: 'pull_request', url: `${REPO_URL}/pull/2` },
      commit: {
        sha: PR_HEAD_SHA,
        short_sha: 'ec26c3e',
        title: null,
        message: null,
        url: `${REPO_URL}/commit/${PR_HEAD_SHA}`,
        before_sha: null,
        author: null,
      },
      change_request: {
        number: 2,
        title: 'Update the README with new information.',
        url: `${REPO_URL}/pull/2`,
        source_branch: 'changes',
        target_branch: 'master',
      },
    });
    expect(warnings).toEqual([]);
  });

  it('takes `before` of a synchronize push into a pull request', async () => {
    const env = runnerEnv(await payloadFile(example('pull_request', 22)), {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_REF_NAME: '2/merge',
      GITHUB_HEAD_REF: 'changes',
      GITHUB_BASE_REF: 'master',
    });
    const { event } = await mapped(eventInput(), env);
    expect(event.commit.before_sha).toBe('f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
    expect(event.change_request?.number).toBe(2);
  });

  it('maps a release: the tag as ref, linked to the release page', async () => {
    const env = runnerEnv(await payloadFile(example('release', 0)), {
      GITHUB_EVENT_NAME: 'release',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/tags/0.0.1',
      GITHUB_REF_NAME: '0.0.1',
      GITHUB_REF_TYPE: 'tag',
    });
    const { event } = await mapped(eventInput({ status: 'success' }), env);
    expect(event).toEqual({
      ...expectedPushEvent(),
      status: 'success',
      pipeline: { ...expectedPushEvent().pipeline, trigger: 'release' },
      ref: { name: '0.0.1', type: 'tag', url: `${REPO_URL}/releases/tag/0.0.1` },
      commit: { ...expectedPushEvent().commit, title: null, message: null, author: null },
    });
  });

  it('maps a manual workflow_dispatch run and puts its inputs in params, explicit params winning', async () => {
    const payload = example('workflow_dispatch', 0);
    payload.inputs = { environment: 'staging', dry: true, replicas: 3 };
    const env = runnerEnv(await payloadFile(payload), {
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_ACTOR: 'octocat',
    });
    const { event } = await mapped(
      eventInput({ status: 'success', params: { environment: 'prod', team: 'core' } }),
      env,
    );
    const url = `${SERVER}/octo-org/octo-repo`;
    expect(event).toEqual({
      ...expectedPushEvent(),
      status: 'success',
      pipeline: { ...expectedPushEvent().pipeline, url: `${url}/actions/runs/9001`, trigger: 'workflow_dispatch' },
      repository: { name: 'octo-repo', full_name: 'octo-org/octo-repo', namespace: 'octo-org', url },
      ref: { name: 'main', type: 'branch', url: `${url}/tree/main` },
      commit: {
        sha: PUSH_SHA,
        short_sha: '6113728',
        title: null,
        message: null,
        url: `${url}/commit/${PUSH_SHA}`,
        before_sha: null,
        author: null,
      },
      actor: { login: 'octocat', name: null, email: null },
      people: [],
      params: { environment: 'prod', dry: 'true', replicas: '3', team: 'core' },
    });
  });

  it('maps a scheduled run, which has no commit text', async () => {
    const payload = {
      schedule: '30 5 * * 1-5',
      repository: { full_name: REPO },
      workflow: '.github/workflows/nightly.yml',
    };
    const env = runnerEnv(await payloadFile(payload), {
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/heads/master',
      GITHUB_REF_NAME: 'master',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_WORKFLOW: 'Nightly',
      GITHUB_ACTOR: 'Codertocat',
    });
    const { event } = await mapped(eventInput(), env);
    expect(event).toEqual({
      ...expectedPushEvent(),
      pipeline: { ...expectedPushEvent().pipeline, name: 'Nightly', trigger: 'schedule' },
      commit: { ...expectedPushEvent().commit, title: null, message: null, author: null },
    });
  });

  it('maps any other event from the environment alone, encoding the branch in the tree URL', async () => {
    const env = runnerEnv(await payloadFile({ action: 'created', repository: { full_name: REPO } }), {
      GITHUB_EVENT_NAME: 'issue_comment',
      GITHUB_SHA: PUSH_SHA,
      GITHUB_REF: 'refs/heads/feature/a#b',
      GITHUB_REF_NAME: 'feature/a#b',
      GITHUB_REF_TYPE: 'branch',
    });
    const { event } = await mapped(eventInput(), env);
    expect(event.ref).toEqual({ name: 'feature/a#b', type: 'branch', url: `${REPO_URL}/tree/feature/a%23b` });
    expect(event.pipeline.trigger).toBe('issue_comment');
    expect(event.commit).toEqual({ ...expectedPushEvent().commit, title: null, message: null, author: null });
  });

  it('warns and maps from the environment when the payload file cannot be read', async () => {
    const { event, warnings } = await mapped(eventInput(), pushEnv(join(dir, 'missing.json')));
    expect(event).toEqual({
      ...expectedPushEvent(),
      commit: { ...expectedPushEvent().commit, title: null, message: null, author: null },
    });
    expect(warnings).toEqual([
      'event: could not read the GitHub event payload (GITHUB_EVENT_PATH); commit and pull request details are left empty',
    ]);
  });

  it('fills nothing it does not know when the runner variables are missing', async () => {
    const { event, warnings } = await mapped(eventInput({ status: 'success' }), {});
    expect(event).toEqual(
      emptyEvent({
        id: '5f0c2a9e-8d4b-4c1e-9f7a-2b3c4d5e6f70',
        timestamp: '2026-12-01T10:00:00.000Z',
        provider: 'github',
        status: 'success',
      }),
    );
    expect(warnings).toEqual([]);
  });
});

describe('githubEvent status and needs', () => {
  const NEEDS = JSON.stringify({
    build: { result: 'success', outputs: { image: 'x' } },
    test: { result: 'failure', outputs: {} },
    deploy: { result: 'skipped', outputs: {} },
  });
  const NEEDS_JOBS = [
    {
      name: 'build',
      status: 'success',
      url: null,
      duration_ms: null,
      stage: null,
      allow_failure: false,
      failed_step: null,
    },
    {
      name: 'test',
      status: 'failure',
      url: null,
      duration_ms: null,
      stage: null,
      allow_failure: false,
      failed_step: null,
    },
    {
      name: 'deploy',
      status: 'skipped',
      url: null,
      duration_ms: null,
      stage: null,
      allow_failure: false,
      failed_step: null,
    },
  ];

  it('lists the needed jobs and reports failure when one failed and no status was given', async () => {
    const { event, warnings } = await mapped(eventInput({ status: '', needs: NEEDS }), await examplePushEnv());
    expect(event).toEqual({ ...expectedPushEvent(), status: 'failure', jobs: NEEDS_JOBS });
    expect(warnings).toEqual([]);
  });

  it('lets a failed need override the default "success" of the report job itself', async () => {
    const { event } = await mapped(eventInput({ status: 'success', needs: NEEDS }), await examplePushEnv());
    expect(event.status).toBe('failure');
  });

  it.each([
    [{ a: { result: 'success' }, b: { result: 'cancelled' } }, 'cancelled'],
    [{ a: { result: 'success' }, b: { result: 'skipped' } }, 'success'],
    [{ a: { result: 'skipped' } }, 'skipped'],
    [{ a: { result: 'cancelled' }, b: { result: 'failure' } }, 'failure'],
  ])('derives the status of needs %j as %s', async (needs, status) => {
    const { event } = await mapped(eventInput({ status: '', needs: JSON.stringify(needs) }), await examplePushEnv());
    expect(event.status).toBe(status);
  });

  it('keeps an explicit cancelled status over needs that succeeded', async () => {
    const needs = JSON.stringify({ build: { result: 'success', outputs: {} } });
    const { event } = await mapped(eventInput({ status: 'cancelled', needs }), await examplePushEnv());
    expect(event.status).toBe('cancelled');
  });

  it('normalises the status input (Jenkins UNSTABLE → failure)', async () => {
    const { event, warnings } = await mapped(eventInput({ status: 'UNSTABLE' }), await examplePushEnv());
    expect(event.status).toBe('failure');
    expect(warnings).toEqual([]);
  });

  it('reports unknown with a warning when neither status nor needs is given', async () => {
    const { event, warnings } = await mapped(eventInput({ status: '' }), await examplePushEnv());
    expect(event.status).toBe('unknown');
    expect(warnings).toEqual([
      'status: no status given (and no `needs` to derive it from); reporting "unknown" — pass status: ${{ job.status }}',
    ]);
  });

  it('reports an unrecognised status as unknown with a warning', async () => {
    const { event, warnings } = await mapped(eventInput({ status: 'exploded' }), await examplePushEnv());
    expect(event.status).toBe('unknown');
    expect(warnings).toEqual([
      'status: "exploded" is not a status we know; reporting "unknown" (expected success, failure, cancelled, skipped, running or pending)',
    ]);
  });

  it('warns about needs that are not the JSON of toJSON(needs) and ignores them', async () => {
    const { event, warnings } = await mapped(eventInput({ needs: '[build, test]' }), await examplePushEnv());
    expect(event.jobs).toEqual([]);
    expect(warnings).toEqual(['needs: expected the JSON of ${{ toJSON(needs) }}; ignoring it']);
  });
});

describe('githubEvent with the GitHub API', () => {
  let standIn: GitHubApiStandIn;
  let log: ReturnType<typeof recordingLogger>;
  let api: GitHubApi;

  const job = (
    id: number,
    name: string,
    status: StandInJob['status'],
    conclusion: string | null,
    started: string | null,
    completed: string | null,
    runner: string | null,
  ): StandInJob => ({
    id,
    name,
    status,
    conclusion,
    started_at: started,
    completed_at: completed,
    html_url: `${REPO_URL}/actions/runs/9001/job/${id}`,
    runner_name: runner,
  });
  const run = (
    id: number,
    run_number: number,
    head_branch: string,
    conclusion: string | null,
    created_at: string,
    head_repository = REPO,
  ) => ({
    id,
    name: 'CI',
    run_number,
    workflow_id: 77,
    head_branch,
    head_repository,
    status: conclusion === null ? ('in_progress' as const) : ('completed' as const),
    conclusion,
    run_started_at: created_at,
    created_at,
  });

  beforeEach(async () => {
    standIn = await startGitHubApi({ repository: REPO, token: TOKEN });
    standIn.runs = [
      run(9001, 128, 'master', null, '2026-12-01T09:58:30Z'),
      // Started after ours and already done: not "previous".
      run(9002, 129, 'master', 'failure', '2026-12-01T09:59:00Z'),
      // Cancelled and skipped runs say nothing about the code.
      run(8995, 127, 'master', 'cancelled', '2026-12-01T09:40:00Z'),
      // Same branch name in a fork: not ours.
      run(8993, 126, 'master', 'failure', '2026-12-01T09:30:00Z', 'someone/Hello-World'),
      run(8990, 125, 'master', 'success', '2026-12-01T09:00:00Z'),
      run(8980, 124, 'master', 'failure', '2026-12-01T08:00:00Z'),
      run(8970, 123, 'changes', 'failure', '2026-12-01T09:50:00Z'),
    ];
    standIn.jobs.set('9001/1', [
      job(1, 'lint', 'completed', 'success', '2026-12-01T09:58:40Z', '2026-12-01T09:59:52Z', 'GitHub Actions 3'),
      job(2, 'test', 'completed', 'failure', '2026-12-01T09:58:41Z', '2026-12-01T09:59:30Z', 'GitHub Actions 4'),
      job(3, 'build (20)', 'in_progress', null, '2026-12-01T09:59:00Z', null, 'GitHub Actions 5'),
      job(4, 'Notify team', 'in_progress', null, '2026-12-01T09:59:55Z', null, 'GitHub Actions 7'),
    ]);
    standIn.commits = [
      {
        sha: PR_HEAD_SHA,
        message: 'Update README\n\nWith new information.',
        author: { name: 'Mona Lisa', email: 'mona@example.com' },
        login: 'monalisa',
      },
    ];
    log = recordingLogger();
    const redactor = new Redactor();
    redactor.add(TOKEN);
    const http = createHttpClient({ timeoutMs: 2000, retries: 0, log, redactor, dryRun: false, env: {} });
    api = createGitHubApi({ http, apiUrl: standIn.url, repository: REPO, token: TOKEN });
  });
  afterEach(async () => {
    await standIn.close();
  });

  it("adds the other jobs, this job's link, the start time, the duration and the previous outcome", async () => {
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN }), await examplePushEnv(), api);
    expect(event).toEqual({
      ...expectedPushEvent(),
      previous_status: 'success',
      transition: 'regressed',
      pipeline: { ...expectedPushEvent().pipeline, started_at: '2026-12-01T09:58:30Z', duration_ms: 90_000 },
      job: { id: 'notify', name: 'Notify team', stage: null, url: `${REPO_URL}/actions/runs/9001/job/4` },
      jobs: [
        {
          name: 'lint',
          status: 'success',
          url: `${REPO_URL}/actions/runs/9001/job/1`,
          duration_ms: 72_000,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
        {
          name: 'test',
          status: 'failure',
          url: `${REPO_URL}/actions/runs/9001/job/2`,
          duration_ms: 49_000,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
        {
          name: 'build (20)',
          status: 'running',
          url: `${REPO_URL}/actions/runs/9001/job/3`,
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(standIn.requests.map((r) => r.path).sort()).toEqual([
      `/repos/${REPO}/actions/runs/9001`,
      `/repos/${REPO}/actions/runs/9001/attempts/1/jobs?per_page=100`,
      `/repos/${REPO}/actions/workflows/ci.yml/runs?branch=master&status=completed&per_page=20`,
    ]);
    for (const request of standIn.requests) {
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'ci-notify/1.0.0',
      });
    }
  });

  it("builds its own API client from GITHUB_API_URL, github_token and the run's HTTP client", async () => {
    const redactor = new Redactor();
    redactor.add(TOKEN);
    const http = createHttpClient({ timeoutMs: 2000, retries: 0, log, redactor, dryRun: false, env: {} });
    const env = { ...(await examplePushEnv()), GITHUB_API_URL: standIn.url };
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN, http }), env);
    expect(warnings).toEqual([]);
    expect(event.previous_status).toBe('success');
    expect(event.jobs).toHaveLength(3);
  });

  it("reads nothing and warns about nothing when the run's HTTP client is in dry-run mode", async () => {
    const http = createHttpClient({
      timeoutMs: 2000,
      retries: 0,
      log,
      redactor: new Redactor(),
      dryRun: true,
      env: {},
    });
    const env = { ...(await examplePushEnv()), GITHUB_API_URL: standIn.url };
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN, http }), env);
    expect(event).toEqual(expectedPushEvent());
    expect(warnings).toEqual([]);
    expect(standIn.requests).toEqual([]);
  });

  it('does not read the API without a token, even with an HTTP client', async () => {
    const http = createHttpClient({
      timeoutMs: 2000,
      retries: 0,
      log,
      redactor: new Redactor(),
      dryRun: false,
      env: {},
    });
    const env = { ...(await examplePushEnv()), GITHUB_API_URL: standIn.url };
    const { event } = await mapped(eventInput({ github_token: '', http }), env);
    expect(event).toEqual(expectedPushEvent());
    expect(standIn.requests).toEqual([]);
  });

  it("reads a pull request head commit's message and author from the API", async () => {
    standIn.runs = [
      run(9001, 128, 'changes', null, '2026-12-01T09:58:30Z'),
      run(8970, 123, 'changes', 'failure', '2026-12-01T09:50:00Z'),
    ];
    const env = runnerEnv(await payloadFile(example('pull_request', 0)), {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_REF_NAME: '2/merge',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_HEAD_REF: 'changes',
      GITHUB_BASE_REF: 'master',
    });
    const { event, warnings } = await mapped(eventInput({ status: 'success', github_token: TOKEN }), env, api);
    expect(warnings).toEqual([]);
    expect(event.commit).toEqual({
      sha: PR_HEAD_SHA,
      short_sha: 'ec26c3e',
      title: 'Update README',
      message: 'Update README\n\nWith new information.',
      url: `${REPO_URL}/commit/${PR_HEAD_SHA}`,
      before_sha: null,
      author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'monalisa' },
    });
    expect(event.previous_status).toBe('failure');
    expect(event.transition).toBe('fixed');
  });

  it('reads the jobs of the current attempt of a re-run', async () => {
    standIn.jobs.set('9001/2', [
      job(11, 'lint', 'completed', 'success', '2026-12-01T09:58:40Z', '2026-12-01T09:58:50Z', 'GitHub Actions 3'),
    ]);
    const env = { ...(await examplePushEnv()), GITHUB_RUN_ATTEMPT: '2' };
    const { event } = await mapped(eventInput({ github_token: TOKEN }), env, api);
    expect(event.jobs).toEqual([
      {
        name: 'lint',
        status: 'success',
        url: `${REPO_URL}/actions/runs/9001/job/11`,
        duration_ms: 10_000,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
    ]);
    // Our own job is not in that list, so it cannot be linked.
    expect(event.job).toEqual({ id: 'notify', name: 'notify', stage: null, url: null });
  });

  it('has no previous status on the first run of a branch', async () => {
    standIn.runs = [run(9001, 128, 'master', null, '2026-12-01T09:58:30Z')];
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN }), await examplePushEnv(), api);
    expect(event.previous_status).toBeNull();
    expect(event.transition).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('turns a 500 from every endpoint into warnings and nulls', async () => {
    standIn.failures.push({ prefix: '/repos', status: 500, message: 'Server Error' });
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN }), await examplePushEnv(), api);
    expect(event).toEqual(expectedPushEvent());
    // One cause, one warning naming every read it cost.
    expect(warnings).toEqual([
      "github api: could not read the workflow run, the run's jobs and the previous runs of this workflow: HTTP 500 (Server Error)",
    ]);
    // Best effort: one request per read, no retries.
    expect(standIn.requests).toHaveLength(3);
  });

  it('turns a rejected token (401) into a warning that names github_token but never shows it', async () => {
    const http = createHttpClient({
      timeoutMs: 2000,
      retries: 0,
      log,
      redactor: new Redactor(),
      dryRun: false,
      env: {},
    });
    const wrongToken = 'ghs_WrongToken9876543210zyxwvuZYXWVU';
    const wrongApi = createGitHubApi({ http, apiUrl: standIn.url, repository: REPO, token: wrongToken });
    const { event, warnings } = await mapped(
      eventInput({ github_token: wrongToken }),
      await examplePushEnv(),
      wrongApi,
    );
    expect(event).toEqual(expectedPushEvent());
    const hint = 'github_token was not accepted; leave it at its default ${{ github.token }}';
    expect(warnings).toEqual([
      `github api: could not read the workflow run, the run's jobs and the previous runs of this workflow: HTTP 401 (Bad credentials) — ${hint}`,
    ]);
    expect([...warnings, log.text()].join('\n')).not.toContain(wrongToken);
  });

  it('warns about a missing previous-runs permission (403) but keeps the jobs', async () => {
    standIn.failures.push({
      prefix: `/repos/${REPO}/actions/workflows`,
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN }), await examplePushEnv(), api);
    expect(event.jobs).toHaveLength(3);
    expect(event.pipeline.duration_ms).toBe(90_000);
    expect(event.previous_status).toBeNull();
    expect(warnings).toEqual([
      'github api: could not read the previous runs of this workflow: HTTP 403 (Resource not accessible by integration) — github_token lacks permission (the job needs `permissions: actions: read`) or the API rate limit is used up',
    ]);
  });

  describe('reads only the facts the run wants, all at once, within one deadline', () => {
    const wanting = (facts: ApiFact[], deadlineMs = 2000) => ({
      wanted: () => new Set(facts),
      deadlineMs,
    });
    const RUN = `/repos/${REPO}/actions/runs/9001`;
    const JOBS = `/repos/${REPO}/actions/runs/9001/attempts/1/jobs?per_page=100`;
    const RUNS = `/repos/${REPO}/actions/workflows/ci.yml/runs?branch=master&status=completed&per_page=20`;

    it.each<[ApiFact[], string[]]>([
      [['timing'], [RUN]],
      [['jobs'], [JOBS]],
      [['history'], [RUNS]],
      [
        ['timing', 'jobs'],
        [RUN, JOBS],
      ],
      [[], []],
    ])('wanting %j reads %j', async (facts, expected) => {
      const { warnings } = await mapped(
        eventInput({ github_token: TOKEN, facts: wanting(facts) }),
        await examplePushEnv(),
        api,
      );
      expect(standIn.requests.map((r) => r.path).sort()).toEqual([...expected].sort());
      expect(warnings).toEqual([]);
    });

    it('fills only what was read: the earlier runs alone give the transition, not the jobs', async () => {
      const { event } = await mapped(
        eventInput({ github_token: TOKEN, facts: wanting(['history']) }),
        await examplePushEnv(),
        api,
      );
      expect(event).toEqual({ ...expectedPushEvent(), previous_status: 'success', transition: 'regressed' });
    });

    it('tells the wanted facts the status it settled on (from `needs` here)', async () => {
      const seen: string[] = [];
      await mapped(
        eventInput({
          status: 'success',
          needs: JSON.stringify({ build: { result: 'failure', outputs: {} } }),
          github_token: TOKEN,
          facts: { wanted: (status) => (seen.push(status), new Set()), deadlineMs: 2000 },
        }),
        await examplePushEnv(),
        api,
      );
      expect(seen).toEqual(['failure']);
    });

    it('has every read open at the same time', async () => {
      standIn.latencyMs = 200;
      await mapped(
        eventInput({ github_token: TOKEN, facts: wanting(['timing', 'jobs', 'history', 'commit']) }),
        await examplePushEnv(),
        api,
      );
      // The push payload has the head commit's text, so the commit is not read.
      expect(standIn.requests).toHaveLength(3);
      expect(standIn.maxInFlight).toBe(3);
    });

    it('reads the run first for its workflow id when the runner gives no GITHUB_WORKFLOW_REF', async () => {
      const env = { ...(await examplePushEnv()), GITHUB_WORKFLOW_REF: undefined };
      const { event } = await mapped(eventInput({ github_token: TOKEN, facts: wanting(['history']) }), env, api);
      expect(standIn.requests.map((r) => r.path)).toEqual([
        RUN,
        `/repos/${REPO}/actions/workflows/77/runs?branch=master&status=completed&per_page=20`,
      ]);
      expect(event.transition).toBe('regressed');
    });

    it('gives up on reads still unanswered at the deadline: nulls and one warning', async () => {
      standIn.silent.push(`/repos/${REPO}/actions/runs`);
      const { event, warnings } = await mapped(
        eventInput({ github_token: TOKEN, facts: wanting(['timing', 'jobs', 'history'], 300) }),
        await examplePushEnv(),
        api,
      );
      // The earlier runs answered in time; the run and its jobs did not.
      expect(event).toEqual({ ...expectedPushEvent(), previous_status: 'success', transition: 'regressed' });
      expect(warnings).toEqual([
        "github api: could not read the workflow run and the run's jobs: no answer within 0.3 s (the timeout input, at most 3 s for these reads); the notification goes without it",
      ]);
    });
  });

  it('turns an unreachable API into warnings and nulls', async () => {
    await standIn.close();
    const { event, warnings } = await mapped(eventInput({ github_token: TOKEN }), await examplePushEnv(), api);
    standIn = await startGitHubApi({ repository: REPO, token: TOKEN });
    expect(event).toEqual(expectedPushEvent());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^github api: could not read the workflow run, the run's jobs and the previous runs of this workflow: /,
    );
    expect(warnings.join('\n')).not.toContain(TOKEN);
  });
});
