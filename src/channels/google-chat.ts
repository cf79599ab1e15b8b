/**
 * `google_chat`: a Google Chat space's incoming webhook (`key` and `token` in the URL) with a
 * `cardsV2` card and a `text` line — the title and the mentions, which only `text` can carry
 * (developers.google.com/workspace/chat/format-messages). `thread_key` keeps a run's messages in
 * one thread: `thread.threadKey` in the body with `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`
 * (the `threadKey` query parameter is deprecated). A webhook creates messages only: no edits.
 * Reads top to bottom: options, limits, layout, request, answer, send.
 */
import { z } from './schema.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { escapeGoogleChatCardHtml, escapeGoogleChatText } from '../render/chat-markup.js';
import type { Clip, Markup } from '../render/layout.js';
import { escapeHtml, oneLine } from '../render/text.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinBytes, jsonBytes, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, chatBody, cleanIds } from './chat-layout.js';
import type { Channel, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface GoogleChatOptions {
  /** The webhook URL; its `key` and `token` query parameters are the credential. */
  url: string;
  /** A template for the thread key ('' = no thread). */
  threadKey: string;
}

export const googleChatOptions: z.ZodType<GoogleChatOptions> = z
  .record(z.string(), z.string())
  .transform((raw, ctx) => {
    const problem = (message: string): typeof z.NEVER => {
      ctx.addIssue({ code: 'custom', path: ['url'], message });
      return z.NEVER;
    };
    const text = (raw.url ?? '').trim();
    if (text === '')
      return problem('missing; give the webhook URL of the space (space → Apps & integrations → Webhooks)');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return problem('expected the webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return problem('expected the webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…');
    return { url: text, threadKey: (raw.thread_key ?? '').trim() };
  });

// ---------------------------------------------------------------------------------------------
// Limits (developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create:
// "The maximum message size, including text and cards, is 32,000 bytes"). Measured on the body.

export const GOOGLE_CHAT_BODY_LIMIT = 32_000;
/** `thread.threadKey` is at most 4000 characters (Message.thread.threadKey). */
export const GOOGLE_CHAT_THREAD_KEY_MAX = 4000;

// ---------------------------------------------------------------------------------------------
// Layout

export interface GoogleChatMessage {
  text: string;
  /** Left out when there is nothing to put in it: a card section needs at least one widget. */
  cardsV2?: {
    cardId: string;
    card: {
      sections: {
        widgets: (
          | { textParagraph: { text: string } }
          | { buttonList: { buttons: { text: string; onClick: { openLink: { url: string } } }[] } }
        )[];
      }[];
    };
  }[];
  thread?: { threadKey: string };
}

type GoogleChatWidget = NonNullable<
  GoogleChatMessage['cardsV2']
>[number]['card']['sections'][number]['widgets'][number];

export interface GoogleChatMentions {
  users: string[];
  all: boolean;
}

/** Card text is an HTML subset (`<b>`, `<a href>`, `<font color>`, `<br>`): developers.google.com/workspace/chat/format-messages#card-formatting. */
const CARD_HTML: Markup = {
  text: (text) => escapeGoogleChatCardHtml(text),
  link: (text, url) => `<a href="${escapeHtml(url)}">${text}</a>`,
  strong: (text) => `<b>${text}</b>`,
  muted: (text) => `<font color="#6e7781">${text}</font>`,
  code: (text) => text,
  item: (line) => `• ${line}`,
};

/**
 * The default Google Chat message: the title (and the mentions, which only `text` can carry) as
 * `text`; the body — what broke first, each failed job linked — and a "View run" button in a card.
 */
export function googleChatMessage(
  message: MessageModel,
  mentions: GoogleChatMentions,
  threadKey: string,
  clip: Clip = NO_CLIP,
): GoogleChatMessage {
  const pings = [...mentions.users.map((id) => `<users/${id}>`), ...(mentions.all ? ['<users/all>'] : [])].join(' ');
  const title = `*${escapeGoogleChatText(message.title)}*`;
  const lines = chatBody(message, CARD_HTML, clip, {
    // A template is the user's text shown as text: HTML-escaped, values and all; lines kept.
    value: (text) => text,
    whole: (text) => escapeGoogleChatCardHtml(text, { multiline: true }).replace(/\n/g, '<br>'),
  });
  const widgets: GoogleChatWidget[] = [];
  const body = lines.filter((line) => line.trim() !== '');
  if (body.length > 0) widgets.push({ textParagraph: { text: body.join('<br>') } });
  if (message.link)
    widgets.push({
      buttonList: { buttons: [{ text: message.link.label, onClick: { openLink: { url: message.link.url } } }] },
    });
  return {
    text: pings === '' ? title : `${title}\n${pings}`,
    // "A section must contain at least one widget" (cloud.google.com/…/Chat.V1.ContextualAddOnMarkup.Card.Section):
    // with `fields` that leave no body and no link, or a template that renders empty, the title is the message.
    ...(widgets.length > 0 ? { cardsV2: [{ cardId: 'ci-notify', card: { sections: [{ widgets }] } }] } : {}),
    ...(threadKey !== '' ? { thread: { threadKey } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Request (pure)

export function googleChatRequest(options: GoogleChatOptions, message: GoogleChatMessage): HttpRequestSpec {
  const url = new URL(options.url);
  // Reply in the thread of the key, or start it (spaces.messages.create, MessageReplyOption).
  if (message.thread) url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  return {
    method: 'POST',
    url: url.toString(),
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(message),
  };
}

// ---------------------------------------------------------------------------------------------
// Answer (200 with the message; errors in Google's {error: {code, message, status}})

export function readGoogleChatAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  if (answer.status >= 200 && answer.status < 300) {
    if (json && typeof json.name === 'string') return { ok: true };
    return {
      ok: false,
      retry: false,
      error: `Google Chat answered without a message (${httpErrorLine(answer)})`,
      hint: 'check that url is the webhook URL of a Google Chat space',
    };
  }
  const error = asObject(json?.error);
  const status = answerText(error?.status, 80) || null;
  const message = answerText(error?.message, 160);
  if (status === null) return { ok: false, retry: isTransientStatus(answer.status), error: httpErrorLine(answer) };
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: `Google Chat error ${status}${message ? `: ${message}` : ''} (HTTP ${answer.status})`,
    ...hintFor(answer.status, status, message),
  };
}

function hintFor(http: number, status: string, message: string): { hint?: string } {
  if (/api key/i.test(message)) return { hint: 'the key= of url is wrong: copy the whole webhook URL again' };
  if (http === 403 && /token/i.test(message))
    return { hint: 'the token= of url is wrong, or the webhook was deleted: copy the webhook URL again' };
  if (http === 404) return { hint: 'the space or its webhook no longer exists: create a new webhook' };
  if (status === 'RESOURCE_EXHAUSTED') return { hint: 'Google Chat rate limit (1 message per second per space)' };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Send

/** A user id (digits) or an e-mail address, with or without the `users/` prefix. */
const USER = /^(?:users\/)?(?:\d{5,30}|[^\s<>/@]+@[^\s<>/@]+)$/;

export const googleChat: Channel<GoogleChatOptions> = {
  type: 'google_chat',
  options: googleChatOptions,
  secrets: (options) => [options.url],
  msgTypes: [],

  async send(ctx: SendContext<GoogleChatOptions>) {
    const { target, message } = ctx;
    const ids = ctx.mention ? cleanIds(target.at_user_ids, USER) : { valid: [], invalid: [] };
    if (ids.invalid.length > 0)
      ctx.log.warn(
        `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Google Chat user (users/<id> or an e-mail address)`,
      );
    const mentions: GoogleChatMentions = {
      users: ids.valid.map((id) => id.replace(/^users\//, '')),
      all: ctx.mention && target.at_all,
    };
    // The key may be a template (`${pipeline.id}`): one thread per run, per branch, …
    const threadKey = oneLine(ctx.options.threadKey === '' ? '' : ctx.render(ctx.options.threadKey, 'text')).slice(
      0,
      GOOGLE_CHAT_THREAD_KEY_MAX,
    );
    const fitted = fitWithinBytes(
      (clip) => googleChatMessage(message, mentions, threadKey, clip),
      jsonBytes,
      GOOGLE_CHAT_BODY_LIMIT,
      truncationMarker(message.locale),
    );
    if (fitted.truncated) ctx.log.info("message truncated to fit Google Chat's 32,000 bytes");
    return ctx.http.deliver(googleChatRequest(ctx.options, fitted.value), readGoogleChatAnswer);
  },
};
