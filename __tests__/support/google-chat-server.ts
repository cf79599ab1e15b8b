/**
 * A loopback stand-in of a Google Chat space's incoming webhook:
 * POST /v1/spaces/<space>/messages?key=…&token=…. It checks the key and token the way Chat answers
 * them (400 "API key not valid", 403 "without a valid token"), validates `cardsV2` (widgets it
 * knows, http(s) links), enforces 32,000 bytes, honours `thread.threadKey` with
 * `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` (one thread per key), throttles with
 * 429 RESOURCE_EXHAUSTED, answers the created message, and records who the `text` mentions.
 */
import {
  isObject,
  randomId,
  rateLimiter,
  standInControls,
  startChatServer,
  type ChatAnswer,
  type ChatStandIn,
} from './chat-server.js';

export interface GoogleChatStoredMessage {
  name: string;
  thread: string;
  threadKey: string | null;
  text: string;
  cardsV2: unknown;
  /** `<users/…>` mentions in `text` (`all` for `<users/all>`). */
  mentions: string[];
}

export interface GoogleChatServer extends ChatStandIn {
  url: string;
  key: string;
  token: string;
  messages: GoogleChatStoredMessage[];
}

export const GOOGLE_CHAT_MAX_BYTES = 32_000;

export async function startGoogleChatServer(): Promise<GoogleChatServer> {
  const space = `AAAA${randomId(7, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
  const key = `AIzaSy${randomId(33, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`;
  const token = randomId(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
  const messages: GoogleChatStoredMessage[] = [];
  const threads = new Map<string, string>();
  const limiter = rateLimiter();
  const error = (code: number, status: string, message: string): ChatAnswer => ({
    status: code,
    body: { error: { code, message, status } },
  });

  const server = await startChatServer((req) => {
    const match = /^\/v1\/spaces\/([^/]+)\/messages$/.exec(req.path);
    if (!match || req.method !== 'POST') return error(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (req.query.get('key') !== key)
      return error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    if (match[1] !== space || req.query.get('token') !== token)
      return error(
        403,
        'PERMISSION_DENIED',
        'The API is called without a valid token. Instructions on how to use incoming webhooks can be found at https://developers.google.com/chat/how-tos/webhooks',
      );
    if (limiter.take())
      return error(
        429,
        'RESOURCE_EXHAUSTED',
        "Quota exceeded for quota metric 'Write requests' of service 'chat.googleapis.com'.",
      );
    if (Buffer.byteLength(req.body) > GOOGLE_CHAT_MAX_BYTES)
      return error(400, 'INVALID_ARGUMENT', 'Message size exceeds the limit of 32000 bytes.');
    const body = req.json;
    if (!isObject(body)) return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    const text = typeof body.text === 'string' ? body.text : '';
    const problem = cardsProblem(body.cardsV2);
    if (problem) return error(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${problem}`);
    if (text === '' && body.cardsV2 === undefined) return error(400, 'INVALID_ARGUMENT', 'Message cannot be empty.');
    const threadKey = isObject(body.thread) && typeof body.thread.threadKey === 'string' ? body.thread.threadKey : null;
    const reply = req.query.get('messageReplyOption');
    if (threadKey !== null && reply !== 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD' && reply !== 'REPLY_MESSAGE_OR_FAIL') {
      // MESSAGE_REPLY_OPTION_UNSPECIFIED: a new thread, whatever the key.
    }
    let thread: string;
    if (threadKey !== null && (reply === 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD' || reply === 'REPLY_MESSAGE_OR_FAIL')) {
      thread = threads.get(threadKey) ?? `spaces/${space}/threads/${randomId(11)}`;
      threads.set(threadKey, thread);
    } else {
      thread = `spaces/${space}/threads/${randomId(11)}`;
    }
    const stored: GoogleChatStoredMessage = {
      name: `spaces/${space}/messages/${randomId(11)}.${randomId(11)}`,
      thread,
      threadKey,
      text,
      cardsV2: body.cardsV2,
      mentions: [...text.matchAll(/<users\/([^>\s]+)>/g)].map((m) => m[1]!),
    };
    messages.push(stored);
    // A webhook's answer carries the message's name and thread (spaces.messages.create).
    return {
      body: {
        name: stored.name,
        sender: { name: 'users/114022495153014004089', type: 'BOT' },
        text,
        thread: { name: thread, ...(threadKey ? { threadKey } : {}) },
        space: { name: `spaces/${space}` },
      },
    };
  });

  return {
    url: `${server.origin}/v1/spaces/${space}/messages?key=${key}&token=${token}`,
    key,
    token,
    messages,
    ...standInControls(server, limiter),
  };
}

/** The card shapes this stand-in knows (developers.google.com/workspace/chat/api/reference/rest/v1/cards). */
function cardsProblem(cards: unknown): string | null {
  if (cards === undefined) return null;
  if (!Array.isArray(cards)) return 'cardsV2 must be a list';
  for (const entry of cards) {
    if (!isObject(entry) || typeof entry.cardId !== 'string' || !isObject(entry.card))
      return 'cardsV2[] needs cardId and card';
    const sections = Array.isArray(entry.card.sections) ? entry.card.sections : null;
    if (!sections) return 'card.sections must be a list';
    for (const section of sections) {
      const widgets = isObject(section) && Array.isArray(section.widgets) ? section.widgets : null;
      if (!widgets) return 'section.widgets must be a list';
      // "A section must contain at least one widget" (Card.Section, cloud.google.com Chat V1 reference).
      if (widgets.length === 0) return 'A section must contain at least one widget.';
      for (const widget of widgets) {
        if (!isObject(widget)) return 'a widget must be an object';
        if (isObject(widget.textParagraph)) {
          if (typeof widget.textParagraph.text !== 'string') return 'textParagraph.text must be a string';
        } else if (isObject(widget.buttonList)) {
          const buttons = Array.isArray(widget.buttonList.buttons) ? widget.buttonList.buttons : [];
          for (const b of buttons) {
            const url =
              isObject(b) && isObject(b.onClick) && isObject(b.onClick.openLink) ? b.onClick.openLink.url : null;
            if (typeof url !== 'string' || !/^https?:\/\//.test(url))
              return 'button.onClick.openLink.url must be an http(s) URL';
          }
        } else {
          return `Unknown name "${Object.keys(widget)[0] ?? ''}" at 'message.cards_v2[0].card.sections[0].widgets[0]'`;
        }
      }
    }
  }
  return null;
}
