/**
 * `telegram`: a bot posts to a chat with the Bot API `sendMessage` (`parse_mode: HTML`), in a
 * forum topic with `message_thread_id`; `editMessageText` edits the message of an earlier step.
 * The bot token travels in the URL path (`/bot<token>/…`): it is a secret, redacted wherever the
 * URL is printed. `api_url` points at a self-hosted Bot API server or a gateway.
 * Reads top to bottom: options, limits, layout, requests, answers, send.
 */
import { z } from './schema.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { escapeTelegramHtml } from '../render/chat-markup.js';
import type { Clip, Markup } from '../render/layout.js';
import { escapeHtml } from '../render/text.js';
import type { Locale, MessageModel } from '../render/types.js';
import { fitWithinUnits, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, chatBody, cleanIds } from './chat-layout.js';
import { decodeMessageRef, encodeMessageRef } from './message-ref.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export const TELEGRAM_API_URL = 'https://api.telegram.org';

export interface TelegramOptions {
  token: string;
  /** A numeric chat id (as a number) or an @channelusername. */
  chatId: number | string;
  messageThreadId: number | null;
  apiUrl: string;
}

export const telegramOptions: z.ZodType<TelegramOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const get = (name: string): string => (raw[name] ?? '').trim();
  let failed = false;
  const problem = (input: string, message: string): void => {
    failed = true;
    ctx.addIssue({ code: 'custom', path: [input], message });
  };
  const token = get('token');
  if (token === '')
    problem('token', 'missing; give the bot token from @BotFather (best as a secret: env:TELEGRAM_BOT_TOKEN)');
  else if (!/^\d+:[A-Za-z0-9_-]+$/.test(token))
    problem('token', 'expected a bot token like 123456789:AAE…, as @BotFather gives it');
  const chat = get('chat_id');
  let chatId: number | string = chat;
  if (chat === '')
    problem(
      'chat_id',
      'missing; give the chat id (a number; groups and channels are negative, e.g. -1001234567890) or @channelusername',
    );
  else if (/^-?\d{1,16}$/.test(chat)) chatId = Number(chat);
  else if (!/^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(chat))
    problem('chat_id', 'expected a numeric chat id (e.g. -1001234567890) or @channelusername');
  const thread = get('message_thread_id');
  if (thread !== '' && !/^[1-9]\d{0,15}$/.test(thread))
    problem('message_thread_id', 'expected the numeric id of the forum topic');
  const apiUrl = get('api_url') || TELEGRAM_API_URL;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i.test(apiUrl))
    problem('api_url', 'expected the Bot API base URL, e.g. https://api.telegram.org');
  if (failed) return z.NEVER;
  return { token, chatId, messageThreadId: thread === '' ? null : Number(thread), apiUrl: apiUrl.replace(/\/+$/, '') };
});

// ---------------------------------------------------------------------------------------------
// Limits (core.telegram.org/bots/api#sendmessage and #editmessagetext: "Text of the message,
// 1-4096 characters after entities parsing" — the visible text, tags and entities decoded.
// Telegram counts UTF-16 code units, as JavaScript's `length` does.)

export const TELEGRAM_TEXT_MAX = 4096;

// ---------------------------------------------------------------------------------------------
// Layout

export interface TelegramMentions {
  /** Numeric user ids (a `tg://user?id=` link) or @usernames (written as they are). */
  ids: string[];
}

// Built on first use: a \p{…} regex literal costs V8 an ICU lookup when the file is parsed.
let cjk: RegExp | undefined;

function hasCjk(text: string): boolean {
  cjk ??= new RegExp('[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]', 'u');
  return cjk.test(text);
}

/**
 * Telegram HTML: `<b>`, `<a href>`; a job is a bullet line. Telegram has no grey, so muted text is
 * set in italics — but not in a Chinese message, nor on Chinese, Japanese or Korean text anywhere:
 * their fonts have no italic, clients slant the glyphs, and "推送 · 耗时 1 分 33 秒" or an author
 * "王小明" set that way reads as a mistake. A Chinese message stays upright throughout.
 */
function htmlMarkup(locale: Locale): Markup {
  return {
    text: (text) => escapeTelegramHtml(text),
    link: (text, url) => `<a href="${escapeHtml(url)}">${text}</a>`,
    strong: (text) => `<b>${text}</b>`,
    muted: (text) => (locale === 'zh' || hasCjk(text) ? text : `<i>${text}</i>`),
    // `code` cannot hold a link in Telegram ("entities can't be nested" inside code): the sha stays a link.
    code: (text) => text,
    item: (line) => `• ${line}`,
  };
}

