/**
 * `slack`: an incoming webhook (`url`), or a bot token + channel ID through the Web API
 * (`chat.postMessage`; `chat.update` edits the message of an earlier step, input `update`).
 * Block Kit with a plain `text` fallback for notifications (API_FACTS_GLOBAL "Slack").
 * Reads top to bottom: options, limits, layout, requests, answers, send.
 */
import { z } from './schema.js';
import { httpErrorLine } from '../delivery/http.js';
import type { DeliveryOutcome, HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { escapeSlackMrkdwn } from '../render/chat-markup.js';
import type { Clip, Markup } from '../render/layout.js';
import { headUnits, neutralizeMentions } from '../render/text.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinUnits, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, chatBody, cleanIds, isHttpUrl } from './chat-layout.js';
import { decodeMessageRef, encodeMessageRef } from './message-ref.js';
import type { Channel, ChannelResult, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export const SLACK_API_URL = 'https://slack.com/api';

export type SlackOptions =
  { mode: 'webhook'; url: string } | { mode: 'api'; token: string; channelId: string; apiUrl: string };

export const slackOptions: z.ZodType<SlackOptions> = z.record(z.string(), z.string()).transform((raw, ctx) => {
  const get = (name: string): string => (raw[name] ?? '').trim();
  const problem = (input: string, message: string): typeof z.NEVER => {
    ctx.addIssue({ code: 'custom', path: [input], message });
    return z.NEVER;
  };
  const url = get('url');
  const token = get('token');
  const channelId = get('channel_id');
  if (token !== '') {
    if (url !== '')
      return problem('url', 'give either url (an incoming webhook) or token + channel_id (the Web API), not both');
    // Bot tokens start xoxb-; user (xoxp-) and rotating (xoxe.) tokens work with chat.postMessage too.
    if (!/^xox[a-z]?[-.]\S+$/.test(token))
      return problem('token', 'expected a Slack bot token (xoxb-…, OAuth & Permissions page of the app)');
    if (channelId === '')
      return problem('channel_id', 'missing; give the channel ID (C…, in the channel details) the bot posts to');
    if (/\s/.test(channelId)) return problem('channel_id', 'expected one channel ID such as C0123456789');
    const apiUrl = get('api_url') || SLACK_API_URL;
    if (!isHttpUrl(apiUrl)) return problem('api_url', 'expected a base URL such as https://slack.com/api');
    return { mode: 'api', token, channelId, apiUrl: apiUrl.replace(/\/+$/, '') };
  }
  if (url === '')
    return problem(
      'url',
      'missing; give the incoming webhook URL (https://hooks.slack.com/services/…), or token + channel_id for the Web API',
    );
  if (!isHttpUrl(url)) return problem('url', 'expected the incoming webhook URL (https://hooks.slack.com/services/…)');
  if (channelId !== '')
    return problem('channel_id', 'only with token: an incoming webhook always posts to its own channel');
  return { mode: 'webhook', url };
});

// ---------------------------------------------------------------------------------------------
// Limits (docs.slack.dev/reference/block-kit/blocks: "up to 50 blocks in each message"; section
// block: "Maximum length for the text in this field is 3000 characters"; button text 75
// characters; chat.postMessage: `text` is truncated above 40,000 characters). Slack counts
// characters; we count UTF-16 units, never fewer (render/text.ts truncateUtf16).

export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_BUTTON_TEXT_MAX = 75;
export const SLACK_TEXT_MAX = 40_000;

// ---------------------------------------------------------------------------------------------
// Layout

export type SlackTextObject = { type: 'mrkdwn' | 'plain_text'; text: string };
export type SlackBlock =
  | { type: 'section'; text: SlackTextObject }
  | {
      type: 'actions';
      elements: { type: 'button'; text: SlackTextObject; url: string; style?: 'primary' | 'danger' }[];
    };

export interface SlackMessage {
  /** The notification and screen-reader text; mentions here notify as well. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMentions {
  /** `<@U…>` users and `<!subteam^S…>` user groups (a bare `@handle` pings nobody). */
  ids: string[];
  all: boolean;
}

/** Slack mrkdwn: `*bold*`, `<url|text>`; a job is a bullet line; no grey, and a link cannot sit in code. */
const MRKDWN: Markup = {
  text: (text) => escapeSlackMrkdwn(text),
  // Inside `<url|text>` the URL must not carry `|` or `>`; the model's URLs are percent-encoded.
  link: (text, url) => `<${url.replace(/[|>]/g, encodeURIComponent)}|${text}>`,
  strong: (text) => `*${text}*`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `• ${line}`,
};

/**
 * The default Slack message (MESSAGES.md): the title in bold, then the body — what broke first,
 * each failed job linked, the commit, the trigger line — a "View run" button (red on a failure),
 * and the mentions, which are repeated in `text` so the notification carries them too.
 */
export function slackMessage(message: MessageModel, mentions: SlackMentions, clip: Clip = NO_CLIP): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlackMrkdwn(message.title)}*` } },
  ];
  const body = chatBody(message, MRKDWN, clip, {
    value: (text) => escapeSlackMrkdwn(text, { multiline: true }),
    // The user's template is mrkdwn by intent; only mentions are taken out of it.
    whole: (text) => neutralizeMentions(text).replace(/<(?=[!@#])/g, '&lt;'),
  }).join('\n');
  if (body !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: body } });
  if (message.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: headUnits(message.link.label, SLACK_BUTTON_TEXT_MAX) },
          url: message.link.url,
          ...(message.status === 'failure' ? { style: 'danger' as const } : {}),
        },
      ],
    });
  }
  const pings = [
    ...mentions.ids.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)),
    ...(mentions.all ? ['<!channel>'] : []),
  ].join(' ');
  if (pings !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: pings } });
  const fallback = escapeSlackMrkdwn(message.title);
  return { text: pings === '' ? fallback : `${fallback} ${pings}`, blocks };
}

/**
 * By how much a message exceeds its tightest limit (≤ 0 when it fits). The layout has at most
 * four blocks, far from SLACK_MAX_BLOCKS; the sections and the text are what can grow.
 */
export function slackOvershoot(built: SlackMessage): number {
  const sections = built.blocks.map((b) => (b.type === 'section' ? b.text.text.length - SLACK_SECTION_TEXT_MAX : 0));
  return Math.max(built.text.length - SLACK_TEXT_MAX, ...sections);
}

// ---------------------------------------------------------------------------------------------
// Requests (pure)

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };

export function webhookRequest(url: string, message: SlackMessage): HttpRequestSpec {
  return { method: 'POST', url, headers: JSON_HEADERS, body: JSON.stringify(message) };
}

export function postMessageRequest(
  options: Extract<SlackOptions, { mode: 'api' }>,
  message: SlackMessage,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${options.apiUrl}/chat.postMessage`,
    headers: { ...JSON_HEADERS, Authorization: `Bearer ${options.token}` },
    // A notification is not a link preview: no unfurling of the run or commit URLs.
    body: JSON.stringify({ channel: options.channelId, ...message, unfurl_links: false, unfurl_media: false }),
  };
}

