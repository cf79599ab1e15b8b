import type { HttpAnswer, HttpClient, Verdict } from '../delivery/types.js';
import { USER_AGENT } from '../version.js';
import { headUnits } from '../render/text.js';
import { normalizeStatus } from './status.js';
import type { JobSummary, Status } from './types.js';

/**
 * The GitLab REST API reads behind a GitLab event (https://docs.gitlab.com/api/rest/): the jobs of
 * this pipeline, the finished pipelines of its ref (the previous status, the last green one), and
 * the commits since the last green pipeline (for culprits).
 *
 * Which token may read what (https://docs.gitlab.com/ci/jobs/fine_grained_permissions/#available-api-endpoints
 * lists every endpoint a CI/CD job token is allowed on):
 * - `CI_JOB_TOKEN` (sent as `JOB-TOKEN`) may list a pipeline's jobs (`GET /projects/:id/pipelines/:pipeline_id/jobs`,
 *   "Jobs: Read") in its own project. On any other endpoint GitLab ignores it, so the request is anonymous:
 *   it works on a public project and answers 404 on a private one.
 * - A personal, project or group access token with `read_api` (sent as `PRIVATE-TOKEN`) reads all of them:
 *   the pipeline list, the jobs and the repository compare. One without it is answered 403 insufficient_scope.
 *
 * So the job token is tried first for the jobs (no user setup needed on GitLab versions that allow it), and
 * `gitlab_token` is the fallback; for the pipelines and the compare, `gitlab_token` when given, else the
 * job token (anonymous: enough for public projects). All reads of one client share one deadline, the
 * `timeout` input, fallbacks included. A token never appears in an error: errors carry the HTTP status
 * and GitLab's own message only.
 */

