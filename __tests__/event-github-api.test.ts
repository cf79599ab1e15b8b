import { createHttpClient } from '../src/delivery/http.js';
import { Redactor } from '../src/delivery/redact.js';
import { createGitHubApi, githubApiFromEnv, GitHubApiError, type GitHubApi } from '../src/event/github-api.js';
import { standInRun, startGitHubApi, type GitHubApiStandIn } from './support/github-api.js';
import { recordingLogger } from './support/recording-logger.js';

const REPO = 'acme/api';
const TOKEN = 'ghs_ApiTestToken0123456789abcdefABCDEF';

function client(dryRun = false) {
  const redactor = new Redactor();
  redactor.add(TOKEN);
  return createHttpClient({ timeoutMs: 2000, retries: 0, log: recordingLogger(), redactor, dryRun, env: {} });
}

let standIn: GitHubApiStandIn;
let api: GitHubApi;
beforeEach(async () => {
  standIn = await startGitHubApi({ repository: REPO, token: TOKEN });
  api = createGitHubApi({ http: client(), apiUrl: `${standIn.url}/`, repository: REPO, token: TOKEN });
});
afterEach(async () => {
  await standIn.close();
});

const query = {
  workflow: 5 as number | string,
  branch: 'main',
  currentRunId: '100',
  currentRunNumber: 50,
  headRepository: REPO,
};

describe('GitHub API: previous run', () => {
  it('asks for completed runs of the workflow on the branch, newest first', async () => {
    standIn.runs = [standInRun(90, 49, 'success', '2026-12-01T09:00:00Z')];
    await expect(api.previousStatus({ ...query, branch: 'feature/x y' })).resolves.toBeNull();
    expect(standIn.requests.map((r) => r.path)).toEqual([
      `/repos/${REPO}/actions/workflows/5/runs?branch=feature%2Fx+y&status=completed&per_page=20`,
    ]);
  });

  it('returns the latest earlier decisive outcome, passing over cancelled, skipped and neutral runs', async () => {
    standIn.runs = [
      standInRun(99, 49, 'cancelled', '2026-12-01T09:50:00Z'),
      standInRun(98, 48, 'skipped', '2026-12-01T09:40:00Z'),
      standInRun(97, 47, 'neutral', '2026-12-01T09:30:00Z'),
      standInRun(96, 46, 'timed_out', '2026-12-01T09:20:00Z'),
      standInRun(95, 45, 'success', '2026-12-01T09:10:00Z'),
    ];
    await expect(api.previousStatus(query)).resolves.toBe('failure');
  });

  it('skips the current run and runs started after it, even when the run number is unknown', async () => {
    standIn.runs = [
      standInRun(101, 51, 'failure', '2026-12-01T10:05:00Z'),
      standInRun(100, 50, 'failure', '2026-12-01T10:00:00Z'),
      standInRun(90, 49, 'success', '2026-12-01T09:00:00Z'),
    ];
    await expect(api.previousStatus(query)).resolves.toBe('success');
    await expect(api.previousStatus({ ...query, currentRunNumber: null })).resolves.toBe('failure');
    standIn.runs = [
      standInRun(100, 50, 'failure', '2026-12-01T10:00:00Z'),
      standInRun(90, 49, 'success', '2026-12-01T09:00:00Z'),
    ];
    await expect(api.previousStatus({ ...query, currentRunNumber: null })).resolves.toBe('success');
  });

  it('ignores runs of a fork whose branch has the same name', async () => {
    standIn.runs = [
      standInRun(99, 49, 'failure', '2026-12-01T09:50:00Z', { head_repository: 'someone/api' }),
      standInRun(98, 48, 'success', '2026-12-01T09:40:00Z'),
    ];
    await expect(api.previousStatus(query)).resolves.toBe('success');
  });

  it('has no previous status when no earlier run succeeded or failed', async () => {
    standIn.runs = [
      standInRun(99, 49, 'cancelled', '2026-12-01T09:50:00Z'),
      standInRun(100, 50, null, '2026-12-01T10:00:00Z'),
    ];
    await expect(api.previousStatus(query)).resolves.toBeNull();
  });
});

