/** The `ci-notify.event/v1` object (DESIGN §3). A field a mapper cannot fill is `null`, never invented. */
import type { HttpClient } from '../delivery/types.js';
import type { FactRequest } from './facts.js';

export const EVENT_SCHEMA_ID = 'ci-notify.event/v1';

export const STATUSES = ['success', 'failure', 'cancelled', 'skipped', 'running', 'pending', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

export const TRANSITIONS = ['fixed', 'regressed', 'still_failing', 'unchanged'] as const;
export type Transition = (typeof TRANSITIONS)[number];

export type Provider = 'github' | 'gitlab' | 'local';
export type RefType = 'branch' | 'tag' | 'pull_request' | 'merge_request';

export interface PipelineInfo {
  id: string | null;
  number: number | null;
  attempt: number | null;
  name: string | null;
  url: string | null;
  trigger: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface JobInfo {
  id: string | null;
  name: string | null;
  stage: string | null;
  url: string | null;
}

export interface JobSummary {
  name: string;
  /** A manual job nobody has played yet is `pending` (the message says "waiting"). */
  status: Status;
  url: string | null;
  duration_ms: number | null;
  /** GitLab stage; null on GitHub. */
  stage: string | null;
  /** GitLab `allow_failure` (a failure that does not fail the pipeline: "passed with warnings"). */
  allow_failure: boolean;
  /** Name of the first failed step when the CI API says (GitHub jobs API `steps`). */
  failed_step: string | null;
}

export const PERSON_ROLES = ['author', 'actor', 'committer', 'culprit'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * A person the run selected (`mention_people`), resolved through the people map. Names only:
 * phone numbers and platform ids stay out of the event (webhook receivers get names and roles).
 */
export interface PersonRef {
  name: string;
  roles: PersonRole[];
  /** Channel types that can reach this person (from the people map); empty when not in the map. */
  reachable: string[];
}

/**
 * Which commit authors a run wants for `mention_people`, and what the event mapper found. The mapper
 * reads them with the other CI API reads (concurrently, only when asked) and fills `found`.
 */
export interface ContributorQuery {
  /** Authors of every commit in this push or merge request. */
  committers: boolean;
  /** Authors of the commits since the last successful run of the same workflow/pipeline and branch. */
  culprits: boolean;
  found?: Contributors;
}

export interface Contributors {
  /** null when the CI system could not list them. */
  committers: Person[] | null;
  /** null when the history could not be read; `culprits_problem` says why. */
  culprits: Person[] | null;
  culprits_problem: string | null;
}

export interface RepositoryInfo {
  name: string | null;
  full_name: string | null;
  namespace: string | null;
  url: string | null;
}

export interface RefInfo {
  name: string | null;
  type: RefType | null;
  url: string | null;
}

export interface Person {
  name: string | null;
  email: string | null;
  login: string | null;
}

export interface CommitInfo {
  sha: string | null;
  short_sha: string | null;
  title: string | null;
  message: string | null;
  url: string | null;
  before_sha: string | null;
  author: Person | null;
}

export interface ChangeRequestInfo {
  number: number | null;
  title: string | null;
  url: string | null;
  source_branch: string | null;
  target_branch: string | null;
}

export interface CiEvent {
  schema: typeof EVENT_SCHEMA_ID;
  id: string;
  timestamp: string;
  provider: Provider;
  status: Status;
  previous_status: Status | null;
  transition: Transition | null;
  pipeline: PipelineInfo;
  job: JobInfo | null;
  jobs: JobSummary[];
  repository: RepositoryInfo;
  ref: RefInfo;
  commit: CommitInfo;
  change_request: ChangeRequestInfo | null;
  actor: Person | null;
  /** People selected by `mention_people` (empty when none). */
  people: PersonRef[];
  params: Record<string, string>;
  server_url: string | null;
}

/** What every CI mapper (github.ts, gitlab.ts, local.ts) gets besides its environment. */
export interface EventInput {
  status: string;
  params: Record<string, string>;
  /** `${{ toJSON(needs) }}` text, if given. */
  needs: string;
  github_token: string;
  /** GitLab API token (read_api); CI_JOB_TOKEN is tried first where GitLab allows it. */
  gitlab_token?: string;
  /**
   * Called when the previous run's status cannot be known (no token, API unreachable, a CI we
   * cannot ask), naming what is missing; main warns once if a transition word needs it. Not
   * called when it is known that there is no previous run (the first pipeline of a branch).
   */
  historyUnknown?(reason: string): void;
  /** Fresh uuid and clock for id/timestamp. */
  id: string;
  now: Date;
  /** The run's HTTP client, for CI APIs (GitHub jobs of the run, previous status). */
  http: HttpClient | null;
  /**
   * Which facts that only a CI API gives this run will use, and the deadline for reading them all
   * (src/event/facts.ts). Absent: every fact, within API_READS_MAX_MS (callers that build an event
   * on its own, such as tests of a mapper).
   */
  facts?: FactRequest;
  /** Commit authors wanted by `mention_people` (committers, culprits); null when none are. */
  contributors?: ContributorQuery | null;
}
