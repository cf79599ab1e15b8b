/**
 * The GitLab API reads (src/event/gitlab-api.ts) and the GitLab event built with them, against a loopback
 * stand-in that enforces which token may read what as GitLab does (__tests__/support/gitlab-api.ts).
 */
import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import { gitlabEvent } from '../src/event/gitlab.js';
import { createGitLabApi, gitlabApiFromEnv, GitLabApiError, type GitLabApiOptions } from '../src/event/gitlab-api.js';
import type { HttpClient } from '../src/delivery/types.js';
import type { EventInput } from '../src/event/types.js';
import {
  standInJob,
  standInPipeline,
  standInProject,
  startGitLabApi,
  type GitLabApiStandIn,
  type StandInProject,
} from './support/gitlab-api.js';
import { recordingLogger } from './support/recording-logger.js';

const JOB_TOKEN = 'glcbt-64_JobTokenOfTheNotifyJob0123456789';
const READ_API = 'glpat-ReadApiToken0123456789abcdef';
const REPO_ONLY = 'glpat-ReadRepositoryOnly0123456789ab';
const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const PIPELINE = 1000;

function client(options: { dryRun?: boolean } = {}): HttpClient {
  const redactor = new Redactor();
  for (const token of [JOB_TOKEN, READ_API, REPO_ONLY]) redactor.add(token);
  return createHttpClient({
    timeoutMs: 2000,
    retries: 0,
    log: recordingLogger(),
    redactor,
    dryRun: options.dryRun ?? false,
    env: {},
  });
}

let standIn: GitLabApiStandIn;
let project: StandInProject;
const clients: HttpClient[] = [];

function api(options: Partial<GitLabApiOptions> = {}) {
  const http = client();
  clients.push(http);
  return createGitLabApi({
    http,
    apiUrl: standIn.url,
    projectId: '1217',
    jobToken: JOB_TOKEN,
    token: READ_API,
    timeoutMs: 5000,
    ...options,
  });
}

/** The pipeline the notify job runs in: build passed, lint failed but may, test failed, deploy waits for a person. */
function currentJobs() {
  return [
    standInJob({ id: 1, name: 'build', stage: 'build', status: 'success', started_at: '2026-12-01T09:58:01.000Z' }),
    standInJob({ id: 2, name: 'lint', stage: 'test', status: 'failed', allow_failure: true, duration: 3.25 }),
    standInJob({ id: 3, name: 'test', stage: 'test', status: 'failed', duration: 61 }),
    standInJob({ id: 4, name: 'deploy', stage: 'deploy', status: 'manual', allow_failure: true }),
    standInJob({ id: 5, name: 'ci-notify-success', stage: '.post', status: 'created' }),
    standInJob({ id: 6, name: 'ci-notify-failure', stage: '.post', status: 'running' }),
    standInJob({ id: 7, name: 'notify-ops-failure', stage: '.post', status: 'pending' }),
    standInJob({ id: 8, name: 'cleanup', stage: '.post', status: 'success' }),
  ];
}

beforeEach(async () => {
  standIn = await startGitLabApi();
  project = standInProject();
  project.jobs.set(PIPELINE, currentJobs());
  standIn.projects.push(project);
  standIn.jobTokens.set(JOB_TOKEN, 1217);
  standIn.apiTokens.push({ value: READ_API, scopes: ['read_api'], projects: [1217] });
  standIn.apiTokens.push({ value: REPO_ONLY, scopes: ['read_repository'], projects: [1217] });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await standIn.close();
});

const query = { ref: 'main', currentPipelineId: PIPELINE, source: 'push' };

