/**
 * The words of every default message in English and Chinese (MESSAGES.md "Words and signs"):
 * status words, signs and colours, fact labels, trigger words and durations. Data first, so a new
 * locale is one more column and nothing else changes.
 */
import type { Status } from '../event/types.js';
import type { Locale } from './types.js';

export const LOCALES: readonly Locale[] = ['en', 'zh'];

/** The status as a word that stands alone ("Failed" in a fact, a badge, `${status_text}`). */
const STATUS_WORDS: Record<Locale, Record<Status, string>> = {
  en: {
    success: 'Succeeded',
    failure: 'Failed',
    cancelled: 'Cancelled',
    skipped: 'Skipped',
    running: 'Running',
    pending: 'Waiting',
    unknown: 'Unknown',
  },
  zh: {
    success: '成功',
    failure: '失败',
    cancelled: '已取消',
    skipped: '已跳过',
    running: '运行中',
    pending: '等待中',
    unknown: '未知',
  },
};

/** The status as the end of a sentence about the run: "CI #128 failed", "CI #128 状态未知". */
const STATUS_PHRASES: Record<Locale, Record<Status, string>> = {
  en: {
    success: 'succeeded',
    failure: 'failed',
    cancelled: 'cancelled',
    skipped: 'skipped',
    running: 'running',
    pending: 'waiting',
    unknown: 'status unknown',
  },
  zh: {
    success: '成功',
    failure: '失败',
    cancelled: '已取消',
    skipped: '已跳过',
    running: '运行中',
    pending: '等待中',
    unknown: '状态未知',
  },
};

const STATUS_SIGNS: Record<Status, string> = {
  success: '✅',
  failure: '❌',
  cancelled: '⏹️',
  skipped: '⏭️',
  running: '🔄',
  pending: '⏳',
  unknown: '❔',
};

export interface StatusColour {
  /** Lark card header `template` (a Lark colour name). */
  lark: string;
  /** WeCom markdown `<font color>`: the only three it knows (API_FACTS §B.2). */
  wecom: 'info' | 'warning' | 'comment';
  /** E-mail status bar (GitHub Primer colours, readable on white). */
  hex: string;
}

const STATUS_COLOURS: Record<Status, StatusColour> = {
  success: { lark: 'green', wecom: 'info', hex: '#1a7f37' },
  failure: { lark: 'red', wecom: 'warning', hex: '#cf222e' },
  cancelled: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
  skipped: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
  running: { lark: 'blue', wecom: 'comment', hex: '#0969da' },
  pending: { lark: 'yellow', wecom: 'comment', hex: '#9a6700' },
  unknown: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
};

export function statusWord(status: Status, locale: Locale): string {
  return STATUS_WORDS[locale][status];
}

export function statusPhrase(status: Status, locale: Locale): string {
  return STATUS_PHRASES[locale][status];
}

export function statusSign(status: Status): string {
  return STATUS_SIGNS[status];
}

export function statusColour(status: Status): StatusColour {
  return { ...STATUS_COLOURS[status] };
}

/** Every label a default message shows. */
export interface Labels {
  repository: string;
  pipeline: string;
  branch: string;
  tag: string;
  pull_request: string;
  merge_request: string;
  /** A ref whose type the CI did not tell. */
  ref: string;
  commit: string;
  author: string;
  trigger: string;
  duration: string;
  failed_jobs: string;
  jobs: string;
  params: string;
  view_run: string;
  /** "CI" when the pipeline has no name: "Pipeline #128 failed". */
  pipeline_fallback: string;
  /** Appended as is to the pipeline fact of a re-run: "CI #128 (attempt 2)" / "CI #128（第 2 次运行）". */
  attempt: (n: number) => string;
  /** "test, lint and 3 more" / "test、lint 及另外 3 个" when the failed jobs list is cut. */
  and_more: (n: number) => string;
}

