import { shownValue } from '../inputs.js';
import type { Status } from './types.js';

/**
 * Spellings of GitHub, GitLab, Alibaba Cloud Flow, Jenkins and plain words (DESIGN §3.1), after
 * lower-casing and turning spaces/dashes into `_`. Where a word is ambiguous, the choice is what a
 * person reading the notification would call it:
 * - Jenkins UNSTABLE (tests failed, build ran) is a failure; NOT_BUILT is skipped.
 * - Flow FINISH is a finished run without a failure: success. CANCELLING is already cancelled for us.
 * - GitLab `manual` (waiting for someone to press play, usually never) is skipped; `created`,
 *   `scheduled`, `preparing` and `waiting_for_resource` have not started yet: pending.
 * - GitHub check conclusions seen through the API: `timed_out`/`startup_failure` are failures,
 *   `action_required` waits for a person (pending), `neutral` neither passed nor failed (skipped).
 */
// prettier-ignore
const SPELLINGS: Record<string, Status> = {
  success: 'success', succeeded: 'success', succeed: 'success', successful: 'success', success_with_warnings: 'success',
  passed: 'success', pass: 'success', ok: 'success', finish: 'success', finished: 'success', fixed: 'success', green: 'success',

  failure: 'failure', failed: 'failure', fail: 'failure', error: 'failure', errored: 'failure', timeout: 'failure',
  timed_out: 'failure', startup_failure: 'failure', unstable: 'failure', broken: 'failure', red: 'failure',

  cancelled: 'cancelled', canceled: 'cancelled', cancel: 'cancelled', cancelling: 'cancelled', canceling: 'cancelled',
  aborted: 'cancelled', abort: 'cancelled',

  skipped: 'skipped', skip: 'skipped', not_built: 'skipped', manual: 'skipped', neutral: 'skipped',

  running: 'running', in_progress: 'running', started: 'running',

  pending: 'pending', queued: 'pending', waiting: 'pending', created: 'pending', scheduled: 'pending', preparing: 'pending',
  waiting_for_resource: 'pending', requested: 'pending', action_required: 'pending',

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
  const status = Object.hasOwn(SPELLINGS, key) ? SPELLINGS[key] : undefined;
  if (status) return { status, warning: null };
  return {
    status: 'unknown',
    warning: `status: ${shownValue(raw, 40)} is not a status we know; reporting "unknown" (expected success, failure, cancelled, skipped, running or pending)`,
  };
}
