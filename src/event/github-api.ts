import type { HttpAnswer, HttpClient, Verdict } from '../delivery/types.js';
import { USER_AGENT } from '../version.js';
import { API_READS_MAX_MS } from './facts.js';
import { normalizeStatus } from './status.js';
import type { JobSummary, Person, Status } from './types.js';

/**
 * The few GitHub REST reads that make a notification richer: the run's jobs, when the run started,
 * the previous run's outcome and a commit's message. Plain JSON over the project's HttpClient
 * (no @actions/github / Octokit: four GETs do not need a 1 MB client in the bundle's cold start).
 *
 * Best effort: no retries, and a timeout the caller sets to its deadline for all reads together
 * (github.ts reads them at once, api-reads.ts bounds the set), so a slow API never holds a
 * notification longer than that. Every failure is a `GitHubApiError` whose message names what was
 * read and the likely fix — never the token. The caller turns it into a warning and nulls.
 */

export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  constructor(
    /** What was read: "the run's jobs". */
    readonly what: string,
    /** Why it could not be: "HTTP 401 (Bad credentials) — github_token was not accepted; …". */
    readonly reason: string,
    /** True when nothing was sent because the HTTP client is in dry-run mode: not worth a warning. */
    readonly dryRun = false,
  ) {
    super(dryRun ? `github api: ${what} not read in a dry run` : `github api: could not read ${what}: ${reason}`);
  }
}

export interface GitHubRunDetails {
  name: string | null;
  started_at: string | null;
  workflow_id: number | null;
  head_branch: string | null;
  head_repository: string | null;
}

export interface GitHubRunJobs {
  /** Every job of the attempt except the one running ci-notify right now. */
  jobs: JobSummary[];
  /** The job running ci-notify, when it could be recognised. */
  current: { name: string; url: string | null } | null;
}

export interface GitHubCommitDetails {
  message: string | null;
  author: Person | null;
}

/** Identifies the job that runs ci-notify: it is in progress on this runner (RUNNER_NAME). */
export interface SelfJob {
  runnerName: string | null;
  /** GITHUB_JOB: the job's key in the workflow, equal to its name unless `name:` is set. */
  jobKey: string | null;
}

export interface PreviousRunQuery {
  /** The workflow's id, or its file name (`ci.yml`), which the API accepts in its place. */
  workflow: number | string;
  branch: string;
  currentRunId: string;
  currentRunNumber: number | null;
  /** `owner/repo` the current run's code came from; runs from other forks with the same branch name are not ours. */
  headRepository: string | null;
}

export interface GitHubApi {
  run(runId: string): Promise<GitHubRunDetails>;
  runJobs(runId: string, attempt: number, self: SelfJob): Promise<GitHubRunJobs>;
  /** Outcome (success or failure) of the latest earlier completed run, or null when there is none. */
  previousStatus(query: PreviousRunQuery): Promise<Status | null>;
  commit(sha: string): Promise<GitHubCommitDetails>;
  /** Head sha of the latest earlier successful run of the workflow on the branch, or null when there is none. */
  lastSuccessfulSha(query: PreviousRunQuery): Promise<string | null>;
  /** Authors of the commits reachable from `head` and not from `base` (oldest first; GitHub lists up to 250). */
  compareAuthors(base: string, head: string, what?: string): Promise<Person[]>;
}

export interface GitHubApiOptions {
  http: HttpClient;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
  /** `owner/repo`. */
  repository: string;
  token: string;
  /** Per read; github.ts passes the deadline of the whole read set. */
  timeoutMs?: number;
}
/** Enough to look past a few cancelled/skipped runs without paging. */
const PREVIOUS_RUNS_PAGE = 20;
/** The jobs endpoint pages at 100; a run with more jobs loses the rest from the list (rare; noted in the README). */
const JOBS_PAGE = 100;

/**
 * The workflow's file name from GITHUB_WORKFLOW_REF (`acme/api/.github/workflows/ci.yml@refs/heads/main`
 * → `ci.yml`). The workflows API takes it in place of the numeric id ("workflow_id: The ID of the
 * workflow. You can also pass the workflow file name as a string", docs.github.com/rest/actions/
 * workflow-runs#list-workflow-runs-for-a-workflow), so the earlier runs can be read at the same time
 * as the run itself instead of after it. null for anything else (a dynamic workflow such as
 * `dynamic/pages/pages-build-deployment` has no file); then the run's workflow_id is used.
 */
