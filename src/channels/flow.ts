/**
 * `webhook` `format: flow`: the CiEvent as the task-status JSON that Alibaba Cloud Flow's webhook
 * notification plugin posts (Flow: "使用webhook插件发送通知",
 * https://help.aliyun.com/document_detail/160761.html; the shape in ../shared/SEED_PAYLOADS.md),
 * so receivers written for Flow keep working after a move to GitHub or GitLab.
 *
 * Flow attaches the plugin to a task and reports that task's status. ci-notify runs as a step of a
 * job and reports the status it is given (by default the job's own, `job.status`), so the "task"
 * is the job that runs ci-notify and its stage. Every value comes from the event: what the event
 * does not know is an empty string, as Flow's own example shows for a value it lacks — never a
 * guess. Machine-readable text (statusName, message) is English whatever `locale` says: a
 * receiver matches on it, and the locale is for people reading chat messages.
 */
import type { CiEvent, Status } from '../event/types.js';

/** Flow's statusCode vocabulary (its documentation lists exactly these). */
export const FLOW_STATUS_CODES = [
  'UNKNOWN',
  'RUNNING',
  'WAITING',
  'CANCELLING',
  'CANCELED',
  'FINISH',
  'SUCCESS',
  'FAIL',
  'SKIP',
] as const;
export type FlowStatusCode = (typeof FLOW_STATUS_CODES)[number];

/**
 * ci-notify status → Flow statusCode, statusName and the verb of the message. CANCELLING and FINISH
 * are never sent: a status that ci-notify reports is either still going or has its final outcome,
 * and FINISH ("ended, outcome not said") would hide an outcome the event knows.
 */
export const FLOW_STATUS: Record<Status, { code: FlowStatusCode; name: string; verb: string }> = {
  success: { code: 'SUCCESS', name: 'Success', verb: 'succeeded' },
  failure: { code: 'FAIL', name: 'Failed', verb: 'failed' },
  cancelled: { code: 'CANCELED', name: 'Canceled', verb: 'was canceled' },
  skipped: { code: 'SKIP', name: 'Skipped', verb: 'was skipped' },
  running: { code: 'RUNNING', name: 'Running', verb: 'is running' },
  pending: { code: 'WAITING', name: 'Waiting', verb: 'is waiting' },
  unknown: { code: 'UNKNOWN', name: 'Unknown', verb: 'has an unknown status' },
};

export interface FlowPayload {
  event: 'task';
  action: 'status';
  task: {
    pipelineId: string;
    pipelineName: string;
    stageName: string;
    taskName: string;
    buildNumber: string;
    statusCode: FlowStatusCode;
    statusName: string;
    pipelineUrl: string;
    message: string;
  };
  sources: { repo: string; branch: string; commitId: string; previousCommitId: string }[];
  globalParams: { key: string; value: string }[];
}

export function toFlowPayload(event: CiEvent): FlowPayload {
  const status = FLOW_STATUS[event.status];
  const pipelineName = event.pipeline.name ?? '';
  const stageName = event.job?.stage ?? '';
  const taskName = event.job?.name ?? '';
  return {
    event: 'task',
    action: 'status',
    task: {
      pipelineId: event.pipeline.id ?? '',
      pipelineName,
      stageName,
      taskName,
      // Flow's build number is the run's number people see (GitHub run_number, GitLab pipeline IID).
      buildNumber: event.pipeline.number === null ? '' : String(event.pipeline.number),
      statusCode: status.code,
      statusName: status.name,
      pipelineUrl: event.pipeline.url ?? '',
      message: flowMessage(event, { pipelineName, stageName, taskName, verb: status.verb }),
    },
    sources: flowSources(event),
    globalParams: Object.entries(event.params).map(([key, value]) => ({ key, value })),
  };
}

/**
 * Flow's sentence ("Pipeline [test pipeline] stage [Build] task [java build] succeeded."), with
 * only the parts the event knows, and the failed jobs when the run failed (what a reader wants next).
 */
function flowMessage(
  event: CiEvent,
  parts: { pipelineName: string; stageName: string; taskName: string; verb: string },
): string {
  const words = ['Pipeline'];
  if (parts.pipelineName) words.push(`[${parts.pipelineName}]`);
  if (parts.stageName) words.push(`stage [${parts.stageName}]`);
  if (parts.taskName) words.push(`task [${parts.taskName}]`);
  let message = `${words.join(' ')} ${parts.verb}.`;
  const failed = event.jobs.filter((job) => job.status === 'failure' && !job.allow_failure).map((job) => job.name);
  if (event.status === 'failure' && failed.length > 0) message += ` Failed jobs: ${failed.join(', ')}.`;
  return message;
}

/**
 * One source: the repository the run built. `branch` is the branch of a push, the source branch
 * of a pull/merge request, or the tag; `previousCommitId` the commit before the push.
 */
function flowSources(event: CiEvent): FlowPayload['sources'] {
  const repo = event.repository.url ?? '';
  const branch = event.change_request?.source_branch ?? event.ref.name ?? '';
  const commitId = event.commit.sha ?? '';
  if (!repo && !branch && !commitId) return [];
  return [{ repo, branch, commitId, previousCommitId: event.commit.before_sha ?? '' }];
}
