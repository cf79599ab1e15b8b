import type { EventInput } from './types.js';
import { normalizeStatus } from './status.js';
import { EVENT_SCHEMA_ID, type CiEvent, type JobSummary, type Person, type RefType } from './types.js';

/**
 * What the git repository in the working directory says about the commit (src/platform/git.ts reads
 * it), for the facts no CI variable and no flag gave.
 */
export interface GitFacts {
  sha: string | null;
  /** The branch HEAD is on, or null on a detached HEAD. */
  branch: string | null;
  /** A tag that points at the commit, when HEAD is detached on one. */
  tag: string | null;
  message: string | null;
  author: { name: string | null; email: string | null } | null;
  /** `git remote get-url origin`, credentials and all (only the path is kept). */
  remote: string | null;
}

/**
 * The CLI outside GitHub and GitLab → `ci-notify.event/v1` (DESIGN §3), provider `local`.
 * Reads what the well-known CI variables give — Drone (DRONE_*), Huawei Cloud CodeArts (its
 * predefined parameters), Zadig (its built-in build variables), Alibaba Cloud Flow (PIPELINE_*,
 * CI_COMMIT_*), Jenkins and the Jenkins-based CODING CI (JOB_NAME, BUILD_URL, GIT_*, CHANGE_*,
 * BUILD_USER*; the GIT_* and BUILD_* names double as the generic ones many shells export) — and
 * leaves the rest null.
 *
 * `inputs` may override what the environment says, for a plain shell that has no CI variables:
 * `repository` (owner/name), `ref`, `sha`, `commit_message`, `pipeline_name`, `pipeline_number`,
 * `pipeline_url` (the CLI's event flags and NOTIFY_* variables). `git` (what the repository in the
 * working directory says, src/platform/git.ts) fills what neither gives.
 */
export function localEvent(
  input: EventInput,
  env: NodeJS.ProcessEnv,
  inputs: Record<string, string>,
  git: GitFacts | null = null,
): CiEvent {
  const facts = isDrone(env)
    ? droneFacts(env, input.now)
    : isCodeArts(env)
      ? codeArtsFacts(env)
      : isZadig(env)
        ? zadigFacts(env)
        : isFlow(env)
          ? flowFacts(env)
          : jenkinsFacts(env);
  const overridden = fillFromGit(applyOverrides(facts, inputs), git);
  const statusInput = input.status.trim() !== '' ? input.status : (text(env.DRONE_BUILD_STATUS) ?? '');
  const sha = overridden.sha;
  const message = overridden.message;
  return {
    schema: EVENT_SCHEMA_ID,
    id: input.id,
    timestamp: input.now.toISOString(),
    provider: 'local',
    // Warnings about an unrecognised status are the settings' business (it normalised it first).
    status: normalizeStatus(statusInput).status,
    previous_status: null,
    transition: null,
    pipeline: overridden.pipeline,
    job: overridden.job,
    jobs: overridden.jobs,
    repository: overridden.repository,
    ref: overridden.ref,
    commit: {
      sha,
      short_sha: sha ? sha.slice(0, 7) : null,
      title: message ? (text(message.split(/\r?\n/, 1)[0]?.trim()) ?? null) : null,
      message,
      url: overridden.commitUrl ?? (sha ? commitUrlOf(overridden.repository.url, sha) : null),
      before_sha: overridden.beforeSha && overridden.beforeSha !== sha ? overridden.beforeSha : null,
      author: overridden.author,
    },
    change_request: overridden.changeRequest,
    actor: overridden.actor,
    people: [],
    params: { ...input.params },
    server_url: overridden.serverUrl,
  };
}

/** Everything but the parts every CI shares (id, status, params, commit arithmetic). */
interface LocalFacts {
  pipeline: CiEvent['pipeline'];
  job: CiEvent['job'];
  jobs: JobSummary[];
  repository: CiEvent['repository'];
  ref: CiEvent['ref'];
  sha: string | null;
  message: string | null;
  commitUrl: string | null;
  beforeSha: string | null;
  author: Person | null;
  changeRequest: CiEvent['change_request'];
  actor: Person | null;
  serverUrl: string | null;
}

function isDrone(env: NodeJS.ProcessEnv): boolean {
  return env.DRONE === 'true' || env.CI === 'drone' || Boolean(env.DRONE_BUILD_NUMBER);
}

