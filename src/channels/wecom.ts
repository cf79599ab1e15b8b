/**
 * WeCom group robot (企业微信群机器人 / 消息推送), API_FACTS §B.
 * Reads top to bottom: options, limits, payload builders, request builder, answer reader, send.
 */
import { z } from './schema.js';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { labels } from '../render/locale.js';
import { titleWithin } from '../render/message.js';
import { layoutSections, layoutTemplate, plainBody, type Clip, type Markup } from '../render/layout.js';
import type { JobsSection, MessageModel } from '../render/types.js';
import {
  controlFree,
  escapeChatMarkdown,
  flatLine,
  neutralizeMentions,
  truncateChars,
  utf8Bytes,
} from '../render/text.js';
import { fitWithinBytes, NO_CLIP, truncationMarker } from './byte-budget.js';
import {
  numericField,
  readRobotAnswer,
  stringField,
  writerOf,
  type BodyWriter,
  type CodeMeaning,
} from './robot-hints.js';
import { robotUrlField, robotWebhookUrl, type RobotUrl, type RobotUrlRule } from './robot-url.js';
import type { Channel, ChannelResult, SendContext } from './types.js';
import { jsonErrorWithoutText } from '../render/json-error.js';

// ---------------------------------------------------------------------------------------------
// Options

export const WECOM_HOST = 'qyapi.weixin.qq.com';
const WECOM_SEND = `https://${WECOM_HOST}/cgi-bin/webhook/send`;
const URL_EXPECTED = `expected the WeCom webhook URL (${WECOM_SEND}?key=…) or its key`;

export interface WeComOptions {
  /** The webhook URL with key (a bare key is expanded; other hosts are kept for gateways). */
  url: string;
}

/** `url` takes the full webhook URL or only its key (`93000 invalid webhook url` otherwise). */
export const WECOM_URL_RULE: RobotUrlRule = {
  expected: URL_EXPECTED,
  hosts: [WECOM_HOST],
  prefix: 'key=',
  checkOfficial: (url) =>
    url.searchParams.get('key') ? null : 'the WeCom webhook URL has no key; copy the whole URL from the robot settings',
  fromCredential: (key) => `${WECOM_SEND}?key=${key}`,
};

export function wecomWebhookUrl(input: string): RobotUrl {
  return robotWebhookUrl(input, WECOM_URL_RULE);
}

export const wecomOptions = z.object({
  url: robotUrlField(WECOM_URL_RULE),
}) satisfies z.ZodType<WeComOptions, unknown>;

// ---------------------------------------------------------------------------------------------
// Limits: UTF-8 bytes of the content string, not of the body (§B.2, §B.6; 40058 beyond them)

export const WECOM_TEXT_LIMIT = 2048;
export const WECOM_MARKDOWN_LIMIT = 4096;
export const WECOM_NEWS_TITLE_LIMIT = 128;
export const WECOM_NEWS_DESCRIPTION_LIMIT = 512;
/**
 * template_card text_notice field lengths, in characters ("建议不超过N个字", WeCom 消息推送 doc 91770,
 * https://developer.work.weixin.qq.com/document/path/91770 — the list holds at most 6 entries and
 * jump_list at most 3, §B.2). Longer text is cut here rather than left to the client.
 */
export const TEMPLATE_CARD_LIMITS = {
  source_desc: 13,
  main_title: 26,
  main_title_desc: 30,
  emphasis_title: 10,
  emphasis_desc: 15,
  sub_title_text: 112,
  keyname: 5,
  value: 26,
  list: 6,
  jump_title: 13,
} as const;

export const WECOM_MSG_TYPES = ['markdown', 'text', 'markdown_v2', 'template_card', 'news', 'customize'] as const;
export type WeComMsgType = (typeof WECOM_MSG_TYPES)[number];
type BuiltType = Exclude<WeComMsgType, 'customize'>;

// ---------------------------------------------------------------------------------------------
// Payloads

export interface WeComMentions {
  mobiles: string[];
  userIds: string[];
  all: boolean;
}

export type WeComPayload =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'markdown_v2'; markdown_v2: { content: string } }
  | { msgtype: 'news'; news: { articles: { title: string; description: string; url: string }[] } }
  | { msgtype: 'template_card'; template_card: WeComTextNotice };

