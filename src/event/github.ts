import type { EventInput } from './types.js';
import { once, readTogether, type Reads } from './api-reads.js';
import { ALL_API_FACTS, API_READS_MAX_MS, type ApiFacts as WantedFacts } from './facts.js';
import {
  GitHubApiError,
  githubApiFromEnv,
  workflowFileOf,
  type GitHubApi,
  type GitHubCommitDetails,
  type GitHubRunDetails,
  type GitHubRunJobs,
  type PreviousRunQuery,
} from './github-api.js';
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

/**
 * GitHub Actions → `ci-notify.event/v1` (DESIGN §3). Reads the runner's GITHUB_* variables and the
 * webhook payload at GITHUB_EVENT_PATH; the REST API (when a token is given) adds the jobs, the
 * start time and the previous run's outcome. A value none of these give is null, never guessed.
 */

export interface GitHubEventDeps {
  readFile(path: string): Promise<string>;
  /**
   * Absent: built from GITHUB_API_URL, `input.github_token` and `input.http` when both are given.
   * null: do not use the API (no jobs list from it, no duration, no transitions).
   */
  api?: GitHubApi | null;
  warn(message: string): void;
}

type Payload = Record<string, unknown>;

/** `before` of a push that created the branch: not a commit. */
const NO_COMMIT = /^0+$/;