/**
 * Huawei Cloud CodeArts: a Pipeline run sets PIPELINE_RUN_ID and PASS_CONDITIONS_LINK; a Build task
 * BUILDNUMBER and INCREASENUM. (Flow sets PIPELINE_ID and PIPELINE_NAME too, so this is asked first.)
 */
function isCodeArts(env: NodeJS.ProcessEnv): boolean {
  return Boolean((env.PIPELINE_RUN_ID && env.PASS_CONDITIONS_LINK) || (env.BUILDNUMBER && env.INCREASENUM));
}

/** Zadig sets ZADIG=true in its build scripts. */
function isZadig(env: NodeJS.ProcessEnv): boolean {
  return env.ZADIG === 'true';
}

/** Flow sets PIPELINE_ID and PIPELINE_NAME; Jenkins never does (its pipeline is JOB_NAME). */
function isFlow(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.PIPELINE_ID && env.PIPELINE_NAME && !env.JENKINS_URL);
}

/** Drone: https://docs.drone.io/pipeline/environment/reference/ */
function droneFacts(env: NodeJS.ProcessEnv, now: Date): LocalFacts {
  const startedSeconds = count(env.DRONE_BUILD_STARTED);
  const startedAt = startedSeconds !== null ? new Date(startedSeconds * 1000).toISOString() : null;
  const pullNumber = count(env.DRONE_PULL_REQUEST);
  const tag = text(env.DRONE_TAG);
  const fullName = text(env.DRONE_REPO);
  const proto = text(env.DRONE_SYSTEM_PROTO);
  const host = text(env.DRONE_SYSTEM_HOST);
  const trigger = text(env.DRONE_BUILD_TRIGGER);
  const login = text(env.DRONE_COMMIT_AUTHOR);
  const authorName = text(env.DRONE_COMMIT_AUTHOR_NAME);
  const authorEmail = text(env.DRONE_COMMIT_AUTHOR_EMAIL);
  const refType: RefType = pullNumber !== null ? 'pull_request' : tag ? 'tag' : 'branch';
  const stepName = text(env.DRONE_STEP_NAME);
  const stageName = text(env.DRONE_STAGE_NAME);
  return {
    pipeline: {
      id: text(env.DRONE_BUILD_NUMBER),
      number: count(env.DRONE_BUILD_NUMBER),
      attempt: null,
      name: null,
      url: text(env.DRONE_BUILD_LINK),
      trigger: text(env.DRONE_BUILD_EVENT),
      started_at: startedAt,
      // DRONE_BUILD_FINISHED of a running build is just "now"; the build is not finished yet.
      finished_at: null,
      duration_ms: startedSeconds !== null ? Math.max(0, now.getTime() - startedSeconds * 1000) : null,
    },
    job: stepName || stageName ? { id: null, name: stepName ?? stageName, stage: stageName, url: null } : null,
    // Drone only lists the steps that failed so far; those are the ones a message shows.
    jobs: list(env.DRONE_FAILED_STEPS).map((name) => ({
      name,
      status: 'failure' as const,
      url: null,
      duration_ms: null,
      stage: null,
      allow_failure: false,
      failed_step: null,
    })),
    repository: {
      name: text(env.DRONE_REPO_NAME) ?? fullName?.split('/').pop() ?? null,
      full_name: fullName,
      namespace: text(env.DRONE_REPO_NAMESPACE) ?? text(env.DRONE_REPO_OWNER),
      url: text(env.DRONE_REPO_LINK),
    },
    ref: {
      name:
        refType === 'pull_request'
          ? text(env.DRONE_SOURCE_BRANCH)
          : refType === 'tag'
            ? tag
            : (text(env.DRONE_BRANCH) ?? text(env.DRONE_COMMIT_BRANCH)),
      type: refType,
      url: null,
    },
    sha: text(env.DRONE_COMMIT_SHA) ?? text(env.DRONE_COMMIT),
    message: text(env.DRONE_COMMIT_MESSAGE),
    commitUrl: refType === 'pull_request' ? null : text(env.DRONE_COMMIT_LINK),
    beforeSha: nonZeroSha(env.DRONE_COMMIT_BEFORE),
    author: login || authorName || authorEmail ? { name: authorName, email: authorEmail, login } : null,
    changeRequest:
      pullNumber !== null
        ? {
            number: pullNumber,
            title: text(env.DRONE_PULL_REQUEST_TITLE),
            url: null,
            source_branch: text(env.DRONE_SOURCE_BRANCH),
            target_branch: text(env.DRONE_TARGET_BRANCH),
          }
        : null,
    // "@hook" and "@cron" name a mechanism, not a person.
    actor: trigger && !trigger.startsWith('@') ? { login: trigger, name: null, email: null } : null,
    serverUrl: proto && host ? `${proto}://${host}` : null,
  };
}