describe('GitLab API: the jobs of the pipeline', () => {
  it('lists them with the job token, a manual job nobody played as pending, durations in ms and web links', async () => {
    const jobs = await api({ token: '' }).pipelineJobs(PIPELINE);
    expect(jobs.map((j) => j.summary)).toEqual([
      {
        name: 'build',
        status: 'success',
        url: 'https://gitlab.example.com/acme/api/-/jobs/1',
        duration_ms: 12500,
        stage: 'build',
        allow_failure: false,
        failed_step: null,
      },
      {
        name: 'lint',
        status: 'failure',
        url: 'https://gitlab.example.com/acme/api/-/jobs/2',
        duration_ms: 3250,
        stage: 'test',
        allow_failure: true,
        failed_step: null,
      },
      {
        name: 'test',
        status: 'failure',
        url: 'https://gitlab.example.com/acme/api/-/jobs/3',
        duration_ms: 61000,
        stage: 'test',
        allow_failure: false,
        failed_step: null,
      },
      {
        name: 'deploy',
        status: 'pending',
        url: 'https://gitlab.example.com/acme/api/-/jobs/4',
        duration_ms: null,
        stage: 'deploy',
        allow_failure: true,
        failed_step: null,
      },
      expect.objectContaining({ name: 'ci-notify-success', status: 'pending' }),
      expect.objectContaining({ name: 'ci-notify-failure', status: 'running' }),
      expect.objectContaining({ name: 'notify-ops-failure', status: 'pending' }),
      expect.objectContaining({ name: 'cleanup', status: 'success' }),
    ]);
    expect(jobs.map((j) => j.gitlab_status)).toEqual([
      'success',
      'failed',
      'failed',
      'manual',
      'created',
      'running',
      'pending',
      'success',
    ]);
    expect(standIn.requests).toEqual([
      {
        method: 'GET',
        path: `/api/v4/projects/1217/pipelines/${PIPELINE}/jobs?per_page=100&page=1`,
        credential: 'job-token',
      },
    ]);
  });

  it('falls back to gitlab_token where GitLab does not take the job token for jobs (before it was allowed)', async () => {
    standIn.jobTokenAllowedOnJobs = false;
    const jobs = await api().pipelineJobs(PIPELINE);
    expect(jobs).toHaveLength(8);
    expect(standIn.requests.map((r) => r.credential)).toEqual(['job-token', 'private-token']);
  });

  it('reads every page of a pipeline with more than 100 jobs, the later pages at once', async () => {
    project.jobs.set(
      PIPELINE,
      Array.from({ length: 230 }, (_, i) =>
        standInJob({ id: i + 1, name: `shard ${i + 1}`, stage: 'test', status: 'success' }),
      ),
    );
    const jobs = await api({ token: '' }).pipelineJobs(PIPELINE);
    expect(jobs.map((j) => j.summary.name)).toEqual(Array.from({ length: 230 }, (_, i) => `shard ${i + 1}`));
    expect(standIn.requests.map((r) => r.path).sort()).toEqual(
      [1, 2, 3].map((page) => `/api/v4/projects/1217/pipelines/${PIPELINE}/jobs?per_page=100&page=${page}`),
    );
  });

  it("refuses another project's job token, and says so without the token", async () => {
    standIn.jobTokens.set(JOB_TOKEN, 77);
    const error = await api({ token: '' })
      .pipelineJobs(PIPELINE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as Error).message).toBe(
      "gitlab api: could not read the pipeline's jobs with CI_JOB_TOKEN: HTTP 403 (403 Forbidden) — the job token may not read this (set gitlab_token: a token with read_api as NOTIFY_GITLAB_TOKEN)",
    );
  });
});