/**
 * The default Telegram message (HTML): the title in bold, a blank line — without it the title and
 * the bold "2 of 5 jobs failed" under it read as one block — the body (what broke first), the run
 * link, mentions.
 */
export function telegramText(message: MessageModel, mentions: TelegramMentions, clip: Clip = NO_CLIP): string {
  const lines = [`<b>${escapeTelegramHtml(message.title)}</b>`];
  const markup = htmlMarkup(message.locale);
  const body = chatBody(message, markup, clip, {
    // The user's template is shown as text here: HTML-escaped, values and all.
    value: (text) => text,
    whole: (text) => escapeTelegramHtml(text, { multiline: true }),
  }).filter((line) => line.trim() !== '');
  if (body.length > 0) lines.push('', ...body);
  if (message.link) lines.push(markup.link(escapeHtml(message.link.label), message.link.url));
  const pings = mentions.ids.map((id) =>
    // A user without a username is reached through an inline link to tg://user (core.telegram.org/bots/api#formatting-options).
    /^\d+$/.test(id) ? `<a href="tg://user?id=${id}">${id}</a>` : id,
  );
  if (pings.length > 0) lines.push(pings.join(' '));
  return lines.join('\n');
}

/** The text Telegram counts: tags removed, entities decoded. */
export function telegramVisibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, (_m, name: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
    const lower = name.toLowerCase();
    if (named[lower]) return named[lower];
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1));
    return String.fromCodePoint(code);
  });
}

// ---------------------------------------------------------------------------------------------
// Requests (pure)

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function method(options: TelegramOptions, name: string): string {
  return `${options.apiUrl}/bot${options.token}/${name}`;
}

export function sendMessageRequest(options: TelegramOptions, text: string): HttpRequestSpec {
  return {
    method: 'POST',
    url: method(options, 'sendMessage'),
    headers: JSON_HEADERS,
    body: JSON.stringify({
      chat_id: options.chatId,
      ...(options.messageThreadId !== null ? { message_thread_id: options.messageThreadId } : {}),
      text,
      parse_mode: 'HTML',
      // The run and commit links would otherwise unfold into a preview bigger than the message.
      link_preview_options: { is_disabled: true },
    }),
  };
}

