/**
 * A loopback stand-in of a Discord channel webhook: Execute Webhook (POST /api/webhooks/<id>/<token>,
 * the message object with `?wait=true`, 204 without) and Edit Webhook Message (PATCH
 * …/messages/<id>). It checks the webhook id and token, enforces the documented limits with
 * Discord's own "Invalid Form Body" answers, sends X-RateLimit-* headers on every answer and a
 * JSON `retry_after` (float seconds) on a scripted 429, and works out who a message would ping the
 * way Discord does — a mention pings only when `allowed_mentions` allows it.
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

export interface DiscordPings {
  users: string[];
  roles: string[];
  everyone: boolean;
}

export interface DiscordStoredMessage {
  id: string;
  content: string;
  embeds: Record<string, unknown>[];
  allowed_mentions: unknown;
  /** Who was notified when it was posted. */
  pinged: DiscordPings;
  edits: number;
  /** Posted by someone else (another webhook, a bot): this webhook cannot edit it. */
  foreign?: boolean;
}

export interface DiscordServer extends ChatStandIn {
  /** The webhook URL (https://discord.com/api/webhooks/<id>/<token> form, on loopback). */
  url: string;
  webhookId: string;
  webhookToken: string;
  messages: DiscordStoredMessage[];
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  deleteMessage(id: string): void;
  /** Marks a message as another author's, so an edit through this webhook is refused (403, 50005). */
  makeForeign(id: string): void;
}

export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, total: 6000, fields: 25, embeds: 10 };

export async function startDiscordServer(): Promise<DiscordServer> {
  const webhookId = randomId(19, '0123456789');
  const webhookToken = randomId(68, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');
  const messages: DiscordStoredMessage[] = [];
  const limiter = rateLimiter(0.35);
  let snowflake = 1_300_000_000_000_000_000n;
  const rateHeaders = (remaining: number): Record<string, string> => ({
    'X-RateLimit-Limit': '5',
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset-After': String(remaining > 0 ? 2 : limiter.retryAfterSeconds),
    'X-RateLimit-Bucket': 'f2a6c1e7d0b6c3a4',
  });
  const error = (status: number, code: number, message: string, errors?: unknown): ChatAnswer => ({
    status,
    body: { message, code, ...(errors ? { errors } : {}) },
    headers: rateHeaders(4),
  });

  const server = await startChatServer((req) => {
    const match = /^\/api\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(\d+))?$/.exec(req.path);
    if (!match) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    const [, id, token, messageId] = match;
    if (id !== webhookId) return error(404, 10015, 'Unknown Webhook');
    if (token !== webhookToken) return error(401, 50027, 'Invalid Webhook Token');
    if (limiter.take()) {
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: limiter.retryAfterSeconds, global: false },
        headers: {
          ...rateHeaders(0),
          'Retry-After': String(Math.ceil(limiter.retryAfterSeconds)),
          'X-RateLimit-Scope': 'user',
        },
      };
    }
    if (!isObject(req.json)) return error(400, 50109, 'The request body contains invalid JSON.');
    const invalid = formErrors(req.json);
    if (invalid) return error(400, 50035, 'Invalid Form Body', invalid);

    if (req.method === 'POST' && messageId === undefined) {
      const content = typeof req.json.content === 'string' ? req.json.content : '';
      const embeds = Array.isArray(req.json.embeds) ? (req.json.embeds as Record<string, unknown>[]) : [];
      if (content === '' && embeds.length === 0) return error(400, 50006, 'Cannot send an empty message');
      snowflake += 1n;
      const stored: DiscordStoredMessage = {
        id: String(snowflake),
        content,
        embeds,
        allowed_mentions: req.json.allowed_mentions,
        pinged: pings(content, req.json.allowed_mentions),
        edits: 0,
      };
      messages.push(stored);
      if (req.query.get('wait') !== 'true') return { status: 204, body: '', headers: rateHeaders(4) };
      return { body: asMessage(stored), headers: rateHeaders(4) };
    }
    if (req.method === 'PATCH' && messageId !== undefined) {
      const found = messages.find((m) => m.id === messageId);
      if (!found) return error(404, 10008, 'Unknown Message');
      // Discord's JSON error code for editing what another author posted (discord-api-docs,
      // topics/opcodes-and-status-codes: 50005 "Cannot edit a message authored by another user").
      if (found.foreign) return error(403, 50005, 'Cannot edit a message authored by another user');
      if (typeof req.json.content === 'string') found.content = req.json.content;
      if (Array.isArray(req.json.embeds)) found.embeds = req.json.embeds as Record<string, unknown>[];
      found.allowed_mentions = req.json.allowed_mentions;
      found.edits++;
      return { body: asMessage(found), headers: rateHeaders(4) };
    }
    return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
  });

  return {
    url: `${server.origin}/api/webhooks/${webhookId}/${webhookToken}`,
    webhookId,
    webhookToken,
    messages,
    deleteMessage: (id) => removeFirst(messages, (m) => m.id === id),
    makeForeign: (id) => {
      const found = messages.find((m) => m.id === id);
      if (found) found.foreign = true;
    },
    ...standInControls(server, limiter),
  };
}