export async function githubEvent(input: EventInput, env: NodeJS.ProcessEnv, deps: GitHubEventDeps): Promise<CiEvent> {
  const payload = await readPayload(env.GITHUB_EVENT_PATH, deps);
  const server = text(env.GITHUB_SERVER_URL)?.replace(/\/+$/, '') ?? null;
  const repository = text(env.GITHUB_REPOSITORY) ?? text(record(payload.repository).full_name);
  const repoUrl = server && repository ? `${server}/${repository}` : null;
  const eventName = text(env.GITHUB_EVENT_NAME);
  // A notifier that watches other workflows (`on: workflow_run`) reports the watched run, not its own.
  const watched = watchedRun(eventName, payload);
  const runId = watched ? watched.id : text(env.GITHUB_RUN_ID);
  const runNumber = watched ? watched.number : count(env.GITHUB_RUN_NUMBER);
  const attempt = watched ? watched.attempt : count(env.GITHUB_RUN_ATTEMPT);

  const pullRequest = watched ? watched.pullRequest : 'pull_request' in payload ? record(payload.pull_request) : null;
  const ref = watched ? watchedRef(watched, repoUrl) : refOf(env, payload, pullRequest, repoUrl);
  const sha = watched
    ? watched.sha
    : ((pullRequest ? text(record(pullRequest.head).sha) : null) ?? text(env.GITHUB_SHA) ?? text(payload.after));
  const headCommit = watched ? watched.headCommit : record(payload.head_commit);
  const payloadCommit = sha && headCommit.id === sha ? headCommit : null;

  const warn = (message: string) => deps.warn(message);
  const needsJobs = jobsFromNeeds(input.needs, warn);
  const status = resolveStatus(input.status, needsJobs, warn);

  const wanted = input.facts?.wanted(status) ?? ALL_API_FACTS;
  const deadlineMs = input.facts?.deadlineMs ?? API_READS_MAX_MS;
  const contributorQuery = contributorReads(input.contributors ?? null, status, payload, pullRequest, sha);
  const api =
    wanted.size === 0 && !needsApi(contributorQuery)
      ? null
      : deps.api === undefined
        ? input.http
          ? githubApiFromEnv(env, input.github_token, input.http, deadlineMs)
          : null
        : deps.api;
  const facts = await readApiFacts(api, wanted, deadlineMs, warn, input.github_token, {
    runId,
    attempt: attempt ?? 1,
    runNumber,
    // The watched run has finished: none of its jobs is this notifier's own.
    runnerName: watched ? null : text(env.RUNNER_NAME),
    jobKey: watched ? null : text(env.GITHUB_JOB),
    workflow: watched ? watched.workflowFile : workflowFileOf(env.GITHUB_WORKFLOW_REF),
    branch: watched ? watched.branch : ref.type === 'pull_request' ? ref.name : (text(env.GITHUB_REF_NAME) ?? ref.name),
    // Runs from a fork's branch of the same name are not this branch's history.
    headRepository:
      (watched ? watched.headRepository : text(record(record(pullRequest?.head).repo).full_name)) ?? repository,
    // The payload's head commit already has the text; ask the API only when it does not.
    commitSha: payloadCommit ? null : sha,
    contributors: contributorQuery,
  });
  if (input.contributors) input.contributors.found = facts.contributors;

  if (wanted.has('history')) {
    const gap = api
      ? facts.historyGap
      : 'github_token is not set (pass github_token: ${{ github.token }}; the job needs actions: read)';
    if (gap) input.historyUnknown?.(gap);
  }
  const startedAt = watched?.startedAt ?? facts.run?.started_at ?? null;
  const startedMs = startedAt ? Date.parse(startedAt) : NaN;
  // The watched run is over: its length is start to last update; a notifier's own run is still going.
  const endMs = watched?.finishedAt ? Date.parse(watched.finishedAt) : input.now.getTime();
  const commitText = payloadCommit ? commitFromPayload(payloadCommit) : facts.commit;
  const jobKey = watched ? null : text(env.GITHUB_JOB);

  return {
    schema: EVENT_SCHEMA_ID,
    id: input.id,
    timestamp: input.now.toISOString(),
    provider: 'github',
    status,
    previous_status: facts.previous,
    transition: transitionOf(status, facts.previous),
    pipeline: {
      id: runId,
      number: runNumber,
      attempt,
      name: (watched ? watched.name : text(env.GITHUB_WORKFLOW)) ?? facts.run?.name ?? null,
      url:
        watched?.url ??
        (repoUrl && runId
          ? `${repoUrl}/actions/runs/${runId}${attempt && attempt > 1 ? `/attempts/${attempt}` : ''}`
          : null),
      trigger: watched ? watched.trigger : eventName,
      started_at: startedAt,
      // The run is still going while its notification step runs (a watched run has finished).
      finished_at: watched?.finishedAt ?? null,
      duration_ms: Number.isFinite(startedMs) && Number.isFinite(endMs) ? Math.max(0, endMs - startedMs) : null,
    },
    job:
      jobKey || facts.jobs?.current
        ? { id: jobKey, name: facts.jobs?.current?.name ?? jobKey, stage: null, url: facts.jobs?.current?.url ?? null }
        : null,
    // The API knows every job with its link and duration; `needs` only the direct dependencies.
    jobs: facts.jobs?.jobs ?? needsJobs ?? [],
    repository: {
      name: repository ? (repository.split('/').pop() ?? null) : null,
      full_name: repository,
      namespace: text(env.GITHUB_REPOSITORY_OWNER) ?? (repository?.includes('/') ? repository.split('/')[0]! : null),
      url: repoUrl,
    },
    ref,
    commit: {
      sha,
      short_sha: sha ? sha.slice(0, 7) : null,
      title: commitText?.message ? firstLine(commitText.message) : null,
      message: commitText?.message ?? null,
      url: repoUrl && sha ? `${repoUrl}/commit/${sha}` : null,
      before_sha: beforeSha(payload.before),
      author: commitText?.author ?? null,
    },
    change_request: watched
      ? watchedChangeRequest(watched, repoUrl)
      : changeRequestOf(env, payload, pullRequest, repoUrl),
    actor: (watched ? watched.actor : text(env.GITHUB_ACTOR))
      ? { login: watched ? watched.actor : text(env.GITHUB_ACTOR), name: null, email: null }
      : null,
    people: [],
    params: { ...dispatchInputs(eventName, payload), ...input.params },
    server_url: server,
  };
}

/** The run a `workflow_run` event is about (its payload's `workflow_run`), as the event needs it. */
interface WatchedRun {
  id: string | null;
  number: number | null;
  attempt: number | null;
  name: string | null;
  url: string | null;
  trigger: string | null;
  sha: string | null;
  branch: string | null;
  headRepository: string | null;
  headCommit: Payload;
  pullRequest: Payload | null;
  workflowFile: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  actor: string | null;
}

