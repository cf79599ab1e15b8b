import type { HttpClient } from '../delivery/types.js';
import type { FactRequest } from '../event/facts.js';
import type { CiEvent, ContributorQuery } from '../event/types.js';

/** Log lines pass through the redactor before they are written. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** A foldable group in the CI log (GitHub ::group::; a plain header elsewhere). */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

/** Everything that differs between GitHub, GitLab and a plain CLI run. */
export interface Platform {
  name: 'github' | 'gitlab' | 'local';
  /** Raw inputs by snake_case name, as strings ('' = not given). */
  readInputs(): Record<string, string>;
  /** Tell the CI to hide a value in its log (GitHub ::add-mask::); the redactor is separate. */
  mask(secret: string): void;
  /** Build the CiEvent from the CI environment. `status` is the normalised status from settings. */
  buildEvent(input: EventInput): Promise<CiEvent>;
  setOutput(name: string, value: string): void;
  /** Markdown for the job summary (GitHub step summary); a no-op where there is none. */
  writeSummary(markdown: string): void;
  /** Mark the run failed with a message (exit code is decided by main). */
  log: Logger;
}

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