describe('GitLab API: the previous pipeline of the ref', () => {
  it('asks for the finished pipelines of the ref, newest first, with gitlab_token', async () => {
    await expect(api().previousPipeline({ ...query, ref: 'feature/x y' })).resolves.toBeNull();
    expect(standIn.requests).toEqual([
      {
        method: 'GET',
        path: '/api/v4/projects/1217/pipelines?ref=feature%2Fx+y&scope=finished&order_by=id&sort=desc&per_page=20',
        credential: 'private-token',
      },
    ]);
  });

  it('is the latest earlier pipeline that passed or failed: not this one, not newer ones, not cancelled or skipped', async () => {
    project.pipelines = [
      standInPipeline({ id: 1002, status: 'failed' }),
      standInPipeline({ id: 1000, status: 'running' }),
      standInPipeline({ id: 999, status: 'canceled' }),
      standInPipeline({ id: 998, status: 'skipped' }),
      standInPipeline({ id: 997, status: 'failed', sha: 'b'.repeat(40) }),
      standInPipeline({ id: 996, status: 'success' }),
    ];
    await expect(api().previousPipeline(query)).resolves.toEqual({
      id: 997,
      project_id: 1217,
      sha: 'b'.repeat(40),
      ref: 'main',
      status: 'failure',
      source: 'push',
      web_url: 'https://gitlab.example.com/acme/api/-/pipelines/997',
    });
  });

  it("never takes another ref's pipeline, or a child pipeline for a parent one (and the other way round)", async () => {
    project.pipelines = [
      standInPipeline({ id: 999, status: 'failed', source: 'parent_pipeline' }),
      standInPipeline({ id: 998, status: 'failed', ref: 'release' }),
      standInPipeline({ id: 997, status: 'success' }),
    ];
    await expect(api().previousPipeline(query)).resolves.toEqual(expect.objectContaining({ id: 997 }));
    await expect(api().previousPipeline({ ...query, source: 'parent_pipeline' })).resolves.toEqual(
      expect.objectContaining({ id: 999 }),
    );
  });

  it("never takes another project's pipeline: it asks for this project's pipelines only", async () => {
    standIn.projects.push(
      standInProject({
        id: 55,
        path: 'acme/fork',
        pipelines: [standInPipeline({ id: 999, project_id: 55, status: 'failed' })],
      }),
    );
    standIn.apiTokens[0]!.projects.push(55);
    await expect(api().previousPipeline(query)).resolves.toBeNull();
    expect(standIn.requests.every((r) => r.path.startsWith('/api/v4/projects/1217/'))).toBe(true);
  });

  it('reads the pipelines of a private project only with a read_api token: the job token alone is anonymous there', async () => {
    project.pipelines = [standInPipeline({ id: 999, status: 'failed' })];
    await expect(api({ token: '' }).previousPipeline(query)).rejects.toThrow(
      'gitlab api: could not read the pipelines of main with CI_JOB_TOKEN: HTTP 404 (404 Project Not Found) — the job token may not read this (set gitlab_token: a token with read_api as NOTIFY_GITLAB_TOKEN)',
    );
    await expect(api().previousPipeline(query)).resolves.toEqual(expect.objectContaining({ id: 999 }));
  });

  it('reads the pipelines of a public project without a token', async () => {
    project.visibility = 'public';
    project.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    await expect(api({ token: '' }).previousPipeline(query)).resolves.toEqual(expect.objectContaining({ id: 999 }));
    expect(standIn.requests.map((r) => r.credential)).toEqual(['job-token']);
  });

  it('names the missing scope of a token without read_api, and an unknown token, never printing either', async () => {
    const noScope = await api({ token: REPO_ONLY })
      .previousPipeline(query)
      .catch((e: Error) => e.message);
    expect(noScope).toBe(
      'gitlab api: could not read the pipelines of main with gitlab_token: HTTP 403 (insufficient_scope) — gitlab_token needs the read_api scope',
    );
    const unknown = await api({ token: 'glpat-Revoked00000000000000' })
      .previousPipeline(query)
      .catch((e: Error) => e.message);
    expect(unknown).toBe(
      'gitlab api: could not read the pipelines of main with gitlab_token: HTTP 401 (401 Unauthorized) — gitlab_token was not accepted (expired or revoked?)',
    );
  });

  it('asks once for the pipelines of a ref, whoever asks (previous pipeline and last green one)', async () => {
    project.pipelines = [
      standInPipeline({ id: 999, status: 'failed' }),
      standInPipeline({ id: 998, status: 'success' }),
    ];
    const client = api();
    const [previous, green] = await Promise.all([client.previousPipeline(query), client.lastSuccessfulPipeline(query)]);
    expect([previous?.id, green?.id]).toEqual([999, 998]);
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('GitLab API: commits since the last green pipeline (for culprits)', () => {
  const commit = (n: number) => ({
    id: String(n).repeat(40).slice(0, 40),
    title: `Change ${n}`,
    message: `Change ${n}\n\nBody ${n}`,
    author_name: `Author ${n}`,
    author_email: `a${n}@example.com`,
    committer_name: 'Committer',
    committer_email: 'committer@example.com',
  });
  beforeEach(() => {
    project.history = [1, 2, 3, 4].map(commit);
  });

  it('compares the last green pipeline’s commit with this one and lists the commits in between, oldest first', async () => {
    project.pipelines = [
      standInPipeline({ id: 999, status: 'failed', sha: commit(3).id }),
      standInPipeline({ id: 998, status: 'success', sha: commit(1).id }),
    ];
    const commits = await api().commitsSinceLastSuccess({ ...query, sha: commit(4).id });
    expect(commits).toEqual(
      [2, 3, 4].map((n) => ({
        sha: commit(n).id,
        title: `Change ${n}`,
        message: `Change ${n}\n\nBody ${n}`,
        author: { name: `Author ${n}`, email: `a${n}@example.com` },
        committer: { name: 'Committer', email: 'committer@example.com' },
        url: `https://gitlab.example.com/acme/api/-/commit/${commit(n).id}`,
      })),
    );
    expect(standIn.requests.map((r) => [r.path, r.credential])).toEqual([
      [expect.stringContaining('/api/v4/projects/1217/pipelines?ref=main&scope=finished'), 'private-token'],
      [`/api/v4/projects/1217/repository/compare?from=${commit(1).id}&to=${commit(4).id}`, 'private-token'],
    ]);
  });

  it('is empty when the last green pipeline ran this very commit, and null when the ref was never green', async () => {
    project.pipelines = [standInPipeline({ id: 998, status: 'success', sha: commit(4).id })];
    await expect(api().commitsSinceLastSuccess({ ...query, sha: commit(4).id })).resolves.toEqual([]);
    project.pipelines = [standInPipeline({ id: 998, status: 'failed', sha: commit(2).id })];
    await expect(api().commitsSinceLastSuccess({ ...query, sha: commit(4).id })).resolves.toBeNull();
  });
});

describe('GitLab API: bounded and quiet', () => {
  it('ends every read, fallbacks included, within the timeout of the whole set when GitLab hangs', async () => {
    standIn.delayMs = 30_000;
    standIn.jobTokenAllowedOnJobs = false;
    const client = api({ timeoutMs: 400 });
    const results = await Promise.allSettled([client.pipelineJobs(PIPELINE), client.previousPipeline(query)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // The job token's refusal never came, so the fallback was never needed: two requests, both abandoned.
    expect(standIn.requests).toHaveLength(2);
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/timed out|timeout/);
  });

  it('stops a fallback that would start after the deadline', async () => {
    let now = 0;
    standIn.jobTokenAllowedOnJobs = false;
    const http = client();
    clients.push(http);
    const slow: HttpClient = {
      ...http,
      deliver: async (...args) => {
        const outcome = await http.deliver(...args);
        now += 1000; // every answer "takes" a second on this clock
        return outcome;
      },
    };
    const client2 = createGitLabApi({
      http: slow,
      apiUrl: standIn.url,
      projectId: '1217',
      jobToken: JOB_TOKEN,
      token: READ_API,
      timeoutMs: 500,
      nowMs: () => now,
    });
    await expect(client2.pipelineJobs(PIPELINE)).rejects.toThrow(
      "gitlab api: the pipeline's jobs not read within the timeout",
    );
    expect(standIn.requests.map((r) => r.credential)).toEqual(['job-token']);
  });

  it('reads nothing in a dry run', async () => {
    const http = client({ dryRun: true });
    clients.push(http);
    const dry = createGitLabApi({
      http,
      apiUrl: standIn.url,
      projectId: '1217',
      jobToken: JOB_TOKEN,
      token: READ_API,
      timeoutMs: 1000,
    });
    const error = await dry.pipelineJobs(PIPELINE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as GitLabApiError).dryRun).toBe(true);
    expect(standIn.requests).toEqual([]);
  });

  it('is built from CI_API_V4_URL and CI_PROJECT_ID, and not at all without any token', () => {
    const http = client();
    clients.push(http);
    const env = { CI_API_V4_URL: standIn.url, CI_PROJECT_ID: '1217' };
    expect(gitlabApiFromEnv(env, '', http, 1000)).toBeNull();
    expect(gitlabApiFromEnv({ ...env, CI_JOB_TOKEN: JOB_TOKEN }, '', http, 1000)).not.toBeNull();
    expect(gitlabApiFromEnv(env, READ_API, http, 1000)).not.toBeNull();
    expect(gitlabApiFromEnv({ CI_PROJECT_ID: '1217', CI_JOB_TOKEN: JOB_TOKEN }, '', http, 1000)).toBeNull();
  });
});

/** The runner's variables for the `ci-notify-failure` job of pipeline 1000 on main. */
function notifyJobEnv(): NodeJS.ProcessEnv {
  return {
    GITLAB_CI: 'true',
    CI_API_V4_URL: standIn.url,
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_PROJECT_ID: '1217',
    CI_PROJECT_PATH: 'acme/api',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
    CI_PIPELINE_ID: String(PIPELINE),
    CI_PIPELINE_IID: '100',
    CI_PIPELINE_SOURCE: 'push',
    CI_PIPELINE_CREATED_AT: '2026-12-01T09:57:00Z',
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_BRANCH: 'main',
    CI_JOB_ID: '6',
    CI_JOB_NAME: 'ci-notify-failure',
    CI_JOB_STAGE: '.post',
    CI_JOB_TOKEN: JOB_TOKEN,
    CI_NOTIFY_JOB_NAME: 'ci-notify',
  };
}

async function build(env: NodeJS.ProcessEnv, input: Partial<EventInput> = {}) {
  const http = client();
  clients.push(http);
  const warnings: string[] = [];
  const gaps: string[] = [];
  const event = await gitlabEvent(
    {
      status: 'failure',
      params: {},
      needs: '',
      github_token: '',
      gitlab_token: READ_API,
      historyUnknown: (reason) => gaps.push(reason),
      id: 'id',
      now: new Date('2026-12-01T10:00:00Z'),
      http,
      ...input,
    },
    env,
    { warn: (m) => warnings.push(m) },
  );
  return { event, warnings, gaps };
}

describe('gitlabEvent with the API', () => {
  it('lists every job but the notification ones, starts the pipeline at its first job, and knows the transition', async () => {
    project.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    const { event, warnings, gaps } = await build(notifyJobEnv());
    expect(event.jobs.map((j) => `${j.name}:${j.status}`)).toEqual([
      'build:success',
      'lint:failure',
      'test:failure',
      'deploy:pending',
      'cleanup:success',
    ]);
    expect(event.pipeline.started_at).toBe('2026-12-01T09:58:01.000Z');
    expect(event.pipeline.duration_ms).toBe(119_000);
    expect([event.previous_status, event.transition]).toEqual(['success', 'regressed']);
    expect(warnings).toEqual([]);
    expect(gaps).toEqual([]);
  });

  it('reports a pipeline that passed with an allowed failure as success, with that job in the list', async () => {
    project.jobs.set(PIPELINE, [
      standInJob({ id: 1, name: 'build', stage: 'build', status: 'success' }),
      standInJob({ id: 2, name: 'lint', stage: 'test', status: 'failed', allow_failure: true }),
      standInJob({ id: 5, name: 'ci-notify-success', stage: '.post', status: 'running' }),
    ]);
    project.pipelines = [standInPipeline({ id: 999, status: 'failed' })];
    const env = { ...notifyJobEnv(), CI_JOB_ID: '5', CI_JOB_NAME: 'ci-notify-success' };
    const { event } = await build(env, { status: 'success' });
    expect(event.status).toBe('success');
    expect(event.transition).toBe('fixed');
    expect(event.jobs).toEqual([
      expect.objectContaining({ name: 'build', status: 'success', allow_failure: false }),
      expect.objectContaining({ name: 'lint', status: 'failure', allow_failure: true }),
    ]);
  });

  it('compares a merge request pipeline with the earlier pipelines of that merge request', async () => {
    project.pipelines = [
      standInPipeline({ id: 999, status: 'failed', ref: 'refs/merge-requests/12/head', source: 'merge_request_event' }),
      standInPipeline({ id: 998, status: 'success', ref: 'feature' }),
    ];
    const env = {
      ...notifyJobEnv(),
      CI_COMMIT_REF_NAME: 'feature',
      CI_COMMIT_BRANCH: undefined,
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_IID: '12',
      CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/12/head',
    };
    const { event } = await build(env);
    expect(event.previous_status).toBe('failure');
    expect(standIn.requests.some((r) => r.path.includes('ref=refs%2Fmerge-requests%2F12%2Fhead'))).toBe(true);
  });

  it('without gitlab_token still lists the jobs with the job token, and says once why the previous pipeline is unknown', async () => {
    project.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    const { event, warnings, gaps } = await build(notifyJobEnv(), { gitlab_token: '' });
    expect(event.jobs).toHaveLength(5);
    expect([event.previous_status, event.transition]).toEqual([null, null]);
    expect(warnings).toEqual([]);
    expect(gaps).toEqual([
      'gitlab_token is not set (a token with read_api, as the masked CI/CD variable NOTIFY_GITLAB_TOKEN; CI_JOB_TOKEN may not list pipelines)',
    ]);
  });

  it('knows there is no previous pipeline on a new branch, which is no gap', async () => {
    const { event, gaps } = await build(notifyJobEnv());
    expect(event.previous_status).toBeNull();
    expect(gaps).toEqual([]);
  });

  it('warns once per failed read when gitlab_token was given, and still builds the event, never printing a token', async () => {
    standIn.failures.push({ prefix: '/api/v4/projects/1217/', status: 502 });
    const { event, warnings, gaps } = await build(notifyJobEnv());
    expect(event.jobs).toEqual([]);
    expect(event.pipeline.started_at).toBe('2026-12-01T09:57:00Z');
    expect(warnings).toEqual([
      "gitlab api: could not read the pipeline's jobs with CI_JOB_TOKEN: HTTP 502 (502 Bad Gateway)",
      'gitlab api: could not read the pipelines of main with gitlab_token: HTTP 502 (502 Bad Gateway)',
    ]);
    expect(gaps).toEqual([
      'the GitLab API did not answer (gitlab api: could not read the pipelines of main with gitlab_token: HTTP 502 (502 Bad Gateway))',
    ]);
    expect([...warnings, ...gaps].join('\n')).not.toMatch(/glpat|glcbt/);
  });

  it('takes a 200 that is not a list (a proxy page, another API) as a failed read: a warning and a gap, never "no earlier pipeline"', async () => {
    project.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    // Both the pipeline's jobs (/pipelines/<id>/jobs) and the pipelines of the ref (/pipelines?ref=…).
    standIn.oddAnswers.push({ prefix: '/api/v4/projects/1217/pipelines', body: { message: 'Welcome to the proxy' } });
    const { event, warnings, gaps } = await build(notifyJobEnv());
    expect([event.previous_status, event.jobs]).toEqual([null, []]);
    expect(warnings).toEqual([
      "gitlab api: could not read the pipeline's jobs: the answer is not the JSON list GitLab sends",
      'gitlab api: could not read the pipelines of main: the answer is not the JSON list GitLab sends',
    ]);
    expect(gaps).toEqual([
      'the GitLab API did not answer (gitlab api: could not read the pipelines of main: the answer is not the JSON list GitLab sends)',
    ]);
  });

  it('names each read that did not answer by the deadline, never printing a token', async () => {
    project.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    standIn.delayMs = 5000;
    const { warnings, gaps } = await build(notifyJobEnv(), {
      facts: { wanted: () => new Set(['jobs', 'history']), deadlineMs: 300 },
    });
    // Each read ends by its own timeout or by the deadline of the set, whichever fires first.
    const late =
      '(: no answer within 0.3 s \\(the timeout input, at most 3 s for these reads\\)| with \\w+: timed out after 0.3 s waiting for the answer)$';
    expect([...warnings].sort()).toEqual([
      expect.stringMatching(new RegExp(`^gitlab api: could not read the pipeline's jobs${late}`)),
      expect.stringMatching(new RegExp(`^gitlab api: could not read the pipelines of main${late}`)),
    ]);
    expect(gaps).toEqual([
      expect.stringMatching(
        new RegExp(`^the GitLab API did not answer \\(gitlab api: could not read the pipelines of main`),
      ),
    ]);
    expect([...warnings, ...gaps].join('\n')).not.toMatch(/glpat|glcbt/);
  });

  it('says what is missing without any token or API URL', async () => {
    const env = { ...notifyJobEnv(), CI_JOB_TOKEN: undefined };
    const { event, gaps } = await build(env, { gitlab_token: '' });
    expect(event.jobs).toEqual([]);
    expect(gaps).toEqual([expect.stringMatching(/^gitlab_token is not set/)]);
    expect(standIn.requests).toEqual([]);
  });
});
