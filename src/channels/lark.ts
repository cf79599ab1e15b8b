/**
 * Lark / Feishu custom bot (自定义机器人, webhook v2), API_FACTS §C. The message bodies are built
 * in lark-card.ts (shared with lark_app).
 * Reads top to bottom: options, limits, payload, request builder, answer reader, send.
 */
import { z } from './schema.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { larkSign } from '../delivery/signing.js';
import { neutralizeMentions } from '../render/text.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinBytes, jsonBytes, truncationMarker } from './byte-budget.js';
import {
  larkCard,
  larkPost,
  larkText,
  type LarkCard,
  type LarkMentions,
  type LarkPostContent,
  type LarkTextContent,
} from './lark-card.js';
import {
  numericField,
  readRobotAnswer,
  stringField,
  writerOf,
  type BodyWriter,
  type CodeMeaning,
} from './robot-hints.js';
import { robotWebhookUrl, type RobotUrl } from './robot-url.js';
import type { Channel, SendContext } from './types.js';
import { jsonErrorWithoutText } from '../render/json-error.js';

// ---------------------------------------------------------------------------------------------
// Options

export const FEISHU_HOST = 'open.feishu.cn';
export const LARK_HOST = 'open.larksuite.com';
const HOOK_PATH = '/open-apis/bot/v2/hook/';
const URL_EXPECTED = `expected the Feishu/Lark bot webhook URL (https://${FEISHU_HOST}${HOOK_PATH}… or https://${LARK_HOST}${HOOK_PATH}…) or its hook id`;

export interface LarkOptions {
  /** The webhook URL (a bare hook id is expanded on `domain`; other hosts are kept for gateways). */
  url: string;
  /** The signature secret, '' when the bot does not sign. */
  secret: string;
}

/** `domain` for a bare hook id: `feishu` (default, China), `lark` (international) or a base URL. */
function hookBase(domain: string): string | { problem: string } {
  const value = domain.trim().toLowerCase();
  if (value === '' || value === 'feishu') return `https://${FEISHU_HOST}`;
  if (value === 'lark' || value === 'larksuite') return `https://${LARK_HOST}`;
  if (/^https?:\/\/[^\s/]+\/?$/i.test(domain.trim())) return domain.trim().replace(/\/$/, '');
  return { problem: 'expected feishu, lark or a base URL such as https://open.feishu.cn' };
}

/** `url` takes the full webhook URL or only the hook id (19001 otherwise), a bare id on `domain`. */
export function larkWebhookUrl(input: string, domain = ''): RobotUrl {
  return robotWebhookUrl(input, {
    expected: URL_EXPECTED,
    hosts: [FEISHU_HOST, LARK_HOST],
    checkOfficial: (url) =>
      url.pathname.startsWith(HOOK_PATH)
        ? null
        : `the Feishu/Lark URL is not a bot webhook (${HOOK_PATH}<id>); copy it from the bot settings`,
    fromCredential: (hookId) => {
      const base = hookBase(domain);
      return typeof base === 'string' ? `${base}${HOOK_PATH}${hookId}` : { ...base, path: 'domain' };
    },
  });
}

export const larkOptions = z
  .object({
    url: z.string().default(''),
    secret: z
      .string()
      .default('')
      .transform((value) => value.trim()),
    domain: z.string().default(''),
  })
  .transform((raw, ctx) => {
    const url = larkWebhookUrl(raw.url, raw.domain);
    if (typeof url !== 'string') {
      ctx.addIssue({ code: 'custom', message: url.problem, path: [url.path ?? 'url'] });
      return z.NEVER;
    }
    return { url, secret: raw.secret };
  }) satisfies z.ZodType<LarkOptions, unknown>;

// ---------------------------------------------------------------------------------------------
// Limits

/** The whole JSON body, signature included (§C.7; 9499 beyond it). Decimal, the conservative reading. */
export const LARK_BODY_LIMIT = 20_000;

