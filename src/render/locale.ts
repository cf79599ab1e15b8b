/**
 * The words of every default message in English and Chinese (MESSAGES.md "Words and signs"):
 * status words, signs and colours, fact labels, trigger words and durations. Data first, so a new
 * locale is one more column and nothing else changes.
 */
import type { Status } from '../event/types.js';
import type { JobState, Locale, Outcome, OutcomeColour } from './types.js';

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

/** The outcome as the end of the title: "CI #128 failed (was passing)", "CI #128 仍失败" (MESSAGES.md). */
const OUTCOME_PHRASES: Record<Locale, Record<Outcome, string>> = {
  en: {
    success: 'succeeded',
    fixed: 'fixed',
    warnings: 'passed with warnings',
    failure: 'failed',
    regressed: 'failed (was passing)',
    still_failing: 'still failing',
    cancelled: 'cancelled',
    skipped: 'skipped',
    running: 'running',
    pending: 'waiting',
    unknown: 'status unknown',
  },
  zh: {
    success: '成功',
    fixed: '已修复',
    warnings: '成功（有警告）',
    failure: '失败',
    regressed: '失败（上次成功）',
    still_failing: '仍失败',
    cancelled: '已取消',
    skipped: '已跳过',
    running: '运行中',
    pending: '等待中',
    unknown: '状态未知',
  },
};

const OUTCOME_SIGNS: Record<Outcome, string> = {
  success: '✅',
  fixed: '✅',
  warnings: '⚠️',
  failure: '❌',
  regressed: '❌',
  still_failing: '❌',
  cancelled: '⏹️',
  skipped: '⏭️',
  running: '🔄',
  pending: '⏳',
  unknown: '❔',
};

const GREEN: OutcomeColour = { lark: 'green', wecom: 'info', template_card: 3, hex: '#1a7f37' };
const RED: OutcomeColour = { lark: 'red', wecom: 'warning', template_card: 2, hex: '#cf222e' };
const GREY: OutcomeColour = { lark: 'grey', wecom: 'comment', template_card: 0, hex: '#6e7781' };

const OUTCOME_COLOURS: Record<Outcome, OutcomeColour> = {
  success: GREEN,
  fixed: GREEN,
  warnings: { lark: 'orange', wecom: 'warning', template_card: 0, hex: '#9a6700' },
  failure: RED,
  regressed: RED,
  still_failing: RED,
  cancelled: GREY,
  skipped: GREY,
  running: { lark: 'blue', wecom: 'comment', template_card: 0, hex: '#0969da' },
  pending: { lark: 'yellow', wecom: 'comment', template_card: 0, hex: '#9a6700' },
  unknown: GREY,
};

export function statusWord(status: Status, locale: Locale): string {
  return STATUS_WORDS[locale][status];
}

/** The plain status as the end of a sentence ("failed"): the outcome without transition or warnings. */
export function statusPhrase(status: Status, locale: Locale): string {
  return OUTCOME_PHRASES[locale][status];
}

export function outcomePhrase(outcome: Outcome, locale: Locale): string {
  return OUTCOME_PHRASES[locale][outcome];
}

/** The sign of a plain status (the outcome of the same name). */
export function statusSign(status: Status): string {
  return OUTCOME_SIGNS[status];
}

export function outcomeSign(outcome: Outcome): string {
  return OUTCOME_SIGNS[outcome];
}

export function outcomeColour(outcome: Outcome): OutcomeColour {
  return { ...OUTCOME_COLOURS[outcome] };
}

/** Every label and phrase a default message shows. */
export interface Labels {
  pull_request: string;
  merge_request: string;
  commit: string;
  author: string;
  trigger: string;
  duration: string;
  culprits: string;
  params: string;
  view_run: string;
  /** "Pipeline" when the pipeline has no name: "Pipeline #128 failed". */
  pipeline_fallback: string;
  /** ": " / "：" after a label; ", " / "、" between list entries. */
  colon: string;
  list: string;
  /** The heading of a jobs section: "2 of 5 jobs failed" / "5 个任务中 2 个失败". */
  jobs_heading: (state: JobState, count: number, total: number) => string;
  /** After the listed jobs: "and 7 more" / "等 7 个". */
  and_more: (n: number) => string;
  /** What a count of jobs is, in at most 15 characters (WeCom template_card emphasis): "jobs failed". */
  jobs_short: (state: JobState) => string;
  /** A job in a short list (WeCom template_card keyname, at most 5 characters): "Job" / "任务". */
  job: string;
  /** The trigger line: "push by octocat" / "推送（octocat）"; "started by octocat" when how is unknown. */
  triggered: (how: string | null, who: string | null) => string;
  /** "attempt 2" / "第 2 次运行". */
  attempt: (n: number) => string;
  /** The duration in the trigger line: "1m 33s" / "耗时 1 分 33 秒". */
  took: (duration: string) => string;
}

const EN_JOB_STATES: Record<JobState, string> = {
  failed: 'failed',
  allowed_failure: 'failed (allowed to fail)',
  cancelled: 'cancelled',
  running: 'running',
  waiting: 'waiting',
};

const ZH_JOB_STATES: Record<JobState, string> = {
  failed: '失败',
  allowed_failure: '失败（允许失败）',
  cancelled: '已取消',
  running: '运行中',
  waiting: '等待中',
};

const LABELS: Record<Locale, Labels> = {
  en: {
    pull_request: 'Pull request',
    merge_request: 'Merge request',
    commit: 'Commit',
    author: 'Author',
    trigger: 'Triggered by',
    duration: 'Duration',
    culprits: 'Culprits',
    params: 'Params',
    view_run: 'View run',
    pipeline_fallback: 'Pipeline',
    colon: ': ',
    list: ', ',
    jobs_heading: (state, count, total) => {
      const jobs = count === 1 ? 'job' : 'jobs';
      // "2 of 5 jobs failed" says how much of the run broke; running and waiting jobs are just counted.
      if (state === 'running' || state === 'waiting' || count === total)
        return `${count} ${jobs} ${EN_JOB_STATES[state]}`;
      return `${count} of ${total} ${total === 1 ? 'job' : 'jobs'} ${EN_JOB_STATES[state]}`;
    },
    and_more: (n) => `and ${n} more`,
    jobs_short: (state) => (state === 'allowed_failure' ? 'allowed to fail' : `jobs ${EN_JOB_STATES[state]}`),
    job: 'Job',
    triggered: (how, who) => (how === null ? `started by ${who ?? ''}` : who === null ? how : `${how} by ${who}`),
    attempt: (n) => `attempt ${n}`,
    took: (duration) => duration,
  },
  zh: {
    pull_request: '拉取请求',
    merge_request: '合并请求',
    commit: '提交',
    author: '作者',
    trigger: '触发',
    duration: '耗时',
    culprits: '可能相关',
    params: '参数',
    view_run: '查看详情',
    pipeline_fallback: '流水线',
    colon: '：',
    list: '、',
    jobs_heading: (state, count, total) => {
      if (state === 'running' || state === 'waiting' || count === total)
        return `${count} 个任务${ZH_JOB_STATES[state]}`;
      return `${total} 个任务中 ${count} 个${ZH_JOB_STATES[state]}`;
    },
    and_more: (n) => `等 ${n} 个`,
    jobs_short: (state) => `任务${ZH_JOB_STATES[state]}`,
    job: '任务',
    triggered: (how, who) => (how === null ? `由 ${who ?? ''} 触发` : who === null ? how : `${how}（${who}）`),
    attempt: (n) => `第 ${n} 次运行`,
    took: (duration) => `耗时 ${duration}`,
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