export interface WeComTextNotice {
  card_type: 'text_notice';
  source: { desc: string; desc_color: number };
  main_title: { title: string; desc?: string };
  emphasis_content?: { title: string; desc: string };
  sub_title_text?: string;
  horizontal_content_list: (
    { keyname: string; value: string } | { keyname: string; value: string; type: 1; url: string }
  )[];
  jump_list: { type: 1; url: string; title: string }[];
  card_action: { type: 1; url: string };
}

/**
 * How each type can mention (§B.3, USER_VOICES #4): `text` has mentioned_list (userids, "@all")
 * and mentioned_mobile_list; `markdown` only `<@userid>` in the content; markdown_v2, news and
 * template_card cannot mention at all.
 */
export function wecomMainMentions(type: BuiltType, m: WeComMentions): WeComMentions | null {
  if (type === 'text') return hasMentions(m) ? m : null;
  if (type === 'markdown') return m.userIds.length > 0 ? { mobiles: [], userIds: m.userIds, all: false } : null;
  return null;
}

/**
 * What the main message of `type` cannot carry, as a small follow-up `text` message (mobiles can
 * only ever notify through mentioned_mobile_list); null when nothing is left. Only for a type the
 * user chose: the default type is switched up front instead (see `chooseWeComType`).
 */
export function wecomMentionFollowUp(message: MessageModel, type: BuiltType, m: WeComMentions): WeComPayload | null {
  const carried = wecomMainMentions(type, m);
  const rest: WeComMentions = {
    mobiles: carried?.mobiles.length ? [] : m.mobiles,
    userIds: carried?.userIds.length ? [] : m.userIds,
    all: carried?.all ? false : m.all,
  };
  if (!hasMentions(rest)) return null;
  return textPayload(truncate(plain(message.title), WECOM_TEXT_LIMIT, message), rest);
}

/** WeCom markdown (§B.2): bold, links, quotes and three font colours; no lists. */
const MARKDOWN_MARKUP: Markup = {
  text: (text) => escapeChatMarkdown(text),
  link: (text, url) => `[${text}](${mdUrl(url)})`,
  strong: (text) => `**${text}**`,
  muted: (text) => `<font color="comment">${text}</font>`,
  code: (text) => text,
  item: (line) => line,
};

/** markdown_v2 (§B.2): lists and tables, but no colour and no @ syntax. */
const MARKDOWN_V2_MARKUP: Markup = { ...MARKDOWN_MARKUP, muted: (text) => text, item: (line) => `- ${line}` };

export function wecomPayload(
  message: MessageModel,
  type: BuiltType,
  mentions: WeComMentions | null,
  clip: Clip = NO_CLIP,
): WeComPayload {
  const carried = mentions ? wecomMainMentions(type, mentions) : null;
  const link = message.link;
  switch (type) {
    case 'markdown': {
      // MESSAGES.md: the title in bold with the outcome coloured, the body quoted under it.
      const colour = message.colour.wecom;
      const title =
        message.title_prefix === null
          ? `<font color="${colour}">${escapeChatMarkdown(message.title)}</font>`
          : `${escapeChatMarkdown(message.title_prefix)}<font color="${colour}">${escapeChatMarkdown(message.outcome_text)}</font>`;
      const lines = [`**${title}**`];
      if (message.body_parts !== null) lines.push(templateMarkdown(message, clip));
      else
        lines.push(
          ...layoutSections(message.sections, MARKDOWN_MARKUP, clip)
            .flat()
            .map((line) => `>${line}`),
        );
      if (link) lines.push(`[${escapeChatMarkdown(link.label)}](${mdUrl(link.url)})`);
      if (carried) lines.push(carried.userIds.map((id) => `<@${cleanId(id)}>`).join(' '));
      return { msgtype: 'markdown', markdown: { content: lines.join('\n') } };
    }
    case 'text': {
      const lines = [plain(message.title), ...plainText(message, clip)];
      if (link) lines.push(`${link.label}${message.punctuation.colon}${link.url}`);
      return textPayload(lines.join('\n'), carried);
    }
    case 'markdown_v2': {
      const parts = [`## ${escapeChatMarkdown(message.title)}`];
      if (message.body_parts !== null) parts.push(templateMarkdown(message, clip));
      else parts.push(...layoutSections(message.sections, MARKDOWN_V2_MARKUP, clip).map((lines) => lines.join('\n')));
      if (link) parts.push(`[${escapeChatMarkdown(link.label)}](${mdUrl(link.url)})`);
      return { msgtype: 'markdown_v2', markdown_v2: { content: parts.join('\n\n') } };
    }
    case 'news': {
      // The article opens the run; the description is short (512 bytes): the lines without their URLs.
      const description = plainText(message, clip, false).join('\n');
      return {
        msgtype: 'news',
        news: {
          articles: [
            {
              title: truncate(
                plain(titleWithin(message, WECOM_NEWS_TITLE_LIMIT, (t) => utf8Bytes(plain(t)))),
                WECOM_NEWS_TITLE_LIMIT,
                message,
              ),
              description: truncate(description, WECOM_NEWS_DESCRIPTION_LIMIT, message),
              url: link?.url ?? '',
            },
          ],
        },
      };
    }
    case 'template_card':
      return { msgtype: 'template_card', template_card: textNotice(message) };
  }
}

