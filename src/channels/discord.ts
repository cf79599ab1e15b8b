/**
 * `discord`: a channel webhook (Execute Webhook with `?wait=true`, so the answer is the message and
 * its id), one embed coloured by status, mentions in `content` and `allowed_mentions` always set —
 * Discord validates mentions against it, so `@everyone` or `<@id>` in commit text pings nobody.
 * The message of an earlier step is edited with `PATCH /webhooks/{id}/{token}/messages/{id}`.
 * Reads top to bottom: options, limits, layout, requests, answers, send.
 */
import { z } from './schema.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { escapeDiscordMarkdown, escapeDiscordTitle } from '../render/chat-markup.js';
import type { Clip, Markup } from '../render/layout.js';
import { neutralizeMentions, truncateUtf16 } from '../render/text.js';
import { titleWithin } from '../render/message.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinUnits, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, chatBody, cleanIds } from './chat-layout.js';
import { decodeMessageRef, encodeMessageRef } from './message-ref.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface DiscordOptions {
  /** The webhook URL as given (its path holds the webhook token: a secret). */
  url: string;
}

export const discordOptions: z.ZodType<DiscordOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const problem = (message: string): typeof z.NEVER => {
    ctx.addIssue({ code: 'custom', path: ['url'], message });
    return z.NEVER;
  };
  const text = (raw.url ?? '').trim();
  if (text === '')
    return problem('missing; give the webhook URL (Channel settings → Integrations → Webhooks → Copy URL)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('expected the webhook URL, https://discord.com/api/webhooks/<id>/<token>');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return problem('expected the webhook URL, https://discord.com/api/webhooks/<id>/<token>');
  // `…/slack` and `…/github` are other endpoints that expect those platforms' payloads.
  if (/\/(slack|github)\/?$/.test(url.pathname))
    return problem('use the plain webhook URL, without /slack or /github at the end');
  return { url: text };
});

// ---------------------------------------------------------------------------------------------
// Limits (discord.com/developers/docs/resources/message#embed-object-embed-limits and
// …/resources/webhook#execute-webhook: content up to 2000 characters; embed title 256,
// description 4096; all text of the embeds of a message together at most 6000 characters;
// at most 25 fields, which this layout does not use). Counted in UTF-16 units, never fewer.

export const DISCORD_CONTENT_MAX = 2000;
export const DISCORD_TITLE_MAX = 256;
export const DISCORD_DESCRIPTION_MAX = 4096;
export const DISCORD_EMBED_TOTAL_MAX = 6000;

// ---------------------------------------------------------------------------------------------
// Layout

export interface DiscordEmbed {
  title: string;
  url?: string;
  description?: string;
  color: number;
}

export interface DiscordAllowedMentions {
  parse: ('everyone' | 'users' | 'roles')[];
  users?: string[];
  roles?: string[];
}

export interface DiscordMessage {
  content?: string;
  embeds: DiscordEmbed[];
  allowed_mentions: DiscordAllowedMentions;
}

export interface DiscordMentions {
  users: string[];
  roles: string[];
  everyone: boolean;
}

/** Discord markdown: `**bold**`, `[masked](links)`; a job is a list line; no grey, no link in code. */
const MARKDOWN: Markup = {
  text: (text) => escapeDiscordMarkdown(text),
  link: (text, url) => `[${text}](${url})`,
  strong: (text) => `**${text}**`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `- ${line}`,
};

/**
 * The default Discord message: one embed titled and coloured by the outcome, linked to the run,
 * its description the body (what broke first, each failed job linked); mentions in `content`,
 * the only place they ping.
 */
export function discordMessage(message: MessageModel, mentions: DiscordMentions, clip: Clip = NO_CLIP): DiscordMessage {
  const description = chatBody(message, MARKDOWN, clip, {
    value: (text) => escapeDiscordMarkdown(text, { multiline: true }),
    whole: neutralizeMentions,
  }).join('\n');
  const embed: DiscordEmbed = {
    // Mentions in an embed never ping; emphasis in a title is made inert all the same.
    // A long ref or workflow name gives way, never the run number and the outcome at the end; a
    // user's own title is cut at its end.
    title: truncateUtf16(
      escapeDiscordTitle(titleWithin(message, DISCORD_TITLE_MAX, (title) => escapeDiscordTitle(title).length)),
      DISCORD_TITLE_MAX,
      truncationMarker(message.locale),
    ),
    ...(message.link ? { url: message.link.url } : {}),
    ...(description !== '' ? { description } : {}),
    color: Number.parseInt(message.colour.hex.slice(1), 16),
  };
  const content = [
    ...mentions.users.map((id) => `<@${id}>`),
    ...mentions.roles.map((id) => `<@&${id}>`),
    ...(mentions.everyone ? ['@everyone'] : []),
  ].join(' ');
  return {
    ...(content !== '' ? { content } : {}),
    embeds: [embed],
    // Only what we wrote is allowed to ping: never a mention that came in with commit text.
    allowed_mentions: {
      parse: mentions.everyone ? ['everyone'] : [],
      ...(mentions.users.length > 0 ? { users: mentions.users } : {}),
      ...(mentions.roles.length > 0 ? { roles: mentions.roles } : {}),
    },
  };
}