export const LARK_MSG_TYPES = ['interactive', 'text', 'post', 'customize'] as const;
export type LarkMsgType = (typeof LARK_MSG_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Payload

export type LarkPayload =
  | { msg_type: 'interactive'; card: LarkCard }
  | { msg_type: 'post'; content: LarkPostContent }
  | { msg_type: 'text'; content: LarkTextContent };

export function larkPayload(
  message: MessageModel,
  type: Exclude<LarkMsgType, 'customize'>,
  mentions: LarkMentions,
  options: Parameters<typeof larkCard>[2] = {},
): LarkPayload {
  switch (type) {
    case 'interactive':
      return { msg_type: 'interactive', card: larkCard(message, mentions, options) };
    case 'post':
      return { msg_type: 'post', content: larkPost(message, mentions, options) };
    case 'text':
      return { msg_type: 'text', content: larkText(message, mentions, options) };
  }
}

/** Stand-in signature fields of the real length, so the size is measured as it will be sent. */
const SIGNATURE_PLACEHOLDER = { timestamp: '0000000000', sign: 'x'.repeat(44) };

// ---------------------------------------------------------------------------------------------
// Request

/**
 * A factory: the signature (seconds timestamp, key = `timestamp\nsecret`, empty message, §C.5)
 * lives in the JSON body, so every attempt serialises a freshly signed body once.
 */
export function larkRequest(
  options: LarkOptions,
  payload: Record<string, unknown>,
  now: () => number,
): () => HttpRequestSpec {
  return () => ({
    method: 'POST',
    url: options.url,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(options.secret ? { ...larkSign(options.secret, now()), ...payload } : payload),
    pace: { platform: 'lark', robot: options.url },
  });
}

// ---------------------------------------------------------------------------------------------
// Answer

const LARK_CODES: Record<number, CodeMeaning> = {
  19021: {
    hint: "signature rejected: check secret (the bot's signature secret) and the runner's clock (at most 1 hour off)",
  },
  19022: { hint: "the runner's IP address is not in the bot's IP allowlist" },
  19024: { hint: "the message lacks the bot's custom keyword: set keyword to one of the bot's keywords" },
  19001: {
    hint: 'the hook id is invalid: url must be the whole webhook URL or only its hook id, of a bot that still exists',
  },
  11232: {
    retry: true,
    hint: 'the bot is rate limited (100 per minute, 5 per second; avoid sending exactly at :00 and :30)',
  },
  9499: { hint: 'Lark rejected the body: malformed JSON or over 20 KB (check the customize template)' },
};

/** Reads Lark's answer; `written` says whether a user template or ci-notify wrote the body (see DingTalk). */
export function readLarkAnswer(answer: HttpAnswer, written: BodyWriter = 'template'): Verdict {
  return readRobotAnswer(answer, {
    platform: 'Lark',
    // `code` decides; legacy `StatusCode` only when `code` is absent ({"code":19021,"StatusCode":0} is a failure, §C.6).
    code: (json) => numericField(json, 'code') ?? numericField(json, 'StatusCode'),
    message: (json) => stringField(json, 'msg', 'StatusMessage'),
    meaning: (code) => LARK_CODES[code],
    ownMessageCodes: OWN_MESSAGE_CODES,
    written,
  });
}

/** 9499, malformed or over 20 KB: for a default message, ci-notify's own (robot-hints.ts `writerOf`). */
const OWN_MESSAGE_CODES = new Set([9499]);

// ---------------------------------------------------------------------------------------------
// Send

export const lark: Channel<LarkOptions> = {
  type: 'lark',
  options: larkOptions,
  secrets: (options) => [options.url, options.secret],
  msgTypes: LARK_MSG_TYPES,
  async send(ctx: SendContext<LarkOptions>) {
    const label = `lark ${ctx.target.name}`;
    const built = buildLarkPayload(ctx);
    if ('problem' in built) {
      return {
        ok: false,
        attempts: 0,
        status_code: null,
        error: built.problem,
        duration_ms: 0,
        answer: null,
        dry_run: ctx.dryRun,
      };
    }
    return ctx.http.deliver(
      larkRequest(ctx.options, built.payload, () => ctx.now().getTime()),
      (answer) => readLarkAnswer(answer, writerOf(ctx.target)),
      { label },
    );
  },
};

/** The unsigned JSON payload, or a problem with the `customize` template. */
export function buildLarkPayload(
  ctx: SendContext<LarkOptions>,
): { payload: Record<string, unknown> } | { problem: string } {
  const { target, message } = ctx;
  const type = (target.msg_type || LARK_MSG_TYPES[0]) as LarkMsgType;
  if (type === 'customize') {
    if (target.template.trim() === '')
      return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
    let parsed: unknown;
    try {
      // Values are JSON-escaped AND mention-neutralised: `<at user_id="all">` from a commit title stays text.
      parsed = JSON.parse(ctx.render(target.template, 'json', neutralizeMentions));
    } catch (error) {
      return { problem: `template: the rendered customize body is not valid JSON (${jsonErrorWithoutText(error)})` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { problem: 'template: the customize body must be a JSON object (the signature is added to it)' };
    }
    return { payload: parsed as Record<string, unknown> };
  }
  const wanted = ctx.mention;
  // A custom bot can only mention by open_id/user_id; it cannot resolve mobiles (§C.3).
  if (wanted && target.at_mobiles.length > 0) {
    ctx.log.warn(
      `Lark custom bots cannot mention by mobile number; use at_user_ids with open_ids, or the lark_app channel`,
    );
  }
  const mentions: LarkMentions = wanted
    ? { userIds: target.at_user_ids, all: target.at_all, names: target.at_names }
    : { userIds: [], all: false };
  const signed = ctx.options.secret !== '';
  const fitted = fitWithinBytes(
    (clip) => larkPayload(message, type, mentions, { keyword: target.keyword, clip }),
    (payload) => jsonBytes(signed ? { ...SIGNATURE_PLACEHOLDER, ...payload } : payload),
    LARK_BODY_LIMIT,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info(`message truncated to fit Lark's 20 KB body limit`);
  return { payload: fitted.value as unknown as Record<string, unknown> };
}