/**
 * The text_notice card (MESSAGES.md "WeCom"): the repository as the source, coloured by the
 * outcome; the outcome as the main title, the run and ref under it; "2/5 jobs failed" as the
 * emphasis; the failed jobs, each linked to its log, as the list; the commit and trigger lines as
 * the sub-title; the run as the card's action. Every field within its documented length.
 */
function textNotice(message: MessageModel): WeComTextNotice {
  const L = TEMPLATE_CARD_LIMITS;
  const l = labels(message.locale);
  const url = message.link?.url ?? '';
  const chars = (text: string, max: number) => truncateChars(plain(text), max);
  const custom = message.title_prefix === null;
  const jobs = message.sections.find((s): s is JobsSection => s.kind === 'jobs') ?? null;
  const run = message.headline.slice(0, Math.max(0, message.headline.length - message.outcome_text.length)).trim();
  const where = [run, message.ref?.text ?? null].filter((p): p is string => p !== null && p !== '').join(' · ');

  const list: WeComTextNotice['horizontal_content_list'] = [];
  if (jobs !== null) {
    const room = jobs.more > 0 || jobs.jobs.length > L.list ? L.list - 1 : L.list;
    for (const job of jobs.jobs.slice(0, room)) {
      const withStep = job.step === null ? job.name : `${job.name} · ${job.step}`;
      const value = chars([...plain(withStep)].length <= L.value ? withStep : job.name, L.value);
      list.push(job.url === null ? { keyname: l.job, value } : { keyname: l.job, value, type: 1, url: job.url });
    }
    const hidden = jobs.count - Math.min(room, jobs.jobs.length);
    if (hidden > 0) {
      const value = chars(l.and_more(hidden), L.value);
      list.push(url === '' ? { keyname: '…', value } : { keyname: '…', value, type: 1, url });
    }
  }
  // The change and how the run went, one line each (the links are on the list and the card).
  const subtitle = message.sections
    .filter((s) => s.kind === 'change_request' || s.kind === 'commit' || s.kind === 'trigger')
    .flatMap((s) => s.lines)
    .map((line) => line.spans.map((span) => plain(span.text)).join(''))
    .join('\n');
  const card: WeComTextNotice = {
    card_type: 'text_notice',
    source: {
      desc: chars(message.repository ?? message.status_text, L.source_desc),
      desc_color: message.colour.template_card,
    },
    main_title: custom
      ? { title: chars(message.title, L.main_title) }
      : {
          title: chars(`${message.status_emoji} ${message.outcome_text}`, L.main_title),
          ...(where === '' ? {} : { desc: chars(where, L.main_title_desc) }),
        },
    horizontal_content_list: list,
    jump_list: message.link ? [{ type: 1, url, title: chars(message.link.label, L.jump_title) }] : [],
    card_action: { type: 1, url },
  };
  if (jobs !== null) {
    card.emphasis_content = {
      title: chars(`${jobs.count}/${jobs.total}`, L.emphasis_title),
      desc: chars(l.jobs_short(jobs.state), L.emphasis_desc),
    };
  }
  if (subtitle !== '') card.sub_title_text = truncateChars(subtitle, L.sub_title_text);
  return card;
}

function templateMarkdown(message: MessageModel, clip: Clip): string {
  return layoutTemplate(
    message.body_parts ?? [],
    (value) => escapeChatMarkdown(value, { multiline: true }),
    neutralizeMentions,
    clip,
  );
}