function watchedRun(eventName: string | null, payload: Payload): WatchedRun | null {
  if (eventName !== 'workflow_run' || !('workflow_run' in payload)) return null;
  const run = record(payload.workflow_run);
  const pulls = Array.isArray(run.pull_requests) ? run.pull_requests.map(record) : [];
  const id = whole(run.id);
  return {
    id: id === null ? text(run.id) : String(id),
    number: whole(run.run_number),
    attempt: whole(run.run_attempt),
    name: text(run.name),
    url: text(run.html_url),
    trigger: text(run.event),
    sha: text(run.head_sha),
    branch: text(run.head_branch),
    headRepository: text(record(run.head_repository).full_name),
    headCommit: record(run.head_commit),
    // A pull request run names its pull request (same repository only; GitHub lists none for forks).
    pullRequest: text(run.event)?.startsWith('pull_request') && pulls[0] ? pulls[0] : null,
    workflowFile: /([^/]+\.ya?ml)$/.exec(text(run.path) ?? '')?.[1] ?? null,
    startedAt: text(run.run_started_at) ?? text(run.created_at),
    finishedAt: text(run.status) === 'completed' ? text(run.updated_at) : null,
    actor: text(record(run.triggering_actor).login) ?? text(record(run.actor).login),
  };
}

function watchedRef(run: WatchedRun, repoUrl: string | null): RefInfo {
  if (run.pullRequest) {
    const number = whole(run.pullRequest.number);
    return {
      name: run.branch,
      type: 'pull_request',
      url: repoUrl && number !== null ? `${repoUrl}/pull/${number}` : null,
    };
  }
  return {
    name: run.branch,
    type: run.branch ? 'branch' : null,
    url: repoUrl && run.branch ? `${repoUrl}/tree/${encodePath(run.branch)}` : null,
  };
}

/** The watched run's pull request: the payload gives its number and branches (no title). */
function watchedChangeRequest(run: WatchedRun, repoUrl: string | null): ChangeRequestInfo | null {
  const pr = run.pullRequest;
  if (!pr) return null;
  const number = whole(pr.number);
  return {
    number,
    title: null,
    url: repoUrl && number !== null ? `${repoUrl}/pull/${number}` : null,
    source_branch: text(record(pr.head).ref),
    target_branch: text(record(pr.base).ref),
  };
}

async function readPayload(path: string | undefined, deps: GitHubEventDeps): Promise<Payload> {
  if (!path) return {};
  try {
    return record(JSON.parse(await deps.readFile(path)));
  } catch {
    deps.warn(
      'event: could not read the GitHub event payload (GITHUB_EVENT_PATH); commit and pull request details are left empty',
    );
    return {};
  }
}

