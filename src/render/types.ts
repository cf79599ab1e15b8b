import type { CiEvent, Status } from '../event/types.js';

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
 * One line of facts. `value` (and `link_text`) is UNTRUSTED plain text straight from the
 * repository: every channel escapes it for its own markup and neutralises mentions.
 */
export interface Fact {
  field: FieldName;
  /** Localised label: "Branch" / "分支". */
  label: string;
  value: string;
  /** Optional link for the value (a commit URL, a ref URL). */
  url?: string | null;
  /** For `commit`: the short sha that is linked, followed by `value` (the title). */
  link_text?: string | null;
}

/** The default message every channel renders in its own markup (MESSAGES.md). */
export interface MessageModel {
  locale: Locale;
  status: Status;
  /** "Failed" / "失败". */
  status_text: string;
  /** "❌". */
  status_emoji: string;
  /** Colours per MESSAGES.md: Lark header template, WeCom font colour, e-mail hex. */
  colour: { lark: string; wecom: 'info' | 'warning' | 'comment'; hex: string };
  /**
   * Plain-text title: the user's rendered `title` template, or the default
   * "❌ acme/api · CI #128 failed". Untrusted parts are inside; escape for markup.
   */
  title: string;
  /** "CI #128 failed": the headline without repository (for card bodies). */
  headline: string;
  repository: string | null;
  /** The user's rendered `template` when given (replaces the default body text). */
  body: string | null;
  facts: Fact[];
  /** "View run" / "查看详情" and the run URL, unless `fields` excludes `link` or there is no URL. */
  link: { label: string; url: string } | null;
  /** The event, for channels that need more. */
  event: CiEvent;
}