export class GitLabApiError extends Error {
  constructor(
    message: string,
    /** True when nothing was read because the run is a dry run (not worth a warning). */
    readonly dryRun = false,
    /** HTTP status of the refusal, when GitLab answered. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'GitLabApiError';
  }
}

/** A job of the pipeline as the jobs API gives it. */
export interface GitLabJob {
  id: number | null;
  /** What the event reports: a manual job nobody played is `pending`. */
  summary: JobSummary;
  /** GitLab's own word: created, pending, running, manual, success, failed, canceled, skipped, … */
  gitlab_status: string | null;
  started_at: string | null;
}

/** A pipeline from the pipelines list (`GET /projects/:id/pipelines`). */
export interface GitLabPipeline {
  id: number;
  project_id: number | null;
  sha: string | null;
  ref: string | null;
  status: Status;
  source: string | null;
  web_url: string | null;
}

/** A commit from the repository compare (`GET /projects/:id/repository/compare`). */
export interface GitLabCommit {
  sha: string;
  title: string | null;
  message: string | null;
  author: { name: string | null; email: string | null };
  committer: { name: string | null; email: string | null };
  url: string | null;
}

export interface PipelineQuery {
  /** The ref the pipelines ran for: a branch, a tag or `refs/merge-requests/<iid>/head`. */
  ref: string;
  /** This pipeline, and any newer one, is never "the previous" one. */
  currentPipelineId: number;
  /** CI_PIPELINE_SOURCE: child pipelines (`parent_pipeline`) are compared with child pipelines only. */
  source: string | null;
}

export interface CommitsSinceQuery extends PipelineQuery {
  /** This pipeline's commit. */
  sha: string;
}

export interface GitLabApi {
  /** Every job of the pipeline (latest attempt of each), manual jobs nobody played as `pending`. */
  pipelineJobs(pipelineId: number): Promise<GitLabJob[]>;
  /** The latest earlier pipeline of the ref that passed or failed (cancelled and skipped ones say nothing). */
  previousPipeline(query: PipelineQuery): Promise<GitLabPipeline | null>;
  /** The latest earlier pipeline of the ref that passed. */
  lastSuccessfulPipeline(query: PipelineQuery): Promise<GitLabPipeline | null>;
  /** Commits in `to` that are not in `from`, oldest first. */
  compare(from: string, to: string): Promise<GitLabCommit[]>;
  /**
   * The commits between the last green pipeline of the ref and `sha` (the candidates for having broken
   * it), oldest first; `[]` when the last green pipeline ran this very commit; null when the ref has
   * no green pipeline to compare with.
   */
  commitsSinceLastSuccess(query: CommitsSinceQuery): Promise<GitLabCommit[] | null>;
}

export interface GitLabApiOptions {
  http: HttpClient;
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4. */
  apiUrl: string;
  /** CI_PROJECT_ID (or the URL-encoded project path). */
  projectId: string;
  /** CI_JOB_TOKEN, '' when none. */
  jobToken: string;
  /** `gitlab_token`, '' when none. */
  token: string;
  /** Budget of every read of this client together (ms): the `timeout` input. */
  timeoutMs: number;
  /** Clock for the deadline; tests may pass their own. */
  nowMs?: () => number;
}

/** The pipelines list pages at 100; 20 finished pipelines look past a few cancelled ones without paging. */
const PIPELINES_PAGE = 20;
const JOBS_PAGE = 100;
/** A pipeline with more than this many jobs loses the rest from the message (noted in the README). */
const MAX_JOB_PAGES = 10;

/** Builds the client from the job's environment, or null when there is no API URL, project or token. */
export function gitlabApiFromEnv(
  env: NodeJS.ProcessEnv,
  token: string,
  http: HttpClient,
  timeoutMs: number,
): GitLabApi | null {
  const apiUrl = env.CI_API_V4_URL?.trim() || (env.CI_SERVER_URL?.trim() ? `${env.CI_SERVER_URL.trim()}/api/v4` : '');
  const projectId = env.CI_PROJECT_ID?.trim() || env.CI_PROJECT_PATH?.trim() || '';
  const jobToken = env.CI_JOB_TOKEN?.trim() ?? '';
  if (!apiUrl || !projectId || (!token && !jobToken)) return null;
  return createGitLabApi({ http, apiUrl, projectId, jobToken, token, timeoutMs });
}

type Credential = { header: 'JOB-TOKEN' | 'PRIVATE-TOKEN'; value: string; name: 'CI_JOB_TOKEN' | 'gitlab_token' };

export function createGitLabApi(options: GitLabApiOptions): GitLabApi {
  const nowMs = options.nowMs ?? Date.now;
  const deadline = nowMs() + options.timeoutMs;
  const base = `${options.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(options.projectId)}`;
  const jobToken: Credential | null = options.jobToken
    ? { header: 'JOB-TOKEN', value: options.jobToken, name: 'CI_JOB_TOKEN' }
    : null;
  const apiToken: Credential | null = options.token
    ? { header: 'PRIVATE-TOKEN', value: options.token, name: 'gitlab_token' }
    : null;

  async function getWith(credential: Credential, path: string, what: string): Promise<HttpAnswer> {
    const remaining = deadline - nowMs();
    if (remaining <= 0) throw new GitLabApiError(`gitlab api: ${what} not read within the timeout`);
    const outcome = await options.http.deliver(
      {
        method: 'GET',
        url: `${base}${path}`,
        headers: { accept: 'application/json', [credential.header]: credential.value, 'user-agent': USER_AGENT },
      },
      (answer) => readGitLabAnswer(answer, credential.name),
      { timeoutMs: remaining, retries: 0, label: `gitlab api ${what}` },
    );
    if (outcome.dry_run) throw new GitLabApiError(`gitlab api: ${what} not read in a dry run`, true);
    if (!outcome.ok || !outcome.answer) {
      throw new GitLabApiError(
        `gitlab api: could not read ${what} with ${credential.name}: ${outcome.error ?? 'no answer'}`,
        false,
        outcome.status_code,
      );
    }
    return outcome.answer;
  }

  /** Tries each credential in turn while GitLab refuses (401, 403, 404); the last refusal is the error. */
  async function get(credentials: Credential[], path: string, what: string): Promise<HttpAnswer> {
    let refusal: unknown = new GitLabApiError(`gitlab api: no token to read ${what} with`);
    for (const credential of credentials) {
      try {
        return await getWith(credential, path, what);
      } catch (error) {
        refusal = error;
        const status = error instanceof GitLabApiError ? error.status : null;
        if (status !== 401 && status !== 403 && status !== 404) break;
      }
    }
    throw refusal;
  }

  const jobCredentials = [jobToken, apiToken].filter((c): c is Credential => c !== null);
  // The job token is not allowed here: it only makes the request anonymous, which a public project answers.
  const apiCredentials = [apiToken ?? jobToken].filter((c): c is Credential => c !== null);

  const pipelineLists = new Map<string, Promise<GitLabPipeline[]>>();
  /** Finished pipelines of the ref, newest first; one request per ref and source for all callers. */
  function finishedPipelines(query: PipelineQuery): Promise<GitLabPipeline[]> {
    const key = `${query.ref}\n${query.source ?? ''}`;
    let list = pipelineLists.get(key);
    if (!list) {
      const params = new URLSearchParams({
        ref: query.ref,
        scope: 'finished',
        order_by: 'id',
        sort: 'desc',
        per_page: String(PIPELINES_PAGE),
      });
      const what = `the pipelines of ${query.ref}`;
      list = get(apiCredentials, `/pipelines?${params.toString()}`, what).then((answer) =>
        listOf(answer.json, what).map(pipelineOf),
      );
      pipelineLists.set(key, list);
    }
    const projectId = /^\d+$/.test(options.projectId) ? Number(options.projectId) : null;
    return list.then((pipelines) =>
      pipelines.filter(
        (p) =>
          isEarlierOfSameKind(p, query) && (projectId === null || p.project_id === null || p.project_id === projectId),
      ),
    );
  }

  const api: GitLabApi = {
    async pipelineJobs(pipelineId) {
      const path = (page: number) => `/pipelines/${pipelineId}/jobs?per_page=${JOBS_PAGE}&page=${page}`;
      const first = await get(jobCredentials, path(1), "the pipeline's jobs");
      const totalPages = Math.min(MAX_JOB_PAGES, Number(first.headers['x-total-pages'] ?? '1') || 1);
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) =>
          get(jobCredentials, path(i + 2), "the pipeline's jobs"),
        ),
      );
      return [first, ...rest].flatMap((answer) => listOf(answer.json, "the pipeline's jobs").map(jobOf));
    },