/** The body of text and news messages: the template as written, or the sections as plain lines. */
function plainText(message: MessageModel, clip: Clip, links = true): string[] {
  if (message.body_parts !== null) {
    return [layoutTemplate(message.body_parts, (v) => controlFree(v), neutralizeMentions, clip)];
  }
  return plainBody(message, plain, clip, links);
}

function textPayload(content: string, m: WeComMentions | null): WeComPayload {
  const userIds = m ? [...m.userIds.map(cleanId), ...(m.all ? ['@all'] : [])] : [];
  const mobiles = m ? m.mobiles.map(cleanId) : [];
  return {
    msgtype: 'text',
    text: {
      content,
      ...(userIds.length > 0 ? { mentioned_list: userIds } : {}),
      ...(mobiles.length > 0 ? { mentioned_mobile_list: mobiles } : {}),
    },
  };
}

/**
 * The type actually sent. news and template_card need a link to open (card_action is required,
 * §B.2): without one markdown is sent. When mentions are wanted and the user left the type at its
 * default, the type that can carry them is chosen up front: markdown carries `<@userid>`, only
 * text carries mobiles and @all (§B.3). A type the user chose is kept (a follow-up text message
 * carries what it cannot), with a warning.
 */
export function chooseWeComType(
  requested: BuiltType,
  explicit: boolean,
  mentions: WeComMentions | null,
  hasLink: boolean,
): { type: BuiltType; reason: string | null; warn: boolean } {
  if ((requested === 'news' || requested === 'template_card') && !hasLink) {
    return {
      type: 'markdown',
      reason: `${requested} needs the run link, which this message has none of; sending markdown`,
      warn: explicit,
    };
  }
  if (!explicit && mentions !== null && (mentions.mobiles.length > 0 || mentions.all)) {
    return {
      type: 'text',
      reason: 'mentions by mobile number or @all: sending text, the only WeCom type that carries them',
      warn: false,
    };
  }
  return { type: requested, reason: null, warn: false };
}

/** The content string whose bytes count against the limit, and that limit (§B.2). */
export function wecomContentLimit(payload: WeComPayload): { content: string; limit: number } | null {
  switch (payload.msgtype) {
    case 'text':
      return { content: payload.text.content, limit: WECOM_TEXT_LIMIT };
    case 'markdown':
      return { content: payload.markdown.content, limit: WECOM_MARKDOWN_LIMIT };
    case 'markdown_v2':
      return { content: payload.markdown_v2.content, limit: WECOM_MARKDOWN_LIMIT };
    default:
      return null;
  }
}

function hasMentions(m: WeComMentions): boolean {
  return m.mobiles.length > 0 || m.userIds.length > 0 || m.all;
}

function plain(text: string): string {
  return neutralizeMentions(flatLine(text));
}

function truncate(text: string, limit: number, message: MessageModel): string {
  if (utf8Bytes(text) <= limit) return text;
  return fitWithinBytes((clip) => clip(text), utf8Bytes, limit, truncationMarker(message.locale)).value;
}

