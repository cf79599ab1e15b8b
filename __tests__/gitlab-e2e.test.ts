/**
 * The bundle as a GitLab job (GITLAB_CI=true and the runner's predefined variables), reading a loopback
 * stand-in of the GitLab API (CI_API_V4_URL) with the job token and NOTIFY_GITLAB_TOKEN: jobs of the
 * pipeline and the previous pipeline in what the receiver gets, `notify_on: fixed` as on GitHub, and one
 * warning (not one per target) when a transition word cannot be decided.
 */
import { nodeBinaries, runCli } from './support/bundle.js';
import {
  standInJob,
  standInPipeline,
  standInProject,
  startGitLabApi,
  type GitLabApiStandIn,
  type StandInProject,
} from './support/gitlab-api.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const JOB_TOKEN = 'glcbt-64_e2eJobToken0123456789abcdef';
const READ_API = 'glpat-e2eReadApiToken0123456789';
const SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

let api: GitLabApiStandIn;
let receiver: Receiver;
let project: StandInProject;
beforeEach(async () => {
  [api, receiver] = await Promise.all([startGitLabApi(), startReceiver()]);
  project = standInProject();
  project.jobs.set(1000, [
    standInJob({ id: 1, name: 'build', stage: 'build', status: 'success', started_at: '2026-12-01T09:58:01.000Z' }),
    standInJob({ id: 2, name: 'lint', stage: 'test', status: 'failed', allow_failure: true }),
    standInJob({ id: 3, name: 'deploy', stage: 'deploy', status: 'manual', allow_failure: true }),
    standInJob({ id: 4, name: 'ci-notify-success', stage: '.post', status: 'running' }),
    standInJob({ id: 5, name: 'ci-notify-failure', stage: '.post', status: 'created' }),
  ]);
  api.projects.push(project);
  api.jobTokens.set(JOB_TOKEN, 1217);
  api.apiTokens.push({ value: READ_API, scopes: ['read_api'], projects: [1217] });
});
afterEach(async () => {
  await Promise.all([api.close(), receiver.close()]);
});

/** What the runner gives the component's `ci-notify-success` job of pipeline 1000 on main. */
function gitlabJobEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITLAB_CI: 'true',
    CI: 'true',
    CI_API_V4_URL: api.url,
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_SERVER_HOST: 'gitlab.example.com',
    CI_PROJECT_ID: '1217',
    CI_PROJECT_NAME: 'api',
    CI_PROJECT_PATH: 'acme/api',
    CI_PROJECT_NAMESPACE: 'acme',
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/api',
    CI_PIPELINE_ID: '1000',
    CI_PIPELINE_IID: '100',
    CI_PIPELINE_URL: 'https://gitlab.example.com/acme/api/-/pipelines/1000',
    CI_PIPELINE_SOURCE: 'push',
    CI_PIPELINE_CREATED_AT: '2026-12-01T09:57:00Z',
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_BRANCH: 'main',
    CI_COMMIT_TITLE: 'Fix payment path',
    CI_JOB_ID: '4',
    CI_JOB_NAME: 'ci-notify-success',
    CI_JOB_STAGE: '.post',
    CI_JOB_STATUS: 'running',
    CI_JOB_TOKEN: JOB_TOKEN,
    CI_NOTIFY_JOB_NAME: 'ci-notify',
    NOTIFY_STATUS: 'success',
    NOTIFY_RETRIES: '0',
    ...extra,
  };
}

