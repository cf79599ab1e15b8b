/**
 * `mattermost`: an incoming webhook (Slack-compatible: `text` and `attachments`), one attachment
 * coloured by status with the facts, the mentions in `text` (where they notify). `display_name`,
 * `icon_url` and `channel_name` set the post's `username`, `icon_url` and `channel` — input names
 * of their own, because `username` and `channel` already mean something else here. A webhook post
 * answers no id, so it cannot be edited. Reads top to bottom: options, limits, layout, request,
 * answer, send.
 */
import { z } from './schema.js';
import { httpErrorLine, isTransientStatus } from '../delivery/http.js';
import type { HttpAnswer, HttpRequestSpec, Verdict } from '../delivery/types.js';
import { escapeMattermostMarkdown, escapeMattermostPlain } from '../render/chat-markup.js';
import type { Clip, Markup } from '../render/layout.js';
import { neutralizeMentions } from '../render/text.js';
import type { MessageModel } from '../render/types.js';
import { fitWithinUnits, NO_CLIP, truncationMarker } from './byte-budget.js';
import { answerText, asObject, chatBody, cleanIds, isHttpUrl } from './chat-layout.js';
import type { Channel, SendContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Options

export interface MattermostOptions {
  /** The webhook URL (https://chat.example.com/hooks/<id>): the id is the credential. */
  url: string;
  displayName: string;
  iconUrl: string;
  channelName: string;
}

export const mattermostOptions: z.ZodType<MattermostOptions> = z
  .record(z.string(), z.string())
  .transform((raw, ctx) => {
    const get = (name: string): string => (raw[name] ?? '').trim();
    let failed = false;
    const problem = (input: string, message: string): void => {
      failed = true;
      ctx.addIssue({ code: 'custom', path: [input], message });
    };
    const url = get('url');
    if (url === '') problem('url', 'missing; give the incoming webhook URL (Integrations → Incoming Webhooks)');
    else if (!isHttpUrl(url)) problem('url', 'expected the incoming webhook URL, https://<your server>/hooks/<id>');
    const iconUrl = get('icon_url');
    if (iconUrl !== '' && !isHttpUrl(iconUrl)) problem('icon_url', 'expected an http(s) URL of an image');
    const channelName = get('channel_name').replace(/^#/, '');
    if (channelName !== '' && !/^@?[a-z0-9][a-z0-9._-]{0,63}$/i.test(channelName))
      problem('channel_name', 'expected a channel name as in its URL (e.g. town-square) or @username');
    if (failed) return z.NEVER;
    return { url, displayName: get('display_name'), iconUrl, channelName };
  });

// ---------------------------------------------------------------------------------------------
// Limits (developers.mattermost.com/integrate/webhooks/incoming: a post holds up to 16,383
// characters on Mattermost 5.0 and later; longer text is split into several posts). The text and
// the attachment are kept within it together, counted in UTF-16 units (never fewer than the runes
// the server counts).

export const MATTERMOST_TEXT_MAX = 16_383;

// ---------------------------------------------------------------------------------------------
// Layout

export interface MattermostAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link?: string;
  text: string;
}

export interface MattermostPayload {
  text?: string;
  username?: string;
  icon_url?: string;
  channel?: string;
  attachments: MattermostAttachment[];
}

/** Mattermost markdown: `**bold**`, `[text](url)`; a job is a list line; no grey, no link in code. */
const MARKDOWN: Markup = {
  text: (text) => escapeMattermostMarkdown(text),
  link: (text, url) => `[${text}](${url})`,
  strong: (text) => `**${text}**`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `- ${line}`,
};

/**
 * The default Mattermost post: one attachment titled and coloured by the outcome, its text the
 * body (what broke first, each failed job linked) and the run link; mentions in `text`, where
 * they notify.
 */
export function mattermostPayload(
  message: MessageModel,
  mentions: { users: string[]; channel: boolean },
  options: Pick<MattermostOptions, 'displayName' | 'iconUrl' | 'channelName'>,
  clip: Clip = NO_CLIP,
): MattermostPayload {
  const lines = chatBody(message, MARKDOWN, clip, {
    value: (text) => escapeMattermostMarkdown(text, { multiline: true }),
    // The user's template is markdown by intent; mentions and Slack-style forms are taken out. A
    // Slack-style link `<url|text>` is written as the markdown the server would make of it
    // (ParseSlackLinksToMarkdown), so what is measured against the limit is what the server counts.
    whole: (text) =>
      neutralizeMentions(text)
        .replace(/<(?=[!@#])/g, '＜')
        .replace(/<([^\n<|>]+)\|([^\n>]+)>/g, '[$2]($1)'),
  });
  if (message.link) lines.push(`[${escapeMattermostMarkdown(message.link.label)}](${message.link.url})`);
  const title = escapeMattermostPlain(message.title);
  const pings = [...mentions.users.map((name) => `@${name}`), ...(mentions.channel ? ['@channel'] : [])].join(' ');
  return {
    ...(pings !== '' ? { text: pings } : {}),
    ...(options.displayName !== '' ? { username: options.displayName } : {}),
    ...(options.iconUrl !== '' ? { icon_url: options.iconUrl } : {}),
    ...(options.channelName !== '' ? { channel: options.channelName } : {}),
    attachments: [
      {
        fallback: title,
        color: message.colour.hex,
        title,
        ...(message.link ? { title_link: message.link.url } : {}),
        text: lines.join('\n'),
      },
    ],
  };
}

export function mattermostOvershoot(payload: MattermostPayload): number {
  const attachments = payload.attachments.reduce(
    (sum, a) => sum + a.fallback.length + a.title.length + a.text.length,
    0,
  );
  return (payload.text?.length ?? 0) + attachments - MATTERMOST_TEXT_MAX;
}

// ---------------------------------------------------------------------------------------------
// Request (pure)

export function mattermostRequest(options: MattermostOptions, payload: MattermostPayload): HttpRequestSpec {
  return {
    method: 'POST',
    url: options.url,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  };
}

// ---------------------------------------------------------------------------------------------
// Answer: 200 "ok", or the server's AppError JSON {id, message, status_code} (server/channels/app/webhook.go)

const MATTERMOST_HINTS: Record<string, string> = {
  'web.incoming_webhook.invalid.app_error': 'the webhook was deleted or url is wrong: copy the webhook URL again',
  'web.incoming_webhook.disabled.app_error':
    'incoming webhooks are turned off on this server (System Console → Integrations → Integration Management)',
  'web.incoming_webhook.channel.app_error':
    'channel_name: no such channel (use its name as in its URL, e.g. town-square)',
  'web.incoming_webhook.channel_locked.app_error':
    'this webhook is locked to its own channel: remove channel_name, or unlock the webhook',
  'web.incoming_webhook.permissions.app_error': "the webhook's owner may not post in that channel",
  'web.incoming_webhook.user.app_error': 'channel_name: no such user for a direct message',
  'web.incoming_webhook.text.app_error': 'the message is empty',
  'web.incoming_webhook.parse.app_error': 'Mattermost could not read the message',
};

export function readMattermostAnswer(answer: HttpAnswer): Verdict {
  if (answer.status >= 200 && answer.status < 300) {
    if (answer.text.trim() === 'ok' || answer.text.trim() === '') return { ok: true };
    return {
      ok: false,
      retry: false,
      error: `Mattermost answered "${answerText(answer.text, 160)}" instead of ok`,
      hint: 'check that url is a Mattermost incoming webhook',
    };
  }
  const json = asObject(answer.json);
  const id = answerText(json?.id, 120) || null;
  if (id === null) return { ok: false, retry: isTransientStatus(answer.status), error: httpErrorLine(answer) };
  const message = answerText(json?.message, 160);
  const hint = MATTERMOST_HINTS[id];
  return {
    ok: false,
    retry: isTransientStatus(answer.status),
    error: `Mattermost error ${id}${message ? `: ${message}` : ''} (HTTP ${answer.status})`,
    ...(hint ? { hint } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Send

/** Mattermost usernames: letters, digits, `.`, `_`, `-` (the `@` is added here). */
const USERNAME = /^@?[a-z0-9][a-z0-9._-]{0,63}$/i;

export const mattermost: Channel<MattermostOptions> = {
  type: 'mattermost',
  options: mattermostOptions,
  secrets: (options) => [options.url],
  msgTypes: [],

  async send(ctx: SendContext<MattermostOptions>) {
    const { target, message } = ctx;
    const ids = ctx.mention ? cleanIds(target.at_user_ids, USERNAME) : { valid: [], invalid: [] };
    if (ids.invalid.length > 0)
      ctx.log.warn(
        `at_user_ids: ${ids.invalid.map((id) => `"${id.slice(0, 40)}"`).join(', ')} not a Mattermost username`,
      );
    const mentions = { users: ids.valid.map((id) => id.replace(/^@/, '')), channel: ctx.mention && target.at_all };
    const fitted = fitWithinUnits(
      (clip) => mattermostPayload(message, mentions, ctx.options, clip),
      mattermostOvershoot,
      truncationMarker(message.locale),
    );
    if (fitted.truncated) ctx.log.info("message truncated to fit Mattermost's 16,383 characters");
    return ctx.http.deliver(mattermostRequest(ctx.options, fitted.value), readMattermostAnswer);
  },
};
