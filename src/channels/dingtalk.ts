/**
 * DingTalk custom group robot (钉钉自定义机器人), API_FACTS §A.
 * Reads top to bottom: options, limits, payload builders, request builder, answer reader, send.
 */
import { z } from './schema.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { dingtalkSignedUrl } from '../delivery/signing.js';
import { layoutSections, layoutTemplate, plainBody, type Clip, type Markup } from '../render/layout.js';
import type { MessageModel } from '../render/types.js';
import { controlFree, escapeChatMarkdown, flatLine, neutralizeMentions } from '../render/text.js';
import { fitWithinBytes, jsonBytes, NO_CLIP, truncationMarker } from './byte-budget.js';
import {
  numericField,
  readRobotAnswer,
  stringField,
  writerOf,
  type BodyWriter,
  type CodeMeaning,
} from './robot-hints.js';
import { robotUrlField, robotWebhookUrl, type RobotUrl, type RobotUrlRule } from './robot-url.js';
import type { Channel, SendContext } from './types.js';
import { jsonErrorWithoutText } from '../render/json-error.js';

// ---------------------------------------------------------------------------------------------
// Options

export const DINGTALK_HOST = 'oapi.dingtalk.com';
const DINGTALK_SEND = `https://${DINGTALK_HOST}/robot/send`;
const URL_EXPECTED = `expected the DingTalk webhook URL (${DINGTALK_SEND}?access_token=…) or its access_token`;

export interface DingTalkOptions {
  /** The webhook URL with access_token (a bare token is expanded; other hosts are kept for gateways). */
  url: string;
  /** The robot's "SEC…" signing secret, '' when the robot does not sign. */
  secret: string;
}

/** `url` takes the full webhook URL or only its access_token (`300001 token is not exist` otherwise). */
export const DINGTALK_URL_RULE: RobotUrlRule = {
  expected: URL_EXPECTED,
  hosts: [DINGTALK_HOST],
  prefix: 'access_token=',
  checkOfficial: (url) =>
    url.searchParams.get('access_token')
      ? null
      : 'the DingTalk webhook URL has no access_token; copy the whole URL from the robot settings',
  fromCredential: (token) => `${DINGTALK_SEND}?access_token=${token}`,
};

export function dingtalkWebhookUrl(input: string): RobotUrl {
  return robotWebhookUrl(input, DINGTALK_URL_RULE);
}

export const dingtalkOptions = z.object({
  url: robotUrlField(DINGTALK_URL_RULE),
  secret: z
    .string()
    .default('')
    .transform((value) => value.trim()),
}) satisfies z.ZodType<DingTalkOptions, unknown>;

// ---------------------------------------------------------------------------------------------
// Limits

/** The whole request body; beyond it DingTalk answers 460101 (API_FACTS §A.8). */
export const DINGTALK_BODY_LIMIT = 20_000;

export const DINGTALK_MSG_TYPES = ['actionCard', 'markdown', 'text', 'link', 'feedCard', 'customize'] as const;
export type DingTalkMsgType = (typeof DINGTALK_MSG_TYPES)[number];

/** Types whose payload has an `at` object (API_FACTS §A.2/§A.3: link and feedCard "不支持@人", actionCard has no `at`). */
const MENTIONING_TYPES: ReadonlySet<DingTalkMsgType> = new Set(['text', 'markdown']);

// ---------------------------------------------------------------------------------------------
// Payloads

export interface DingTalkMentions {
  mobiles: string[];
  userIds: string[];
  all: boolean;
}

export interface DingTalkAt {
  atMobiles: string[];
  atUserIds: string[];
  isAtAll: boolean;
}

export type DingTalkPayload =
  | { msgtype: 'text'; text: { content: string }; at?: DingTalkAt }
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at?: DingTalkAt }
  | {
      msgtype: 'actionCard';
      actionCard: { title: string; text: string; singleTitle: string; singleURL: string; btnOrientation: '0' };
    }
  | { msgtype: 'link'; link: { title: string; text: string; messageUrl: string } }
  | { msgtype: 'feedCard'; feedCard: { links: { title: string; messageURL: string }[] } };

export interface DingTalkBuildOptions {
  keyword?: string;
  mentions?: DingTalkMentions | null;
  clip?: Clip;
}

/**
 * The default-message payload of one type. The caller has already moved a mentioning message to
 * a type that can mention (see `chooseDingTalkType`); here mentions are only written for text and
 * markdown, both in `at` and as `@…` in the text — DingTalk highlights and notifies only when the
 * number/userId appears in the text too (API_FACTS §A.3, USER_VOICES #4).
 */
