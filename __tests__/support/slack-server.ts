/**
 * A loopback stand-in of Slack: an incoming webhook (POST /services/T…/B…/<secret>, answering
 * `ok` or its plain-text errors) and the Web API (`chat.postMessage`, `chat.update`, answering
 * {ok, error}). It checks the bot token and the channel, validates Block Kit (section text ≤ 3000,
 * ≤ 50 blocks, `text` or `blocks` present), keeps the channel's messages (so an edit shows as one
 * message, changed) and answers a scripted rate limit with HTTP 429 and `Retry-After`.
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

export interface SlackStoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** How many times chat.update changed it. */
  edits: number;
}

export interface SlackServerOptions {
  /** The bot token the API accepts (default: a random xoxb- token). */
  token?: string;
  /** Channel ID → whether the bot is a member (default: C0CINOTIFY, a member). */
  channels?: Record<string, boolean>;
  /** Channel names chat.postMessage accepts ('#ops' → its ID); answers and chat.update use the ID. */
  channelNames?: Record<string, string>;
  /** Retry-After seconds on a rate-limited answer. */
  retryAfterSeconds?: number;
}

export interface SlackServer extends ChatStandIn {
  /** The incoming webhook URL (its path is the secret). */
  webhookUrl: string;
  /** The Web API base for `api_url`. */
  apiUrl: string;
  token: string;
  /** Messages posted through the webhook, as received. */
  webhookMessages: unknown[];
  /** Messages in channels through the API, in posting order (edited in place). */
  messages: SlackStoredMessage[];
  /** Deletes a message, as a user would: a later chat.update gets message_not_found. */
  deleteMessage(ts: string): void;
}

export const SLACK_SECTION_MAX = 3000;
export const SLACK_BLOCKS_MAX = 50;

export async function startSlackServer(options: SlackServerOptions = {}): Promise<SlackServer> {
  const token = options.token ?? `xoxb-${randomId(12, '0123456789')}-${randomId(24)}`;
  const hookPath = `/services/T${randomId(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}/B${randomId(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}/${randomId(24)}`;
  const channels = options.channels ?? { C0CINOTIFY: true };
  const webhookMessages: unknown[] = [];
  const messages: SlackStoredMessage[] = [];
  const limiter = rateLimiter();
  let clock = 1_796_000_000;
  const nextTs = () => `${clock++}.${String(messages.length + 1).padStart(6, '0')}`;

  const limited = (body: unknown): ChatAnswer => ({
    status: 429,
    body,
    headers: { 'Retry-After': String(options.retryAfterSeconds ?? 1) },
  });

  const server = await startChatServer((req) => {
    if (req.method !== 'POST') return { status: 405, body: 'method_not_allowed' };

    if (req.path.startsWith('/services/')) {
      if (req.path !== hookPath) return { status: 403, body: 'invalid_token' };
      if (limiter.take()) return limited('rate_limited');
      if (!isObject(req.json)) return { status: 400, body: 'invalid_payload' };
      const problem = blockProblem(req.json);
      if (problem) return { status: 400, body: problem === 'no_text' ? 'no_text' : 'invalid_blocks' };
      webhookMessages.push(req.json);
      return { body: 'ok' };
    }

    const method = /^\/api\/(chat\.postMessage|chat\.update)$/.exec(req.path)?.[1];
    if (!method) return { status: 404, body: { ok: false, error: 'unknown_method' } };
    const auth = req.headers.authorization;
    if (!auth) return { body: { ok: false, error: 'not_authed' } };
    if (auth !== `Bearer ${token}`) return { body: { ok: false, error: 'invalid_auth' } };
    if (limiter.take()) return limited({ ok: false, error: 'ratelimited' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json') || !isObject(req.json))
      return { body: { ok: false, error: 'invalid_arguments' } };
    const body = req.json;
    const given = typeof body.channel === 'string' ? body.channel : '';
    const channel = method === 'chat.postMessage' ? (options.channelNames?.[given] ?? given) : given;
    if (!(channel in channels)) return { body: { ok: false, error: 'channel_not_found' } };
    if (!channels[channel]) return { body: { ok: false, error: 'not_in_channel' } };
    const problem = blockProblem(body);
    if (problem) {
      return problem === 'no_text'
        ? { body: { ok: false, error: 'no_text' } }
        : { body: { ok: false, error: 'invalid_blocks', errors: [problem] } };
    }
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];
    if (method === 'chat.postMessage') {
      const stored: SlackStoredMessage = { channel, ts: nextTs(), text, blocks, edits: 0 };
      messages.push(stored);
      return { body: { ok: true, channel, ts: stored.ts, message: { type: 'message', text, blocks, ts: stored.ts } } };
    }
    const found = messages.find((m) => m.channel === channel && m.ts === body.ts);
    if (!found) return { body: { ok: false, error: 'message_not_found' } };
    found.text = text;
    found.blocks = blocks;
    found.edits++;
    return { body: { ok: true, channel, ts: found.ts, text } };
  });

  return {
    webhookUrl: `${server.origin}${hookPath}`,
    apiUrl: `${server.origin}/api`,
    token,
    webhookMessages,
    messages,
    deleteMessage: (ts) => removeFirst(messages, (m) => m.ts === ts),
    ...standInControls(server, limiter),
  };
}

/** Block Kit checks Slack makes (docs.slack.dev/reference/block-kit/blocks), as Slack words them. */
function blockProblem(body: Record<string, unknown>): string | null {
  const text = body.text;
  const blocks = body.blocks;
  if ((typeof text !== 'string' || text === '') && (!Array.isArray(blocks) || blocks.length === 0)) return 'no_text';
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks)) return 'must be an array [json-pointer:/blocks]';
  if (blocks.length > SLACK_BLOCKS_MAX) return `no more than ${SLACK_BLOCKS_MAX} items allowed [json-pointer:/blocks]`;
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block)) return `must be an object [json-pointer:/blocks/${i}]`;
    if (block.type === 'section') {
      const t = isObject(block.text) ? block.text : null;
      if (!t || (t.type !== 'mrkdwn' && t.type !== 'plain_text') || typeof t.text !== 'string' || t.text === '')
        return `must provide a text object [json-pointer:/blocks/${i}/text]`;
      if (t.text.length > SLACK_SECTION_MAX)
        return `must be less than ${SLACK_SECTION_MAX + 1} characters [json-pointer:/blocks/${i}/text/text]`;
    } else if (block.type === 'actions') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0) return `must provide elements [json-pointer:/blocks/${i}/elements]`;
      for (const e of elements) {
        if (!isObject(e) || e.type !== 'button' || !isObject(e.text) || e.text.type !== 'plain_text')
          return `invalid element [json-pointer:/blocks/${i}/elements]`;
        if (typeof e.text.text !== 'string' || e.text.text.length > 75)
          return `must be less than 76 characters [json-pointer:/blocks/${i}/elements/0/text/text]`;
        if (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url)) return `invalid url [json-pointer:/blocks/${i}]`;
      }
    } else {
      return `unsupported type [json-pointer:/blocks/${i}/type]`;
    }
  }
  return null;
}
