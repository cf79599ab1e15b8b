/**
 * Untrusted text (job, branch and author names, commit titles, template values) made inert in the
 * markup of Slack, Microsoft Teams, Discord, Telegram, Google Chat and Mattermost: it shows as the
 * text it is, creates no mention, no link, no emphasis, no block, and cannot close our own markup.
 * The channels' own mentions are added after escaping, never passed through here.
 *
 * Each platform gets the escape its renderer documents; where a renderer documents none, a
 * look-alike character replaces the one that would start markup (as render/text.ts does for
 * DingTalk and WeCom), because an escape the renderer does not know is shown to the reader.
 *
 * Every escaper takes one piece of a line (spaces kept: " — Run tests" follows a linked job name),
 * or with `multiline` a template value that keeps its lines, each defused at its start.
 */
import { atWordEdges, controlFree, escapeHtml, flatLine, neutralizeMentions } from './text.js';

export interface EscapeOptions {
  /** Keep line breaks (a `${commit.message}` in a user's template); each line is defused. */
  multiline?: boolean;
}

const WORD_JOINER = '\u2060';

function perLine(text: string, options: EscapeOptions, line: (text: string) => string): string {
  if (!options.multiline) return line(flatLine(text));
  return controlFree(text).split('\n').map(line).join('\n');
}

/** `*` `` ` `` and emphasis delimiters at a word's edge → look-alikes (Slack, Google Chat, Teams). */
/** `[` and `]` as full-width look-alikes (for `replace`): no markdown link can open, and no escape shows. */
function lookalikeBracket(c: string): string {
  return c === '[' ? '［' : '］';
}

function lookalikeEmphasis(text: string): string {
  // `_` and `~` only emphasise at a word's edge; `fix_payment_path` stays as it is.
  return atWordEdges(atWordEdges(text.replace(/\*/g, '∗').replace(/`/g, 'ˋ'), '_', '＿'), '~', '∼');
}

/** A line start that opens a markdown block (heading, quote, list, ordered list) → backslash-escaped. */
function escapeBlockStart(line: string): string {
  return line.replace(/^(\s*)([#>+-]|\d+\.)/, (_m, space: string, mark: string) =>
    mark.endsWith('.') ? `${space}${mark.slice(0, -1)}\\.` : `${space}\\${mark}`,
  );
}

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Slack `mrkdwn` (docs.slack.dev/messaging/formatting-message-text, "Escaping text"): `&`, `<`
 * and `>` become entities, which is what keeps `<!channel>`, `<!here>`, `<@U…>` and
 * `<!subteam^…>` in a commit from pinging anyone; `@` gets a word joiner for clients that
 * resolve a bare `@handle`; emphasis characters become look-alikes (mrkdwn has no escape).
 */
export function escapeSlackMrkdwn(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) =>
    lookalikeEmphasis(neutralizeMentions(line).replace(/[&<>]/g, (c) => SLACK_ENTITIES[c] as string)),
  );
}

/**
 * Discord markdown: a backslash before ASCII punctuation shows it literally. Escaped: what can
 * start markup inside a line (`**`, `__`, `~~`, `||spoiler||`, `` ` ``, `[masked](links)`, `<@id>`,
 * `<@&role>`, `<#channel>`, `<t:…>`) and a block at a line's start (`#`, `>`, `-`, `1.`). A word
 * joiner after `@` keeps `@everyone` / `@here` from even looking like a mention —
 * `allowed_mentions` is what guarantees nobody is pinged.
 */
export function escapeDiscordMarkdown(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) =>
    escapeBlockStart(neutralizeMentions(line).replace(/[\\`*_~|<>[\]]/g, (c) => `\\${c}`)),
  );
}

/**
 * A Discord embed title: newer clients render some markdown there and older ones none, so the
 * emphasis characters and link brackets become look-alikes (right either way) instead of
 * backslash escapes. Masked links `[text](url)` are meant to work in webhook embed titles
 * (github.com/discord/discord-api-docs/issues/6088), so a title must not carry one.
 */
export function escapeDiscordTitle(text: string): string {
  return lookalikeEmphasis(neutralizeMentions(flatLine(text)).trim())
    .replace(/\|\|/g, `|${WORD_JOINER}|`)
    .replace(/[[\]]/g, lookalikeBracket);
}

/** Telegram `parse_mode: HTML`: `&`, `<`, `>`, `"` as entities; `@username` made inert. */
export function escapeTelegramHtml(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) => escapeHtml(neutralizeMentions(line)));
}

/**
 * Mattermost markdown (CommonMark: a backslash escapes ASCII punctuation). Its Slack
 * compatibility turns `<!channel>`, `<!here>`, `<!all>`, `<@U…|name>` and `<url|text>` into
 * mentions and links before markdown is read, so `<` and `>` become look-alikes first; `@channel`,
 * `@all`, `@here` and `@user` get a word joiner after the `@`. The server looks for mentions in
 * the text markdown leaves, character references decoded (getExplicitMentions), so `&` is escaped
 * too: `&#64;channel` must stay those characters, not become `@channel`.
 */
export function escapeMattermostMarkdown(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) =>
    escapeBlockStart(
      neutralizeMentions(line)
        .replace(/</g, '＜')
        .replace(/>/g, '＞')
        .replace(/[\\`*_~|[\]&]/g, (c) => `\\${c}`),
    ),
  );
}

/**
 * A Mattermost attachment title (and its notification fallback): mentions and Slack `<…>` forms
 * inert, and link brackets as look-alikes — a title without `title_link` is rendered as markdown
 * that keeps links (the web app's LinkOnlyRenderer, the mobile app's Markdown), a title with one
 * as plain text, so a backslash would show in one of the two.
 */
export function escapeMattermostPlain(text: string): string {
  return neutralizeMentions(flatLine(text))
    .trim()
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/[[\]]/g, lookalikeBracket);
}

/**
 * Adaptive Card `TextBlock` markdown (Teams supports bold, italic, lists and links, and no escape):
 * emphasis and link brackets become look-alikes, `<at>` loses its `<` (only the card's own
 * `msteams.entities` may mention), `{{` cannot start a DATE()/TIME() function, and a line cannot
 * open a list.
 */
export function escapeTeamsMarkdown(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) =>
    lookalikeEmphasis(neutralizeMentions(line))
      // A closing `</at>` too: only the card's own `<at>…</at>` pairs may match an entity.
      .replace(/<(\s*\/\s*at\b)/gi, '‹$1')
      .replace(/[[\]]/g, lookalikeBracket)
      .replace(/\{\{/g, `{${WORD_JOINER}{`)
      .replace(/^(\s*)([-+])/, (_m, space: string, mark: string) => `${space}${mark === '-' ? '－' : '＋'}`)
      .replace(/^(\s*\d+)\./, '$1．'),
  );
}

/**
 * Google Chat message `text` (developers.google.com/workspace/chat/format-messages): `<users/all>`,
 * `<users/…>` and `<url|text>` are the special forms, `*` `_` `~` `` ` `` the emphasis; none has an
 * escape, so a `<` that opens a form and the emphasis characters become look-alikes.
 */
export function escapeGoogleChatText(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) => lookalikeEmphasis(neutralizeMentions(line).replace(/</g, '＜')));
}

/** Google Chat card text (an HTML subset): `&<>"'` as entities, mentions inert. */
export function escapeGoogleChatCardHtml(text: string, options: EscapeOptions = {}): string {
  return perLine(text, options, (line) => escapeHtml(neutralizeMentions(line)));
}