    async previousPipeline(query) {
      const pipelines = await finishedPipelines(query);
      return pipelines.find((p) => p.status === 'success' || p.status === 'failure') ?? null;
    },

    async lastSuccessfulPipeline(query) {
      const pipelines = await finishedPipelines(query);
      return pipelines.find((p) => p.status === 'success') ?? null;
    },

    async compare(from, to) {
      const params = new URLSearchParams({ from, to });
      const answer = await get(
        apiCredentials,
        `/repository/compare?${params.toString()}`,
        'the commits of the compare',
      );
      return listOf(asRecord(answer.json).commits, 'the commits of the compare').map(commitOf);
    },

    async commitsSinceLastSuccess(query) {
      const green = await api.lastSuccessfulPipeline(query);
      if (!green?.sha) return null;
      if (green.sha === query.sha) return [];
      return api.compare(green.sha, query.sha);
    },
  };
  return api;
}

function isEarlierOfSameKind(pipeline: GitLabPipeline, query: PipelineQuery): boolean {
  // The list is newest first and holds pipelines that started after ours and finished already.
  if (pipeline.id >= query.currentPipelineId) return false;
  if (pipeline.ref !== null && pipeline.ref !== query.ref) return false;
  const child = (source: string | null) => source === 'parent_pipeline';
  return child(pipeline.source) === child(query.source);
}

