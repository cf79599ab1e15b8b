import type { EventInput } from './types.js';
import { readTogether } from './api-reads.js';
import { ALL_API_FACTS, API_READS_MAX_MS, type ApiFacts } from './facts.js';
import {
  GitLabApiError,
  gitlabApiFromEnv,
  type GitLabApi,
  type GitLabCommit,
  type GitLabJob,
  type GitLabPipeline,
} from './gitlab-api.js';
import { normalizeStatus } from './status.js';
import { transitionOf } from './transition.js';
import {
  EVENT_SCHEMA_ID,
  type ChangeRequestInfo,
  type CiEvent,
  type ContributorQuery,
  type Contributors,
  type JobSummary,
  type Person,
  type RefInfo,
  type Status,
} from './types.js';

export interface GitLabEventDeps {
  warn(message: string): void;
  /**
   * Absent: built from CI_API_V4_URL, CI_JOB_TOKEN, `input.gitlab_token` and `input.http`.
   * null: do not use the API (no jobs, no previous pipeline).
   */
  api?: GitLabApi | null;
}

/**
 * GitLab CI/CD predefined variables → `ci-notify.event/v1` (DESIGN §3), provider `gitlab`.
 * Reference: https://docs.gitlab.com/ci/variables/predefined_variables/
 *
 * The variables give the pipeline, commit, ref and people; the REST API (src/event/gitlab-api.ts)
 * adds the jobs of the pipeline and the previous pipeline of the ref, which makes the transition.
 * The notification job runs inside the pipeline it reports on, so the pipeline has not finished
 * yet: `finished_at` is null and `duration_ms` is the time since it started.
 */
export async function gitlabEvent(input: EventInput, env: NodeJS.ProcessEnv, deps: GitLabEventDeps): Promise<CiEvent> {
  const warn = deps.warn;
  const projectUrl = text(env.CI_PROJECT_URL);
  const sha = text(env.CI_COMMIT_SHA);
  const actor = person(text(env.GITLAB_USER_NAME), text(env.GITLAB_USER_EMAIL), text(env.GITLAB_USER_LOGIN));
  const jobId = text(env.CI_JOB_ID);
  const jobName = text(env.CI_JOB_NAME);
  const status = statusOf(input.status, env, warn);

  const wanted = input.facts?.wanted(status) ?? ALL_API_FACTS;
  const deadlineMs = input.facts?.deadlineMs ?? API_READS_MAX_MS;
  const contributors = contributorReads(input.contributors ?? null, status, env, sha);
  const api =
    wanted.size === 0 && !contributors
      ? null
      : deps.api === undefined
        ? input.http
          ? gitlabApiFromEnv(env, input.gitlab_token ?? '', input.http, deadlineMs)
          : null
        : deps.api;
  const facts = await readApiFacts(api, wanted, deadlineMs, env, input, warn, contributors);
  if (input.contributors) input.contributors.found = facts.contributors;

  const startedAt = facts.startedAt ?? isoTime(env.CI_PIPELINE_CREATED_AT);
  return {
    schema: EVENT_SCHEMA_ID,
    id: input.id,
    timestamp: input.now.toISOString(),
    provider: 'gitlab',
    status,
    previous_status: facts.previous,
    transition: transitionOf(status, facts.previous),
    pipeline: {
      id: text(env.CI_PIPELINE_ID),
      // CI_PIPELINE_IID is the per-project number people see (#128); CI_PIPELINE_ID is instance-wide.
      number: count(env.CI_PIPELINE_IID),
      // GitLab retries jobs, not pipelines: there is no pipeline attempt number.
      attempt: null,
      name: text(env.CI_PIPELINE_NAME),
      url: text(env.CI_PIPELINE_URL),
      trigger: text(env.CI_PIPELINE_SOURCE),
      started_at: startedAt,
      finished_at: null,
      duration_ms: startedAt ? Math.max(0, input.now.getTime() - Date.parse(startedAt)) : null,
    },
    job:
      jobId || jobName ? { id: jobId, name: jobName, stage: text(env.CI_JOB_STAGE), url: text(env.CI_JOB_URL) } : null,
    jobs: facts.jobs,
    repository: {
      name: text(env.CI_PROJECT_NAME),
      full_name: text(env.CI_PROJECT_PATH),
      namespace: text(env.CI_PROJECT_NAMESPACE),
      url: projectUrl,
    },
    ref: refOf(env, projectUrl),
    commit: {
      sha,
      short_sha: text(env.CI_COMMIT_SHORT_SHA) ?? (sha ? sha.slice(0, 8) : null),
      title: text(env.CI_COMMIT_TITLE),
      message: text(env.CI_COMMIT_MESSAGE?.trimEnd()),
      url: projectUrl && sha ? `${projectUrl}/-/commit/${sha}` : null,
      before_sha: beforeShaOf(env.CI_COMMIT_BEFORE_SHA, sha),
      author: authorOf(env.CI_COMMIT_AUTHOR, actor),
    },
    change_request: changeRequestOf(env),
    actor,
    people: [],
    params: { ...input.params },
    server_url: text(env.CI_SERVER_URL),
  };
}