export function dingtalkPayload(
  message: MessageModel,
  type: Exclude<DingTalkMsgType, 'customize'>,
  options: DingTalkBuildOptions = {},
): DingTalkPayload {
  const clip = options.clip ?? NO_CLIP;
  const keyword = options.keyword ?? '';
  const mentions =
    options.mentions && MENTIONING_TYPES.has(type) && hasMentions(options.mentions) ? options.mentions : null;
  // The title is never clipped: it is built from parts already cut to their budgets (render/message.ts).
  const title = withKeyword(plain(message.title), keyword);
  const link = message.link;

  switch (type) {
    case 'text': {
      const lines = [title, ...plainText(message, clip)];
      if (link) lines.push(`${link.label}${message.punctuation.colon}${link.url}`);
      if (mentions) lines.push(mentionLine(mentions));
      return { msgtype: 'text', text: { content: lines.join('\n') }, ...(mentions ? { at: atObject(mentions) } : {}) };
    }
    case 'markdown':
    case 'actionCard': {
      const parts = [markdownBody(message, clip, keyword)];
      if (type === 'markdown' && link) parts.push(`[${escapeChatMarkdown(link.label)}](${mdUrl(link.url)})`);
      if (mentions) parts.push(mentionLine(mentions));
      const text = parts.join('\n\n');
      if (type === 'markdown')
        return { msgtype: 'markdown', markdown: { title, text }, ...(mentions ? { at: atObject(mentions) } : {}) };
      return {
        msgtype: 'actionCard',
        actionCard: { title, text, singleTitle: link?.label ?? '', singleURL: link?.url ?? '', btnOrientation: '0' },
      };
    }
    case 'link': {
      const text = withKeyword(plainText(message, clip).join('\n') || title, keyword);
      return { msgtype: 'link', link: { title, text, messageUrl: link?.url ?? '' } };
    }
    case 'feedCard':
      return { msgtype: 'feedCard', feedCard: { links: [{ title, messageURL: link?.url ?? '' }] } };
  }
}

/**
 * The type actually sent. actionCard, link and feedCard cannot mention anyone (API_FACTS §A.2/§A.3),
 * so when mentions are wanted the message goes out as `markdown` (MESSAGES.md): the same text with
 * the run link as the last line and the `@…` written out, in ONE request. A second text message
 * would also notify people, but it doubles the use of the robot's 20 messages/minute (§A.8) and
 * splits one notification in two. actionCard and link also need a link to open: without one
 * (`fields` without `link`) markdown is the faithful rendering as well.
 *
 * `explicit` says whether the user chose the type (`msg_type`): a switch away from the default is
 * how the default works, not news; a switch away from the user's choice is worth a warning.
 */
export function chooseDingTalkType(
  requested: Exclude<DingTalkMsgType, 'customize'>,
  explicit: boolean,
  wantsMentions: boolean,
  hasLink: boolean,
): { type: Exclude<DingTalkMsgType, 'customize'>; reason: string | null; warn: boolean } {
  if (!MENTIONING_TYPES.has(requested) && wantsMentions) {
    return {
      type: 'markdown',
      reason: `${requested} cannot @-mention people on DingTalk; sending markdown so the mentions notify`,
      warn: explicit,
    };
  }
  if ((requested === 'actionCard' || requested === 'link' || requested === 'feedCard') && !hasLink) {
    return {
      type: 'markdown',
      reason: `${requested} needs the run link, which this message has none of; sending markdown`,
      warn: explicit,
    };
  }
  return { type: requested, reason: null, warn: false };
}

/** DingTalk markdown (API_FACTS §A.2: headings, bold, links, lists; no colours). */
const DINGTALK_MARKUP: Markup = {
  text: (text) => escapeChatMarkdown(text),
  link: (text, url) => `[${text}](${mdUrl(url)})`,
  strong: (text) => `**${text}**`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `- ${line}`,
};

/**
 * MESSAGES.md: a heading with the outcome (the title itself is only the conversation-list preview,
 * §A.2), the repository and ref under it, then each section as a paragraph; or the user's template.
 */