function refOf(env: NodeJS.ProcessEnv, payload: Payload, pullRequest: Payload | null, repoUrl: string | null): RefInfo {
  const fullRef = text(env.GITHUB_REF) ?? '';
  const pullNumber = /^refs\/pull\/(\d+)\//.exec(fullRef)?.[1];
  if (pullRequest || pullNumber) {
    // The source branch is what people call a pull request's ref; GITHUB_REF_NAME would be "12/merge".
    return {
      name: text(record(pullRequest?.head).ref) ?? text(env.GITHUB_HEAD_REF),
      type: 'pull_request',
      url: text(pullRequest?.html_url) ?? (repoUrl && pullNumber ? `${repoUrl}/pull/${pullNumber}` : null),
    };
  }
  const release = record(payload.release);
  if (text(env.GITHUB_EVENT_NAME) === 'release' && text(release.tag_name)) {
    return { name: text(release.tag_name), type: 'tag', url: text(release.html_url) };
  }
  const type =
    env.GITHUB_REF_TYPE === 'branch' || env.GITHUB_REF_TYPE === 'tag'
      ? env.GITHUB_REF_TYPE
      : fullRef.startsWith('refs/heads/')
        ? 'branch'
        : fullRef.startsWith('refs/tags/')
          ? 'tag'
          : null;
  const name = text(env.GITHUB_REF_NAME) ?? (text(fullRef.replace(/^refs\/(heads|tags)\//, '')) || null);
  return { name, type, url: repoUrl && name && type ? `${repoUrl}/tree/${encodePath(name)}` : null };
}

function changeRequestOf(
  env: NodeJS.ProcessEnv,
  payload: Payload,
  pullRequest: Payload | null,
  repoUrl: string | null,
): ChangeRequestInfo | null {
  if (pullRequest) {
    return {
      number: whole(pullRequest.number) ?? whole(payload.number),
      title: text(pullRequest.title),
      url: text(pullRequest.html_url),
      source_branch: text(record(pullRequest.head).ref),
      target_branch: text(record(pullRequest.base).ref),
    };
  }
  const pullNumber = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  if (!pullNumber) return null;
  return {
    number: Number(pullNumber),
    title: null,
    url: repoUrl ? `${repoUrl}/pull/${pullNumber}` : null,
    source_branch: text(env.GITHUB_HEAD_REF),
    target_branch: text(env.GITHUB_BASE_REF),
  };
}

function commitFromPayload(headCommit: Payload): GitHubCommitDetails {
  const author = record(headCommit.author);
  const person: Person = { name: text(author.name), email: text(author.email), login: text(author.username) };
  return { message: text(headCommit.message), author: person.name || person.email || person.login ? person : null };
}

/**
 * `${{ toJSON(needs) }}`: `{"build":{"result":"success","outputs":{}}}` → one job per need.
 * Not given → null (as opposed to given but empty → []).
 */
function jobsFromNeeds(needs: string, warn: (message: string) => void): JobSummary[] | null {
  if (!needs || needs.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(needs);
  } catch {
    warn('needs: expected the JSON of ${{ toJSON(needs) }}; ignoring it');
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    warn('needs: expected the JSON of ${{ toJSON(needs) }}; ignoring it');
    return null;
  }
  return Object.entries(parsed as Record<string, unknown>).map(([name, need]) => ({
    name,
    status: normalizeStatus(text(record(need).result)).status,
    url: null,
    duration_ms: null,
    stage: null,
    allow_failure: false,
    failed_step: null,
  }));
}

/**
 * The status input, or what `needs` says. The action's default status is `${{ job.status }}`,
 * which in a final `needs:` report job is that job's own (green) status: so when `needs` shows a
 * failed or cancelled dependency, that wins over a "success" input. An explicit failure or
 * cancelled input always stands.
 */
function resolveStatus(given: string, needsJobs: JobSummary[] | null, warn: (message: string) => void): Status {
  const fromNeeds = needsJobs && needsJobs.length > 0 ? outcomeOfNeeds(needsJobs) : null;
  if (!given || given.trim() === '') {
    if (fromNeeds) return fromNeeds;
    warn(
      'status: no status given (and no `needs` to derive it from); reporting "unknown" — pass status: ${{ job.status }}',
    );
    return 'unknown';
  }
  const normalized = normalizeStatus(given);
  if (normalized.warning) warn(normalized.warning);
  if (normalized.status === 'success' && (fromNeeds === 'failure' || fromNeeds === 'cancelled')) return fromNeeds;
  return normalized.status;
}

function outcomeOfNeeds(jobs: JobSummary[]): Status {
  const statuses = new Set(jobs.map((job) => job.status));
  if (statuses.has('failure')) return 'failure';
  if (statuses.has('cancelled')) return 'cancelled';
  if ([...statuses].every((s) => s === 'skipped')) return 'skipped';
  if ([...statuses].every((s) => s === 'success' || s === 'skipped')) return 'success';
  return 'unknown';
}

/** What `mention_people` needs from GitHub: the push's own list of commits, or reads of the API. */
interface ContributorReads {
  /** The authors the push payload lists (every pushed commit), or null when it lists none. */
  pushed: Person[] | null;
  /** A pull request's base and head: its commits come from the compare API. */
  pullRange: { base: string; head: string } | null;
  /** This run's sha, when culprits are wanted (red runs only); null otherwise. */
  culpritsHead: string | null;
}

function contributorReads(
  query: ContributorQuery | null,
  status: Status,
  payload: Payload,
  pullRequest: Payload | null,
  sha: string | null,
): ContributorReads | null {
  if (!query) return null;
  const base = text(record(pullRequest?.base).sha);
  const head = text(record(pullRequest?.head).sha);
  const commits = Array.isArray(payload.commits) ? payload.commits.map(record) : [];
  const pushed = commits.map((c) => commitFromPayload(c).author).filter((a): a is Person => a !== null);
  return {
    pushed: pushed.length ? pushed : null,
    pullRange: base && head && query.committers ? { base, head } : null,
    culpritsHead: query.culprits && status === 'failure' ? sha : null,
  };
}

function needsApi(reads: ContributorReads | null): boolean {
  return !!reads && (reads.culpritsHead !== null || (reads.pushed === null && reads.pullRange !== null));
}

interface ApiQuery {
  runId: string | null;
  attempt: number;
  runNumber: number | null;
  runnerName: string | null;
  jobKey: string | null;
  /** The workflow's file name from GITHUB_WORKFLOW_REF; null when the runner did not say. */
  workflow: string | null;
  branch: string | null;
  headRepository: string | null;
  commitSha: string | null;
  contributors: ContributorReads | null;
}

interface ReadFacts {
  run: GitHubRunDetails | null;
  jobs: GitHubRunJobs | null;
  previous: Status | null;
  commit: GitHubCommitDetails | null;
  /** Why the previous run's status could not be read, or null when it was (even as "none"). */
  historyGap: string | null;
  contributors: Contributors;
}

const WHAT_IS_READ: Record<string, string> = {
  run: 'the workflow run',
  jobs: "the run's jobs",
  previous: 'the previous runs of this workflow',
  commit: 'the commit',
  committers: 'the commits of the pull request',
  culprits: 'the commits since the last successful run',
};

/**
 * The reads the wanted facts need, all issued at once and bounded together by `deadlineMs`
 * (api-reads.ts). Each read that fails or does not answer in time is one warning and a null, never
 * a failed notification. To add a read, add an entry to `reads` (and its words to WHAT_IS_READ).
 */
async function readApiFacts(
  api: GitHubApi | null,
  wanted: WantedFacts,
  deadlineMs: number,
  warn: (message: string) => void,
  token: string,
  query: ApiQuery,
): Promise<ReadFacts> {
  const wantsPeople = query.contributors;
  if (!api) {
    return {
      run: null,
      jobs: null,
      previous: null,
      commit: null,
      historyGap: null,
      contributors: {
        committers: wantsPeople?.pushed ?? null,
        culprits: null,
        culprits_problem: 'there is no github_token to read the history of this branch with',
      },
    };
  }
  let historyGap: string | null = null;
  const { runId, branch, commitSha } = query;
  // Shared: the previous-runs read needs the run's workflow_id when GITHUB_WORKFLOW_REF is missing.
  const readRun = once(() => api.run(runId!));
  const earlierRuns = async (): Promise<PreviousRunQuery | null> => {
    // The file name names the workflow without reading the run first; only without it (an
    // old runner, a dynamic workflow) is the run read first, for its workflow_id.
    const run = query.workflow ? null : await readRun();
    const workflow = query.workflow ?? run?.workflow_id ?? null;
    const onBranch = run?.head_branch ?? branch;
    if (workflow === null || !onBranch || !runId) return null;
    return {
      workflow,
      branch: onBranch,
      currentRunId: runId,
      currentRunNumber: query.runNumber,
      headRepository: run?.head_repository ?? query.headRepository,
    };
  };
  // Why culprits could not be read, for the one warning of the fallback to committers.
  let culpritsProblem: string | null = runId ? null : 'the run id (GITHUB_RUN_ID) is unknown';
  const culpritsHead = wantsPeople?.culpritsHead ?? null;
  const pullRange = wantsPeople?.pushed ? null : (wantsPeople?.pullRange ?? null);

  const reads = {
    run: runId && wanted.has('timing') ? readRun : undefined,
    jobs:
      runId && wanted.has('jobs')
        ? () => api.runJobs(runId, query.attempt, { runnerName: query.runnerName, jobKey: query.jobKey })
        : undefined,
    previous:
      runId && wanted.has('history')
        ? async (): Promise<Status | null> => {
            const runs = await earlierRuns();
            return runs ? api.previousStatus(runs) : null;
          }
        : undefined,
    commit: commitSha && wanted.has('commit') ? () => api.commit(commitSha) : undefined,
    committers: pullRange
      ? () => api.compareAuthors(pullRange.base, pullRange.head, WHAT_IS_READ.committers)
      : undefined,
    // The last green run's commit, then the commits since: a failure is the reason of the fallback.
    culprits:
      runId && culpritsHead
        ? async (): Promise<Person[] | null> => {
            try {
              const runs = await earlierRuns();
              const green = runs ? await api.lastSuccessfulSha(runs) : null;
              if (!green) {
                culpritsProblem = `no earlier successful run of this workflow on ${oneLine(runs?.branch ?? branch ?? '?')}`;
                return null;
              }
              return await api.compareAuthors(green, culpritsHead);
            } catch (error) {
              culpritsProblem =
                error instanceof GitHubApiError
                  ? error.dryRun
                    ? 'the history is not read in a dry run'
                    : error.message
                  : `unexpected error (${error instanceof Error ? error.message : String(error)})`;
              return null;
            }
          }
        : undefined,
  } satisfies Reads;

  // One warning per cause: a rejected token or a hung API is said once, naming every read it cost.
  const lost = new Map<string, string[]>();
  const results = await readTogether(reads, {
    deadlineMs,
    onFailure(name, error, timedOut) {
      // A dry-run client sends nothing, reads included; the preview simply lacks API facts.
      if (error instanceof GitHubApiError && error.dryRun) return;
      const what = error instanceof GitHubApiError ? error.what : (WHAT_IS_READ[name] ?? name);
      const reason = timedOut
        ? `no answer within ${deadlineMs / 1000} s (the timeout input, at most ${API_READS_MAX_MS / 1000} s for these reads); the notification goes without it`
        : error instanceof GitHubApiError
          ? error.reason
          : `unexpected error (${error instanceof Error ? error.message : String(error)})`;
      if (name === 'previous') historyGap ??= `the GitHub API did not answer (${redactToken(reason, token)})`;
      const whats = lost.get(reason) ?? [];
      if (!whats.includes(what)) whats.push(what);
      lost.set(reason, whats);
    },
  });
  const order = Object.values(WHAT_IS_READ);
  for (const [reason, whats] of lost) {
    whats.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    warn(redactToken(`github api: could not read ${joinAnd(whats)}: ${reason}`, token));
  }
  if (culpritsHead && !results.culprits && !culpritsProblem) culpritsProblem = 'no answer in time from the GitHub API';
  const { committers, culprits, ...facts } = results;
  return {
    ...facts,
    historyGap,
    contributors: {
      committers: wantsPeople?.pushed ?? committers,
      culprits,
      culprits_problem: culprits ? null : culpritsProblem && redactToken(culpritsProblem, token),
    },
  };
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').slice(0, 100);
}

/** Defence in depth: the logger redacts too, but a warning must never carry the token. */
function redactToken(message: string, token: string): string {
  return token ? message.split(token).join('***') : message;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** workflow_dispatch inputs are the run's parameters; an explicit `params` line wins over an input of the same name. */
function dispatchInputs(eventName: string | null, payload: Payload): Record<string, string> {
  if (eventName !== 'workflow_dispatch') return {};
  return Object.fromEntries(
    Object.entries(record(payload.inputs))
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
}

function beforeSha(value: unknown): string | null {
  const sha = text(value);
  return sha && !NO_COMMIT.test(sha) ? sha : null;
}

function firstLine(message: string): string | null {
  return text(message.split(/\r?\n/, 1)[0]?.trim()) ?? null;
}

function encodePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

function record(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function count(value: string | undefined): number | null {
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

function whole(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}