interface ReadFacts {
  jobs: JobSummary[];
  startedAt: string | null;
  previous: Status | null;
  contributors: Contributors;
}

/**
 * What `mention_people` needs from GitLab: the commits of this push (CI_COMMIT_BEFORE_SHA..sha) or
 * merge request (CI_MERGE_REQUEST_DIFF_BASE_SHA..sha), and on a red pipeline the commits since the
 * last green pipeline of the ref — all from the repository compare (GitLab lists no commits in the
 * job's variables). null when nothing is wanted.
 */
interface ContributorReads {
  committersRange: { from: string; to: string } | null;
  culpritsSha: string | null;
}

function contributorReads(
  query: ContributorQuery | null,
  status: Status,
  env: NodeJS.ProcessEnv,
  sha: string | null,
): ContributorReads | null {
  if (!query || !sha) return null;
  const from = text(env.CI_MERGE_REQUEST_DIFF_BASE_SHA) ?? beforeShaOf(env.CI_COMMIT_BEFORE_SHA, sha);
  const reads = {
    committersRange: query.committers && from ? { from, to: sha } : null,
    culpritsSha: query.culprits && status === 'failure' ? sha : null,
  };
  return reads.committersRange || reads.culpritsSha ? reads : null;
}

function authorsOf(commits: GitLabCommit[]): Person[] {
  return commits.flatMap((c) => person(c.author.name, c.author.email, null) ?? []);
}

/** What to say when the previous pipeline cannot be read without a token. */
const NO_TOKEN =
  'gitlab_token is not set (a token with read_api, as the masked CI/CD variable NOTIFY_GITLAB_TOKEN; CI_JOB_TOKEN may not list pipelines)';

/**
 * The reads the wanted facts need (src/event/facts.ts), issued at once and bounded together by
 * `deadlineMs` (api-reads.ts; the client also starts no fallback after it). A read that fails is a
 * warning when the user gave gitlab_token (they asked for it), and silent without one: the job token
 * alone is expected to be refused on older GitLab and on the pipeline list. When the previous pipeline
 * was wanted and could not be read, `historyUnknown` says why.
 */