function markdownBody(message: MessageModel, clip: Clip, keyword: string): string {
  const prefix = keyword !== '' && !message.title.includes(keyword) ? `${keyword} ` : '';
  const heading =
    message.title_prefix === null
      ? `### ${prefix}${escapeChatMarkdown(message.title)}`
      : `### ${prefix}${escapeChatMarkdown(`${message.status_emoji} ${message.headline}`)}`;
  const where = message.title_prefix === null ? null : whereLine(message);
  const head = where === null ? heading : `${heading}\n${where}`;
  if (message.body_parts !== null) {
    const body = layoutTemplate(
      message.body_parts,
      (value) => escapeChatMarkdown(value, { multiline: true }),
      neutralizeMentions,
      clip,
    );
    return `${head}\n\n${body}`;
  }
  const sections = layoutSections(message.sections, DINGTALK_MARKUP, clip).map((lines) => lines.join('\n'));
  return [head, ...sections].join('\n\n');
}

/** "**acme/api** · main": where the run happened, under the heading. */
function whereLine(message: MessageModel): string | null {
  const parts = [
    message.repository === null ? null : `**${escapeChatMarkdown(message.repository)}**`,
    message.ref === null ? null : escapeChatMarkdown(message.ref.text),
  ].filter((p) => p !== null);
  return parts.length === 0 ? null : parts.join(' · ');
}

/** The body of text messages: the template as written, or the sections as plain lines. */
function plainText(message: MessageModel, clip: Clip): string[] {
  if (message.body_parts !== null) {
    return [layoutTemplate(message.body_parts, (v) => controlFree(v), neutralizeMentions, clip)];
  }
  return plainBody(message, plain, clip);
}

function mentionLine(m: DingTalkMentions): string {
  return [...m.mobiles, ...m.userIds].map((id) => `@${id}`).join(' ') || '@all';
}

function atObject(m: DingTalkMentions): DingTalkAt {
  return { atMobiles: m.mobiles, atUserIds: m.userIds, isAtAll: m.all };
}

function hasMentions(m: DingTalkMentions): boolean {
  return m.mobiles.length > 0 || m.userIds.length > 0 || m.all;
}

/**
 * The keyword security check scans the title for card/link types and the content for text
 * (API_FACTS §A.4, jk-dt); we put it in both. It is configuration, so it is written as given.
 */
function withKeyword(text: string, keyword: string): string {
  return keyword === '' || text.includes(keyword) ? text : `${keyword} ${text}`;
}

function plain(text: string): string {
  return neutralizeMentions(flatLine(text));
}

function mdUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Request

/**
 * A factory, so every attempt is signed with a fresh millisecond timestamp (the platform allows
 * one hour of skew, §A.5, but a retry after backoff should not reuse an old one). The body is
 * serialised once, outside the factory.
 */
export function dingtalkRequest(options: DingTalkOptions, body: string, now: () => number): () => HttpRequestSpec {
  return () => ({
    method: 'POST',
    url: options.secret ? dingtalkSignedUrl(options.url, options.secret, now()) : options.url,
    headers: { 'Content-Type': 'application/json;charset=utf-8' },
    body,
    // The robot is its unsigned URL: the signature changes with every attempt.
    pace: { platform: 'dingtalk', robot: options.url },
  });
}

// ---------------------------------------------------------------------------------------------
// Answer

const RATE_LIMITED: CodeMeaning = { retry: true, hint: 'the robot is rate limited (20 messages per minute per robot)' };
const UNKNOWN_TOKEN: CodeMeaning = {
  hint: 'the access token is unknown: url must be the whole webhook URL or only its access_token value, of a robot that still exists',
};

const DINGTALK_CODES: Record<number, CodeMeaning> = {
  [-1]: { retry: true, hint: 'DingTalk is busy; retried' },
  130101: RATE_LIMITED,
  410100: RATE_LIMITED,
  300001: UNKNOWN_TOKEN,
  300005: UNKNOWN_TOKEN,
  400101: UNKNOWN_TOKEN,
  400102: { hint: 'the robot is disabled in the group settings' },
  400106: { hint: 'the robot is no longer in the group' },
  400013: { hint: 'the group was dissolved or the robot disabled' },
  400105: { hint: 'DingTalk does not accept this message type: check msg_type (or msgtype in a customize template)' },
  460101: { hint: 'the message is over 20000 bytes: shorten the template' },
  101002: { hint: 'the message is too long: shorten the template' },
  40035: { hint: 'the body is not the JSON DingTalk expects: check the customize template' },
  430101: { hint: 'DingTalk refused a link it considers unsafe' },
  430102: { hint: 'DingTalk refused the text content' },
  430104: { hint: 'DingTalk refused the content' },
};