describe.each(nodeBinaries())('the bundle as a GitLab job ($label)', ({ path: node }) => {
  it('sends "fixed" after a failed pipeline, naming the allowed failure and the waiting manual job', async () => {
    api.projects[0]!.pipelines = [standInPipeline({ id: 999, status: 'failed' })];
    const result = await runCli(
      [],
      gitlabJobEnv({
        NOTIFY_CHANNEL: 'webhook',
        NOTIFY_URL: `${receiver.origin}/hook`,
        NOTIFY_NOTIFY_ON: 'failure, fixed',
        NOTIFY_GITLAB_TOKEN: READ_API,
      }),
      node,
    );
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const event = receiver.requests[0]!.json() as Record<string, unknown>;
    expect({
      status: event.status,
      previous_status: event.previous_status,
      transition: event.transition,
      jobs: event.jobs,
      started_at: (event.pipeline as Record<string, unknown>).started_at,
    }).toEqual({
      status: 'success',
      previous_status: 'failure',
      transition: 'fixed',
      jobs: [
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
          duration_ms: 12500,
          stage: 'test',
          allow_failure: true,
          failed_step: null,
        },
        {
          name: 'deploy',
          status: 'pending',
          url: 'https://gitlab.example.com/acme/api/-/jobs/3',
          duration_ms: null,
          stage: 'deploy',
          allow_failure: true,
          failed_step: null,
        },
      ],
      started_at: '2026-12-01T09:58:01.000Z',
    });
    expect(api.requests.map((r) => r.credential).sort()).toEqual(['job-token', 'private-token']);
    const output = result.stdout + result.stderr;
    expect(output).not.toContain(READ_API);
    expect(output).not.toContain(JOB_TOKEN);
  }, 30_000);

  it('sends nothing for "fixed" after a green pipeline', async () => {
    api.projects[0]!.pipelines = [standInPipeline({ id: 999, status: 'success' })];
    const result = await runCli(
      [],
      gitlabJobEnv({
        NOTIFY_CHANNEL: 'webhook',
        NOTIFY_URL: `${receiver.origin}/hook`,
        NOTIFY_NOTIFY_ON: 'fixed',
        NOTIFY_GITLAB_TOKEN: READ_API,
      }),
      node,
    );
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(result.stdout).toContain('not notified (notify_on: fixed; status success, unchanged)');
    expect(result.stdout).not.toContain('warning:');
  }, 30_000);

  it('warns once, naming gitlab_token, when two targets use transition words and no token can read the pipelines', async () => {
    api.projects[0]!.pipelines = [standInPipeline({ id: 999, status: 'failed' })];
    const result = await runCli(
      [],
      gitlabJobEnv({
        NOTIFY_CHANNELS: JSON.stringify([
          { type: 'webhook', name: 'ops', url: `${receiver.origin}/ops`, notify_on: 'fixed' },
          {
            type: 'webhook',
            name: 'team',
            url: `${receiver.origin}/team`,
            notify_on: 'failure',
            mention_on: 'regressed',
          },
        ]),
      }),
      node,
    );
    expect(result.code).toBe(0);
    const warnings = result.stdout.split('\n').filter((line) => line.includes('warning:'));
    expect(warnings).toEqual([
      "\u001b[0;33mwarning:\u001b[0m notify_on and mention_on: fixed, regressed need the previous run's status, which is unknown: gitlab_token is not set (a token with read_api, as the masked CI/CD variable NOTIFY_GITLAB_TOKEN; CI_JOB_TOKEN may not list pipelines). They do not match this run.",
    ]);
    expect(receiver.requests).toHaveLength(0);
    // The job token still listed the jobs; the pipeline list was refused (private project).
    expect(api.requests.map((r) => `${r.credential} ${r.path.split('?')[0]}`).sort()).toEqual([
      'job-token /api/v4/projects/1217/pipelines',
      'job-token /api/v4/projects/1217/pipelines/1000/jobs',
    ]);
  }, 30_000);

  it('does not warn about history when no transition word is used', async () => {
    const result = await runCli(
      [],
      gitlabJobEnv({
        NOTIFY_CHANNEL: 'webhook',
        NOTIFY_URL: `${receiver.origin}/hook`,
        NOTIFY_NOTIFY_ON: 'failure, success',
      }),
      node,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('warning:');
    expect(receiver.requests).toHaveLength(1);
  }, 30_000);
});