export function updateRequest(
  options: Extract<SlackOptions, { mode: 'api' }>,
  where: { channel: string; ts: string },
  message: SlackMessage,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${options.apiUrl}/chat.update`,
    headers: { ...JSON_HEADERS, Authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ channel: where.channel, ts: where.ts, ...message }),
  };
}

// ---------------------------------------------------------------------------------------------
// Answers

/** Web API errors (api.slack.com/methods/chat.postMessage#errors, chat.update#errors) → what to do. */
const API_HINTS: Record<string, string> = {
  not_in_channel: 'the bot is not in the channel: invite it (/invite @your-app) or give the app chat:write.public',
  channel_not_found:
    'channel_id must be the channel ID (C…, at the bottom of the channel details), and a private channel must have the bot in it',
  is_archived: 'the channel is archived',
  invalid_auth: 'token is not valid: use the Bot User OAuth Token of the installed app (it starts with xoxb)',
  not_authed: 'no token reached Slack: check token',
  token_revoked: 'the token was revoked: reinstall the app and use its new token',
  token_expired: 'the token expired: use a non-rotating bot token or refresh it',
  account_inactive: 'the token belongs to a deleted user or an uninstalled app',
  missing_scope: 'the app lacks the chat:write scope: add it under OAuth & Permissions and reinstall the app',
  restricted_action: 'a workspace setting keeps the bot from posting in this channel',
  msg_too_long: 'the message is too long for Slack',
  msg_blocks_too_long: 'the blocks are too long for Slack: shorten the template',
  invalid_blocks: 'Slack rejected the blocks (a bug or an unusual template): try msg_type-free defaults',
  no_text: 'the message is empty',
  ekm_access_denied: 'administrators have suspended posting',
  team_access_not_granted: 'the token is not allowed in this workspace',
  ratelimited: 'Slack rate limit (about 1 message per second per channel)',
};

/** Slack's "slow down" answers that come with HTTP 200. */
const API_RATE_ERRORS = new Set(['ratelimited', 'rate_limited']);

/** chat.update answers that mean "that message cannot be edited any more": post a new one. */
export const SLACK_GONE_ERRORS = new Set([
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'channel_not_found',
  'is_archived',
]);

export function readSlackApiAnswer(answer: HttpAnswer): Verdict {
  const json = asObject(answer.json);
  if (json === null || typeof json.ok !== 'boolean') {
    return {
      ok: false,
      retry: false,
      error: `Slack answered without "ok" (${httpErrorLine(answer)})`,
      hint: 'check api_url (default https://slack.com/api)',
    };
  }
  if (json.ok) return { ok: true };
  const error = answerText(json.error, 80) || 'unknown_error';
  const hint = API_HINTS[error];
  return {
    ok: false,
    retry: API_RATE_ERRORS.has(error),
    error: `Slack error ${error}`,
    ...(hint ? { hint } : {}),
  };
}

/** Incoming webhook errors: HTTP 4xx with the error as plain text (docs.slack.dev, "Handling errors"). */
const WEBHOOK_HINTS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message (a bug or an unusual template)',
  no_service: 'the webhook was removed or the URL is wrong: create a new incoming webhook and update url',
  no_service_id: 'the webhook URL is incomplete: copy the whole URL',
  no_team: 'the workspace of the webhook no longer exists',
  team_disabled: 'the workspace is disabled',
  invalid_token: 'the webhook URL is wrong or revoked: copy it again from the app settings',
  channel_not_found: 'the channel of the webhook was deleted: create a new webhook',
  channel_is_archived: 'the channel of the webhook is archived',
  action_prohibited: 'an admin restricted this webhook or channel',
  posting_to_general_channel_denied: 'an admin restricted posting to #general',
  too_many_attachments: 'too many attachments',
  user_not_found: 'the user of the webhook no longer exists',
};

export function readSlackWebhookAnswer(answer: HttpAnswer): Verdict {
  const text = answer.text.trim();
  if (answer.status >= 200 && answer.status < 300) {
    // "ok" is the documented success body; anything else at 2xx is not Slack speaking.
    if (text === 'ok' || text === '') return { ok: true };
    return {
      ok: false,
      retry: false,
      error: `Slack webhook answered "${answerText(text, 60)}" instead of ok`,
      hint: 'check that url is a Slack incoming webhook',
    };
  }
  const code = /^[a-z_]{3,60}$/.test(text) ? text : null;
  const hint = code ? WEBHOOK_HINTS[code] : undefined;
  return {
    ok: false,
    retry: false,
    error: code ? `Slack webhook error ${code} (HTTP ${answer.status})` : httpErrorLine(answer),
    ...(hint ? { hint } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Send

const REF_KEYS = ['c', 'ts'] as const;
/** A conversation ID: C… (channel), G… (private channel, older workspaces), D… (direct message). */
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

export const slack: Channel<SlackOptions> = {
  type: 'slack',
  options: slackOptions,
  secrets: (options) => (options.mode === 'webhook' ? [options.url] : [options.token]),
  msgTypes: [],
  edits: true,

  async send(ctx: SendContext<SlackOptions>): Promise<ChannelResult> {
    const { options } = ctx;
    const built = buildSlackMessage(ctx);
    if (options.mode === 'webhook') {
      if (ctx.update)
        ctx.log.info('a Slack incoming webhook cannot edit a message; posting a new one (token + channel_id can edit)');
      return ctx.http.deliver(webhookRequest(options.url, built), readSlackWebhookAnswer);
    }
    const where = ctx.update ? decodeMessageRef(ctx.update, 'slack', REF_KEYS) : null;
    if (ctx.update && !where) ctx.log.warn('update: not a Slack message_ref; posting a new message');
    // A ref names its channel: a bare `update` ref reaches every Slack target of the run, and a
    // target posting to another channel must not edit that one's message (the other target does).
    // Only an ID can be compared: chat.postMessage also takes a channel name ("#ops"), and the ref
    // holds the ID Slack answered with.
    if (where && SLACK_CHANNEL_ID.test(options.channelId) && String(where.c) !== options.channelId) {
      ctx.log.warn(
        `update: the message_ref is of another Slack channel than this target's channel_id; posting a new message`,
      );
      return postNew(ctx, options, built);
    }
    if (where) {
      const coordinates = { channel: String(where.c), ts: String(where.ts) };
      const edited = await ctx.http.deliver(updateRequest(options, coordinates, built), readSlackApiAnswer);
      if (edited.ok) return withRef(edited, coordinates.channel, coordinates.ts);
      const error = slackError(edited);
      if (error === null || !SLACK_GONE_ERRORS.has(error)) return edited;
      ctx.log.warn(`the Slack message to update cannot be edited (${error}); posting a new one`);
      const posted = await postNew(ctx, options, built);
      return { ...posted, attempts: posted.attempts + edited.attempts };
    }
    return postNew(ctx, options, built);
  },
};

