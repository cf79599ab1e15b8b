import type { Status } from './types.js';

/** Spellings of GitHub, GitLab, Alibaba Cloud Flow, Jenkins and plain words (DESIGN §3.1). */
const SPELLINGS: Record<string, Status> = {
  success: 'success', succeeded: 'success', successful: 'success', passed: 'success', pass: 'success', ok: 'success', finish: 'success', fixed: 'success', green: 'success',
  failure: 'failure', failed: 'failure', fail: 'failure', error: 'failure', errored: 'failure', timeout: 'failure', timed_out: 'failure', unstable: 'failure', broken: 'failure', red: 'failure',
  cancelled: 'cancelled', canceled: 'cancelled', cancel: 'cancelled', cancelling: 'cancelled', canceling: 'cancelled', aborted: 'cancelled', abort: 'cancelled',
  skipped: 'skipped', skip: 'skipped', not_built: 'skipped', manual: 'skipped',
  running: 'running', in_progress: 'running', started: 'running', preparing: 'running',
  pending: 'pending', queued: 'pending', waiting: 'pending', created: 'pending', scheduled: 'pending', waiting_for_resource: 'pending', requested: 'pending',
  unknown: 'unknown',
};

export interface NormalizedStatus {
  status: Status;
  /** Set when the input was not recognised (the caller logs it as a warning). */
  warning: string | null;
}

export function normalizeStatus(input: string | null | undefined): NormalizedStatus {
  const raw = (input ?? '').trim();
  if (raw === '') return { status: 'unknown', warning: 'status: no status given; reporting "unknown"' };
  const key = raw.toLowerCase().replace(/[\s-]+/g, '_');
  const status = SPELLINGS[key];
  if (status) return { status, warning: null };
  return {
    status: 'unknown',
    warning: `status: "${raw.slice(0, 40)}" is not a status we know; reporting "unknown" (expected success, failure, cancelled, skipped, running or pending)`,
  };
}