function cleanId(id: string): string {
  return id.replace(/[\s"'<>]/g, '');
}

function mdUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Request

export function wecomRequest(options: WeComOptions, body: string): HttpRequestSpec {
  const pace = { platform: 'wecom', robot: options.url } as const;
  return { method: 'POST', url: options.url, headers: { 'Content-Type': 'application/json' }, body, pace };
}

// ---------------------------------------------------------------------------------------------
// Answer

const WECOM_CODES: Record<number, CodeMeaning> = {
  [-1]: { retry: true, hint: 'WeCom is busy; retried' },
  45009: { retry: true, hint: 'the robot is rate limited (20 messages per minute per robot)' },
  93000: {
    hint: 'the webhook key is invalid: url must be the whole webhook URL or only its key value, of a robot that still exists',
  },
  40058: { hint: 'a field is too long or invalid (markdown content ≤ 4096 bytes, text ≤ 2048): shorten the template' },
  40008: {
    hint: 'WeCom does not know this message type: check msg_type (or msgtype, lower-case, in a customize template)',
  },
  44004: { hint: 'the content is empty: check that the template renders something' },
  40035: { hint: 'the body is not the JSON WeCom expects: check the customize template' },
};

/** Codes about the message itself: for a default message, ci-notify's own (robot-hints.ts `writerOf`). */
const OWN_MESSAGE_CODES = new Set([40058, 40008, 44004, 40035]);

/** Reads WeCom's answer; `written` says whether a user template or ci-notify wrote the body (see DingTalk). */
export function readWeComAnswer(answer: HttpAnswer, written: BodyWriter = 'template'): Verdict {
  return readRobotAnswer(answer, {
    platform: 'WeCom',
    code: (json) => numericField(json, 'errcode'),
    message: (json) => stringField(json, 'errmsg'),
    meaning: (code) => WECOM_CODES[code],
    ownMessageCodes: OWN_MESSAGE_CODES,
    written,
  });
}

// ---------------------------------------------------------------------------------------------
// Send

export const wecom: Channel<WeComOptions> = {
  type: 'wecom',
  options: wecomOptions,
  secrets: (options) => [options.url],
  msgTypes: WECOM_MSG_TYPES,
  async send(ctx: SendContext<WeComOptions>): Promise<ChannelResult> {
    const label = `wecom ${ctx.target.name}`;
    const bodies = buildWeComBodies(ctx);
    if ('problem' in bodies) {
      return {
        ok: false,
        attempts: 0,
        status_code: null,
        error: bodies.problem,
        duration_ms: 0,
        answer: null,
        dry_run: ctx.dryRun,
      };
    }
    const written = writerOf(ctx.target);
    const read = (answer: HttpAnswer) => readWeComAnswer(answer, written);
    const main = await ctx.http.deliver(wecomRequest(ctx.options, bodies.main), read, { label });
    if (!main.ok || bodies.mentions === null) return main;
    const follow = await ctx.http.deliver(wecomRequest(ctx.options, bodies.mentions), read, {
      label: `${label} (mentions)`,
    });
    return combineOutcomes(main, follow);
  },
};

/** The main body and, when the type the user chose cannot carry every mention, the follow-up text body. */
export function buildWeComBodies(
  ctx: SendContext<WeComOptions>,
): { main: string; mentions: string | null } | { problem: string } {
  const { target, message } = ctx;
  const requested = (target.msg_type || WECOM_MSG_TYPES[0]) as WeComMsgType;
  if (requested === 'customize') {
    if (target.template.trim() === '')
      return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
    // Values are JSON-escaped AND mention-neutralised: `<@all>` from a commit title must stay text.
    const body = ctx.render(target.template, 'json', neutralizeMentions);
    try {
      JSON.parse(body);
    } catch (error) {
      return { problem: `template: the rendered customize body is not valid JSON (${jsonErrorWithoutText(error)})` };
    }
    return { main: body, mentions: null };
  }
  const all: WeComMentions = { mobiles: target.at_mobiles, userIds: target.at_user_ids, all: target.at_all };
  const mentions = ctx.mention && hasMentions(all) ? all : null;
  const chosen = chooseWeComType(requested, target.msg_type !== '', mentions, message.link !== null);
  const type = chosen.type;
  if (chosen.reason && chosen.warn) ctx.log.warn(chosen.reason);
  else if (chosen.reason) ctx.log.debug(chosen.reason);
  const fitted = fitWithinBytes(
    (clip) => wecomPayload(message, type, mentions, clip),
    (payload) => {
      const measured = wecomContentLimit(payload);
      return measured ? utf8Bytes(measured.content) - measured.limit : 0;
    },
    0,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info(`message truncated to fit WeCom's content limit`);
  const followUp = mentions ? wecomMentionFollowUp(message, type, mentions) : null;
  if (followUp) {
    ctx.log.warn(
      `msg_type ${type} cannot carry every requested mention; they follow in a second message (text), or use msg_type text or markdown`,
    );
  }
  return { main: JSON.stringify(fitted.value), mentions: followUp ? JSON.stringify(followUp) : null };
}

/**
 * One target, one result for the two messages sent on purpose (the message, then the mentions):
 * `messages: 2` says so, and `attempts` stays the attempts of one message (the most either took),
 * so two messages never read as a retry.
 */
function combineOutcomes(main: DeliveryOutcome, follow: DeliveryOutcome): ChannelResult {
  return {
    ok: main.ok && follow.ok,
    attempts: Math.max(main.attempts, follow.attempts),
    messages: 2,
    status_code: follow.status_code,
    error: follow.error ? `the message was delivered, the mentions were not: ${follow.error}` : null,
    duration_ms: main.duration_ms + follow.duration_ms,
    answer: follow.answer,
    dry_run: main.dry_run,
  };
}
