/**
 * `webhook` `format: zadig`: the CiEvent as the workflow notification Zadig posts to a webhook
 * (Zadig docs "工作流通知 → Webhook", https://docs.koderover.com/zadig/Zadig%20v4.2/workflow/im/;
 * the shape and headers in ../shared/SEED_PAYLOADS.md; field types from Zadig's
 * `webhooknotify.WorkflowNotify`), so receivers written for Zadig keep working after a move.
 *
 * Every value comes from the event. What it does not know is what Zadig's Go structs send for a
 * missing value: "" for text, 0 for a time or number, null for a job's `spec` — never a guess.
 * Stages are GitLab's stages (in the order their jobs come); on GitHub, and with any CI without
 * stages, the whole run is one stage with every job in it.
 */
import { nodeCrypto } from '../delivery/signing.js';
import type { CiEvent, JobSummary, Status } from '../event/types.js';

/**
 * ci-notify status → Zadig status (Zadig's `config.Status` words). Zadig also has `timeout`, which
 * ci-notify never reports: CI systems say a timed-out run failed. `unknown` is Zadig's empty status.
 */
export const ZADIG_STATUS: Record<Status, string> = {
  success: 'passed',
  failure: 'failed',
  cancelled: 'cancelled',
  running: 'running',
  pending: 'waiting',
  skipped: 'skipped',
  unknown: '',
};

export interface ZadigJob {
  status: string;
  end_time: number;
  start_time: number;
  spec: null;
  type: string;
  error: string;
  name: string;
}

export interface ZadigStage {
  status: string;
  start_time: number;
  end_time: number;
  name: string;
  jobs: ZadigJob[];
  error: string;
}

export interface ZadigPayload {
  object_kind: 'workflow';
  event: 'workflow';
  workflow: {
    task_creator: string;
    project_name: string;
    task_creator_id: string;
    task_creator_email: string;
    stages: ZadigStage[];
    error: string;
    start_time: number;
    workflow_name: string;
    detail_url: string;
    task_id: number;
    remark: string;
    workflow_display_name: string;
    end_time: number;
    task_creator_phone: string;
    create_time: number;
    status: string;
  };
}

/** Statuses after which a run has its outcome (Zadig sets end_time for these). */
const FINAL: ReadonlySet<Status> = new Set(['success', 'failure', 'cancelled', 'skipped']);

export function toZadigPayload(event: CiEvent): ZadigPayload {
  const start = unixSeconds(event.pipeline.started_at);
  const end = workflowEnd(event);
  const name = event.pipeline.name ?? '';
  return {
    object_kind: 'workflow',
    event: 'workflow',
    // The order of Zadig's documented example, so a payload reads side by side with it.
    workflow: {
      task_creator: event.actor?.login ?? event.actor?.name ?? '',
      project_name: event.repository.full_name ?? '',
      task_creator_id: '',
      task_creator_email: event.actor?.email ?? '',
      stages: zadigStages(event, start, end),
      error: '',
      start_time: start,
      workflow_name: name,
      detail_url: event.pipeline.url ?? '',
      task_id: event.pipeline.number ?? 0,
      remark: '',
      workflow_display_name: name,
      end_time: end,
      // ci-notify's event never carries phone numbers (people's numbers stay in the people map).
      task_creator_phone: '',
      // One start time is all the event has: the run was created no later than it started.
      create_time: start,
      status: ZADIG_STATUS[event.status],
    },
  };
}

/**
 * When the run ended: its own end when the CI says (a watched `workflow_run`), else — for a final
 * status — the moment ci-notify reported it (the event's timestamp: the notification is the run's
 * last word). 0 while it is still going, as Zadig sends.
 */
function workflowEnd(event: CiEvent): number {
  const finished = unixSeconds(event.pipeline.finished_at);
  if (finished) return finished;
  return FINAL.has(event.status) ? unixSeconds(event.timestamp) : 0;
}