async function postNew(
  ctx: SendContext<SlackOptions>,
  options: Extract<SlackOptions, { mode: 'api' }>,
  built: SlackMessage,
): Promise<ChannelResult> {
  const outcome = await ctx.http.deliver(postMessageRequest(options, built), readSlackApiAnswer);
  const json = asObject(outcome.answer?.json);
  if (!outcome.ok || json === null || typeof json.ts !== 'string') return outcome;
  return withRef(outcome, typeof json.channel === 'string' ? json.channel : options.channelId, json.ts);
}

function withRef(outcome: DeliveryOutcome, channel: string, ts: string): ChannelResult {
  // chat.update needs the channel ID (a name is refused), which the answer always carries.
  return { ...outcome, message_ref: encodeMessageRef('slack', { c: channel, ts }) };
}

function slackError(outcome: DeliveryOutcome): string | null {
  const json = asObject(outcome.answer?.json);
  return json && typeof json.error === 'string' ? json.error : null;
}

/** The message for this target, cut to Slack's limits with the usual marker. */
export function buildSlackMessage(ctx: SendContext<SlackOptions>): SlackMessage {
  const { target, message } = ctx;
  const ids = ctx.mention ? cleanIds(target.at_user_ids, /^[UWS][A-Z0-9]{2,}$/) : { valid: [], invalid: [] };
  if (ids.invalid.length > 0)
    ctx.log.warn(
      `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Slack member ID (U…) or user group ID (S…); Slack only notifies by ID`,
    );
  const mentions: SlackMentions = { ids: ids.valid, all: ctx.mention && target.at_all };
  const fitted = fitWithinUnits(
    (clip) => slackMessage(message, mentions, clip),
    slackOvershoot,
    truncationMarker(message.locale),
  );
  if (fitted.truncated) ctx.log.info("message truncated to fit Slack's limits (3000 characters per section)");
  return fitted.value;
}
