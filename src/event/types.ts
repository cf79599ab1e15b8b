/** The `ci-notify.event/v1` object (DESIGN §3). A field a mapper cannot fill is `null`, never invented. */

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
  status: Status;
  url: string | null;
  duration_ms: number | null;
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
  params: Record<string, string>;
  server_url: string | null;
}