function zadigStages(event: CiEvent, start: number, end: number): ZadigStage[] {
  const staged = event.jobs.some((job) => job.stage !== null);
  if (!staged) {
    // GitHub (and any CI without stages): the workflow is one stage, with the run's status and times.
    return [
      {
        status: ZADIG_STATUS[event.status],
        start_time: start,
        end_time: end,
        name: event.pipeline.name ?? '',
        jobs: event.jobs.map(zadigJob),
        error: '',
      },
    ];
  }
  const byStage = new Map<string, JobSummary[]>();
  for (const job of event.jobs) {
    const stage = job.stage ?? '';
    byStage.set(stage, [...(byStage.get(stage) ?? []), job]);
  }
  // A job carries only its duration, not when it ran: a stage's times are unknown (0).
  return [...byStage].map(([name, jobs]) => ({
    status: ZADIG_STATUS[stageStatus(jobs)],
    start_time: 0,
    end_time: 0,
    name,
    jobs: jobs.map(zadigJob),
    error: '',
  }));
}

/**
 * A stage's status from its jobs, as GitLab computes it: a failure that is allowed to fail does
 * not fail the stage; otherwise the first of failed, cancelled, running, waiting, unknown that
 * any job has; skipped when every job was skipped; passed when all passed (or were skipped).
 */
export function stageStatus(jobs: JobSummary[]): Status {
  const statuses = new Set(jobs.map((job) => (job.status === 'failure' && job.allow_failure ? 'success' : job.status)));
  for (const status of ['failure', 'cancelled', 'running', 'pending', 'unknown'] as const)
    if (statuses.has(status)) return status;
  if (statuses.size === 1 && statuses.has('skipped')) return 'skipped';
  return 'success';
}

function zadigJob(job: JobSummary): ZadigJob {
  return {
    status: ZADIG_STATUS[job.status],
    end_time: 0,
    start_time: 0,
    // Zadig's spec describes its own job types (build repositories, deploy images): ours have none.
    spec: null,
    type: '',
    error: job.status === 'failure' && job.failed_step ? `step "${job.failed_step}" failed` : '',
    name: job.name,
  };
}

function unixSeconds(iso: string | null): number {
  if (!iso) return 0;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

// ── headers ──────────────────────────────────────────────────────────────────────────────────

/**
 * Zadig's headers (its `webhooknotify` constants). `X-Zadig-Token` carries the secret itself —
 * Zadig sends no signature — and is added by the caller only when `secret` is set. The instance
 * header is left out when the event has no server URL.
 */
export function zadigHeaders(event: CiEvent, webhookUuid: string): Record<string, string> {
  const instance = headerSafeUrl(event.server_url);
  return {
    'X-Zadig-Event': 'workflow',
    'X-Zadig-Event-Uuid': event.id,
    ...(instance ? { 'X-Zadig-Instance': instance } : {}),
    'X-Zadig-Webhook-Uuid': webhookUuid,
  };
}

/**
 * The server URL comes from the CI's environment: sent as a header only when it is an http(s) URL,
 * serialised by the URL parser (which percent-encodes spaces and non-ASCII and drops line breaks),
 * so it can never end the header and start another.
 */
function headerSafeUrl(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    const text = url.pathname === '/' && !url.search && !raw.endsWith('/') ? url.origin : url.href;
    // eslint-disable-next-line no-control-regex -- control characters are what is refused here
    return /[\u0000-\u001f\u007f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** The namespace of the webhook uuids below: fixed, so a target's uuid never changes between releases. */
export const ZADIG_WEBHOOK_NAMESPACE = '4f0c8a52-6c3e-5b7d-9a41-2e8f6d1c0b37';

/**
 * Zadig gives each configured webhook a uuid; here the target is the webhook. A name-based UUID of
 * the target's URL and name: the same on every run and attempt, different per target, and one-way,
 * so it never reveals the URL (which carries tokens).
 */
export function zadigWebhookUuid(url: string, targetName: string): string {
  return nameBasedUuid(ZADIG_WEBHOOK_NAMESPACE, `${url}\n${targetName}`);
}

/** A version 5 (SHA-1, name-based) UUID, RFC 9562 §5.5. */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = nodeCrypto()
    .createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
