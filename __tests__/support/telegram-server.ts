/**
 * A loopback stand-in of the Telegram Bot API (`/bot<token>/sendMessage`, `/editMessageText`): it
 * checks the token, the chat (membership, migrated groups, forum topics), parses the HTML the way
 * Telegram's `parse_mode: HTML` does (only its tags, only its entities — "can't parse entities"
 * otherwise), enforces 1–4096 characters after entity parsing, answers flood control with 429 and
 * `parameters.retry_after`, and works out the mentions the message makes (`tg://user?id=` links and
 * `@username`), so a test can see who would be notified.
 */
import {
  isObject,
  randomId,
  rateLimiter,
  removeFirst,
  standInControls,
  startChatServer,
  type ChatAnswer,
  type ChatStandIn,
} from './chat-server.js';

export interface TelegramChat {
  /** False: the bot was removed from the chat. */
  member?: boolean;
  /** Forum topic ids that exist. */
  topics?: number[];
  /** Set when the group became a supergroup with this id. */
  migratedTo?: number;
  /** An @username of the chat (channels). */
  username?: string;
}

export interface TelegramStoredMessage {
  chat_id: number;
  message_id: number;
  thread: number | null;
  /** The HTML as sent. */
  html: string;
  /** The text Telegram shows (tags removed, entities decoded). */
  text: string;
  /** User ids (text_mention) and @usernames (mention) the message notifies. */
  mentions: string[];
  edits: number;
}

export interface TelegramServer extends ChatStandIn {
  apiUrl: string;
  token: string;
  messages: TelegramStoredMessage[];
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  deleteMessage(messageId: number): void;
}

export const TELEGRAM_MAX = 4096;
const TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'tg-spoiler',
  'span',
  'blockquote',
]);

export async function startTelegramServer(
  options: { chats?: Record<string, TelegramChat>; token?: string } = {},
): Promise<TelegramServer> {
  const token =
    options.token ??
    `${randomId(10, '0123456789')}:AA${randomId(33, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-')}`;
  const chats = options.chats ?? { '-1001234567890': { topics: [42] } };
  const messages: TelegramStoredMessage[] = [];
  const limiter = rateLimiter(3);
  let nextId = 100;

  const fail = (code: number, description: string, parameters?: Record<string, unknown>): ChatAnswer => ({
    status: code,
    body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
  });

  const server = await startChatServer((req) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!match) return fail(404, 'Not Found');
    const [, given, method] = match;
    if (given !== token) return fail(401, 'Unauthorized');
    if (method !== 'sendMessage' && method !== 'editMessageText') return fail(404, 'Not Found');
    if (limiter.take())
      return fail(429, `Too Many Requests: retry after ${limiter.retryAfterSeconds}`, {
        retry_after: limiter.retryAfterSeconds,
      });
    if (!isObject(req.json)) return fail(400, 'Bad Request: message text is empty');
    const body = req.json;
    const chatKey = Object.keys(chats).find(
      (id) => id === String(body.chat_id) || (chats[id]!.username && chats[id]!.username === body.chat_id),
    );
    if (chatKey === undefined) return fail(400, 'Bad Request: chat not found');
    const chat = chats[chatKey]!;
    if (chat.migratedTo !== undefined)
      return fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: chat.migratedTo,
      });
    if (chat.member === false) return fail(403, 'Forbidden: bot was kicked from the supergroup chat');
    if (body.parse_mode !== 'HTML') return fail(400, 'Bad Request: unsupported parse_mode in this stand-in');
    if (typeof body.text !== 'string' || body.text.trim() === '')
      return fail(400, 'Bad Request: message text is empty');
    const parsed = parseHtml(body.text);
    if (typeof parsed === 'string') return fail(400, `Bad Request: can't parse entities: ${parsed}`);
    if (parsed.text.length > TELEGRAM_MAX) return fail(400, 'Bad Request: message is too long');
    const chatId = Number(chatKey);

    if (method === 'sendMessage') {
      const thread = typeof body.message_thread_id === 'number' ? body.message_thread_id : null;
      if (thread !== null && !(chat.topics ?? []).includes(thread))
        return fail(400, 'Bad Request: message thread not found');
      const stored: TelegramStoredMessage = {
        chat_id: chatId,
        message_id: nextId++,
        thread,
        html: body.text,
        text: parsed.text,
        mentions: parsed.mentions,
        edits: 0,
      };
      messages.push(stored);
      return { body: { ok: true, result: asResult(stored) } };
    }
    const found = messages.find((m) => m.chat_id === chatId && m.message_id === body.message_id);
    if (!found) return fail(400, 'Bad Request: message to edit not found');
    if (found.html === body.text)
      return fail(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    found.html = body.text;
    found.text = parsed.text;
    found.mentions = parsed.mentions;
    found.edits++;
    return { body: { ok: true, result: asResult(found) } };
  });

  return {
    apiUrl: server.origin,
    token,
    messages,
    deleteMessage: (id) => removeFirst(messages, (m) => m.message_id === id),
    ...standInControls(server, limiter),
  };
}

function asResult(m: TelegramStoredMessage): Record<string, unknown> {
  return {
    message_id: m.message_id,
    ...(m.thread !== null ? { message_thread_id: m.thread, is_topic_message: true } : {}),
    from: { id: 1, is_bot: true, first_name: 'CI', username: 'ci_notify_bot' },
    chat: { id: m.chat_id, title: 'CI', type: 'supergroup' },
    date: 1796000000,
    ...(m.edits > 0 ? { edit_date: 1796000005 } : {}),
    text: m.text,
  };
}

/**
 * Telegram's HTML rules (core.telegram.org/bots/api#html-style): only its tags, `<a href="…">`, and
 * the entities &lt; &gt; &amp; &quot; and numeric ones; any other `<` or `&` is an error.
 */
function parseHtml(html: string): { text: string; mentions: string[] } | string {
  let text = '';
  const mentions: string[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    const offset = Buffer.byteLength(html.slice(0, i));
    if (c === '<') {
      const tag = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"]*")*)\s*>/i.exec(html.slice(i));
      if (!tag) return `Unsupported start tag at byte offset ${offset}`;
      const [whole, closing, name, attrs] = tag as unknown as [string, string, string, string];
      if (!TAGS.has(name.toLowerCase())) return `Unsupported start tag "${name}" at byte offset ${offset}`;
      if (closing) {
        if (open.pop() !== name) return `Can't find end tag corresponding to start tag "${name}"`;
      } else {
        open.push(name);
        const href = /href="([^"]*)"/.exec(attrs)?.[1];
        if (name === 'a') {
          const user = /^tg:\/\/user\?id=(\d+)$/.exec(href ?? '');
          if (user) mentions.push(user[1]!);
          else if (!/^(https?|tg):\/\//.test(href ?? '')) return `Wrong HTTP URL at byte offset ${offset}`;
        }
      }
      i += whole.length;
    } else if (c === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!entity) return `Can't find end of the entity starting at byte offset ${offset}`;
      const name = entity[1]!.toLowerCase();
      const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
      text +=
        named[name] ??
        String.fromCodePoint(name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)));
      i += entity[0].length;
    } else {
      text += c;
      i++;
    }
  }
  if (open.length > 0) return `Can't find end tag corresponding to start tag "${open.at(-1)}"`;
  // A username mention: @ followed by 5-32 letters, digits or _ (a word joiner after @ breaks it).
  for (const m of text.matchAll(/(?<![\w@])@([A-Za-z][A-Za-z0-9_]{4,31})\b/g)) mentions.push(`@${m[1]}`);
  return { text, mentions };
}