/** 310000 is one code for four security checks; its message says which (§A.4, §A.7). */
function securityMeaning(message: string): CodeMeaning {
  if (/keyword/i.test(message) || message.includes('关键词')) {
    return { hint: "the message lacks the robot's custom keyword: set keyword to one of the robot's keywords" };
  }
  if (/sign|timestamp/i.test(message) || message.includes('签名') || message.includes('时间戳')) {
    return {
      hint: "signature rejected: check secret (the robot's SEC… value) and the runner's clock (at most 1 hour off)",
    };
  }
  if (/ip|whitelist/i.test(message) || message.includes('白名单')) {
    return { hint: "the runner's IP address is not in the robot's IP allowlist" };
  }
  return { hint: 'a security setting rejected the message: check keyword, secret and the IP allowlist of the robot' };
}

/** Codes about the message itself: for a default message, ci-notify's own (robot-hints.ts `writerOf`). */
const OWN_MESSAGE_CODES = new Set([400105, 460101, 101002, 40035]);

/** Reads DingTalk's answer; `written` says whether a user template or ci-notify wrote the body. */
export function readDingTalkAnswer(answer: HttpAnswer, written: BodyWriter = 'template'): Verdict {
  return readRobotAnswer(answer, {
    platform: 'DingTalk',
    code: (json) => numericField(json, 'errcode'),
    message: (json) => stringField(json, 'errmsg'),
    meaning: (code, message) => {
      if (code === 310000) return securityMeaning(message);
      if (/too fast|限流/i.test(message)) return RATE_LIMITED;
      return DINGTALK_CODES[code];
    },
    ownMessageCodes: OWN_MESSAGE_CODES,
    written,
  });
}

// ---------------------------------------------------------------------------------------------
// Send

export const dingtalk: Channel<DingTalkOptions> = {
  type: 'dingtalk',
  options: dingtalkOptions,
  secrets: (options) => [options.url, options.secret],
  msgTypes: DINGTALK_MSG_TYPES,
  async send(ctx: SendContext<DingTalkOptions>) {
    const label = `dingtalk ${ctx.target.name}`;
    const body = buildDingTalkBody(ctx);
    if (typeof body !== 'string') {
      return {
        ok: false,
        attempts: 0,
        status_code: null,
        error: body.problem,
        duration_ms: 0,
        answer: null,
        dry_run: ctx.dryRun,
      };
    }
    const request = dingtalkRequest(ctx.options, body, () => ctx.now().getTime());
    const written = writerOf(ctx.target);
    return ctx.http.deliver(request, (answer) => readDingTalkAnswer(answer, written), { label });
  },
};

/** The JSON body to send, or a problem with the `customize` template. */
export function buildDingTalkBody(ctx: SendContext<DingTalkOptions>): string | { problem: string } {
  const requested = (ctx.target.msg_type || DINGTALK_MSG_TYPES[0]) as DingTalkMsgType;
  if (requested === 'customize') return customizeBody(ctx);
  const { target, message } = ctx;
  const mentions: DingTalkMentions = { mobiles: target.at_mobiles, userIds: target.at_user_ids, all: target.at_all };
  const wantsMentions = ctx.mention && hasMentions(mentions);
  const chosen = chooseDingTalkType(requested, target.msg_type !== '', wantsMentions, message.link !== null);
  const type = chosen.type;
  if (chosen.reason && chosen.warn) ctx.log.warn(chosen.reason);
  else if (chosen.reason) ctx.log.debug(chosen.reason);
  const fitted = fitWithinBytes(
    (clip) =>
      dingtalkPayload(message, type, { keyword: target.keyword, mentions: wantsMentions ? mentions : null, clip }),
    jsonBytes,
    DINGTALK_BODY_LIMIT,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info(`message truncated to fit DingTalk's ${DINGTALK_BODY_LIMIT}-byte limit`);
  return JSON.stringify(fitted.value);
}

/** `customize`: the rendered template is the whole body, sent as the user wrote it (values JSON-escaped). */
function customizeBody(ctx: SendContext<DingTalkOptions>): string | { problem: string } {
  if (ctx.target.template.trim() === '')
    return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
  // Values are JSON-escaped AND mention-neutralised: once DingTalk parses the body, a commit title
  // "@13800000000" or "@all" in the text would notify people nobody asked to mention.
  const body = ctx.render(ctx.target.template, 'json', neutralizeMentions);
  try {
    JSON.parse(body);
  } catch (error) {
    return { problem: `template: the rendered customize body is not valid JSON (${jsonErrorWithoutText(error)})` };
  }
  return body;
}