/**
 * GitLab answers errors as `{"message": "401 Unauthorized"}`, or for a token without the scope
 * `{"error": "insufficient_scope", "error_description": …, "scope": "api read_api"}`.
 */
export function readGitLabAnswer(answer: HttpAnswer, tokenName: 'CI_JOB_TOKEN' | 'gitlab_token'): Verdict {
  if (answer.status >= 200 && answer.status < 300) {
    return typeof answer.json === 'object' && answer.json !== null
      ? { ok: true }
      : { ok: false, retry: false, error: `HTTP ${answer.status} (the answer is not JSON)` };
  }
  const body = asRecord(answer.json);
  const said = headUnits(str(body.message) ?? str(body.error) ?? '', 120);
  const error = `HTTP ${answer.status}${said ? ` (${said})` : ''}`;
  const hint = refusalHint(answer.status, str(body.error), tokenName);
  // No retries: these facts decorate a message; they are not worth delaying the notification.
  return { ok: false, retry: false, error, ...(hint ? { hint } : {}) };
}

function refusalHint(status: number, error: string | null, tokenName: string): string | undefined {
  if (tokenName === 'CI_JOB_TOKEN') {
    return status === 401 || status === 403 || status === 404
      ? 'the job token may not read this (set gitlab_token: a token with read_api as NOTIFY_GITLAB_TOKEN)'
      : undefined;
  }
  if (status === 401) return 'gitlab_token was not accepted (expired or revoked?)';
  if (status === 403 && error === 'insufficient_scope') return 'gitlab_token needs the read_api scope';
  if (status === 403)
    return "gitlab_token's user or bot may not read this project's pipelines (Reporter role or higher)";
  if (status === 404) return 'not visible to gitlab_token (a token of another project or group?)';
  return undefined;
}

function jobOf(raw: unknown): GitLabJob {
  const job = asRecord(raw);
  const duration = typeof job.duration === 'number' && Number.isFinite(job.duration) ? job.duration : null;
  return {
    id: num(job.id),
    summary: {
      name: str(job.name) ?? '',
      status: jobStatus(str(job.status)),
      url: str(job.web_url),
      duration_ms: duration === null ? null : Math.round(duration * 1000),
      stage: str(job.stage),
      allow_failure: job.allow_failure === true,
      // GitLab jobs have no steps to name.
      failed_step: null,
    },
    gitlab_status: str(job.status),
    started_at: str(job.started_at),
  };
}

/** A manual job nobody has played yet is waiting for someone: `pending` (the message says "waiting"). */
function jobStatus(raw: string | null): Status {
  if (raw === 'manual') return 'pending';
  return normalizeStatus(raw).status;
}

function pipelineOf(raw: unknown): GitLabPipeline {
  const pipeline = asRecord(raw);
  return {
    id: num(pipeline.id) ?? -1,
    project_id: num(pipeline.project_id),
    sha: str(pipeline.sha),
    ref: str(pipeline.ref),
    status: normalizeStatus(str(pipeline.status)).status,
    source: str(pipeline.source),
    web_url: str(pipeline.web_url),
  };
}

function commitOf(raw: unknown): GitLabCommit {
  const commit = asRecord(raw);
  return {
    sha: str(commit.id) ?? '',
    title: str(commit.title),
    message: str(commit.message),
    author: { name: str(commit.author_name), email: str(commit.author_email) },
    committer: { name: str(commit.committer_name), email: str(commit.committer_email) },
    url: str(commit.web_url),
  };
}

/**
 * A list GitLab answered, or an error naming the read: a 200 with something else (a proxy's page, a
 * different API behind the URL) is a read that failed — warned about and a gap, like an error
 * status — not an empty list, which would mean "no earlier pipeline" or "no jobs".
 */
function listOf(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new GitLabApiError(`gitlab api: could not read ${what}: the answer is not the JSON list GitLab sends`);
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