async function readApiFacts(
  api: GitLabApi | null,
  wanted: ApiFacts,
  deadlineMs: number,
  env: NodeJS.ProcessEnv,
  input: EventInput,
  warn: (message: string) => void,
  people: ContributorReads | null,
): Promise<ReadFacts> {
  const pipelineId = count(env.CI_PIPELINE_ID);
  const ref = pipelineRef(env);
  const none: ReadFacts = {
    jobs: [],
    startedAt: null,
    previous: null,
    contributors: {
      committers: null,
      culprits: null,
      culprits_problem: !api ? NO_TOKEN : pipelineId === null ? 'CI_PIPELINE_ID is not set' : null,
    },
  };
  if (wanted.has('history')) {
    const gap =
      pipelineId === null
        ? 'CI_PIPELINE_ID is not set'
        : !ref
          ? 'the ref of this pipeline is not known (CI_COMMIT_REF_NAME)'
          : !api
            ? NO_TOKEN
            : null;
    if (gap) input.historyUnknown?.(gap);
  }
  if (!api || pipelineId === null) return none;

  const token = input.gitlab_token ?? '';
  const secrets = [token, env.CI_JOB_TOKEN ?? ''];
  let historyGap: string | null = null;
  // Why culprits could not be read, for the one warning of the fallback to committers.
  let culpritsProblem: string | null = ref ? null : 'the ref of this pipeline is not known (CI_COMMIT_REF_NAME)';
  const culpritsSha = ref ? (people?.culpritsSha ?? null) : null;
  const committersRange = people?.committersRange ?? null;
  // What each read asks for, in the words gitlab-api.ts uses for its own failures.
  const readNames: Record<string, string> = {
    jobs: "the pipeline's jobs",
    previous: `the pipelines of ${(ref ?? '').slice(0, 100)}`,
    committers: 'the commits of the compare',
    culprits: 'the commits since the last successful pipeline',
  };
  const results = await readTogether(
    {
      jobs: wanted.has('jobs') || wanted.has('timing') ? () => api.pipelineJobs(pipelineId) : undefined,
      previous:
        wanted.has('history') && ref
          ? () => api.previousPipeline({ ref, currentPipelineId: pipelineId, source: text(env.CI_PIPELINE_SOURCE) })
          : undefined,
      committers: committersRange
        ? async () => authorsOf(await api.compare(committersRange.from, committersRange.to))
        : undefined,
      culprits:
        culpritsSha && ref
          ? async (): Promise<Person[] | null> => {
              try {
                const commits = await api.commitsSinceLastSuccess({
                  ref,
                  currentPipelineId: pipelineId,
                  source: text(env.CI_PIPELINE_SOURCE),
                  sha: culpritsSha,
                });
                if (commits === null) culpritsProblem = `no earlier successful pipeline of ${ref.slice(0, 100)}`;
                return commits && authorsOf(commits);
              } catch (error) {
                culpritsProblem =
                  error instanceof GitLabApiError && error.dryRun
                    ? 'the history is not read in a dry run'
                    : token
                      ? apiWarning(error, secrets)
                      : NO_TOKEN;
                return null;
              }
            }
          : undefined,
    },
    {
      deadlineMs,
      onFailure(name, error, timedOut) {
        if (error instanceof GitLabApiError && error.dryRun) return;
        const reason = timedOut
          ? `gitlab api: could not read ${readNames[name] ?? name}: no answer within ${deadlineMs / 1000} s (the timeout input, at most ${API_READS_MAX_MS / 1000} s for these reads)`
          : apiWarning(error, secrets);
        if (name === 'previous') historyGap = token ? `the GitLab API did not answer (${reason})` : NO_TOKEN;
        if (token) warn(reason);
      },
    },
  );
  if (historyGap) input.historyUnknown?.(historyGap);

  // readTogether types an optional read's result as never; these are what the reads return.
  const jobs = results.jobs as GitLabJob[] | null;
  const previous = results.previous as GitLabPipeline | null;
  const culprits = results.culprits as Person[] | null;
  if (culpritsSha && !culprits && !culpritsProblem) culpritsProblem = 'no answer in time from the GitLab API';
  return {
    jobs: jobs && wanted.has('jobs') ? otherJobs(jobs, env) : [],
    startedAt: jobs ? earliestStart(jobs) : null,
    previous: previous?.status ?? null,
    contributors: {
      committers: results.committers as Person[] | null,
      culprits,
      culprits_problem: culprits ? null : culpritsProblem,
    },
  };
}

/**
 * The pipelines of a merge request run for `refs/merge-requests/<iid>/head`, not for the branch:
 * that is the ref whose earlier pipelines are "the previous" ones.
 */
function pipelineRef(env: NodeJS.ProcessEnv): string | null {
  const iid = count(env.CI_MERGE_REQUEST_IID);
  if (iid !== null) return text(env.CI_MERGE_REQUEST_REF_PATH) ?? `refs/merge-requests/${iid}/head`;
  return text(env.CI_COMMIT_REF_NAME) ?? text(env.CI_COMMIT_TAG) ?? text(env.CI_COMMIT_BRANCH);
}

/**
 * Every job but the notification itself: this job, its sibling of the component
 * (`<job_name>-success` / `<job_name>-failure`, CI_NOTIFY_JOB_NAME), and — in the component's
 * stage — jobs that have not finished, which run beside the notification (other notify includes).
 */
function otherJobs(jobs: GitLabJob[], env: NodeJS.ProcessEnv): JobSummary[] {
  const ownId = count(env.CI_JOB_ID);
  const prefix = text(env.CI_NOTIFY_JOB_NAME);
  const siblings = prefix ? new Set([`${prefix}-success`, `${prefix}-failure`]) : new Set<string>();
  const ownStage = text(env.CI_JOB_STAGE);
  const unfinished = new Set(['created', 'pending', 'running', 'preparing', 'waiting_for_resource', 'scheduled']);
  return jobs
    .filter((job) => job.id === null || job.id !== ownId)
    .filter((job) => !siblings.has(job.summary.name))
    .filter((job) => !(prefix && job.summary.stage === ownStage && unfinished.has(job.gitlab_status ?? '')))
    .map((job) => job.summary);
}

