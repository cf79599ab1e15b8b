/**
 * The sample events of MESSAGES.md, shared by the message tests, every channel's whole-payload
 * tests and `npm run preview`: acme/api · workflow "CI" run #128 · push to `main` by octocat ·
 * commit 9f8e7d6 "Fix payment path" by Mona Lisa · 1 m 33 s · 5 jobs, 2 failed:
 * `test (ubuntu, 20)` (step "Run tests") and `lint` (step "Run eslint") · previous run passed.
 */
import type { CiEvent, JobSummary } from '../../src/event/types.js';
import { sampleEvent } from './fixtures.js';

export const RUN_URL = 'https://github.com/acme/api/actions/runs/4242';
export const COMMIT_URL = 'https://github.com/acme/api/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
export const jobUrl = (id: number): string => `${RUN_URL}/job/${id}`;

function job(name: string, id: number, overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    name,
    status: 'success',
    url: jobUrl(id),
    duration_ms: 20_000,
    stage: null,
    allow_failure: false,
    failed_step: null,
    ...overrides,
  };
}

const FIVE_JOBS: JobSummary[] = [
  job('build', 1),
  job('test (ubuntu, 20)', 2, { status: 'failure', failed_step: 'Run tests' }),
  job('lint', 3, { status: 'failure', failed_step: 'Run eslint' }),
  job('test (ubuntu, 22)', 4),
  job('docs', 5),
];

/** The MESSAGES.md event: a failure that was passing before. */
export function failureWithJobs(overrides: Partial<CiEvent> = {}): CiEvent {
  const base = sampleEvent();
  return sampleEvent({
    status: 'failure',
    previous_status: 'success',
    transition: 'regressed',
    jobs: FIVE_JOBS.map((j) => ({ ...j })),
    actor: { login: 'octocat', name: null, email: null },
    job: null,
    params: {},
    change_request: null,
    commit: { ...base.commit },
    ...overrides,
  });
}

/** The run after the fix: every job green, the previous run failed. */
export function fixedRun(): CiEvent {
  return failureWithJobs({
    status: 'success',
    previous_status: 'failure',
    transition: 'fixed',
    jobs: FIVE_JOBS.map((j): JobSummary => ({ ...j, status: 'success', failed_step: null })),
  });
}

/** Failing again: the previous run failed too. */
export function stillFailing(): CiEvent {
  return failureWithJobs({ previous_status: 'failure', transition: 'still_failing' });
}

/** Someone cancelled the run while `test (ubuntu, 20)` was running. */
export function cancelledRun(): CiEvent {
  return failureWithJobs({
    status: 'cancelled',
    previous_status: 'success',
    transition: null,
    jobs: FIVE_JOBS.filter((j) => j.name !== 'lint').map((j): JobSummary =>
      j.name === 'test (ubuntu, 20)' ? { ...j, status: 'cancelled', failed_step: null } : { ...j, failed_step: null },
    ),
  });
}

/** Pull request #12 "Add retries" from feature/x into main, failing lint. */
export function pullRequestRun(): CiEvent {
  const base = failureWithJobs();
  return failureWithJobs({
    transition: null,
    previous_status: null,
    pipeline: { ...base.pipeline, trigger: 'pull_request' },
    ref: { name: 'refs/pull/12/merge', type: 'pull_request', url: 'https://github.com/acme/api/pull/12' },
    change_request: {
      number: 12,
      title: 'Add retries',
      url: 'https://github.com/acme/api/pull/12',
      source_branch: 'feature/x',
      target_branch: 'main',
    },
    jobs: FIVE_JOBS.map((j): JobSummary =>
      j.name === 'lint' ? { ...j } : { ...j, status: 'success', failed_step: null },
    ),
  });
}

/** A matrix of 15 jobs whose names contain commas; 12 failed. */
export function longMatrix(): CiEvent {
  const jobs: JobSummary[] = [];
  let id = 10;
  for (const os of ['ubuntu-latest', 'windows-latest', 'macos-latest']) {
    for (const node of [18, 20, 22, 24, 25]) {
      const failed = !(os === 'ubuntu-latest' && node < 24);
      jobs.push(
        job(`test (${os}, ${node}, --experimental-vm-modules)`, id++, {
          status: failed ? 'failure' : 'success',
          failed_step: failed ? 'Run npm test' : null,
        }),
      );
    }
  }
  return failureWithJobs({ jobs });
}

/** The commit that looks like markup everywhere, on a branch full of underscores. */
export function trickyCommit(): CiEvent {
  const base = failureWithJobs();
  return failureWithJobs({
    ref: { name: 'feature/PAY-123_retry_logic', type: 'branch', url: null },
    commit: {
      ...base.commit,
      title: 'Fix `null` in *urgent* [PAY-123] #12',
      message: 'Fix `null` in *urgent* [PAY-123] #12',
    },
  });
}

/** Every sample, by the name the preview and the channel tests use. */
export const SAMPLE_EVENTS: Record<string, () => CiEvent> = {
  'failure with jobs': failureWithJobs,
  fixed: fixedRun,
  'still failing': stillFailing,
  cancelled: cancelledRun,
  'pull request': pullRequestRun,
  'long matrix': longMatrix,
};