export function editMessageTextRequest(
  options: TelegramOptions,
  where: { chatId: number | string; messageId: number },
  text: string,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: method(options, 'editMessageText'),
    headers: JSON_HEADERS,
    body: JSON.stringify({
      chat_id: where.chatId,
      message_id: where.messageId,
      text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Answers ({ok, result} or {ok: false, error_code, description, parameters}, core.telegram.org/bots/api#making-requests)

const DESCRIPTION_HINTS: [RegExp, string][] = [
  [
    /chat not found/i,
    'chat_id: the bot cannot see this chat: add the bot to the group or channel (a private chat needs /start first), and check the id (groups are negative, -100…)',
  ],
  [/message thread not found|TOPIC_/i, 'message_thread_id: no such topic in this chat'],
  [
    /not enough rights|CHAT_WRITE_FORBIDDEN|CHAT_ADMIN_REQUIRED/i,
    'the bot may not post here: make it an admin of the channel, or let members post',
  ],
  [
    /kicked|not a member|blocked by the user|can't initiate conversation|deactivated/i,
    'the bot is not in this chat any more (or was blocked): add it again, or send it /start',
  ],
  [/can't parse entities/i, 'Telegram could not read the HTML of the message'],
  [/message is too long/i, 'the message is too long for Telegram'],
];

/** Answers that mean "that message cannot be edited": post a new one instead. */
const GONE = /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i;
/** An edit to exactly the same text: the message already says what we want. */
const NOT_MODIFIED = /message is not modified/i;

export function readTelegramAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  if (json === null || typeof json.ok !== 'boolean') {
    return {
      ok: false,
      retry: isTransientStatus(answer.status),
      error: `Telegram answered without "ok" (${httpErrorLine(answer)})`,
      hint: 'check api_url (default https://api.telegram.org)',
    };
  }
  if (json.ok) return { ok: true };
  const code = typeof json.error_code === 'number' ? json.error_code : answer.status;
  const description = answerText(json.description, 160);
  const parameters = asObject(json.parameters);
  const error = `Telegram error ${code}${description ? `: ${description}` : ''}`;
  if (code === 429 || typeof parameters?.retry_after === 'number') {
    const seconds = typeof parameters?.retry_after === 'number' ? parameters.retry_after : null;
    return {
      ok: false,
      retry: true,
      error,
      hint: 'Telegram flood control (about 1 message per second per chat, 20 per minute per group)',
      ...(seconds !== null ? { retryAfterMs: Math.ceil(seconds * 1000) } : {}),
    };
  }
  if (typeof parameters?.migrate_to_chat_id === 'number')
    return {
      ok: false,
      retry: false,
      error,
      hint: `the group became a supergroup: set chat_id to ${parameters.migrate_to_chat_id}`,
    };
  if (code === 401)
    return {
      ok: false,
      retry: false,
      error,
      hint: 'token: the bot token is wrong or revoked (get it from @BotFather)',
    };
  if (code === 404)
    return { ok: false, retry: false, error, hint: 'check token and api_url: Telegram found no such bot method' };
  const hint = DESCRIPTION_HINTS.find(([pattern]) => pattern.test(description))?.[1];
  return { ok: false, retry: isTransientStatus(answer.status), error, ...(hint ? { hint } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Send

export const telegram: Channel<TelegramOptions> = {
  type: 'telegram',
  options: telegramOptions,
  // The part after the colon is the credential (the bot id before it is public): masked alone too.
  secrets: (options) => [options.token, options.token.slice(options.token.indexOf(':') + 1)],
  msgTypes: [],
  edits: true,

  async send(ctx: SendContext<TelegramOptions>): Promise<ChannelResult> {
    const text = buildTelegramText(ctx);
    const where = ctx.update ? decodeMessageRef(ctx.update, 'telegram', ['c', 'm']) : null;
    if (ctx.update && !where) ctx.log.warn('update: not a Telegram message_ref; posting a new message');
    if (where && typeof where.m === 'number' && where.c !== undefined) {
      const coordinates = { chatId: where.c, messageId: where.m };
      const edited = await ctx.http.deliver(editMessageTextRequest(ctx.options, coordinates, text), readTelegramAnswer);
      if (edited.ok) return withRef(edited, coordinates.chatId, coordinates.messageId);
      const description = telegramDescription(edited);
      // An edit to exactly the same text (HTTP 400 "message is not modified"): the message already
      // says what we want, which is what the edit was for.
      if (NOT_MODIFIED.test(description)) {
        ctx.log.info('the Telegram message already says this; nothing to change');
        return withRef({ ...edited, ok: true, error: null }, coordinates.chatId, coordinates.messageId);
      }
      if (!GONE.test(description)) return edited;
      ctx.log.warn(`the Telegram message to update cannot be edited (${description}); posting a new one`);
      const posted = await postNew(ctx, text);
      return { ...posted, attempts: posted.attempts + edited.attempts };
    }
    return postNew(ctx, text);
  },
};

async function postNew(ctx: SendContext<TelegramOptions>, text: string): Promise<ChannelResult> {
  const outcome = await ctx.http.deliver(sendMessageRequest(ctx.options, text), readTelegramAnswer);
  const result = asObject(asObject(outcome.answer?.json)?.result);
  const chat = asObject(result?.chat);
  if (!outcome.ok || typeof result?.message_id !== 'number') return outcome;
  // The chat's numeric id from the answer: an @channelusername given as chat_id resolves to it.
  const chatId = typeof chat?.id === 'number' ? chat.id : ctx.options.chatId;
  return withRef(outcome, chatId, result.message_id);
}

function withRef(outcome: DeliveryOutcome, chatId: number | string, messageId: number): ChannelResult {
  return { ...outcome, message_ref: encodeMessageRef('telegram', { c: chatId, m: messageId }) };
}

function telegramDescription(outcome: DeliveryOutcome): string {
  const json = asObject(outcome.answer?.json);
  return answerText(json?.description, 160);
}

/** Numeric user ids and @usernames (5–32 characters of a–z, 0–9, _). */
const TELEGRAM_MENTION = /^(\d{1,16}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

export function buildTelegramText(ctx: SendContext<TelegramOptions>): string {
  const { target, message } = ctx;
  const ids = ctx.mention ? cleanIds(target.at_user_ids, TELEGRAM_MENTION) : { valid: [], invalid: [] };
  if (ids.invalid.length > 0)
    ctx.log.warn(
      `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Telegram user id or @username`,
    );
  if (ctx.mention && target.at_all) ctx.log.warn('at_all: Telegram has no mention of everyone in a chat; ignored');
  const fitted = fitWithinUnits(
    (clip) => telegramText(message, { ids: ids.valid }, clip),
    (html) => telegramVisibleText(html).length - TELEGRAM_TEXT_MAX,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info("message truncated to fit Telegram's 4096 characters");
  return fitted.value;
}