/** When the pipeline started running: its first job's start, as GitLab's own pipeline `started_at`. */
function earliestStart(jobs: GitLabJob[]): string | null {
  const starts = jobs
    .map((job) => job.started_at)
    .filter((t): t is string => t !== null && Number.isFinite(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return starts[0] ?? null;
}

function apiWarning(error: unknown, tokens: string[]): string {
  let message =
    error instanceof GitLabApiError
      ? error.message
      : `gitlab api: unexpected error (${error instanceof Error ? error.message : String(error)})`;
  // Defence in depth: the logger redacts too, but this line must never carry a token.
  for (const token of tokens) if (token) message = message.split(token).join('***');
  return message;
}

/**
 * The status given (the component passes success/failure, after_script passes $CI_JOB_STATUS),
 * else CI_JOB_STATUS itself — which is "running" while `script` runs and success/failed/canceled
 * in after_script.
 */
function statusOf(given: string, env: NodeJS.ProcessEnv, warn: (m: string) => void): Status {
  const raw = given.trim() !== '' ? given : (env.CI_JOB_STATUS ?? '');
  const normalized = normalizeStatus(raw);
  if (normalized.warning) warn(normalized.warning);
  return normalized.status;
}

function refOf(env: NodeJS.ProcessEnv, projectUrl: string | null): RefInfo {
  const mergeRequest = mergeRequestOf(env);
  if (mergeRequest) {
    // Like a GitHub pull request: the source branch is the ref people mean, the MR page its link.
    return {
      name: mergeRequest.source_branch ?? text(env.CI_COMMIT_REF_NAME),
      type: 'merge_request',
      url: mergeRequest.url,
    };
  }
  const pullRequest = externalPullRequestOf(env);
  if (pullRequest)
    return { name: pullRequest.source_branch ?? text(env.CI_COMMIT_REF_NAME), type: 'pull_request', url: null };
  const tag = text(env.CI_COMMIT_TAG);
  if (tag) return { name: tag, type: 'tag', url: projectUrl ? `${projectUrl}/-/tags/${encodePath(tag)}` : null };
  const branch = text(env.CI_COMMIT_BRANCH);
  if (branch)
    return { name: branch, type: 'branch', url: projectUrl ? `${projectUrl}/-/tree/${encodePath(branch)}` : null };
  return { name: text(env.CI_COMMIT_REF_NAME), type: null, url: null };
}

function changeRequestOf(env: NodeJS.ProcessEnv): ChangeRequestInfo | null {
  return mergeRequestOf(env) ?? externalPullRequestOf(env);
}

/** Merge request pipelines (CI_PIPELINE_SOURCE merge_request_event) set CI_MERGE_REQUEST_*. */
function mergeRequestOf(env: NodeJS.ProcessEnv): ChangeRequestInfo | null {
  const iid = count(env.CI_MERGE_REQUEST_IID);
  if (iid === null) return null;
  // CI_MERGE_REQUEST_PROJECT_URL is the target project, where the MR lives (also for forks).
  const mrProjectUrl = text(env.CI_MERGE_REQUEST_PROJECT_URL) ?? text(env.CI_PROJECT_URL);
  return {
    number: iid,
    title: text(env.CI_MERGE_REQUEST_TITLE),
    url: mrProjectUrl ? `${mrProjectUrl}/-/merge_requests/${iid}` : null,
    source_branch: text(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME),
    target_branch: text(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
  };
}

/**
 * Pipelines for GitHub pull requests of a GitLab CI/CD-for-external-repositories project
 * (CI_PIPELINE_SOURCE external_pull_request_event). The PR lives on GitHub; its URL is not given.
 */
function externalPullRequestOf(env: NodeJS.ProcessEnv): ChangeRequestInfo | null {
  const iid = count(env.CI_EXTERNAL_PULL_REQUEST_IID);
  if (iid === null) return null;
  return {
    number: iid,
    title: null,
    url: null,
    source_branch: text(env.CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME),
    target_branch: text(env.CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME),
  };
}

/**
 * CI_COMMIT_AUTHOR is "Name <email>". GitLab does not give the author's username; it is the
 * pipeline user's login only when that user's e-mail is the commit's.
 */
function authorOf(raw: string | undefined, actor: Person | null): Person | null {
  const value = text(raw);
  if (!value) return null;
  const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  const name = text(match ? match[1] : value);
  const email = match ? text(match[2]) : null;
  const login = email && actor?.email && actor.email.toLowerCase() === email.toLowerCase() ? actor.login : null;
  return person(name, email, login);
}

/** GitLab reports forty zeros as the "before" commit of a new branch, a tag and MR pipelines. */
function beforeShaOf(raw: string | undefined, sha: string | null): string | null {
  const value = text(raw);
  if (!value || /^0+$/.test(value) || value === sha) return null;
  return value;
}

function person(name: string | null, email: string | null, login: string | null): Person | null {
  return name || email || login ? { name, email, login } : null;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function count(value: string | undefined): number | null {
  const trimmed = value?.trim() ?? '';
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** CI_PIPELINE_CREATED_AT is ISO 8601 with a zone (2026-12-01T10:00:00Z); anything else is not a time we report. */
function isoTime(value: string | undefined): string | null {
  const raw = text(value);
  if (!raw || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) return null;
  return Number.isFinite(Date.parse(raw)) ? raw : null;
}

/** Branch and tag names keep their slashes in GitLab URLs (/-/tree/feature/login). */
function encodePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