function asMessage(m: DiscordStoredMessage): Record<string, unknown> {
  return {
    id: m.id,
    type: 0,
    content: m.content,
    channel_id: '1234567890123456789',
    embeds: m.embeds,
    webhook_id: 'webhook',
    edited_timestamp: m.edits > 0 ? '2026-12-01T10:00:06.000000+00:00' : null,
  };
}

/** Discord's form validation, answered as its nested `_errors` object. */
function formErrors(body: Record<string, unknown>): unknown {
  const tooLong = (max: number) => ({
    _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }],
  });
  if (typeof body.content === 'string' && body.content.length > DISCORD_LIMITS.content)
    return { content: tooLong(DISCORD_LIMITS.content) };
  const embeds = Array.isArray(body.embeds) ? body.embeds : [];
  if (embeds.length > DISCORD_LIMITS.embeds) return { embeds: tooLong(DISCORD_LIMITS.embeds) };
  let total = 0;
  for (const [i, embed] of embeds.entries()) {
    if (!isObject(embed))
      return { embeds: { [i]: { _errors: [{ code: 'MODEL_TYPE_CONVERT', message: 'Must be an object.' }] } } };
    const title = typeof embed.title === 'string' ? embed.title : '';
    const description = typeof embed.description === 'string' ? embed.description : '';
    if (title.length > DISCORD_LIMITS.title) return { embeds: { [i]: { title: tooLong(DISCORD_LIMITS.title) } } };
    if (description.length > DISCORD_LIMITS.description)
      return { embeds: { [i]: { description: tooLong(DISCORD_LIMITS.description) } } };
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > DISCORD_LIMITS.fields) return { embeds: { [i]: { fields: tooLong(DISCORD_LIMITS.fields) } } };
    if (
      embed.color !== undefined &&
      (!Number.isInteger(embed.color) || (embed.color as number) < 0 || (embed.color as number) > 0xffffff)
    )
      return {
        embeds: {
          [i]: {
            color: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be <= 16777215 and >= 0.' }] },
          },
        },
      };
    total += title.length + description.length;
  }
  if (total > DISCORD_LIMITS.total)
    return {
      embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] },
    };
  const allowed = body.allowed_mentions;
  if (allowed !== undefined) {
    if (!isObject(allowed) || !Array.isArray(allowed.parse))
      return { allowed_mentions: { _errors: [{ code: 'MODEL_TYPE_CONVERT', message: 'Must be an object.' }] } };
    if (allowed.parse.includes('users') && Array.isArray(allowed.users))
      return {
        allowed_mentions: {
          _errors: [
            {
              code: 'SET_TYPE_ALREADY_CONTAINS_VALUE',
              message: 'parse:["users"] and users: [ids] are mutually exclusive.',
            },
          ],
        },
      };
  }
  return null;
}

/**
 * Who `content` pings (discord.com/developers/docs/resources/message#allowed-mentions-object): no
 * `allowed_mentions` means everything parses; with it, only what it names. Mentions in embeds never ping.
 */
function pings(content: string, allowed: unknown): DiscordPings {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] as string);
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] as string);
  const everyone = /@(everyone|here)\b/.test(content);
  if (!isObject(allowed)) return { users, roles, everyone };
  const parse = Array.isArray(allowed.parse) ? allowed.parse : [];
  const allowedUsers = Array.isArray(allowed.users) ? allowed.users : [];
  const allowedRoles = Array.isArray(allowed.roles) ? allowed.roles : [];
  return {
    users: users.filter((id) => parse.includes('users') || allowedUsers.includes(id)),
    roles: roles.filter((id) => parse.includes('roles') || allowedRoles.includes(id)),
    everyone: everyone && parse.includes('everyone'),
  };
}
