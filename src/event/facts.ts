import type { Status } from './types.js';

/**
 * Facts of the event that only a CI system's API gives (the runner's environment and the webhook
 * payload give the rest for free). Each one costs a read, so a run asks only for the facts some
 * target will use (main.ts `wantedFacts`), and the platform's mapper reads only those.
 *
 *   timing   pipeline.started_at, pipeline.duration_ms                (GitHub: the run)
 *   jobs     jobs[], job.name / job.url of the job running ci-notify  (GitHub: the run's jobs)
 *   history  previous_status, transition                              (GitHub: the earlier runs)
 *   commit   commit.title / message / author when the payload lacks them (GitHub: the commit)
 *
 * A new read (GitHub compare for culprits, a workflow_run's jobs, GitLab's pipelines) either fills
 * one of these facts or adds its own word here; `wantedFacts` and the channels' `facts` say who
 * needs it, and the mapper adds it to its concurrent read set (see github.ts `readApiFacts`).
 */
export const API_FACTS = ['timing', 'jobs', 'history', 'commit'] as const;
export type ApiFact = (typeof API_FACTS)[number];
export type ApiFacts = ReadonlySet<ApiFact>;

/** Every fact: what a caller that does not say what it needs gets (tests, the event mappers on their own). */
export const ALL_API_FACTS: ApiFacts = new Set(API_FACTS);
export const NO_API_FACTS: ApiFacts = new Set();

/**
 * A request body that is the event itself (webhook `json` and `cdevents`, jenkins) carries what the
 * API says about this run: its jobs, its timing and the commit. Not the earlier runs:
 * `previous_status` and `transition` are null ("unless known", DESIGN §3) unless a transition can
 * matter to the run (a transition word in `notify_on`/`mention_on`, a title or template that uses
 * it, a default message that shows it) — a plain webhook does not wait for a list of old runs.
 */
export const EVENT_BODY_FACTS: readonly ApiFact[] = ['timing', 'jobs', 'commit'];

/**
 * What the event builder is told about the run's needs: the facts wanted, given the status the
 * mapper settled on (a target whose `notify_on` rules it out needs nothing), and how long the
 * reads together may take.
 */
export interface FactRequest {
  wanted(status: Status): ApiFacts;
  /** The deadline for all API reads together, in ms (the `timeout` input, capped by API_READS_MAX_MS). */
  deadlineMs: number;
}

/**
 * API reads are decoration: a notification should not wait long for them. The whole set of reads
 * of one run is bounded by the `timeout` input and never by more than this.
 */
export const API_READS_MAX_MS = 3000;

export function apiReadsDeadline(timeoutMs: number): number {
  return Math.min(timeoutMs, API_READS_MAX_MS);
}