export function workflowFileOf(workflowRef: string | undefined): string | null {
  const match = /^[^/]+\/[^/]+\/\.github\/workflows\/([^/@]+\.ya?ml)@/.exec(workflowRef ?? '');
  return match ? match[1]! : null;
}

/** Builds the client from the runner environment, or null when there is no token to read with. */
export function githubApiFromEnv(
  env: NodeJS.ProcessEnv,
  token: string,
  http: HttpClient,
  timeoutMs?: number,
): GitHubApi | null {
  const repository = env.GITHUB_REPOSITORY;
  if (!token || !repository) return null;
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const apiUrl =
    env.GITHUB_API_URL || (server === 'https://github.com' ? 'https://api.github.com' : `${server}/api/v3`);
  return createGitHubApi({ http, apiUrl, repository, token, timeoutMs });
}

export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  const base = `${options.apiUrl.replace(/\/+$/, '')}/repos/${options.repository.split('/').map(encodeURIComponent).join('/')}`;

  async function get(path: string, what: string): Promise<unknown> {
    const outcome = await options.http.deliver(
      {
        method: 'GET',
        url: `${base}${path}`,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${options.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': USER_AGENT,
        },
      },
      readGitHubAnswer,
      { timeoutMs: options.timeoutMs ?? API_READS_MAX_MS, retries: 0, label: `github api ${what}` },
    );
    if (outcome.dry_run) throw new GitHubApiError(what, 'dry run', true);
    if (!outcome.ok || !outcome.answer) {
      throw new GitHubApiError(what, outcome.error ?? 'no answer');
    }
    if (typeof outcome.answer.json !== 'object' || outcome.answer.json === null) {
      throw new GitHubApiError(what, 'the answer is not JSON');
    }
    return outcome.answer.json;
  }

  /**
   * The finished runs of the workflow on the branch that came before this one, newest first: not
   * this run, none numbered at or after it (the list may hold runs that started after ours and
   * finished already), none from another repository's fork.
   */
  async function earlierRuns(
    query: PreviousRunQuery,
    status: 'completed' | 'success',
    what: string,
  ): Promise<Array<Record<string, unknown>>> {
    const params = new URLSearchParams({ branch: query.branch, status, per_page: String(PREVIOUS_RUNS_PAGE) });
    const body = asRecord(
      await get(`/actions/workflows/${encodeURIComponent(query.workflow)}/runs?${params.toString()}`, what),
    );
    const runs = listIn(body, 'workflow_runs', what);
    return runs.filter((run) => {
      if (String(run.id) === query.currentRunId) return false;
      const number = num(run.run_number);
      if (query.currentRunNumber !== null && number !== null && number >= query.currentRunNumber) return false;
      const headRepository = str(asRecord(run.head_repository).full_name);
      return !(query.headRepository && headRepository && headRepository !== query.headRepository);
    });
  }

  return {
    async run(runId) {
      const run = asRecord(await get(`/actions/runs/${encodeURIComponent(runId)}`, 'the workflow run'));
      return {
        name: str(run.name),
        started_at: str(run.run_started_at),
        workflow_id: num(run.workflow_id),
        head_branch: str(run.head_branch),
        head_repository: str(asRecord(run.head_repository).full_name),
      };
    },

    async runJobs(runId, attempt, self) {
      const body = asRecord(
        await get(
          `/actions/runs/${encodeURIComponent(runId)}/attempts/${attempt}/jobs?per_page=${JOBS_PAGE}`,
          "the run's jobs",
        ),
      );
      const raw = listIn(body, 'jobs', "the run's jobs");
      const selfIndex = findSelf(raw, self);
      const current = selfIndex >= 0 ? raw[selfIndex] : undefined;
      return {
        jobs: raw.filter((_, i) => i !== selfIndex).map(jobSummary),
        current: current ? { name: str(current.name) ?? self.jobKey ?? '', url: str(current.html_url) } : null,
      };
    },

    async previousStatus(query) {
      for (const run of await earlierRuns(query, 'completed', 'the previous runs of this workflow')) {
        const status = normalizeStatus(str(run.conclusion)).status;
        // Cancelled and skipped runs say nothing about the code: look further back.
        if (status === 'success' || status === 'failure') return status;
      }
      return null;
    },

    async lastSuccessfulSha(query) {
      for (const run of await earlierRuns(query, 'success', 'the successful runs of this workflow')) {
        const sha = run.conclusion === 'success' ? str(run.head_sha) : null;
        if (sha) return sha;
      }
      return null;
    },

    async compareAuthors(base, head, what = 'the commits since the last successful run') {
      // Three dots: the commits of `head` since it forked from `base`, also after a force push.
      const body = asRecord(await get(`/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`, what));
      const commits = listIn(body, 'commits', what);
      return commits.map((c) => {
        const author = asRecord(asRecord(c.commit).author);
        return { name: str(author.name), email: str(author.email), login: str(asRecord(c.author).login) };
      });
    },

    async commit(sha) {
      const body = asRecord(await get(`/commits/${encodeURIComponent(sha)}`, 'the commit'));
      const commit = asRecord(body.commit);
      const author = asRecord(commit.author);
      const login = str(asRecord(body.author).login);
      const name = str(author.name);
      const email = str(author.email);
      return {
        message: str(commit.message),
        author: name || email || login ? { name, email, login } : null,
      };
    },
  };
}

