/**
 * WeCom group robot (企业微信群机器人 / 消息推送), API_FACTS §B.
 * Reads top to bottom: options, limits, payload builders, request builder, answer reader, send.
 */
import { z } from 'zod';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import type { Fact, MessageModel } from '../render/types.js';
import { neutralizeMentions, oneLine, utf8Bytes } from '../render/text.js';
import { fitWithinBytes, NO_CLIP, truncationMarker, type Clip } from './byte-budget.js';
import { numericField, readRobotAnswer, stringField, type CodeMeaning } from './robot-hints.js';
import { robotUrlField, robotWebhookUrl, type RobotUrl, type RobotUrlRule } from './robot-url.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

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
/** template_card shows short lines; its horizontal list holds at most 6 entries (§B.2). */
const TEMPLATE_CARD_FACTS = 6;
const TEMPLATE_CARD_VALUE_LIMIT = 256;

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
  main_title: { title: string };
  horizontal_content_list: (
    { keyname: string; value: string } | { keyname: string; value: string; type: 1; url: string }
  )[];
  jump_list: { type: 1; url: string; title: string }[];
  card_action: { type: 1; url: string };
}

/**
 * How each type can mention (§B.3, USER_VOICES #4): `text` has mentioned_list (userids, "@all")
 * and mentioned_mobile_list; `markdown` only `<@userid>` in the content; markdown_v2, news and
 * template_card cannot mention at all. Whatever the main message cannot carry goes into a small
 * follow-up `text` message (see `wecomMentionFollowUp`), because mobiles can only ever notify
 * through mentioned_mobile_list — switching to another type would not help.
 */
export function wecomMainMentions(type: BuiltType, m: WeComMentions): WeComMentions | null {
  if (type === 'text') return hasMentions(m) ? m : null;
  if (type === 'markdown') return m.userIds.length > 0 ? { mobiles: [], userIds: m.userIds, all: false } : null;
  return null;
}

/** The mentions the main message of `type` cannot carry, as a text message; null when none are left. */
export function wecomMentionFollowUp(message: MessageModel, type: BuiltType, m: WeComMentions): WeComPayload | null {
  const carried = wecomMainMentions(type, m);
  const rest: WeComMentions = {
    mobiles: carried?.mobiles.length ? [] : m.mobiles,
    userIds: carried?.userIds.length ? [] : m.userIds,
    all: carried?.all ? false : m.all,
  };
  if (!hasMentions(rest)) return null;
  const title = neutralizeMentions(oneLine(message.title));
  return textPayload(truncate(title, WECOM_TEXT_LIMIT, message), rest);
}

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
      const lines = [`**<font color="${message.colour.wecom}">${escapeWeComMd(clip(message.title))}</font>**`];
      if (message.body !== null) lines.push(neutralizeMentions(clip(message.body)));
      else
        lines.push(
          ...message.facts.map((f) => `>${factMarkdown(f, clip, (v) => `<font color="comment">${v}</font>`)}`),
        );
      if (link) lines.push(`[${escapeWeComMd(link.label)}](${mdUrl(link.url)})`);
      if (carried) lines.push(carried.userIds.map((id) => `<@${cleanId(id)}>`).join(' '));
      return { msgtype: 'markdown', markdown: { content: lines.join('\n') } };
    }
    case 'text': {
      const lines = [plain(clip(message.title))];
      if (message.body !== null) lines.push(neutralizeMentions(clip(message.body)));
      else lines.push(...message.facts.map((f) => factPlain(f, clip)));
      if (link) lines.push(`${link.label}: ${link.url}`);
      return textPayload(lines.join('\n'), carried);
    }
    case 'markdown_v2': {
      // Tables render in markdown_v2 (not in markdown); there is no colour and no @ syntax (§B.2).
      const lines = [`## ${escapeWeComMd(clip(message.title))}`];
      if (message.body !== null) lines.push('', neutralizeMentions(clip(message.body)));
      else if (message.facts.length > 0) {
        lines.push(
          '',
          '| | |',
          '| :-- | :-- |',
          ...message.facts.map(
            (f) => `| ${escapeCell(escapeWeComMd(f.label))} | ${escapeCell(factValueMarkdown(f, clip))} |`,
          ),
        );
      }
      if (link) lines.push('', `[${escapeWeComMd(link.label)}](${mdUrl(link.url)})`);
      return { msgtype: 'markdown_v2', markdown_v2: { content: lines.join('\n') } };
    }
    case 'news': {
      const description =
        message.body !== null ? plain(clip(message.body)) : message.facts.map((f) => factPlain(f, clip)).join('\n');
      return {
        msgtype: 'news',
        news: {
          articles: [
            {
              title: truncate(plain(message.title), WECOM_NEWS_TITLE_LIMIT, message),
              description: truncate(description, WECOM_NEWS_DESCRIPTION_LIMIT, message),
              url: link?.url ?? '',
            },
          ],
        },
      };
    }
    case 'template_card': {
      const url = link?.url ?? '';
      return {
        msgtype: 'template_card',
        template_card: {
          card_type: 'text_notice',
          source: { desc: 'ci-notify', desc_color: 0 },
          main_title: { title: plain(clip(message.title)) },
          horizontal_content_list: message.facts.slice(0, TEMPLATE_CARD_FACTS).map((f) => {
            const value = truncate(
              plain(`${f.link_text ? `${f.link_text} ` : ''}${f.value}`),
              TEMPLATE_CARD_VALUE_LIMIT,
              message,
            );
            return f.url && isHttpUrl(f.url)
              ? { keyname: f.label, value, type: 1 as const, url: f.url }
              : { keyname: f.label, value };
          }),
          jump_list: link ? [{ type: 1, url, title: link.label }] : [],
          card_action: { type: 1, url },
        },
      };
    }
  }
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