describe('GitHub API: jobs of the run', () => {
  it('leaves out the in-progress job on this runner and reports how the others went', async () => {
    standIn.jobs.set('100/1', [
      {
        id: 1,
        name: 'lint',
        status: 'completed',
        conclusion: 'success',
        started_at: '2026-12-01T10:00:00Z',
        completed_at: '2026-12-01T10:00:30Z',
        html_url: 'https://github.com/acme/api/actions/runs/100/job/1',
        runner_name: 'r1',
      },
      {
        id: 2,
        name: 'e2e',
        status: 'queued',
        conclusion: null,
        started_at: null,
        completed_at: null,
        html_url: 'https://github.com/acme/api/actions/runs/100/job/2',
        runner_name: null,
      },
      {
        id: 3,
        name: 'notify',
        status: 'in_progress',
        conclusion: null,
        started_at: '2026-12-01T10:01:00Z',
        completed_at: null,
        html_url: 'https://github.com/acme/api/actions/runs/100/job/3',
        runner_name: 'r9',
      },
      {
        id: 4,
        name: 'flaky',
        status: 'completed',
        conclusion: 'timed_out',
        started_at: null,
        completed_at: null,
        html_url: 'https://github.com/acme/api/actions/runs/100/job/4',
        runner_name: 'r2',
      },
    ]);
    await expect(api.runJobs('100', 1, { runnerName: 'r9', jobKey: 'report' })).resolves.toEqual({
      jobs: [
        {
          name: 'lint',
          status: 'success',
          url: 'https://github.com/acme/api/actions/runs/100/job/1',
          duration_ms: 30_000,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
        {
          name: 'e2e',
          status: 'pending',
          url: 'https://github.com/acme/api/actions/runs/100/job/2',
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
        {
          name: 'flaky',
          status: 'failure',
          url: 'https://github.com/acme/api/actions/runs/100/job/4',
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
      ],
      current: { name: 'notify', url: 'https://github.com/acme/api/actions/runs/100/job/3' },
    });
  });

  it('recognises its own job by the job key when the runner name is not known', async () => {
    standIn.jobs.set('100/2', [
      {
        id: 3,
        name: 'notify',
        status: 'in_progress',
        conclusion: null,
        started_at: null,
        completed_at: null,
        html_url: 'https://github.com/acme/api/actions/runs/100/job/3',
        runner_name: 'r9',
      },
      {
        id: 5,
        name: 'build',
        status: 'in_progress',
        conclusion: null,
        started_at: null,
        completed_at: null,
        html_url: 'https://github.com/acme/api/actions/runs/100/job/5',
        runner_name: 'r5',
      },
    ]);
    await expect(api.runJobs('100', 2, { runnerName: null, jobKey: 'notify' })).resolves.toEqual({
      jobs: [
        {
          name: 'build',
          status: 'running',
          url: 'https://github.com/acme/api/actions/runs/100/job/5',
          duration_ms: null,
          stage: null,
          allow_failure: false,
          failed_step: null,
        },
      ],
      current: { name: 'notify', url: 'https://github.com/acme/api/actions/runs/100/job/3' },
    });
  });
});

describe('GitHub API: run and commit', () => {
  it('reads when the run started, its name, workflow and branch', async () => {
    standIn.runs = [standInRun(100, 50, null, '2026-12-01T10:00:00Z', { head_branch: 'dev' })];
    await expect(api.run('100')).resolves.toEqual({
      name: 'CI',
      started_at: '2026-12-01T10:00:00Z',
      workflow_id: 5,
      head_branch: 'dev',
      head_repository: REPO,
    });
  });

  it('reads a commit message and its author, with the GitHub login when GitHub knows the author', async () => {
    standIn.commits = [
      {
        sha: 'abcdef1234567890abcdef1234567890abcdef12',
        message: 'Add x\n\nBody',
        author: { name: 'Ann', email: 'ann@example.com' },
        login: null,
      },
    ];
    await expect(api.commit('abcdef1234567890abcdef1234567890abcdef12')).resolves.toEqual({
      message: 'Add x\n\nBody',
      author: { name: 'Ann', email: 'ann@example.com', login: null },
    });
  });

  it('fails with a GitHubApiError that names what was read and quotes GitHub, never the token', async () => {
    const failure = api.commit('0123456789abcdef0123456789abcdef01234567');
    await expect(failure).rejects.toBeInstanceOf(GitHubApiError);
    await expect(failure).rejects.toThrow(
      'github api: could not read the commit: HTTP 422 (No commit found for SHA: 0123456789abcdef0123456789abcdef01234567)',
    );
    await expect(api.run('404')).rejects.toThrow(
      'github api: could not read the workflow run: HTTP 404 (Not Found) — not visible with this github_token (private repository without `actions: read`?)',
    );
  });

  it('takes a 200 without the list GitHub sends (a proxy page, another API) as a failed read, never as "no runs"', async () => {
    standIn.oddAnswers.push({ prefix: `/repos/${REPO}/actions/`, body: { message: 'Welcome to the proxy' } });
    await expect(api.previousStatus(query)).rejects.toThrow(
      new GitHubApiError('the previous runs of this workflow', 'the answer has no "workflow_runs" list'),
    );
    await expect(api.runJobs('100', 1, { runnerName: 'r', jobKey: null })).rejects.toThrow(
      'github api: could not read the run\'s jobs: the answer has no "jobs" list',
    );
    standIn.oddAnswers.push({ prefix: `/repos/${REPO}/compare/`, body: {} });
    await expect(api.compareAuthors('a'.repeat(40), 'b'.repeat(40))).rejects.toThrow(
      'github api: could not read the commits since the last successful run: the answer has no "commits" list',
    );
  });

  it('reads nothing in a dry run and says so', async () => {
    const dry = createGitHubApi({ http: client(true), apiUrl: standIn.url, repository: REPO, token: TOKEN });
    await expect(dry.run('100')).rejects.toThrow('github api: the workflow run not read in a dry run');
    expect(standIn.requests).toEqual([]);
  });
});

describe('githubApiFromEnv', () => {
  it('gives no client without a token or a repository', () => {
    expect(githubApiFromEnv({ GITHUB_REPOSITORY: REPO }, '', client())).toBeNull();
    expect(githubApiFromEnv({}, TOKEN, client())).toBeNull();
  });

  it('talks to GITHUB_API_URL for GITHUB_REPOSITORY', async () => {
    standIn.runs = [standInRun(100, 50, null, '2026-12-01T10:00:00Z')];
    const fromEnv = githubApiFromEnv({ GITHUB_REPOSITORY: REPO, GITHUB_API_URL: standIn.url }, TOKEN, client());
    await expect(fromEnv?.run('100')).resolves.toMatchObject({ workflow_id: 5 });
    expect(standIn.requests.map((r) => r.path)).toEqual([`/repos/${REPO}/actions/runs/100`]);
  });
});
