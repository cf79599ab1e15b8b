import type { EventInput } from '../platform/types.js';
import { normalizeStatus } from './status.js';
import {
  EVENT_SCHEMA_ID,
  type ChangeRequestInfo,
  type CiEvent,
  type Person,
  type RefInfo,
  type Status,
} from './types.js';

/**
 * GitLab CI/CD predefined variables → `ci-notify.event/v1` (DESIGN §3), provider `gitlab`.
 * Reference: https://docs.gitlab.com/ci/variables/predefined_variables/
 *
 * Only what the variables say is reported; everything else is null. The notification job runs
 * inside the pipeline it reports on, so the pipeline has not finished yet: `finished_at` is null
 * and `duration_ms` is the time since CI_PIPELINE_CREATED_AT.
 */
export function gitlabEvent(input: EventInput, env: NodeJS.ProcessEnv, warn: (m: string) => void): CiEvent {
  const projectUrl = text(env.CI_PROJECT_URL);
  const sha = text(env.CI_COMMIT_SHA);
  const createdAt = isoTime(env.CI_PIPELINE_CREATED_AT);
  const actor = person(text(env.GITLAB_USER_NAME), text(env.GITLAB_USER_EMAIL), text(env.GITLAB_USER_LOGIN));
  const jobId = text(env.CI_JOB_ID);
  const jobName = text(env.CI_JOB_NAME);
  return {
    schema: EVENT_SCHEMA_ID,
    id: input.id,
    timestamp: input.now.toISOString(),
    provider: 'gitlab',
    status: statusOf(input.status, env, warn),
    previous_status: null,
    transition: null,
    pipeline: {
      id: text(env.CI_PIPELINE_ID),
      // CI_PIPELINE_IID is the per-project number people see (#128); CI_PIPELINE_ID is instance-wide.
      number: count(env.CI_PIPELINE_IID),
      // GitLab retries jobs, not pipelines: there is no pipeline attempt number.
      attempt: null,
      name: text(env.CI_PIPELINE_NAME),
      url: text(env.CI_PIPELINE_URL),
      trigger: text(env.CI_PIPELINE_SOURCE),
      started_at: createdAt,
      finished_at: null,
      duration_ms: createdAt ? Math.max(0, input.now.getTime() - Date.parse(createdAt)) : null,
    },
    job:
      jobId || jobName ? { id: jobId, name: jobName, stage: text(env.CI_JOB_STAGE), url: text(env.CI_JOB_URL) } : null,
    // The job list of a pipeline needs an API token with read_api; CI_JOB_TOKEN cannot list jobs.
    jobs: [],
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