/** GitHub answers errors as `{"message": "Bad credentials", "documentation_url": …}`. */
function readGitHubAnswer(answer: HttpAnswer): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const said = str(asRecord(answer.json).message)?.slice(0, 120);
  const error = `HTTP ${answer.status}${said ? ` (${said})` : ''}`;
  switch (answer.status) {
    case 401:
      return {
        ok: false,
        retry: false,
        error,
        hint: 'github_token was not accepted; leave it at its default ${{ github.token }}',
      };
    case 403:
      return {
        ok: false,
        retry: false,
        error,
        hint: 'github_token lacks permission (the job needs `permissions: actions: read`) or the API rate limit is used up',
      };
    case 404:
      return {
        ok: false,
        retry: false,
        error,
        hint: 'not visible with this github_token (private repository without `actions: read`?)',
      };
    default:
      // No retries here: this is decoration for a message, not worth delaying the notification.
      return { ok: false, retry: false, error };
  }
}

function findSelf(jobs: Record<string, unknown>[], self: SelfJob): number {
  const running = (job: Record<string, unknown>) => job.status === 'in_progress';
  if (self.runnerName) {
    const byRunner = jobs.findIndex((job) => running(job) && job.runner_name === self.runnerName);
    if (byRunner >= 0) return byRunner;
  }
  if (self.jobKey) return jobs.findIndex((job) => running(job) && job.name === self.jobKey);
  return -1;
}

function jobSummary(job: Record<string, unknown>): JobSummary {
  const finished = job.status === 'completed';
  const status = normalizeStatus(str(finished ? job.conclusion : job.status)).status;
  const started = Date.parse(str(job.started_at) ?? '');
  const completed = Date.parse(str(job.completed_at) ?? '');
  return {
    name: str(job.name) ?? '',
    status,
    url: str(job.html_url),
    duration_ms:
      finished && Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : null,
    stage: null,
    allow_failure: false,
    failed_step: failedStep(job.steps),
  };
}

/** The first step whose conclusion is failure (GitHub jobs API `steps[]`), or null. */
function failedStep(steps: unknown): string | null {
  if (!Array.isArray(steps)) return null;
  const step = steps.map(asRecord).find((s) => s.conclusion === 'failure');
  return step === undefined ? null : str(step.name);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The list GitHub puts under `key`, or an error naming the read: a 200 without it (a proxy's page,
 * a GHES of another API version) is a read that failed — a warning and unknown facts — not an
 * empty list, which would mean "no earlier run" or "no jobs".
 */
function listIn(body: Record<string, unknown>, key: string, what: string): Array<Record<string, unknown>> {
  const list = body[key];
  if (!Array.isArray(list)) throw new GitHubApiError(what, `the answer has no "${key}" list`);
  return list.map(asRecord);
}