/**
 * Huawei Cloud CodeArts predefined parameters, which its steps see as environment variables:
 * Pipeline (support.huaweicloud.com/usermanual-pipeline/pipeline_01_0003.html): PIPELINE_NAME,
 * PIPELINE_NUMBER, PIPELINE_RUN_ID, PIPELINE_TRIGGER_TYPE, EXECUTE_USER, PASS_CONDITIONS_LINK (the
 * run's page), REPO_URL, COMMIT_ID, MERGE_ID; Build (support.huaweicloud.com/usermanual-codeci/codeci_ug_0037.html):
 * BUILDNUMBER, INCREASENUM, COMMIT_ID, GIT_TAG and the codeBranch parameter.
 */
function codeArtsFacts(env: NodeJS.ProcessEnv): LocalFacts {
  const tag = text(env.GIT_TAG);
  const branch = text(env.codeBranch);
  const mergeId = count(env.MERGE_ID);
  const executor = text(env.EXECUTE_USER);
  return {
    pipeline: {
      id: text(env.PIPELINE_RUN_ID) ?? text(env.BUILDNUMBER),
      number: count(env.PIPELINE_NUMBER) ?? count(env.INCREASENUM),
      attempt: null,
      name: text(env.PIPELINE_NAME),
      url: text(env.PASS_CONDITIONS_LINK),
      trigger: text(env.PIPELINE_TRIGGER_TYPE),
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: null,
    jobs: [],
    repository: repositoryFromGitUrl(text(env.REPO_URL)),
    ref: tag ? { name: tag, type: 'tag', url: null } : { name: branch, type: branch ? 'branch' : null, url: null },
    sha: text(env.COMMIT_ID),
    message: null,
    commitUrl: null,
    beforeSha: null,
    author: null,
    changeRequest:
      mergeId !== null ? { number: mergeId, title: null, url: null, source_branch: branch, target_branch: null } : null,
    actor: executor ? { login: null, name: executor, email: null } : null,
    serverUrl: null,
  };
}

/**
 * Zadig built-in build variables (koderover/zadig-doc, project/build "构建脚本"): TASK_ID, BUILD_URL,
 * SERVICE, and per repository <REPONAME>_BRANCH, _TAG, _PR, _COMMIT_ID (a "-" in the name becomes
 * "_"). With several repositories the first by name is reported.
 */
function zadigFacts(env: NodeJS.ProcessEnv): LocalFacts {
  const repo = Object.keys(env)
    .map((name) => /^(.+)_COMMIT_ID$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined && text(env[`${name}_COMMIT_ID`]) !== null)
    .sort()[0];
  const get = (suffix: string) => (repo ? text(env[`${repo}_${suffix}`]) : null);
  const pr = count(get('PR') ?? undefined);
  const tag = get('TAG');
  const branch = get('BRANCH');
  const service = text(env.SERVICE);
  return {
    pipeline: {
      id: text(env.TASK_ID),
      number: count(env.TASK_ID),
      attempt: null,
      name: null,
      url: text(env.BUILD_URL),
      trigger: null,
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: service ? { id: null, name: service, stage: null, url: text(env.BUILD_URL) } : null,
    jobs: [],
    repository: { name: repo ?? null, full_name: null, namespace: null, url: null },
    ref:
      pr !== null
        ? { name: branch, type: 'pull_request', url: null }
        : tag
          ? { name: tag, type: 'tag', url: null }
          : { name: branch, type: branch ? 'branch' : null, url: null },
    sha: get('COMMIT_ID'),
    message: null,
    commitUrl: null,
    beforeSha: null,
    author: null,
    changeRequest:
      pr !== null ? { number: pr, title: null, url: null, source_branch: branch, target_branch: null } : null,
    actor: null,
    serverUrl: null,
  };
}

/** Alibaba Cloud DevOps Flow built-in variables (help.aliyun.com/zh/yunxiao/user-guide/environment-variables). */
function flowFacts(env: NodeJS.ProcessEnv): LocalFacts {
  const executor = text(env.BUILD_EXECUTOR);
  return {
    pipeline: {
      id: text(env.PIPELINE_ID),
      number: count(env.BUILD_NUMBER),
      attempt: null,
      name: text(env.PIPELINE_NAME),
      url: null,
      trigger: null,
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: null,
    jobs: [],
    repository: { name: text(env.CI_SOURCE_NAME), full_name: null, namespace: null, url: null },
    // CI_COMMIT_REF_NAME is "the branch or tag chosen for the run": which of the two is not said.
    ref: { name: text(env.CI_COMMIT_REF_NAME), type: null, url: null },
    sha: text(env.CI_COMMIT_SHA),
    message: text(env.CI_COMMIT_TITLE),
    commitUrl: null,
    beforeSha: null,
    author: null,
    changeRequest: null,
    // A display name such as 张三, not a login.
    actor: executor ? { login: null, name: executor, email: null } : null,
    serverUrl: null,
  };
}

/** Jenkins (and the generic GIT_COMMIT / GIT_BRANCH / BUILD_NUMBER / BUILD_URL many shells export). */
function jenkinsFacts(env: NodeJS.ProcessEnv): LocalFacts {
  const changeId = count(env.CHANGE_ID);
  const tag = text(env.TAG_NAME);
  // CODING CI (Jenkins-based; coding.net/docs/qci/visual/env-variable.html) gives the https address as
  // GIT_HTTP_URL and an SSH one as GIT_URL: the https one also gives the repository's web address.
  const repository = repositoryFromGitUrl(text(env.GIT_HTTP_URL) ?? text(env.GIT_URL));
  const branch = text(env.BRANCH_NAME) ?? text(env.GIT_LOCAL_BRANCH) ?? stripRemote(text(env.GIT_BRANCH));
  const stage = text(env.STAGE_NAME);
  const userLogin = text(env.BUILD_USER_ID);
  const userName = text(env.BUILD_USER);
  const userEmail = text(env.BUILD_USER_EMAIL);
  const authorLogin = changeId !== null ? text(env.CHANGE_AUTHOR) : null;
  const authorName = text(env.GIT_AUTHOR_NAME) ?? (changeId !== null ? text(env.CHANGE_AUTHOR_DISPLAY_NAME) : null);
  const authorEmail = text(env.GIT_AUTHOR_EMAIL) ?? (changeId !== null ? text(env.CHANGE_AUTHOR_EMAIL) : null);
  return {
    pipeline: {
      id: text(env.BUILD_ID) ?? text(env.BUILD_NUMBER),
      number: count(env.BUILD_NUMBER),
      attempt: null,
      name: text(env.JOB_NAME),
      url: text(env.BUILD_URL),
      trigger: null,
      started_at: null,
      finished_at: null,
      duration_ms: null,
    },
    job: stage ? { id: null, name: stage, stage, url: null } : null,
    jobs: [],
    repository,
    ref:
      changeId !== null
        ? { name: text(env.CHANGE_BRANCH) ?? branch, type: 'pull_request', url: text(env.CHANGE_URL) }
        : tag
          ? { name: tag, type: 'tag', url: null }
          : { name: branch, type: branch ? 'branch' : null, url: null },
    sha: text(env.GIT_COMMIT),
    message: null,
    commitUrl: null,
    beforeSha: text(env.GIT_PREVIOUS_COMMIT),
    author:
      authorLogin || authorName || authorEmail ? { name: authorName, email: authorEmail, login: authorLogin } : null,
    changeRequest:
      changeId !== null
        ? {
            number: changeId,
            title: text(env.CHANGE_TITLE),
            url: text(env.CHANGE_URL),
            source_branch: text(env.CHANGE_BRANCH),
            target_branch: text(env.CHANGE_TARGET),
          }
        : null,
    actor: userLogin || userName || userEmail ? { login: userLogin, name: userName, email: userEmail } : null,
    serverUrl: text(env.JENKINS_URL)?.replace(/\/+$/, '') ?? null,
  };
}

function applyOverrides(facts: LocalFacts, inputs: Record<string, string>): LocalFacts {
  const given = (name: string) => text(inputs[name]);
  const repository = given('repository');
  const ref = given('ref');
  const sha = given('sha');
  const number = count(inputs.pipeline_number);
  return {
    ...facts,
    pipeline: {
      ...facts.pipeline,
      name: given('pipeline_name') ?? facts.pipeline.name,
      number: number ?? facts.pipeline.number,
      url: given('pipeline_url') ?? facts.pipeline.url,
    },
    repository: repository
      ? {
          name: repository.split('/').pop() ?? null,
          full_name: repository,
          namespace: repository.includes('/') ? repository.slice(0, repository.lastIndexOf('/')) : null,
          url: facts.repository.full_name === repository ? facts.repository.url : null,
        }
      : facts.repository,
    ref: ref
      ? {
          name: ref,
          type: ref === facts.ref.name ? facts.ref.type : null,
          url: ref === facts.ref.name ? facts.ref.url : null,
        }
      : facts.ref,
    sha: sha ?? facts.sha,
    message: given('commit_message') ?? (sha && sha !== facts.sha ? null : facts.message),
    commitUrl: sha && sha !== facts.sha ? null : facts.commitUrl,
  };
}

/** What the git repository says, where neither the CI nor the flags said anything. */
function fillFromGit(facts: LocalFacts, git: GitFacts | null): LocalFacts {
  if (!git) return facts;
  const sameCommit = !facts.sha || facts.sha === git.sha;
  const repository = facts.repository.full_name ? facts.repository : repositoryFromGitUrl(git.remote);
  const ref: CiEvent['ref'] = facts.ref.name
    ? facts.ref
    : git.branch
      ? { name: git.branch, type: 'branch', url: null }
      : git.tag
        ? { name: git.tag, type: 'tag', url: null }
        : facts.ref;
  return {
    ...facts,
    repository: repository.full_name ? repository : facts.repository,
    ref,
    sha: facts.sha ?? git.sha,
    message: facts.message ?? (sameCommit ? git.message : null),
    author:
      facts.author ??
      (sameCommit && git.author && (git.author.name || git.author.email)
        ? { name: git.author.name, email: git.author.email, login: null }
        : null),
  };
}

/**
 * `https://user:token@host/acme/api.git` or `git@host:acme/api.git` → acme/api. Credentials in the
 * URL are dropped; an SSH remote gives no web address, so its url stays null.
 */
function repositoryFromGitUrl(gitUrl: string | null): CiEvent['repository'] {
  const none = { name: null, full_name: null, namespace: null, url: null };
  if (!gitUrl) return none;
  let host: string;
  let path: string;
  let web = false;
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(gitUrl);
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    try {
      const url = new URL(gitUrl);
      host = url.host;
      path = url.pathname;
      web = url.protocol === 'https:' || url.protocol === 'http:';
      if (web) host = `${url.protocol}//${url.host}`;
    } catch {
      return none;
    }
  }
  const fullName = path
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  if (!fullName.includes('/')) return none;
  return {
    name: fullName.split('/').pop() ?? null,
    full_name: fullName,
    namespace: fullName.slice(0, fullName.lastIndexOf('/')),
    url: web ? `${host}/${fullName}` : null,
  };
}

/** Hosts whose commit pages live at `<repo>/commit/<sha>`; elsewhere we do not guess. */
const COMMIT_PAGE_HOSTS = new Set(['github.com', 'gitlab.com', 'gitee.com', 'codeup.aliyun.com']);

function commitUrlOf(repoUrl: string | null, sha: string): string | null {
  if (!repoUrl) return null;
  try {
    return COMMIT_PAGE_HOSTS.has(new URL(repoUrl).host) ? `${repoUrl}/commit/${sha}` : null;
  } catch {
    return null;
  }
}

/** Jenkins GIT_BRANCH is `origin/main` (remote-qualified); people call it `main`. */
function stripRemote(branch: string | null): string | null {
  return branch ? branch.replace(/^refs\/heads\//, '').replace(/^origin\//, '') : null;
}

function nonZeroSha(value: string | undefined): string | null {
  const sha = text(value);
  return sha && !/^0+$/.test(sha) ? sha : null;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function text(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function count(value: string | undefined): number | null {
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}