const LABELS: Record<Locale, Labels> = {
  en: {
    repository: 'Repository',
    pipeline: 'Pipeline',
    branch: 'Branch',
    tag: 'Tag',
    pull_request: 'Pull request',
    merge_request: 'Merge request',
    ref: 'Ref',
    commit: 'Commit',
    author: 'Author',
    trigger: 'Triggered by',
    duration: 'Duration',
    failed_jobs: 'Failed jobs',
    jobs: 'Jobs',
    params: 'Params',
    view_run: 'View run',
    pipeline_fallback: 'Pipeline',
    attempt: (n) => ` (attempt ${n})`,
    and_more: (n) => `and ${n} more`,
  },
  zh: {
    repository: '仓库',
    pipeline: '流水线',
    branch: '分支',
    tag: '标签',
    pull_request: '拉取请求',
    merge_request: '合并请求',
    ref: '引用',
    commit: '提交',
    author: '作者',
    trigger: '触发',
    duration: '耗时',
    failed_jobs: '失败任务',
    jobs: '任务',
    params: '参数',
    view_run: '查看详情',
    pipeline_fallback: '流水线',
    attempt: (n) => `（第 ${n} 次运行）`,
    and_more: (n) => `及另外 ${n} 个`,
  },
};

export function labels(locale: Locale): Labels {
  return LABELS[locale];
}

/**
 * What started the run, in words. Keys are the raw values the CIs use: GitHub `event_name`
 * (push, pull_request, schedule, workflow_dispatch, …) and GitLab `CI_PIPELINE_SOURCE` (push, web,
 * schedule, api, merge_request_event, trigger, pipeline, parent_pipeline, …). English keeps the
 * CI's own short words where people already know them ("push"); an unknown value is shown as it
 * came, with underscores read as spaces.
 */
const TRIGGER_WORDS: Record<Locale, Record<string, string>> = {
  en: {
    push: 'push',
    pull_request: 'pull request',
    pull_request_target: 'pull request',
    merge_request_event: 'merge request',
    external_pull_request_event: 'pull request',
    merge_group: 'merge queue',
    schedule: 'schedule',
    workflow_dispatch: 'manual run',
    web: 'manual run',
    manual: 'manual run',
    api: 'API',
    trigger: 'trigger token',
    repository_dispatch: 'API',
    pipeline: 'upstream pipeline',
    parent_pipeline: 'parent pipeline',
    workflow_run: 'upstream workflow',
    workflow_call: 'calling workflow',
    release: 'release',
    tag: 'tag',
    chat: 'ChatOps',
    webide: 'Web IDE',
  },
  zh: {
    push: '推送',
    pull_request: '拉取请求',
    pull_request_target: '拉取请求',
    merge_request_event: '合并请求',
    external_pull_request_event: '拉取请求',
    merge_group: '合并队列',
    schedule: '定时',
    workflow_dispatch: '手动运行',
    web: '手动运行',
    manual: '手动运行',
    api: 'API',
    trigger: '触发令牌',
    repository_dispatch: 'API',
    pipeline: '上游流水线',
    parent_pipeline: '父流水线',
    workflow_run: '上游工作流',
    workflow_call: '调用方工作流',
    release: '发布',
    tag: '标签',
    chat: 'ChatOps',
    webide: 'Web IDE',
  },
};

export function triggerWord(trigger: string, locale: Locale): string {
  const known = TRIGGER_WORDS[locale][trigger.trim().toLowerCase()];
  return known ?? trigger.replace(/_/g, ' ');
}

/**
 * A run's length the way people say it: en "850 ms", "45s", "1m 33s", "2m", "2h 5m";
 * zh "850 毫秒", "45 秒", "1 分 33 秒", "2 小时 5 分". Seconds are rounded; above an hour they are
 * dropped (nobody cares about the seconds of a two-hour run). Negative or non-finite → null.
 */
export function formatDuration(ms: number | null | undefined, locale: Locale): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return null;
  const zh = locale === 'zh';
  if (ms < 1000) return zh ? `${Math.round(ms)} 毫秒` : `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (hours > 0) {
    parts.push(zh ? `${hours} 小时` : `${hours}h`);
    if (minutes > 0) parts.push(zh ? `${minutes} 分` : `${minutes}m`);
  } else if (minutes > 0) {
    parts.push(zh ? `${minutes} 分` : `${minutes}m`);
    if (seconds > 0) parts.push(zh ? `${seconds} 秒` : `${seconds}s`);
  } else {
    parts.push(zh ? `${seconds} 秒` : `${seconds}s`);
  }
  return parts.join(' ');
}

/** Lists in running text: "test, lint" / "test、lint". */
export function listSeparator(locale: Locale): string {
  return locale === 'zh' ? '、' : ', ';
}
