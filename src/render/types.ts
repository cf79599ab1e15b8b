import type { CiEvent, RefType, Status } from '../event/types.js';

export type Locale = 'en' | 'zh';

/** What `fields` can name (DESIGN §4). */
export const FIELD_NAMES = [
  'repository',
  'pipeline',
  'ref',
  'commit',
  'author',
  'duration',
  'trigger',
  'jobs',
  'params',
  'link',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/**
 * What the message says happened: the status refined by the transition (fixed, regressed, still
 * failing) and by allowed failures (a success with a failed `allow_failure` job is `warnings`).
 */
export const OUTCOMES = [
  'success',
  'fixed',
  'warnings',
  'failure',
  'regressed',
  'still_failing',
  'cancelled',
  'skipped',
  'running',
  'pending',
  'unknown',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * A run of text in a line. `text` is PLAIN text, one line, and UNTRUSTED when it came from the
 * repository (job, branch and author names, commit titles): every channel escapes it for its own
 * markup and neutralises mentions. `url` is always an absolute http(s) URL (render/text.ts safeUrl),
 * so a channel can link it as given after its own URL quoting.
 */
export interface Span {
  text: string;
  url?: string;
  /** strong: bold (a section heading); muted: secondary, grey where the platform has colour; code: a sha. */
  style?: 'strong' | 'muted' | 'code';
}

/** One line of the body. `item` marks a list entry (one failed job), shown with a bullet where lists exist. */
export interface Line {
  spans: Span[];
  item?: boolean;
}

/** Which jobs a jobs section lists. */
export type JobState = 'failed' | 'allowed_failure' | 'cancelled' | 'running' | 'waiting';

export interface JobEntry {
  /** The full job name (matrix names whole: "test (ubuntu, 20)"), one line, capped in length. */
  name: string;
  /** The job's log, or null. */
  url: string | null;
  /** The first failed step ("Run tests"), when the CI said. */
  step: string | null;
}

/**
 * Sections of the default body, in the order they are shown. Each carries its content three ways:
 * as typed data (for native layouts: a WeCom template_card list, Discord embed fields), as `lines`
 * of spans (for markup layouts: markdown, HTML, rich text — walk the lines, map each span to the
 * markup) and as label/value `facts` (for tables: an e-mail facts table, a Teams FactSet; a jobs
 * section has none, it is a list).
 */
export type Section =
  JobsSection | ChangeRequestSection | CommitSection | TriggerSection | PeopleSection | ParamsSection;

interface SectionBase {
  lines: Line[];
  facts: Fact[];
}

/** "2 of 5 jobs failed", then the jobs (the first MAX_LISTED_JOBS), then "and 7 more". Field `jobs`. */
export interface JobsSection extends SectionBase {
  kind: 'jobs';
  state: JobState;
  /** How many jobs are in this state, and how many jobs the run has. */
  count: number;
  total: number;
  /** "2 of 5 jobs failed" / "5 个任务中 2 个失败". */
  heading: string;
  /** The first jobs in this state, in the CI's order. */
  jobs: JobEntry[];
  /** Jobs in this state that are not listed (0 when all are). */
  more: number;
  /** "and 7 more" / "等 7 个", or null when every job is listed. */
  more_text: string | null;
}

/** A pull/merge request: "Add retries · feature/x → main", linked to it. Field `ref`. */
export interface ChangeRequestSection extends SectionBase {
  kind: 'change_request';
  /** "Pull request" / "Merge request" (localised). */
  label: string;
  /** "#12" on GitHub, "!12" on GitLab; null when the number is unknown. */
  number: string | null;
  title: string | null;
  url: string | null;
  source_branch: string | null;
  target_branch: string | null;
}

/** "9f8e7d6 Fix payment path · Mona Lisa", the sha linked. Fields `commit` (sha, title) and `author`. */
export interface CommitSection extends SectionBase {
  kind: 'commit';
  sha: string | null;
  url: string | null;
  /** The commit title, shortened on a character boundary. */
  title: string | null;
  author: string | null;
}

/** "push by octocat · attempt 2 · 1m 33s". Fields `trigger` (how, who, attempt) and `duration`. */
export interface TriggerSection extends SectionBase {
  kind: 'trigger';
  /** "push", "manual run" / "推送" … */
  how: string | null;
  /** Who started the run, when that is not the commit's author. */
  who: string | null;
  /** The attempt number of a re-run (2 and up), else null. */
  attempt: number | null;
  /** "1m 33s" / "1 分 33 秒". */
  duration: string | null;
}

/** "Culprits: Ann, Bob" / "可能相关：Ann、Bob" — names only (mentions go through at_*). Field `author`. */
export interface PeopleSection extends SectionBase {
  kind: 'culprits';
  label: string;
  names: string[];
}

/** "Params: env=prod" from the `params` input. Field `params`. */
export interface ParamsSection extends SectionBase {
  kind: 'params';
  label: string;
  params: { key: string; value: string }[];
}

/**
 * One labelled fact, for label/value layouts (an e-mail facts table, a plain "Label: value" line).
 * `value` and `link_text` are UNTRUSTED plain text; escape them for the markup.
 */
export interface Fact {
  field: FieldName;
  /** Localised label: "Author" / "作者". */
  label: string;
  value: string;
  /** Optional link for the value (a commit URL, a pull request URL). */
  url?: string | null;
  /** For `commit`: the short sha that is linked, followed by `value` (the title). */
  link_text?: string | null;
}

/** A piece of the user's `template` after rendering: their own text (`value: false`) or an inserted value. */
export interface TemplatePart {
  text: string;
  /** True for a value from the event or the environment: UNTRUSTED, escape it for the markup. */
  value: boolean;
}

/** Colours per MESSAGES.md "Words and signs". */
export interface OutcomeColour {
  /** Lark card header `template`. */
  lark: string;
  /** WeCom markdown `<font color>`: the only three it knows (API_FACTS §B.2). */
  wecom: 'info' | 'warning' | 'comment';
  /** WeCom template_card `source.desc_color`: 0 grey, 1 black, 2 red, 3 green. */
  template_card: 0 | 1 | 2 | 3;
  /** E-mail status bar and links (readable on white). */
  hex: string;
}

/**
 * The default message every channel lays out in its own markup (MESSAGES.md). Led by the outcome:
 * the title says what happened and where, the first body section says what broke.
 */
export interface MessageModel {
  locale: Locale;
  status: Status;
  outcome: Outcome;
  /** The status as a word that stands alone: "Failed" / "失败" (a badge, `${status_text}`). */
  status_text: string;
  /** The outcome as the end of the title: "failed (was passing)" / "失败（上次成功）". */
  outcome_text: string;
  /** The outcome's sign: "❌", "⚠️" for warnings. */
  status_emoji: string;
  colour: OutcomeColour;
  /**
   * Plain-text title, one line: the user's rendered `title` template, or the default
   * "❌ acme/api · main · CI #128 failed (was passing)". Untrusted parts are inside; escape it as a
   * whole for markup. The same words are the DingTalk preview, the Lark header, the e-mail subject.
   */
  title: string;
  /**
   * The default title up to the outcome ("❌ acme/api · main · CI #128 "), so a layout can colour
   * the outcome: `title === title_prefix + outcome_text`. null when the title is the user's.
   */
  title_prefix: string | null;
  /** The end of the default title without repository and ref: "CI #128 failed (was passing)". */
  headline: string;
  /** "acme/api" (full name, else name), or null. */
  repository: string | null;
  repository_url: string | null;
  /** The ref as the title names it: "main", "PR #12", "MR !12", "v1.2.0". */
  ref: { text: string; type: RefType | null; url: string | null } | null;
  /** The user's rendered `template` as plain text (replaces the default body), or null. */
  body: string | null;
  /** The same, in pieces: the user's own text (their markup) and the inserted values (escape those). */
  body_parts: TemplatePart[] | null;
  /** The default body, in order (narrowed by `fields`). Shown when `body` is null. */
  sections: Section[];
  /** Every section's facts, in the same order (jobs sections have none: they are lists). */
  facts: Fact[];
  /** Locale punctuation for "Label: value" and lists: ": " / "：", ", " / "、". */
  punctuation: { colon: string; list: string };
  /** "View run" / "查看详情" and the run URL, unless `fields` excludes `link` or there is no URL. */
  link: { label: string; url: string } | null;
  /** The event, for channels that need more. */
  event: CiEvent;
}