/** news and template_card need a link to open (card_action is required, §B.2); without one markdown is sent. */
export function chooseWeComType(requested: BuiltType, hasLink: boolean): { type: BuiltType; reason: string | null } {
  if ((requested === 'news' || requested === 'template_card') && !hasLink) {
    return {
      type: 'markdown',
      reason: `${requested} needs the run link, which this message has none of; sending markdown`,
    };
  }
  return { type: requested, reason: null };
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

/** "Label: value" for markdown; the value is coloured only when it is not a link. */
function factMarkdown(fact: Fact, clip: Clip, wrap: (value: string) => string): string {
  const value = factValueMarkdown(fact, clip);
  return `${escapeWeComMd(fact.label)}: ${fact.url && isHttpUrl(fact.url) ? value : wrap(value)}`;
}

function factValueMarkdown(fact: Fact, clip: Clip): string {
  const value = escapeWeComMd(clip(fact.value));
  if (fact.url && isHttpUrl(fact.url)) {
    if (fact.link_text) return `[${escapeWeComMd(fact.link_text)}](${mdUrl(fact.url)}) ${value}`.trimEnd();
    return `[${value}](${mdUrl(fact.url)})`;
  }
  return value;
}

function factPlain(fact: Fact, clip: Clip): string {
  const prefix = fact.link_text ? `${plain(fact.link_text)} ` : '';
  return `${fact.label}: ${prefix}${plain(clip(fact.value))}`.trimEnd();
}

function hasMentions(m: WeComMentions): boolean {
  return m.mobiles.length > 0 || m.userIds.length > 0 || m.all;
}

/**
 * Untrusted text in WeCom markdown: one line, no mentions, and no markup. `<` and `>` would open
 * `<font>` or `<@userid>` tags and backslash escapes are not documented for WeCom, so they become
 * their full-width look-alikes; inline markdown characters and a block-starting `#`, `>`, `-` are
 * backslash-escaped.
 */
export function escapeWeComMd(text: string): string {
  return neutralizeMentions(oneLine(text))
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#>+-]|\d+\.)/, '$1\\$2');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function plain(text: string): string {
  return neutralizeMentions(oneLine(text));
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

function isHttpUrl(url: string): boolean {
  return /^https?:\/\/\S+$/i.test(url);
}

// ---------------------------------------------------------------------------------------------
// Request

export function wecomRequest(options: WeComOptions, body: string): HttpRequestSpec {
  return { method: 'POST', url: options.url, headers: { 'Content-Type': 'application/json' }, body };
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

export function readWeComAnswer(answer: HttpAnswer): Verdict {
  return readRobotAnswer(answer, {
    platform: 'WeCom',
    code: (json) => numericField(json, 'errcode'),
    message: (json) => stringField(json, 'errmsg'),
    meaning: (code) => WECOM_CODES[code],
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
    const main = await ctx.http.deliver(wecomRequest(ctx.options, bodies.main), readWeComAnswer, { label });
    if (!main.ok || bodies.mentions === null) return main;
    const follow = await ctx.http.deliver(wecomRequest(ctx.options, bodies.mentions), readWeComAnswer, {
      label: `${label} (mentions)`,
    });
    return combineOutcomes(main, follow);
  },
};

/** The main body and, when the main type cannot carry every mention, the follow-up text body. */
export function buildWeComBodies(
  ctx: SendContext<WeComOptions>,
): { main: string; mentions: string | null } | { problem: string } {
  const { target, message } = ctx;
  const requested = (target.msg_type || WECOM_MSG_TYPES[0]) as WeComMsgType;
  if (requested === 'customize') {
    if (target.template.trim() === '')
      return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
    const body = ctx.render(target.template, 'json');
    try {
      JSON.parse(body);
    } catch (error) {
      return { problem: `template: the rendered customize body is not valid JSON (${(error as Error).message})` };
    }
    return { main: body, mentions: null };
  }
  const { type, reason } = chooseWeComType(requested, message.link !== null);
  if (reason) ctx.log.warn(reason);
  const all: WeComMentions = { mobiles: target.at_mobiles, userIds: target.at_user_ids, all: target.at_all };
  const mentions = ctx.mention && hasMentions(all) ? all : null;
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
    ctx.log.warn(`${type} cannot carry every requested mention; they follow in a separate text message`);
  }
  return { main: JSON.stringify(fitted.value), mentions: followUp ? JSON.stringify(followUp) : null };
}

/** One target, one result: the mention follow-up is part of the delivery. */
function combineOutcomes(main: DeliveryOutcome, follow: DeliveryOutcome): ChannelResult {
  return {
    ok: main.ok && follow.ok,
    attempts: main.attempts + follow.attempts,
    status_code: follow.status_code,
    error: follow.error ? `the message was delivered, the mentions were not: ${follow.error}` : null,
    duration_ms: main.duration_ms + follow.duration_ms,
    answer: follow.answer,
    dry_run: main.dry_run,
  };
}
