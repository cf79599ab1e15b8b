/**
 * A loopback stand-in of a Mattermost incoming webhook (POST /hooks/<id>), following the server's
 * HandleIncomingWebhook: the AppError bodies it answers (invalid webhook, empty text, unknown
 * channel, locked channel, disabled webhooks), `channel` / `username` / `icon_url` overrides, the
 * Slack-compatible rewriting of `<!channel>`, `<!here>`, `<!all>` and `<@U…|name>` in text and
 * attachments, 16,383 characters per post, rate limiting (429 with Retry-After), and `ok` on
 * success. Every post records who it notifies: `@username`, and everyone for `@channel`/`@all`/`@here`,
 * read as the server reads them (getExplicitMentions over getMentionsEnabledFields): in the post's
 * message and in each attachment's pretext and text, after markdown has turned backslash escapes
 * and character references (`&#64;`, `&commat;`) into the characters they stand for.
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

export interface MattermostPost {
  channel: string;
  username: string | null;
  icon_url: string | null;
  text: string;
  attachments: Record<string, unknown>[];
  /** Usernames notified, and `channel` when everyone in the channel is. */
  mentions: string[];
}

export interface MattermostServer extends ChatStandIn {
  url: string;
  hookId: string;
  posts: MattermostPost[];
}

export const MATTERMOST_MAX = 16_383;

export async function startMattermostServer(
  options: { channels?: string[]; lockedChannel?: boolean; disabled?: boolean } = {},
): Promise<MattermostServer> {
  const hookId = randomId(26);
  const channels = options.channels ?? ['town-square', 'ci'];
  const posts: MattermostPost[] = [];
  const limiter = rateLimiter();
  const appError = (status: number, id: string, message: string): ChatAnswer => ({
    status,
    body: { id, message, detailed_error: '', request_id: randomId(26), status_code: status },
  });

  const server = await startChatServer((req) => {
    const match = /^\/hooks\/([a-z0-9]+)$/.exec(req.path);
    if (!match) return appError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
    if (options.disabled)
      return appError(
        501,
        'web.incoming_webhook.disabled.app_error',
        'Incoming webhooks have been disabled by the system admin.',
      );
    if (limiter.take())
      return { status: 429, body: 'limit exceeded\n', headers: { 'Retry-After': '1', 'X-Ratelimit-Remaining': '0' } };
    const body = req.json;
    if (!isObject(body)) return appError(400, 'web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.');
    const text = typeof body.text === 'string' ? body.text : '';
    const attachments = Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : null;
    if (text === '' && attachments === null)
      return appError(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
    if (match[1] !== hookId) return appError(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.');
    let channel = 'ci';
    if (typeof body.channel === 'string' && body.channel !== '') {
      const name = body.channel.replace(/^#/, '');
      if (!name.startsWith('@') && !channels.includes(name))
        return appError(404, 'web.incoming_webhook.channel.app_error', "Couldn't find the channel.");
      if (options.lockedChannel && name !== 'ci')
        return appError(
          403,
          'web.incoming_webhook.channel_locked.app_error',
          'This webhook is not permitted to post to the requested channel.',
        );
      channel = name;
    }
    const processed = slackText(text);
    const attachmentTexts = (attachments ?? []).flatMap((a) =>
      ['pretext', 'text', 'title', 'fallback'].map((k) => (typeof a[k] === 'string' ? slackText(a[k] as string) : '')),
    );
    const size = [processed, ...attachmentTexts].reduce((n, t) => n + [...t].length, 0);
    if (size > MATTERMOST_MAX)
      return appError(
        400,
        'web.incoming_webhook.attachment.app_error',
        `Attachment text too long. Max ${MATTERMOST_MAX} characters, received ${size}.`,
      );
    posts.push({
      channel,
      username: typeof body.username === 'string' ? body.username : null,
      icon_url: typeof body.icon_url === 'string' ? body.icon_url : null,
      text: processed,
      attachments: attachments ?? [],
      // Mentions notify from the post's message and the attachments' pretext and text (not title, fallback).
      mentions: [
        ...new Set(
          [processed, ...(attachments ?? []).flatMap((a) => [a.pretext, a.text])]
            .filter((t): t is string => typeof t === 'string')
            .flatMap((t) => mentionsIn(markdownText(slackText(t)))),
        ),
      ],
    });
    return { body: 'ok' };
  });

  return {
    url: `${server.origin}/hooks/${hookId}`,
    hookId,
    posts,
    ...standInControls(server, limiter),
  };
}

/**
 * The server's ProcessSlackText: Slack's special forms become Mattermost mentions, and a labelled
 * link `<url|text>` on one line becomes `[text](url)` (model/slack_compatibility.go,
 * linkWithTextRegex `<([^\n<\|>]+)\|([^\n>]+)>`).
 */
function slackText(text: string): string {
  return text
    .replace(/<!(channel|here|all)>/g, '@$1')
    .replace(/<@[A-Z0-9]+\|([^>]+)>/g, '@$1')
    .replace(/<([^\n<|>]+)\|([^\n>]+)>/g, '[$2]($1)');
}

/** Character references the server's markdown decodes that matter here (`@`, and the HTML basics). */
const NAMED: Record<string, string> = { commat: '@', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The text markdown leaves of a message, as far as mentions go (server/…/markdown inlines.go): a
 * backslash escape is the character itself, and a character reference is what it stands for —
 * one pass, so `\\&#64;` stays `&#64;`.
 */
function markdownText(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])|&(#\d{1,8}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, escaped, ref: string) => {
    if (escaped !== undefined) return escaped as string;
    const lower = ref.toLowerCase();
    if (!lower.startsWith('#')) return NAMED[ref] ?? whole;
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

function mentionsIn(text: string): string[] {
  const found: string[] = [];
  // A mention is @ then a username, at a word start (a word joiner after @ makes it plain text).
  for (const m of text.matchAll(/(?<![\w@\\])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])/gi)) {
    const name = m[1]!.toLowerCase();
    found.push(name === 'here' || name === 'all' ? 'channel' : name);
  }
  return [...new Set(found)];
}