export function discordOvershoot(built: DiscordMessage): number {
  const embedText = built.embeds.reduce((sum, e) => sum + e.title.length + (e.description?.length ?? 0), 0);
  return Math.max(
    (built.content?.length ?? 0) - DISCORD_CONTENT_MAX,
    ...built.embeds.map((e) => (e.description?.length ?? 0) - DISCORD_DESCRIPTION_MAX),
    embedText - DISCORD_EMBED_TOTAL_MAX,
  );
}

// ---------------------------------------------------------------------------------------------
// Requests (pure)

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** Execute Webhook with `wait=true`: the answer is the message, with the id an edit needs. */
export function executeRequest(options: DiscordOptions, message: DiscordMessage): HttpRequestSpec {
  const url = new URL(options.url);
  url.searchParams.set('wait', 'true');
  return { method: 'POST', url: url.toString(), headers: JSON_HEADERS, body: JSON.stringify(message) };
}

/**
 * Edit Webhook Message, with the same webhook URL (a thread's `thread_id` query is kept). `content`
 * is always sent, empty included, so mentions of the earlier message do not linger; and
 * `allowed_mentions` again, because Discord re-parses mentions on edit.
 */
export function editRequest(options: DiscordOptions, messageId: string, message: DiscordMessage): HttpRequestSpec {
  const url = new URL(options.url);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/messages/${encodeURIComponent(messageId)}`;
  url.searchParams.delete('wait');
  return {
    method: 'PATCH',
    url: url.toString(),
    headers: JSON_HEADERS,
    body: JSON.stringify({
      content: message.content ?? '',
      embeds: message.embeds,
      allowed_mentions: message.allowed_mentions,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Answers (discord.com/developers/docs/topics/opcodes-and-status-codes#json)

const DISCORD_HINTS: Record<number, string> = {
  10015: 'the webhook was deleted or url is wrong: copy the webhook URL again',
  50027: 'the webhook token in url is wrong: copy the whole webhook URL again',
  10003: 'the channel of the webhook no longer exists',
  10008: 'the message to edit no longer exists',
  50013: 'the webhook lacks a permission in this channel',
  50035: 'Discord refused the message body',
  220001: 'the webhook is in a forum channel: add ?thread_id=<post id> to url',
  220003: 'the webhook is in a forum channel: add ?thread_id=<post id> to url',
};

/** Discord's "Unknown Message": the message to edit was deleted. */
export const DISCORD_UNKNOWN_MESSAGE = 10008;
/**
 * "Cannot edit a message authored by another user" (discord-api-docs, topics/opcodes-and-status-codes):
 * the ref names a message another webhook or a bot posted (the webhook URL changed between steps).
 */
export const DISCORD_OTHER_AUTHOR = 50005;

export function readDiscordAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  if (answer.status === 204) return { ok: true };
  if (answer.status >= 200 && answer.status < 300) {
    if (json && typeof json.id === 'string') return { ok: true };
    return {
      ok: false,
      retry: false,
      error: `Discord answered without a message (${httpErrorLine(answer)})`,
      hint: 'check that url is a Discord webhook URL',
    };
  }
  if (answer.status === 429) {
    // The body's retry_after (seconds, a float) is the exact wait; X-RateLimit-Reset-After says
    // the same for the bucket (discord.com/developers/docs/topics/rate-limits).
    const seconds =
      (json && typeof json.retry_after === 'number' ? json.retry_after : null) ??
      numberHeader(answer.headers['x-ratelimit-reset-after']) ??
      numberHeader(answer.headers['retry-after']);
    const scope = json?.global === true ? 'global' : (answer.headers['x-ratelimit-scope'] ?? 'webhook');
    return {
      ok: false,
      retry: true,
      error: `Discord rate limit (HTTP 429, ${scope}${seconds !== null ? `, retry after ${seconds} s` : ''})`,
      ...(seconds !== null ? { retryAfterMs: Math.ceil(seconds * 1000) } : {}),
    };
  }
  const code = json && typeof json.code === 'number' ? json.code : null;
  const message = answerText(json?.message, 120);
  if (code === null) {
    return { ok: false, retry: isTransientStatus(answer.status), error: httpErrorLine(answer) };
  }
  const detail = code === 50035 ? firstFormError(json?.errors) : '';
  const hint = DISCORD_HINTS[code];
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: `Discord error ${code}: ${message}${detail ? ` (${detail})` : ''} (HTTP ${answer.status})`,
    ...(hint ? { hint } : {}),
  };
}

/** The first field error of an "Invalid Form Body": "embeds.0.description: Must be 4096 or fewer in length." */
function firstFormError(errors: unknown, path: string[] = []): string {
  const node = asObject(errors);
  if (!node) return '';
  if (Array.isArray(node._errors)) {
    const first = asObject(node._errors[0]);
    return `${path.join('.')}: ${typeof first?.message === 'string' ? first.message.slice(0, 120) : 'invalid'}`;
  }
  for (const [key, value] of Object.entries(node)) {
    const found = firstFormError(value, [...path, key]);
    if (found) return found;
  }
  return '';
}

function numberHeader(value: string | undefined): number | null {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return null;
  return Number(value.trim());
}

// ---------------------------------------------------------------------------------------------
// Send

export const discord: Channel<DiscordOptions> = {
  type: 'discord',
  options: discordOptions,
  secrets: (options) => [options.url],
  msgTypes: [],
  edits: true,

  async send(ctx: SendContext<DiscordOptions>): Promise<ChannelResult> {
    const built = buildDiscordMessage(ctx);
    const where = ctx.update ? decodeMessageRef(ctx.update, 'discord', ['m']) : null;
    // The id goes into the URL path: only a snowflake, never `..` (which would PATCH the webhook itself).
    const id = where && /^\d{1,20}$/.test(String(where.m)) ? String(where.m) : null;
    if (ctx.update && id === null) ctx.log.warn('update: not a Discord message_ref; posting a new message');
    if (id !== null) {
      const edited = await ctx.http.deliver(editRequest(ctx.options, id, built), readDiscordAnswer);
      if (edited.ok) return withRef(edited, id);
      const code = discordCode(edited);
      if (code === DISCORD_UNKNOWN_MESSAGE)
        ctx.log.warn('the Discord message to update no longer exists (10008 Unknown Message); posting a new one');
      else if (code === DISCORD_OTHER_AUTHOR)
        ctx.log.warn(
          'the Discord message to update cannot be edited through this webhook (50005 Cannot edit a message authored by another user); posting a new one',
        );
      else return edited;
      const posted = await postNew(ctx, built);
      return { ...posted, attempts: posted.attempts + edited.attempts };
    }
    return postNew(ctx, built);
  },
};

async function postNew(ctx: SendContext<DiscordOptions>, built: DiscordMessage): Promise<ChannelResult> {
  const outcome = await ctx.http.deliver(executeRequest(ctx.options, built), readDiscordAnswer);
  const json = asObject(outcome.answer?.json);
  return outcome.ok && json && typeof json.id === 'string' ? withRef(outcome, json.id) : outcome;
}

/** The ref is the message id alone: the webhook URL (and its token) comes from the target's input. */
function withRef(outcome: DeliveryOutcome, messageId: string): ChannelResult {
  return { ...outcome, message_ref: encodeMessageRef('discord', { m: messageId }) };
}

function discordCode(outcome: DeliveryOutcome): number | null {
  const json = asObject(outcome.answer?.json);
  return json && typeof json.code === 'number' ? json.code : null;
}

/** Discord user and role ids are snowflakes: 17–20 digits; a role is written `&<id>`. */
const SNOWFLAKE = /^&?\d{17,20}$/;

export function buildDiscordMessage(ctx: SendContext<DiscordOptions>): DiscordMessage {
  const { target, message } = ctx;
  const ids = ctx.mention ? cleanIds(target.at_user_ids, SNOWFLAKE) : { valid: [], invalid: [] };
  if (ids.invalid.length > 0)
    ctx.log.warn(
      `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Discord user ID (or &role ID); Discord only notifies by ID`,
    );
  const mentions: DiscordMentions = {
    users: ids.valid.filter((id) => !id.startsWith('&')),
    roles: ids.valid.filter((id) => id.startsWith('&')).map((id) => id.slice(1)),
    everyone: ctx.mention && target.at_all,
  };
  const fitted = fitWithinUnits(
    (clip) => discordMessage(message, mentions, clip),
    discordOvershoot,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info("message truncated to fit Discord's limits (embed description 4096, 6000 in all)");
  return fitted.value;
}
